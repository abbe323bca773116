"""People's mediation (MISSION §8, LEGAL.md): mediators and their hours, residents' bookings and ratings,
mediations on a case with their team and sessions (attendees, the signed record 笔录), the outcome, the
agreement (人民调解协议书) with its parties, terms, signatures and verification code, and follow-up visits.

Rules (what a booking may be, when an agreement takes effect, the mediation time limit) live in
`fengqiao.mediation.rules`; every write goes through `fengqiao.mediation.services`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.core.crypto import EncryptedTextField
from fengqiao.org.models import OrgUnit, ServicePoint


class MediatorKind(models.TextChoices):
    PEOPLES_MEDIATOR = "peoples_mediator", _("People's mediator")
    LAWYER = "lawyer", _("Lawyer")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    JUDGE = "judge", _("Judge stationed in the community")
    PROSECUTOR = "prosecutor", _("Prosecutor stationed in the community")
    FIVE_ELDERS = "five_elders", _("“Five elders” volunteer")
    INDUSTRY = "industry", _("Industry mediation committee")


class Specialty(models.TextChoices):
    FAMILY = "family", _("Marriage and family")
    NEIGHBOUR = "neighbour", _("Neighbours")
    LABOUR = "labour", _("Labour and wages")
    PROPERTY = "property", _("Property management")
    CONSUMER = "consumer", _("Consumer")
    MEDICAL = "medical", _("Medical")
    TRAFFIC = "traffic", _("Traffic accidents")
    LAND = "land", _("Land and housing")
    PSYCHOLOGY = "psychology", _("Psychological counselling")
    COMMERCIAL = "commercial", _("Commercial")


class MediatorProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mediator_profile",
                                verbose_name=_("user"))
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="mediators")
    kind = models.CharField(_("kind"), max_length=20, choices=MediatorKind.choices)
    specialties = models.JSONField(_("specialties"), default=list)
    languages = models.CharField(_("languages"), max_length=100, default="普通话")
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("service point"), null=True, blank=True, on_delete=models.SET_NULL
    )
    bio = models.TextField(_("about"), blank=True)
    is_available = models.BooleanField(_("available"), default=True)
    video_link = models.URLField(
        _("video meeting link"), blank=True,
        help_text=_("A room in the meeting system the district uses; sessions by video offer this link."),
    )

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")

    def __str__(self) -> str:
        return str(self.user)

    def specialty_labels(self) -> list[str]:
        return [str(Specialty(s).label) for s in self.specialties if s in Specialty.values]


def _code(length: int = 8) -> str:
    """A short code read out on the phone: no 0/O, 1/I/L."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _i in range(length))


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class MediatorHours(models.Model):
    """When and where a mediator receives residents, cut into bookable slots (e.g. Tuesday 14:00–17:00, 60 min)."""

    mediator = models.ForeignKey(MediatorProfile, verbose_name=_("mediator"), on_delete=models.CASCADE,
                                 related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per booking"), default=60)
    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"), null=True, blank=True,
                                      on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("mediator's hours")
        verbose_name_plural = _("mediators' hours")
        ordering = ["mediator", "weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(start__lt=models.F("end")), name="mediatorhours_start_before_end"),
            models.CheckConstraint(condition=models.Q(slot_minutes__gte=15), name="mediatorhours_slot_min"),
        ]

    def __str__(self) -> str:
        return f"{self.mediator} {self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("By video")
    BACK_TO_BACK = "back_to_back", _("Back to back (each party separately)")


class Booking(models.Model):
    """A resident's booking of a mediator's slot (线上预约、线下调解). One slot, one live booking: the database
    refuses a second (two residents racing for a slot: exactly one wins)."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")

    code = models.CharField(_("booking code"), max_length=12, unique=True, default=_code, editable=False)
    mediator = models.ForeignKey(MediatorProfile, verbose_name=_("mediator"), on_delete=models.PROTECT,
                                 related_name="bookings")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(_("how"), max_length=16, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON)
    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"), null=True, blank=True,
                                      on_delete=models.SET_NULL)
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="bookings")
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20)
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resident account"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="mediation_bookings")
    matter = models.TextField(_("what the dispute is about"))
    specialty = models.CharField(_("kind of dispute"), max_length=20, choices=Specialty.choices, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["mediator", "starts_at"], condition=models.Q(status="booked"),
                                    name="booking_one_live_per_slot"),
            models.CheckConstraint(condition=models.Q(starts_at__lt=models.F("ends_at")),
                                   name="booking_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.mediator} {self.starts_at:%Y-%m-%d %H:%M}"


class Rating(models.Model):
    """A resident's rating of a mediator after a session (1–5 stars); one per booking."""

    booking = models.OneToOneField(Booking, verbose_name=_("booking"), on_delete=models.CASCADE,
                                   related_name="rating")
    mediator = models.ForeignKey(MediatorProfile, verbose_name=_("mediator"), on_delete=models.CASCADE,
                                 related_name="ratings")
    stars = models.PositiveSmallIntegerField(_("stars"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5),
                                              name="rating_stars_1_to_5")]

    def __str__(self) -> str:
        return f"{self.mediator} {self.stars}★"


class MediationSource(models.TextChoices):
    BOOKING = "booking", _("Booked by the resident")
    DISPATCH = "dispatch", _("Dispatched case")
    COURT = "court", _("Invited by a court before litigation (诉前调解)")
    LINKAGE = "linkage", _("Handed over by a linked body")
    REMEDIATION = "remediation", _("Back from a refused judicial confirmation")


class MediationOutcome(models.TextChoices):
    AGREEMENT_WRITTEN = "agreement_written", _("Agreement (written)")
    AGREEMENT_ORAL = "agreement_oral", _("Agreement (oral)")
    PARTIAL = "partial", _("Partial agreement")
    NONE = "none", _("No agreement")
    WITHDRAWN = "withdrawn", _("Withdrawn by the parties")


class Referral(models.TextChoices):
    """Where a dispute goes when mediation does not settle it (the "1236" routes)."""

    NONE = "", _("None")
    ARBITRATION = "arbitration", _("Labour arbitration")
    LITIGATION = "litigation", _("Litigation")
    ADMINISTRATIVE = "administrative", _("Administrative handling by a department")
    PETITION = "petition", _("Petition procedure")


class Mediation(models.Model):
    """One people's mediation of the dispute in a case, run by a committee's mediator and team."""

    class Status(models.TextChoices):
        OPEN = "open", _("In mediation")
        CONCLUDED = "concluded", _("Concluded")

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="mediations")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("mediation committee"), on_delete=models.PROTECT,
                             related_name="mediations")
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lead mediator"), on_delete=models.PROTECT,
                                 related_name="mediations_led")
    source = models.CharField(_("came from"), max_length=16, choices=MediationSource.choices,
                              default=MediationSource.DISPATCH)
    booking = models.ForeignKey(Booking, verbose_name=_("booking"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="mediations")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    facts = models.TextField(_("main facts"), blank=True)
    matters = models.TextField(_("matters in dispute"), blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    due_at = models.DateTimeField(_("to finish by"))
    extended_with_consent = models.BooleanField(_("extended with both parties' consent"), default=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=MediationOutcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    referral = models.CharField(_("referred to"), max_length=16, choices=Referral.choices, blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mediation")
        verbose_name_plural = _("mediations")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(status="open"),
                                    name="mediation_one_open_per_case"),
            models.CheckConstraint(
                condition=models.Q(status="open", outcome="") | (models.Q(status="concluded") & ~models.Q(outcome="")),
                name="mediation_concluded_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_status_display()}"


class TeamRole(models.TextChoices):
    MEDIATOR = "mediator", _("Mediator")
    LAWYER = "lawyer", _("Lawyer")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    JUDGE = "judge", _("Judge")
    POLICE = "police", _("Police officer")
    OTHER = "other", _("Other")


class TeamMember(models.Model):
    """Who works a mediation with the lead mediator (the 话聊 team: mediator + lawyer + psychologist)."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT,
                             related_name="mediation_teams")
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["mediation", "user"], name="teammember_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Session(models.Model):
    """A mediation meeting: in person, by video or back to back; its record (笔录) is signed by those present."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    seq = models.PositiveSmallIntegerField(_("number"))
    mode = models.CharField(_("how"), max_length=16, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON)
    scheduled_at = models.DateTimeField(_("scheduled for"))
    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"), null=True, blank=True,
                                      on_delete=models.SET_NULL)
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video meeting link"), blank=True)
    booking = models.ForeignKey(Booking, verbose_name=_("booking"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="sessions")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    record = models.TextField(_("record (笔录)"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["mediation", "seq"]
        constraints = [models.UniqueConstraint(fields=["mediation", "seq"], name="session_unique_seq")]

    def __str__(self) -> str:
        return f"{self.mediation_id} #{self.seq}"


class AttendeeRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")
    OTHER_PARTY = "other_party", _("Other party")
    AGENT = "agent", _("Agent of a party")
    MEDIATOR = "mediator", _("Mediator")
    LAWYER = "lawyer", _("Lawyer")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    INTERPRETER = "interpreter", _("Interpreter")
    WITNESS = "witness", _("Witness")
    OTHER = "other", _("Other")


class Attendee(models.Model):
    """Someone at a session; parties sign the record (`signed_at`). In a back-to-back session, `part` says which
    separate talk they were in (1, 2 …)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=16, choices=AttendeeRole.choices)
    party = models.ForeignKey("cases.Party", verbose_name=_("party"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    part = models.PositiveSmallIntegerField(_("separate talk"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed the record at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["session", "part", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


def _verification_code() -> str:
    return _code(12)


class Agreement(models.Model):
    """The mediation agreement (人民调解协议书, People's Mediation Law art. 28–29).

    Draft → signing → effective when every party and the mediator have signed and the committee has sealed
    (art. 29); an oral agreement is recorded by the mediator and takes effect when the parties agree. The
    verification code (and its QR on the PDF) leads to a public page confirming the document is genuine.
    """

    class Form(models.TextChoices):
        WRITTEN = "written", _("Written")
        ORAL = "oral", _("Oral (recorded by the mediator)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNING = "signing", _("Being signed")
        EFFECTIVE = "effective", _("In effect")
        VOID = "void", _("Void")

    mediation = models.OneToOneField(Mediation, verbose_name=_("mediation"), on_delete=models.PROTECT,
                                     related_name="agreement")
    number = models.CharField(_("number"), max_length=40, unique=True)
    form = models.CharField(_("form"), max_length=8, choices=Form.choices, default=Form.WRITTEN)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    facts = models.TextField(_("main facts"))
    matters = models.TextField(_("matters in dispute"))
    responsibilities = models.TextField(_("each side's responsibility"))
    partial = models.BooleanField(_("partial agreement"), default=False)
    verification_code = models.CharField(_("verification code"), max_length=16, unique=True,
                                         default=_verification_code, editable=False)
    mediator_signed_at = models.DateTimeField(_("mediator signed at"), null=True, blank=True)
    sealed_at = models.DateTimeField(_("committee seal at"), null=True, blank=True)
    effective_at = models.DateTimeField(_("in effect since"), null=True, blank=True)
    scan = models.FileField(_("scan of the signed copy"), upload_to="agreements/", max_length=200, blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    pdf_sha256 = models.CharField(_("fingerprint of the last PDF"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drawn up by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("drawn up at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="effective") | models.Q(effective_at__isnull=False),
                                   name="agreement_effective_has_date"),
        ]

    def __str__(self) -> str:
        return self.number


class AgreementParty(models.Model):
    """A party as the agreement names them (particulars copied from the case when drawn up) and their signature."""

    class SignedBy(models.TextChoices):
        SIGNATURE = "signature", _("Signature")
        SEAL = "seal", _("Seal")
        FINGERPRINT = "fingerprint", _("Fingerprint")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    party = models.ForeignKey("cases.Party", verbose_name=_("party on the case"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(_("role"), max_length=16, choices=AttendeeRole.choices)
    name = models.CharField(_("name"), max_length=100)
    id_type = models.CharField(_("ID type"), max_length=12, blank=True)
    id_number = EncryptedTextField(_("ID number"), max_length=40, blank=True)  # encrypted at rest (PIPL)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.CharField(_("signed with"), max_length=12, choices=SignedBy.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signature recorded by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("party to the agreement")
        verbose_name_plural = _("parties to the agreement")
        ordering = ["agreement", "id"]

    def __str__(self) -> str:
        return self.name


class AgreementTerm(models.Model):
    """One agreed term: who does what, how, and by when (art. 29: manner and time limit of performance)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="terms")
    seq = models.PositiveSmallIntegerField(_("number"))
    content = models.TextField(_("what is agreed"))
    manner = models.CharField(_("manner of performance"), max_length=200, blank=True)
    due_on = models.DateField(_("to be performed by"), null=True, blank=True)
    amount = models.DecimalField(_("sum (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    performed_at = models.DateTimeField(_("performed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreed term")
        verbose_name_plural = _("agreed terms")
        ordering = ["agreement", "seq"]
        constraints = [models.UniqueConstraint(fields=["agreement", "seq"], name="agreementterm_unique_seq")]

    def __str__(self) -> str:
        return f"{self.agreement_id}.{self.seq}"


class FollowUp(models.Model):
    """A follow-up visit (回访) on whether the agreement is being performed."""

    class Performance(models.TextChoices):
        PERFORMED = "performed", _("Performed")
        PARTLY = "partly", _("Partly performed")
        NOT_PERFORMED = "not_performed", _("Not performed")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("visit by"))
    done_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visited by"), null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    performance = models.CharField(_("performance"), max_length=16, choices=Performance.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(done_at__isnull=True) | ~models.Q(performance=""),
                                   name="followup_done_has_performance"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.due_on}"
