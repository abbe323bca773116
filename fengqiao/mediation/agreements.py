"""The mediation agreement (人民调解协议书, People's Mediation Law art. 28–29): drawing it up, the parties'
signatures, the mediator's signature and the committee's seal, the oral form, the scanned signed copy, voiding,
and the follow-up visits (回访) on its performance.

Who may do what:
- the mediation's lead mediator and its team, holding CASE_MEDIATE on the case, draw the agreement up, edit it
  while it is a draft, record the parties' signatures and void it; only the lead mediator signs as mediator and
  records an oral agreement;
- a mediator of the committee running the mediation (same capability on the case) records the committee's seal
  and the follow-up visits;
- whoever may see the case reads the agreement and downloads its PDF (every download is on the timeline).

Every write locks the agreement (or the mediation) row, checks, writes and records a MEDIATE step on the case's
timeline in one transaction. When it takes effect is `rules.agreement_takes_effect`.
"""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.cases.models import Case, Party
from fengqiao.cases.services import case_record_step
from fengqiao.cases.workflow import Action
from fengqiao.intake.files import sniff
from fengqiao.mediation import rules
from fengqiao.mediation.models import Agreement, AgreementParty, AgreementTerm, FollowUp, Mediation
from fengqiao.org.access import Capability, may
from fengqiao.org.models import Membership, Role

PARTY_ROLES: dict[str, str] = {Party.PartyRole.APPLICANT: "applicant", Party.PartyRole.RESPONDENT: "respondent",
               Party.PartyRole.OTHER: "other_party"}

# What the resident reads on the tracking page (translated when shown, fengqiao.cases.public).
PUBLIC_DRAFTED = gettext_noop("A mediation agreement was drawn up for the parties to sign")
PUBLIC_EFFECTIVE = gettext_noop("The mediation agreement has been signed and is in effect")
PUBLIC_ORAL = gettext_noop("The parties agreed orally; the mediator recorded the agreement and it is in effect")
PUBLIC_VOID = gettext_noop("The mediation agreement was voided")
PUBLIC_FOLLOWUP: dict[str, str] = {
    FollowUp.Performance.PERFORMED: gettext_noop("Follow-up visit: the mediation agreement has been performed"),
    FollowUp.Performance.PARTLY: gettext_noop("Follow-up visit: the mediation agreement is partly performed"),
    FollowUp.Performance.NOT_PERFORMED: gettext_noop("Follow-up visit: the mediation agreement is not yet performed"),
}


@dataclass(frozen=True)
class TermInput:
    content: str
    manner: str = ""
    due_on: date | None = None
    amount: Decimal | None = None


# --- who may ---------------------------------------------------------------------------------------------------


def _team_ids(mediation: Mediation) -> set[int]:
    return {mediation.mediator_id, *mediation.team.values_list("user_id", flat=True)}


def may_draw_up(user, mediation: Mediation) -> bool:
    """The lead mediator or a team member, with CASE_MEDIATE on the case."""
    if user is None or not user.is_authenticated:
        return False
    return user.pk in _team_ids(mediation) and may(user, Capability.CASE_MEDIATE, mediation.case)


def may_seal(user, mediation: Mediation) -> bool:
    """A mediator of the committee that runs the mediation (or its team), with CASE_MEDIATE on the case."""
    if user is None or not user.is_authenticated or not may(user, Capability.CASE_MEDIATE, mediation.case):
        return False
    if user.pk in _team_ids(mediation):
        return True
    return Membership.objects.filter(user=user, unit_id=mediation.unit_id, role=Role.MEDIATOR, is_active=True).exists()


def may_view(user, agreement: Agreement) -> bool:
    return user is not None and user.is_authenticated and may(user, Capability.CASE_VIEW, agreement.mediation.case)


def _refuse(message: str):
    raise PermissionDenied(message)


def _require_team(actor, mediation: Mediation) -> None:
    if not may_draw_up(actor, mediation):
        _refuse(_("Only the mediator and the team of this mediation may do this."))


def _require_lead(actor, mediation: Mediation) -> None:
    if actor is None or actor.pk != mediation.mediator_id or not may(actor, Capability.CASE_MEDIATE, mediation.case):
        _refuse(_("Only the lead mediator of this mediation may do this."))


def _require_committee(actor, mediation: Mediation) -> None:
    if not may_seal(actor, mediation):
        _refuse(_("Only a mediator of the committee running this mediation may do this."))


# --- reads -----------------------------------------------------------------------------------------------------


def agreements_visible_to(user) -> QuerySet[Agreement]:
    return Agreement.objects.filter(mediation__case__in=Case.objects.visible_to(user)).select_related(
        "mediation", "mediation__case", "mediation__unit", "mediation__mediator")


def agreement_by_code(code: str) -> Agreement | None:
    """The agreement with this verification code (spaces, dashes and case forgiven), or None."""
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if not cleaned or len(cleaned) > 16:
        return None
    return Agreement.objects.filter(verification_code=cleaned).select_related("mediation__unit").first()


def judicial_confirmation_status(agreement: Agreement) -> str | None:
    """The hook for the judicial-confirmation app: `fengqiao.legal.public.confirmation_status(agreement)`, a short
    label in the reader's language (or None) shown on the public verification and tracking pages."""
    try:
        module = importlib.import_module("fengqiao.legal.public")
    except ImportError:
        return None
    status = getattr(module, "confirmation_status", None)
    return status(agreement) if callable(status) else None


def public_facts(agreement: Agreement) -> dict[str, Any]:
    """What the public verification page may say: no names, ID or phone numbers, no sums."""
    return {
        "number": agreement.number,
        "committee": agreement.mediation.unit.name,
        "form": agreement.get_form_display(),
        "status": agreement.status,
        "status_label": agreement.get_status_display(),
        "effective_at": agreement.effective_at,
        "genuine": True,
        "in_effect": agreement.status == Agreement.Status.EFFECTIVE,
        "parties": agreement.parties.count(),
        "terms": agreement.terms.count(),
        "judicial": judicial_confirmation_status(agreement),
    }


def followups_open(user) -> QuerySet[FollowUp]:
    """Visits still to make on agreements in effect that `user` may see, earliest first."""
    return (FollowUp.objects.filter(done_at__isnull=True, agreement__status=Agreement.Status.EFFECTIVE,
                                    agreement__mediation__case__in=Case.objects.visible_to(user))
            .select_related("agreement", "agreement__mediation__case", "agreement__mediation__mediator")
            .order_by("due_on", "id"))


def followups_overdue(user, today: date | None = None) -> QuerySet[FollowUp]:
    return followups_open(user).filter(due_on__lt=today or timezone.localdate())


# --- drawing up ------------------------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    return (value or "").strip()


def _clean_terms(terms, today: date) -> list[TermInput]:
    cleaned: list[TermInput] = []
    for raw in terms or []:
        item = raw if isinstance(raw, TermInput) else TermInput(**{k: raw.get(k) for k in ("content", "manner",
                                                                                             "due_on", "amount")})
        content = _text(item.content)
        if not content:
            if _text(item.manner) or item.due_on or item.amount not in (None, ""):
                raise ValidationError({"terms": _("Each agreed term needs its content: what is agreed.")})
            continue
        amount = item.amount
        if amount in ("", None):
            amount = None
        else:
            try:
                amount = Decimal(str(amount))
            except InvalidOperation:
                raise ValidationError({"terms": _("A sum must be a number of yuan.")}) from None
            if amount < 0:
                raise ValidationError({"terms": _("A sum cannot be negative.")})
        due_on = item.due_on
        if isinstance(due_on, str):
            try:
                due_on = date.fromisoformat(due_on) if due_on else None
            except ValueError:
                raise ValidationError({"terms": _("A time limit must be a date.")}) from None
        if due_on is not None and due_on < today:
            raise ValidationError({"terms": _("The time limit of a term cannot be before today.")})
        cleaned.append(TermInput(content=content, manner=_text(item.manner)[:200], due_on=due_on, amount=amount))
    if not cleaned:
        raise ValidationError({"terms": _("An agreement needs at least one agreed term.")})
    if len(cleaned) > rules.AGREEMENT_TERMS_MAX:
        raise ValidationError({"terms": _("An agreement can have at most %(n)d terms.") % {
            "n": rules.AGREEMENT_TERMS_MAX}})
    return cleaned


def _clean_texts(facts: str, matters: str, responsibilities: str) -> dict[str, str]:
    values = {"facts": _text(facts), "matters": _text(matters), "responsibilities": _text(responsibilities)}
    errors = {}
    if not values["facts"]:
        errors["facts"] = _("Write down the main facts of the dispute.")
    if not values["matters"]:
        errors["matters"] = _("Write down the matters in dispute.")
    if not values["responsibilities"]:
        errors["responsibilities"] = _("Write down each side's responsibility.")
    if errors:
        raise ValidationError(errors)
    return values


def _write_terms(agreement: Agreement, terms: list[TermInput]) -> None:
    AgreementTerm.objects.filter(agreement=agreement).delete()
    AgreementTerm.objects.bulk_create(
        AgreementTerm(agreement=agreement, seq=i, content=t.content, manner=t.manner, due_on=t.due_on, amount=t.amount)
        for i, t in enumerate(terms, start=1)
    )


def _last_number(head: str) -> str | None:
    return (Agreement.objects.filter(number__startswith=head).order_by("-number")
            .values_list("number", flat=True).first())


def _create_numbered(mediation: Mediation, now: datetime, **fields) -> Agreement:
    """A new agreement with the committee's next number of the year. Two drawn up at once: the unique number
    refuses the second insert (in its own savepoint), which reads the last number again and takes the next."""
    prefix = rules.agreement_number_prefix(mediation.unit.name)
    year = timezone.localtime(now).year
    head = rules.agreement_number_head(prefix, year)
    for _attempt in range(10):
        last = _last_number(head)
        number = rules.agreement_number(prefix, year, (rules.agreement_seq_of(last) if last else 0) + 1)
        try:
            with transaction.atomic():
                return Agreement.objects.create(mediation=mediation, number=number, **fields)
        except IntegrityError:
            if Agreement.objects.filter(mediation=mediation).exists():
                raise ValidationError(_("This mediation already has an agreement.")) from None
    raise ValidationError(_("The agreement could not be numbered just now. Please try again."))


def _step(agreement: Agreement, *, step: str, actor, public: str | None = None, reason: str = "",
          data: dict | None = None, at: datetime | None = None) -> None:
    case_record_step(case=agreement.mediation.case, action=Action.MEDIATE, step=step, actor=actor, reason=reason,
                     public=public, data={"agreement": agreement.pk, "number": agreement.number, **(data or {})}, at=at)


@transaction.atomic
def agreement_draft(
    *,
    mediation: Mediation,
    actor,
    form: str = Agreement.Form.WRITTEN,
    facts: str,
    matters: str,
    responsibilities: str,
    terms: list[TermInput] | list[dict],
    partial: bool = False,
    addresses: dict[int, str] | None = None,
    at: datetime | None = None,
) -> Agreement:
    """Draw up the agreement of `mediation`; its parties are the case's parties (`addresses` by case Party id)."""
    mediation = Mediation.objects.select_for_update().select_related("case", "unit").get(pk=mediation.pk)
    _require_team(actor, mediation)
    if form not in Agreement.Form.values:
        raise ValidationError({"form": _("Unknown form of agreement.")})
    if mediation.status != Mediation.Status.OPEN and mediation.outcome not in rules.AGREEMENT_MEDIATION_OUTCOMES:
        raise ValidationError(_("This mediation ended without an agreement: no agreement can be drawn up."))
    if Agreement.objects.filter(mediation=mediation).exists():
        raise ValidationError(_("This mediation already has an agreement."))
    now = at or timezone.now()
    parties = list(mediation.case.parties.order_by("id"))
    if not parties:
        raise ValidationError({"parties": _("The case names no parties. Add the parties to the case before drawing "
                                            "up an agreement.")})
    texts = _clean_texts(facts, matters, responsibilities)
    clean = _clean_terms(terms, timezone.localtime(now).date())
    agreement = _create_numbered(mediation, now, form=form, partial=bool(partial), created_by=actor, **texts)
    AgreementParty.objects.bulk_create(
        AgreementParty(agreement=agreement, party=p, role=PARTY_ROLES.get(p.role, "other_party"), name=p.name,
                       id_type=p.id_type, id_number=p.id_number, phone=p.phone,
                       address=_text((addresses or {}).get(p.pk))[:200])
        for p in parties
    )
    _write_terms(agreement, clean)
    _step(agreement, step="agreement_drafted", actor=actor, public=PUBLIC_DRAFTED, at=now,
          data={"form": form, "terms": len(clean), "parties": len(parties)})
    return agreement


def _locked(agreement: Agreement) -> Agreement:
    return (Agreement.objects.select_for_update().select_related("mediation", "mediation__case", "mediation__unit")
            .get(pk=agreement.pk))


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    actor,
    facts: str,
    matters: str,
    responsibilities: str,
    terms: list[TermInput] | list[dict],
    partial: bool = False,
    addresses: dict[int, str] | None = None,
) -> Agreement:
    """Change a draft (nobody has signed yet). `addresses` by AgreementParty id."""
    locked = _locked(agreement)
    _require_team(actor, locked.mediation)
    if locked.status not in rules.AGREEMENT_EDITABLE_STATES:
        raise ValidationError(_("The agreement can no longer be changed: signing has begun."))
    texts = _clean_texts(facts, matters, responsibilities)
    clean = _clean_terms(terms, timezone.localdate())
    for field, value in texts.items():
        setattr(locked, field, value)
    locked.partial = bool(partial)
    locked.save(update_fields=[*texts, "partial"])
    for party in locked.parties.all():
        if addresses and party.pk in addresses:
            party.address = _text(addresses[party.pk])[:200]
            party.save(update_fields=["address"])
    _write_terms(locked, clean)
    _step(locked, step="agreement_edited", actor=actor, data={"terms": len(clean)})
    return locked


# --- signing and taking effect ---------------------------------------------------------------------------------


def _signable(agreement: Agreement) -> None:
    if agreement.form == Agreement.Form.ORAL:
        raise ValidationError(_("An oral agreement is not signed: the mediator records that the parties agreed."))
    if agreement.status not in rules.AGREEMENT_SIGNABLE_STATES:
        raise ValidationError(_("This agreement is %(status)s: nothing more can be signed.") % {
            "status": agreement.get_status_display()})


def _take_effect_if_due(agreement: Agreement, actor, now: datetime) -> None:
    signed = [p.signed_at is not None for p in agreement.parties.all()]
    if not rules.agreement_takes_effect(form=agreement.form, parties_signed=signed,
                                        mediator_signed=agreement.mediator_signed_at is not None,
                                        sealed=agreement.sealed_at is not None):
        if agreement.status == Agreement.Status.DRAFT:
            agreement.status = Agreement.Status.SIGNING
            agreement.save(update_fields=["status"])
        return
    agreement.status, agreement.effective_at = Agreement.Status.EFFECTIVE, now
    agreement.save(update_fields=["status", "effective_at"])
    effective_on = timezone.localtime(now).date()
    dues = [t.due_on for t in agreement.terms.all()]
    FollowUp.objects.bulk_create(FollowUp(agreement=agreement, due_on=d) for d in rules.followup_dates(effective_on, dues))
    public = PUBLIC_ORAL if agreement.form == Agreement.Form.ORAL else PUBLIC_EFFECTIVE
    _step(agreement, step="agreement_effective", actor=actor, public=public, at=now)


@transaction.atomic
def agreement_sign_party(*, agreement_party: AgreementParty, actor, signed_by: str,
                         at: datetime | None = None) -> AgreementParty:
    """Record that a party signed, sealed or fingerprinted the agreement (once)."""
    agreement = _locked(agreement_party.agreement)
    _require_team(actor, agreement.mediation)
    _signable(agreement)
    party = AgreementParty.objects.get(pk=agreement_party.pk, agreement=agreement)
    if party.signed_at is not None:
        raise ValidationError(_("%(name)s has already signed this agreement.") % {"name": party.name})
    if signed_by not in AgreementParty.SignedBy.values:
        raise ValidationError({"signed_by": _("Say how the party signed: signature, seal or fingerprint.")})
    now = at or timezone.now()
    party.signed_at, party.signed_by, party.recorded_by = now, signed_by, actor
    party.save(update_fields=["signed_at", "signed_by", "recorded_by"])
    _step(agreement, step="agreement_party_signed", actor=actor, at=now,
          data={"party": party.pk, "role": party.role, "signed_by": signed_by})
    _take_effect_if_due(agreement, actor, now)
    return party


@transaction.atomic
def agreement_sign_mediator(*, agreement: Agreement, actor, at: datetime | None = None) -> Agreement:
    locked = _locked(agreement)
    _require_lead(actor, locked.mediation)
    _signable(locked)
    if locked.mediator_signed_at is not None:
        raise ValidationError(_("The mediator has already signed this agreement."))
    now = at or timezone.now()
    locked.mediator_signed_at = now
    locked.save(update_fields=["mediator_signed_at"])
    _step(locked, step="agreement_mediator_signed", actor=actor, at=now)
    _take_effect_if_due(locked, actor, now)
    return locked


@transaction.atomic
def agreement_seal(*, agreement: Agreement, actor, at: datetime | None = None) -> Agreement:
    """The committee's seal on a written agreement."""
    locked = _locked(agreement)
    _require_committee(actor, locked.mediation)
    _signable(locked)
    if locked.sealed_at is not None:
        raise ValidationError(_("The committee's seal is already on this agreement."))
    now = at or timezone.now()
    locked.sealed_at = now
    locked.save(update_fields=["sealed_at"])
    _step(locked, step="agreement_sealed", actor=actor, at=now)
    _take_effect_if_due(locked, actor, now)
    return locked


@transaction.atomic
def agreement_record_oral(*, agreement: Agreement, actor, note: str = "", at: datetime | None = None) -> Agreement:
    """The lead mediator records that the parties agreed orally: the oral agreement takes effect."""
    locked = _locked(agreement)
    _require_lead(actor, locked.mediation)
    if locked.form != Agreement.Form.ORAL:
        raise ValidationError(_("A written agreement takes effect when everyone has signed, not by a record."))
    if locked.status != Agreement.Status.DRAFT:
        raise ValidationError(_("This oral agreement is already recorded."))
    now = at or timezone.now()
    locked.mediator_signed_at = now
    locked.save(update_fields=["mediator_signed_at"])
    _step(locked, step="agreement_oral_recorded", actor=actor, reason=_text(note), at=now)
    _take_effect_if_due(locked, actor, now)
    return locked


@transaction.atomic
def agreement_void(*, agreement: Agreement, actor, reason: str, at: datetime | None = None) -> Agreement:
    locked = _locked(agreement)
    _require_team(actor, locked.mediation)
    if locked.status not in rules.AGREEMENT_VOIDABLE_STATES:
        raise ValidationError(_("This agreement is already void."))
    if not _text(reason):
        raise ValidationError({"reason": _("Say why the agreement is void.")})
    now = at or timezone.now()
    locked.status = Agreement.Status.VOID
    locked.save(update_fields=["status"])
    FollowUp.objects.filter(agreement=locked, done_at__isnull=True).delete()
    _step(locked, step="agreement_voided", actor=actor, public=PUBLIC_VOID, reason=_text(reason), at=now)
    return locked


# --- the scanned signed copy and the PDF -----------------------------------------------------------------------


def check_scan(upload) -> tuple[str, str]:
    """(extension, sha256) of an acceptable scan (PDF, JPG or PNG by its content), else a ValidationError."""
    import hashlib

    limit = settings.FQ_MAX_UPLOAD_MB * 1024 * 1024
    if upload.size == 0:
        raise ValidationError({"scan": _("The file is empty.")})
    if upload.size > limit:
        raise ValidationError({"scan": _("The file is too big: at most %(limit)d MB.") % {
            "limit": settings.FQ_MAX_UPLOAD_MB}})
    upload.seek(0)
    mime = sniff(upload.read(8192))
    upload.seek(0)
    if mime not in rules.AGREEMENT_SCAN_TYPES:
        raise ValidationError({"scan": _("The scan must be a PDF, JPG or PNG file.")})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return rules.AGREEMENT_SCAN_TYPES[mime], digest.hexdigest()


@transaction.atomic
def agreement_attach_scan(*, agreement: Agreement, actor, upload, at: datetime | None = None) -> Agreement:
    """Keep a scan of the signed paper copy (it replaces an earlier scan; the timeline keeps both fingerprints)."""
    locked = _locked(agreement)
    _require_team(actor, locked.mediation)
    if locked.status == Agreement.Status.VOID:
        raise ValidationError(_("This agreement is void."))
    extension, digest = check_scan(upload)
    locked.scan.save(f"{locked.pk}-{uuid.uuid4().hex}.{extension}", upload, save=False)
    locked.scan_sha256 = digest
    locked.save(update_fields=["scan", "scan_sha256"])
    _step(locked, step="agreement_scan_attached", actor=actor, at=at, data={"sha256": digest})
    return locked


@transaction.atomic
def agreement_record_download(*, agreement: Agreement, actor, sha256: str, by_resident: bool = False) -> None:
    """A download of the PDF (staff who may see the case, or the resident who verified it): a staff-only step."""
    if not by_resident and not may_view(actor, agreement):
        _refuse(_("You may not see this agreement."))
    Agreement.objects.filter(pk=agreement.pk).update(pdf_sha256=sha256)
    _step(agreement, step="agreement_downloaded", actor=actor if actor is not None and actor.is_authenticated else None,
          data={"sha256": sha256, "by_resident": by_resident})


# --- follow-up visits ------------------------------------------------------------------------------------------


@transaction.atomic
def followup_record(*, followup: FollowUp, actor, performance: str, note: str = "",
                    at: datetime | None = None) -> FollowUp:
    """Record a visit: how the agreement is being performed. Performed marks the terms due by then as performed;
    otherwise a further visit is scheduled."""
    agreement = _locked(followup.agreement)
    _require_committee(actor, agreement.mediation)
    visit = FollowUp.objects.select_for_update().get(pk=followup.pk, agreement=agreement)
    if agreement.status != Agreement.Status.EFFECTIVE:
        raise ValidationError(_("Only an agreement in effect is followed up."))
    if visit.done_at is not None:
        raise ValidationError(_("This visit is already recorded."))
    if performance not in FollowUp.Performance.values:
        raise ValidationError({"performance": _("Say whether the agreement is performed.")})
    now = at or timezone.now()
    visit.done_at, visit.by, visit.performance, visit.note = now, actor, performance, _text(note)
    visit.save(update_fields=["done_at", "by", "performance", "note"])
    today = timezone.localtime(now).date()
    if performance == FollowUp.Performance.PERFORMED:
        agreement.terms.filter(performed_at__isnull=True).exclude(due_on__gt=visit.due_on).update(performed_at=now)
        if not FollowUp.objects.filter(agreement=agreement, done_at__isnull=True).exists():
            agreement.terms.filter(performed_at__isnull=True).update(performed_at=now)
    else:
        again = rules.followup_again(today, performance)
        if again and not FollowUp.objects.filter(agreement=agreement, done_at__isnull=True).exists():
            FollowUp.objects.create(agreement=agreement, due_on=again)
    _step(agreement, step="agreement_followup", actor=actor, public=PUBLIC_FOLLOWUP[performance], at=now,
          data={"followup": visit.pk, "performance": performance})
    return visit


def followup_send_reminders(today: date | None = None) -> int:
    """Tell the lead mediator of each visit due today or overdue (idempotent: one notice per visit and stage)."""
    from fengqiao.notifications.services import notify

    today = today or timezone.localdate()
    sent = 0
    visits = (FollowUp.objects.filter(done_at__isnull=True, due_on__lte=today, agreement__status=Agreement.Status.EFFECTIVE)
              .select_related("agreement__mediation__mediator", "agreement__mediation__case",
                              "agreement__mediation__unit"))
    for visit in visits:
        agreement = visit.agreement
        stage = "overdue" if visit.due_on < today else "due"
        words = {"number": agreement.number, "due": visit.due_on.isoformat()}
        title = (_("Follow-up visit overdue: agreement %(number)s (visit by %(due)s)") if stage == "overdue"
                 else _("Follow-up visit due today: agreement %(number)s")) % words
        sent += notify([agreement.mediation.mediator], kind="agreement_followup", title=title,
                       body=agreement.mediation.unit.name,
                       case=agreement.mediation.case, key=f"agreement:followup:{visit.pk}:{stage}")
    return sent
