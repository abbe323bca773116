"""Commands (发令) and check-in (报到): a centre commands departments to come to a case; each department checks
in (on site or online, naming who came), then reports in the command's thread. The rules are in
`commands/rules.py`; the only writes are in `commands/services.py`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    MAJOR = "major", _("Major")
    GENERAL = "general", _("General")


class Rank(models.IntegerChoices):
    """Leadership rank (职级), lowest first: a command names the lowest rank that must come."""

    STAFF = 0, _("Staff member")
    DEPUTY_SECTION = 1, _("Deputy section chief (副科级)")
    SECTION = 2, _("Section chief (科级)")
    DEPUTY_DIVISION = 3, _("Deputy division chief (副处级)")
    DIVISION = 4, _("Division chief (处级)")
    BUREAU = 5, _("Bureau chief (厅局级)")


class ClockUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes (wall clock)")
    HOURS = "hours", _("hours (wall clock)")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")


class CommandPolicy(models.Model):
    """What a command of a level (and, optionally, a category) demands. Editable; the shipped defaults come
    from `rules.DEFAULT_POLICIES` (migration 0002). The most specific active row wins."""

    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    category = models.ForeignKey("cases.Category", verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="command_policies",
                                 help_text=_("Empty: every category of this level."))
    checkin_amount = models.PositiveIntegerField(_("time to check in"))
    checkin_unit = models.CharField(_("unit of time"), max_length=16, choices=ClockUnit.choices)
    min_rank = models.PositiveSmallIntegerField(_("lowest rank that must come"), choices=Rank.choices)
    headcount = models.PositiveSmallIntegerField(_("people who must come"), default=1)
    on_site = models.BooleanField(_("on site"), default=True,
                                  help_text=_("On site: the check-in must be at the case's place. Otherwise online is enough."))
    max_distance_m = models.PositiveIntegerField(_("farthest check-in from the place (metres)"), default=500)
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("command policy")
        verbose_name_plural = _("command policies")
        ordering = ["level", "category__code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "category"], name="commandpolicy_one_per_level_category"),
            models.UniqueConstraint(fields=["level"], condition=models.Q(category__isnull=True),
                                    name="commandpolicy_one_default_per_level"),
            models.CheckConstraint(condition=models.Q(headcount__gte=1), name="commandpolicy_headcount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.category or _('every category')}"


class StaffRank(models.Model):
    """The rank (职级) of a member of staff, kept by the administrator: a check-in counts the rank recorded here,
    never a rank typed in at the scene."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                                related_name="staff_rank")
    rank = models.PositiveSmallIntegerField(_("rank"), choices=Rank.choices, default=Rank.STAFF)

    class Meta:
        verbose_name = _("staff rank")
        verbose_name_plural = _("staff ranks")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_rank_display()}"


class Command(models.Model):
    class Status(models.TextChoices):
        AWAITING_SIGNATURE = "awaiting", _("Waiting for the head's signature")
        ISSUED = "issued", _("Issued")
        FULFILLED = "fulfilled", _("Fulfilled")
        ESCALATED = "escalated", _("Escalated")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    number = models.CharField(_("number"), max_length=32, unique=True)
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="commands")
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AWAITING_SIGNATURE)
    issuer_unit = models.ForeignKey("org.OrgUnit", verbose_name=_("issuing centre"), on_delete=models.PROTECT,
                                    related_name="commands_issued")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drawn up by"), on_delete=models.PROTECT,
                                  related_name="+")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    instructions = models.TextField(_("instructions"))
    # The policy as it stood when the command was issued (a later edit of the policy does not move this clock).
    checkin_amount = models.PositiveIntegerField(_("time to check in"))
    checkin_unit = models.CharField(_("unit of time"), max_length=16, choices=ClockUnit.choices)
    min_rank = models.PositiveSmallIntegerField(_("lowest rank that must come"), choices=Rank.choices)
    headcount = models.PositiveSmallIntegerField(_("people who must come"))
    on_site = models.BooleanField(_("on site"))
    max_distance_m = models.PositiveIntegerField(_("farthest check-in from the place (metres)"))
    escalated_from = models.OneToOneField("self", verbose_name=_("escalated from"), null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="escalated_to")
    created_at = models.DateTimeField(_("drawn up at"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    due_at = models.DateTimeField(_("check in by"), null=True, blank=True)
    swept_at = models.DateTimeField(_("clock checked at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    close_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("command")
        verbose_name_plural = _("commands")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="command_status_due")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["awaiting", "issued", "fulfilled", "escalated",
                                                                  "withdrawn"]), name="command_status_valid"),
            models.CheckConstraint(condition=models.Q(status="awaiting") | models.Q(issued_at__isnull=False),
                                   name="command_issued_has_time"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.AWAITING_SIGNATURE, self.Status.ISSUED)


class Flag(models.TextChoices):
    LATE = "late", _("Late")
    MISSING = "missing", _("Did not check in")
    UNDER_RANKED = "under_ranked", _("Below the required rank")
    SHORT_HANDED = "short_handed", _("Fewer people than required")
    FAR = "far", _("Far from the place")
    ONLINE = "online", _("Online where on site was required")


class CommandTarget(models.Model):
    """One department a command reaches."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for check-in")
        CHECKED_IN = "checked_in", _("Checked in")
        MISSING = "missing", _("Did not check in")

    command = models.ForeignKey(Command, verbose_name=_("command"), on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("department"), on_delete=models.PROTECT,
                             related_name="commands_received")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)

    class Meta:
        verbose_name = _("commanded department")
        verbose_name_plural = _("commanded departments")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["command", "unit"], name="commandtarget_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.command} → {self.unit}"


class CheckIn(models.Model):
    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        ONLINE = "online", _("Online")

    target = models.OneToOneField(CommandTarget, verbose_name=_("commanded department"), on_delete=models.CASCADE,
                                  related_name="checkin")
    mode = models.CharField(_("how"), max_length=8, choices=Mode.choices)
    at = models.DateTimeField(_("checked in at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked in by"), on_delete=models.PROTECT,
                           related_name="+")
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("distance from the place (metres)"), null=True, blank=True)
    photo = models.FileField(_("photo"), upload_to="checkins/%Y/%m/", blank=True)
    note = models.TextField(_("note"), blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.target} · {self.at:%Y-%m-%d %H:%M}"


class CheckInPerson(models.Model):
    """Who came, with the rank recorded for them at that moment. A person checks in once per command."""

    checkin = models.ForeignKey(CheckIn, verbose_name=_("check-in"), on_delete=models.CASCADE, related_name="people")
    command = models.ForeignKey(Command, verbose_name=_("command"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                             related_name="+")
    rank = models.PositiveSmallIntegerField(_("rank"), choices=Rank.choices)

    class Meta:
        verbose_name = _("person who came")
        verbose_name_plural = _("people who came")
        constraints = [models.UniqueConstraint(fields=["command", "user"], name="checkinperson_once_per_command")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_rank_display()}"


class Post(models.Model):
    """A line of the command's thread: progress a department reports, or what the platform records."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress")
        SYSTEM = "system", _("Recorded by the platform")

    command = models.ForeignKey(Command, verbose_name=_("command"), on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    text = models.TextField(_("text"), blank=True)
    # SYSTEM lines are stored as a message id and its arguments (fengqiao.core.reasons), shown in the reader's language.
    message = models.JSONField(_("message"), null=True, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("thread line")
        verbose_name_plural = _("thread lines")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["command", "at"], name="commandpost_command_at")]

    def __str__(self) -> str:
        return f"{self.command} · {self.at:%Y-%m-%d %H:%M}"
