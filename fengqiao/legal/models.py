"""The legal routes (MISSION §8, LEGAL.md): judicial confirmation of a mediation agreement (司法确认), referral to
arbitration or litigation, and the six linkages (诉调、检调、警调、访调、证调、仲调) between the court, procuratorate,
police, petition office, notary, arbitration and the mediators; court-invited pre-litigation mediation (诉前调解)
is a court linkage that arrives as a case.

States, clocks and who may act live in `fengqiao.legal.rules`; every write goes through `fengqiao.legal.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.org.models import OrgUnit


class MatterType(models.TextChoices):
    """What the agreement settles. Identity, adoption and marriage status cannot be judicially confirmed."""

    CIVIL = "civil", _("Civil rights and obligations (money, property, compensation, performance)")
    IDENTITY = "identity", _("Identity relationship (e.g. parentage)")
    ADOPTION = "adoption", _("Adoption relationship")
    MARRIAGE = "marriage", _("Marriage status (validity, divorce)")


class ConfirmationApplication(models.Model):
    """A joint application of the parties for judicial confirmation of an effective mediation agreement.

    filed → accepted | not accepted; accepted → confirmed (enforceable) | refused (→ back to mediation or to
    litigation). One live application (filed, accepted or confirmed) per agreement.
    """

    class Status(models.TextChoices):
        FILED = "filed", _("Filed, waiting for the court")
        ACCEPTED = "accepted", _("Accepted by the court")
        NOT_ACCEPTED = "not_accepted", _("Not accepted by the court")
        CONFIRMED = "confirmed", _("Confirmed (enforceable)")
        REFUSED = "refused", _("Confirmation refused")

    class AfterRefusal(models.TextChoices):
        NONE = "", _("Not decided yet")
        REMEDIATION = "remediation", _("Back to mediation")
        LITIGATION = "litigation", _("Referred to litigation")

    agreement = models.ForeignKey("mediation.Agreement", verbose_name=_("mediation agreement"),
                                  on_delete=models.PROTECT, related_name="confirmation_applications")
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="confirmation_applications")
    court = models.ForeignKey(OrgUnit, verbose_name=_("court"), on_delete=models.PROTECT,
                              related_name="confirmation_applications")
    court_reasons = models.JSONField(_("why this court"), default=list, blank=True)
    court_suggested = models.ForeignKey(OrgUnit, verbose_name=_("court suggested by the rules"), null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="+")
    matter_type = models.CharField(_("kind of matter"), max_length=12, choices=MatterType.choices,
                                   default=MatterType.CIVIL)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.FILED)
    materials = models.JSONField(_("materials"), default=list, blank=True)
    agreement_effective_at = models.DateTimeField(_("agreement in effect since"))
    apply_due_at = models.DateTimeField(_("to apply by"))
    late = models.BooleanField(_("filed after the 30 days"), default=False)
    late_reason = models.TextField(_("reason for the late application"), blank=True)
    filed_at = models.DateTimeField(_("filed at"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT,
                                 related_name="+")
    accept_due_at = models.DateTimeField(_("court to accept or refuse by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("accepted by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    court_case_number = models.CharField(_("court's case number"), max_length=60, blank=True)
    not_accepted_reason = models.TextField(_("why not accepted"), blank=True)
    decide_due_at = models.DateTimeField(_("court to decide by"), null=True, blank=True)
    extended_at = models.DateTimeField(_("decision time extended at"), null=True, blank=True)
    extension_approved_by = models.CharField(_("extension approved by"), max_length=100, blank=True)
    extension_reason = models.TextField(_("why extended"), blank=True)
    ruling_number = models.CharField(_("ruling number"), max_length=60, blank=True)
    ruling_date = models.DateField(_("ruling date"), null=True, blank=True)
    ruling_reason = models.TextField(_("grounds of the ruling"), blank=True)
    ruled_at = models.DateTimeField(_("ruling recorded at"), null=True, blank=True)
    ruled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ruling recorded by"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    after_refusal = models.CharField(_("after the refusal"), max_length=12, choices=AfterRefusal.choices,
                                     blank=True)
    remediation = models.ForeignKey("mediation.Mediation", verbose_name=_("new mediation"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("judicial confirmation application")
        verbose_name_plural = _("judicial confirmation applications")
        ordering = ["-filed_at"]
        # The big screen counts confirmations by ruling date (dashboard.selectors): one index range per period.
        indexes = [models.Index(fields=["status", "ruling_date"], name="confirmation_status_ruling")]
        constraints = [
            models.UniqueConstraint(fields=["agreement"], condition=models.Q(status__in=["filed", "accepted", "confirmed"]),
                                    name="confirmation_one_live_per_agreement"),
            models.CheckConstraint(condition=~models.Q(status__in=["confirmed", "refused"])
                                   | models.Q(accepted_at__isnull=False, ruled_at__isnull=False),
                                   name="confirmation_ruling_after_acceptance"),
            models.CheckConstraint(condition=models.Q(late=False) | ~models.Q(late_reason=""),
                                   name="confirmation_late_has_reason"),
            models.CheckConstraint(condition=models.Q(matter_type="civil"), name="confirmation_civil_matters_only"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} → {self.court}"


class ReferralKind(models.TextChoices):
    ARBITRATION = "arbitration", _("Labour arbitration")
    LITIGATION = "litigation", _("Litigation")


class ReferralOutcome(models.TextChoices):
    NONE = "", _("Not yet")
    AWARD = "award", _("Arbitral award")
    JUDGMENT = "judgment", _("Judgment")
    SETTLED = "settled", _("Settled (mediation by the body)")
    DISMISSED = "dismissed", _("Not accepted or dismissed")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")


class Referral(models.Model):
    """A dispute sent to labour arbitration or to litigation with its document package, tracked to its outcome."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received (case filed)")
        DECIDED = "decided", _("Decided")

    kind = models.CharField(_("route"), max_length=12, choices=ReferralKind.choices)
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="legal_referrals")
    mediation = models.ForeignKey("mediation.Mediation", verbose_name=_("mediation"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="legal_referrals")
    application = models.ForeignKey(ConfirmationApplication, verbose_name=_("refused confirmation"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="referrals")
    from_unit = models.ForeignKey(OrgUnit, verbose_name=_("sent by unit"), on_delete=models.PROTECT,
                                  related_name="referrals_sent")
    to_unit = models.ForeignKey(OrgUnit, verbose_name=_("receiving body"), on_delete=models.PROTECT,
                                related_name="referrals_received")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    summary = models.TextField(_("case summary"))
    mediation_record = models.TextField(_("mediation record"), blank=True)
    no_agreement_statement = models.TextField(_("statement that no agreement was reached"), blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT,
                                related_name="+")
    receive_due_at = models.DateTimeField(_("to be received by"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    reference = models.CharField(_("the body's case number"), max_length=60, blank=True)
    decide_due_at = models.DateTimeField(_("to be decided by"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ReferralOutcome.choices, blank=True)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="decided") | ~models.Q(outcome=""),
                                   name="referral_decided_has_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_unit}"


class LinkageKind(models.TextChoices):
    """The six linkages (六调联动): the body on the other side of the mediators."""

    COURT = "court", _("Court linkage (诉调)")
    PROCURATORATE = "procuratorate", _("Procuratorate linkage (检调)")
    POLICE = "police", _("Police linkage (警调)")
    PETITION = "petition", _("Petition office linkage (访调)")
    NOTARY = "notary", _("Notary linkage (证调)")
    ARBITRATION = "arbitration", _("Arbitration linkage (仲调)")


class Linkage(models.Model):
    """A typed hand-over of a case between a linked body and the mediators, with its deadline and outcome.

    A court linkage sent by the court to a mediation committee is court-invited pre-litigation mediation
    (诉前调解): it arrives as a case; the result goes back to the court when the mediation concludes.
    """

    class Status(models.TextChoices):
        SENT = "sent", _("Sent, waiting to be accepted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")
        CONCLUDED = "concluded", _("Concluded, outcome recorded")

    kind = models.CharField(_("linkage"), max_length=16, choices=LinkageKind.choices)
    pre_litigation = models.BooleanField(_("pre-litigation mediation invited by the court"), default=False)
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="linkages")
    mediation = models.ForeignKey("mediation.Mediation", verbose_name=_("mediation"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="linkages")
    from_unit = models.ForeignKey(OrgUnit, verbose_name=_("from"), on_delete=models.PROTECT,
                                  related_name="linkages_sent")
    to_unit = models.ForeignKey(OrgUnit, verbose_name=_("to"), on_delete=models.PROTECT,
                                related_name="linkages_received")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    note = models.TextField(_("what is handed over and why"))
    reference = models.CharField(_("sender's reference"), max_length=60, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT,
                                related_name="+")
    accept_due_at = models.DateTimeField(_("to accept by"))
    due_at = models.DateTimeField(_("to conclude by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("accepted by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    return_reason = models.TextField(_("why returned"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    settled = models.BooleanField(_("settled"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("outcome recorded by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("linkage hand-over")
        verbose_name_plural = _("linkage hand-overs")
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(from_unit=models.F("to_unit")), name="linkage_two_units"),
            models.CheckConstraint(condition=~models.Q(status="returned") | ~models.Q(return_reason=""),
                                   name="linkage_returned_has_reason"),
            models.CheckConstraint(condition=~models.Q(status="concluded") | ~models.Q(outcome=""),
                                   name="linkage_concluded_has_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.from_unit} → {self.to_unit}"
