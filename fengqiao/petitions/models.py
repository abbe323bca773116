"""Formal petitions (信访) registered on cases: the petition, its opinions (reply, review, re-review), hearings,
and the closing check (三到位一处理). States, clocks and checks live in `fengqiao.petitions.rules`; every write goes
through `fengqiao.petitions.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengqiao.cases.models import Case, Party
from fengqiao.org.models import OrgUnit
from fengqiao.petitions.rules import Clock, ClosingItem, NotAcceptedGround, State


class PetitionForm(models.TextChoices):
    LETTER = "letter", _("Letter (来信)")
    VISIT = "visit", _("Visit (来访)")
    ONLINE = "online", _("Online (网上信访)")
    PHONE = "phone", _("Phone (来电)")


class PetitionQuerySet(models.QuerySet):
    def visible_to(self, user) -> PetitionQuerySet:
        """Petitions registered to a petition office the user works in, or under an auditor's unit; else none."""
        from fengqiao.org.access import Capability, scope_for

        scope = scope_for(user)
        offices: set[int] = set()
        for grant in scope.grants:
            if Capability.CASE_PETITION in grant.capabilities:
                offices.add(grant.unit_id)
            elif Capability.AUDIT_READ in grant.capabilities:
                offices |= grant.unit_ids
        return self.filter(office_id__in=offices) if offices else self.none()

    def of_petitioner(self, user) -> PetitionQuerySet:
        """The petitions on the user's own cases (the resident who raised them)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(case__applicant_user_id=user.pk)

    def open(self) -> PetitionQuerySet:
        return self.exclude(state__in=[State.CLOSED, State.NOT_ACCEPTED])


class Petition(models.Model):
    number = models.CharField(_("petition number"), max_length=24, unique=True)
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="petitions")
    office = models.ForeignKey(OrgUnit, verbose_name=_("petition office"), on_delete=models.PROTECT,
                               related_name="petitions_registered")
    organ = models.ForeignKey(OrgUnit, verbose_name=_("handling organ"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="petitions_handled")
    petitioners = models.ManyToManyField(Party, verbose_name=_("petitioners"), related_name="petitions")
    matter = models.TextField(_("matter"))
    form = models.CharField(_("form"), max_length=8, choices=PetitionForm.choices)
    people_count = models.PositiveIntegerField(_("people"), default=1)
    registered_on = models.DateField(_("registered on"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.REGISTERED)

    received_on = models.DateField(_("received by the deciding organ on"))  # registration, or the transfer
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    transferred_on = models.DateField(_("transferred on"), null=True, blank=True)
    not_accepted_ground = models.CharField(_("ground"), max_length=16, choices=NotAcceptedGround.choices, blank=True)
    decision_reason = models.TextField(_("reason given to the petitioner"), blank=True)
    started_on = models.DateField(_("handling started on"), null=True, blank=True)

    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extended_on = models.DateField(_("extended on"), null=True, blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("extension approved by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")

    repeat_of = models.ForeignKey("self", verbose_name=_("same facts as"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="repeats")
    repeat_basis = models.CharField(_("why it is the same"), max_length=200, blank=True)

    clock = models.CharField(_("running clock"), max_length=20, choices=Clock.choices, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    clock_paused = models.BooleanField(_("clock paused (hearing)"), default=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    alerted = models.CharField(max_length=80, blank=True, editable=False)  # the last clock alert sent (sweep claim)

    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True,
                                      on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-registered_on", "-id"]
        indexes = [models.Index(fields=["office", "state", "due_on"], name="petition_office_state_due")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="petition_state_valid"),
            models.CheckConstraint(condition=Q(form__in=PetitionForm.values), name="petition_form_valid"),
            models.CheckConstraint(condition=Q(extension_days__lte=30), name="petition_extension_at_most_30"),
            models.CheckConstraint(
                condition=Q(extension_days=0) | Q(extension_approved_by__isnull=False),
                name="petition_extension_approved",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.NOT_ACCEPTED) | ~Q(not_accepted_ground=""),
                name="petition_not_accepted_has_ground",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Stage(models.TextChoices):
    REPLY = "reply", _("Written reply (信访答复意见书)")
    REVIEW = "review", _("Review opinion (复查意见书)")
    RE_REVIEW = "re_review", _("Re-review opinion (复核意见书)")


class Opinion(models.Model):
    """The written reply, or a review / re-review opinion: what was found, the opinion, its basis, and where the
    petitioner may go next."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="opinions")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    organ_name = models.CharField(_("organ"), max_length=100)
    requested_on = models.DateField(_("requested on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    facts = models.TextField(_("facts found"), blank=True)
    opinion = models.TextField(_("handling opinion"), blank=True)
    basis = models.TextField(_("basis (law and policy)"), blank=True)
    next_organ_name = models.CharField(_("organ for the next step"), max_length=100, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        constraints = [
            models.UniqueConstraint(fields=["petition", "stage"], name="opinion_one_per_stage"),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="opinion_stage_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.petition} {self.get_stage_display()}"


class Hearing(models.Model):
    """A hearing (听证) during a review or re-review: its days are not counted in the decision limit."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="hearings")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ["started_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="hearing_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.petition} {self.started_on}"


class ClosingCheck(models.Model):
    """One line of the 三到位一处理 check before closing."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="closing_checks")
    item = models.CharField(_("item"), max_length=16, choices=ClosingItem.choices)
    applicable = models.BooleanField(_("applies"), default=False)
    done = models.BooleanField(_("done"), default=False)
    note = models.TextField(_("what was done"), blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("closing check")
        verbose_name_plural = _("closing checks")
        constraints = [models.UniqueConstraint(fields=["petition", "item"], name="closingcheck_one_per_item")]

    def __str__(self) -> str:
        return f"{self.petition} {self.item}"
