"""What a case is (MISSION §4): the demand, its parties, where it is, who holds it, and its timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.workflow import OPEN_STATES, Action, Status, transition_constraint
from fengqiao.core.crypto import EncryptedTextField
from fengqiao.org.access import scope_for
from fengqiao.org.models import OrgUnit, Region, ServicePoint


class ServiceType(models.TextChoices):
    """The five services (五大服务)."""

    MEDIATION = "mediation", _("Dispute mediation")
    LEGAL = "legal", _("Legal service")
    PSYCHOLOGICAL = "psychological", _("Psychological service")
    ASSISTANCE = "assistance", _("Assistance and relief")
    COMPLAINT = "complaint", _("Complaint and suggestion")


class Grade(models.TextChoices):
    RED = "red", _("Class 1 (red)")
    YELLOW = "yellow", _("Class 2 (yellow)")
    GREEN = "green", _("Class 3 (green)")


class Outcome(models.TextChoices):
    """What the handling unit records when it resolves a case."""

    RESOLVED = "resolved", _("Resolved")
    PARTLY = "partly", _("Partly resolved")
    NOT_RESOLVED = "not_resolved", _("Not resolved: referred to arbitration or litigation")


class Satisfaction(models.TextChoices):
    """How satisfied the resident is with the result (asked by the resident's confirmation or a return visit)."""

    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Channel(models.TextChoices):
    WEB = "web", _("Public web form")
    WALK_IN = "walk_in", _("Walk-in")
    HOTLINE = "hotline", _("Hotline 12345")
    GRID = "grid", _("Grid report")
    API = "api", _("Partner API")
    OPEN311 = "open311", _("Open311")
    IMPORT = "import", _("Bulk import")


class Category(models.Model):
    """Two-level catalogue, e.g. 劳动和社会保障 → 劳动保障 (configurable)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    default_service_type = models.CharField(
        _("default service type"), max_length=16, choices=ServiceType.choices, default=ServiceType.COMPLAINT
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.parent.name} → {self.name}" if self.parent_id else self.name


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseQuerySet:
        """Exactly the cases `user` may see (fengqiao.org.access)."""
        scope = scope_for(user)
        return self.filter(pk__in=Case.objects.filter(scope.case_filter()).values("pk"))

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATES)

    def overdue(self, now=None) -> CaseQuerySet:
        from django.utils import timezone

        return self.open().filter(due_at__lt=now or timezone.now())


class Case(models.Model):
    code = models.CharField(_("case code"), max_length=24, unique=True)
    service_type = models.CharField(_("service type"), max_length=16, choices=ServiceType.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices, default=Grade.GREEN)
    grade_reasons = models.JSONField(_("grade reasons"), default=list, blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    people_count = models.PositiveIntegerField(_("people involved"), default=1)
    amount = models.DecimalField(_("money involved (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="cases")
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("service point"), null=True, blank=True, on_delete=models.SET_NULL
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    consent_contact = models.BooleanField(_("may be contacted"), default=True)
    consent_sensitive = models.BooleanField(_("consent to sensitive data"), default=False)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    held_from = models.CharField(max_length=16, choices=Status.choices, blank=True, editable=False)
    holder_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("holding unit"), on_delete=models.PROTECT, related_name="held_cases"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="own_cases",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=24, choices=Satisfaction.choices, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    due_at = models.DateTimeField(_("current step due"), null=True, blank=True, db_index=True)

    source_system = models.CharField(_("source system"), max_length=40, blank=True)
    source_id = models.CharField(_("id in source system"), max_length=64, blank=True)

    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # When the result was last recorded, and whether that was within the resolve step's time limit (the SLA
    # `Deadline`, extensions and holds included); kept by case_resolve, read by the big screen's on-time rate.
    resolved_at = models.DateTimeField(_("result recorded at"), null=True, blank=True)
    resolved_on_time = models.BooleanField(_("result recorded on time"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["holder_unit", "status", "-submitted_at"], name="case_holder_status"),
            models.Index(fields=["region", "status", "-submitted_at"], name="case_region_status"),
            models.Index(fields=["status", "due_at"], name="case_status_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="case_status_valid"),
            models.CheckConstraint(condition=models.Q(grade__in=Grade.values), name="case_grade_valid"),
            models.CheckConstraint(condition=models.Q(service_type__in=ServiceType.values), name="case_service_valid"),
            models.CheckConstraint(condition=models.Q(channel__in=Channel.values), name="case_channel_valid"),
            # A merged case points at the case it joined, and only a merged case does.
            models.CheckConstraint(
                condition=models.Q(status=Status.MERGED, merged_into__isnull=False)
                | (~models.Q(status=Status.MERGED) & models.Q(merged_into__isnull=True)),
                name="case_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=Status.ON_HOLD) | ~models.Q(held_from=""),
                name="case_on_hold_knows_from",
            ),
            models.UniqueConstraint(
                fields=["source_system", "source_id"],
                condition=~models.Q(source_id=""),
                name="case_unique_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def assisting_unit_ids(self) -> list[int]:
        return [a.unit_id for a in self.assignments.all() if a.role == Assignment.Role.ASSIST and a.is_active]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES


class CaseCounter(models.Model):
    """The last sequence number per case-code prefix and year (GM-2026-000123)."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case counter")
        verbose_name_plural = _("case counters")
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="casecounter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.value}"


class Party(models.Model):
    class PartyRole(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        RESPONDENT = "respondent", _("Respondent")
        OTHER = "other", _("Other party")

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    class IdType(models.TextChoices):
        NONE = "", _("None")
        RESIDENT_ID = "resident_id", _("Resident identity card")
        PASSPORT = "passport", _("Passport")
        HK_MACAO = "hk_macao", _("Mainland travel permit (HK/Macao)")
        USCC = "uscc", _("Unified social credit code")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=12, choices=PartyRole.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=100)
    id_type = models.CharField(_("ID type"), max_length=12, choices=IdType.choices, blank=True)
    # Encrypted at rest (PIPL; fengqiao/core/crypto.py); searched through its keyed blind index only.
    id_number = EncryptedTextField(_("ID number"), max_length=40, blank=True, index_field="id_number_index")
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class Attachment(models.Model):
    """A photo, recording or document on a case. Stored outside the web root; served by a permission-checked view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="cases/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    is_public = models.BooleanField(default=True, help_text=_("Visible to the resident on the tracking page."))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]
        constraints = [models.UniqueConstraint(fields=["case", "sha256"], name="attachment_unique_per_case")]

    def __str__(self) -> str:
        return self.original_name


class Assignment(models.Model):
    """A unit working on a case: the lead unit, or one of the assisting units (co-handling)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        ASSIST = "assist", _("Assisting unit")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=8, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unit assignment")
        verbose_name_plural = _("unit assignments")
        constraints = [models.UniqueConstraint(fields=["case", "unit", "role"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.role} {self.unit_id}"


class CaseEventQuerySet(models.QuerySet):
    def added_information(self) -> CaseEventQuerySet:
        """Notes that add to the demand (what `CaseEvent.adds_information` says of one line)."""
        return self.filter(action=Action.NOTE, **{f"data__{CaseEvent.INFORMATION}": True})


class CaseEvent(models.Model):
    """One line of the append-only timeline: who, when, what, why, before and after.

    Rows are only ever inserted (by fengqiao.cases.services); the current state of
    a case can be rebuilt from them (fengqiao.cases.timeline.replay).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=True, help_text=_("Shown to the resident on the tracking page."))
    # The hash chain (fengqiao.audit): SHA-256 of the line's canonical content, and the keyed hash linking it to
    # the case's previous line. The database refuses UPDATE and DELETE of timeline lines (fengqiao.audit.guard).
    digest = models.CharField(max_length=64, blank=True, editable=False)
    chain = models.CharField(max_length=64, blank=True, editable=False)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="caseevent_unique_seq"),
            # The database refuses any timeline line that is not a move of the transition table.
            models.CheckConstraint(condition=transition_constraint(), name="caseevent_transition_allowed"),
        ]

    INFORMATION = "information"  # `data` flag of a note that adds to the demand (services.case_add_information)

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"

    @property
    def adds_information(self) -> bool:
        return self.action == Action.NOTE and bool(self.data.get(self.INFORMATION))

    @property
    def by_resident(self) -> bool:
        """Made by the resident without a staff account behind it: their demand from the web form or an Open311
        app, or what they added from the tracking page (otherwise an event without an actor is the platform's)."""
        return self.actor_id is None and (
            self.adds_information
            or (self.action == Action.SUBMIT and self.data.get("channel") in (Channel.WEB, Channel.OPEN311)))

    @property
    def title(self) -> str:
        """What the staff timeline calls this line (a note is internal, to the resident, or from them)."""
        if self.adds_information:
            return str(_("Information added by the resident"))
        if self.action == Action.NOTE and self.is_public:
            return str(_("Message to the resident"))
        return self.get_action_display()
