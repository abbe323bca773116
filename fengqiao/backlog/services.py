"""The only writes of special campaigns: create from a group of cases, a plan per case, batch actions, close.
A batch action is all or nothing: if one case refuses, none is changed and the refusals are named."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.backlog.models import Campaign, CampaignCase
from fengqiao.cases import services as cs
from fengqiao.cases.models import Case
from fengqiao.cases.workflow import TransitionError
from fengqiao.org.access import Capability, may, scope_for
from fengqiao.org.models import OrgUnit


def _may_run(user) -> bool:
    return Capability.CASE_DISPATCH in scope_for(user).capabilities


@transaction.atomic
def campaign_create(*, actor, name: str, cases: list[Case], owner=None, goal: str = "", due_on: date | None = None,
                    grouping: dict | None = None, at: datetime | None = None) -> Campaign:
    now = at or timezone.now()
    if not _may_run(actor):
        raise PermissionDenied(_("Only centre staff and leaders run campaigns."))
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the campaign a name.")]
    chosen = list(dict.fromkeys(cases))
    if not chosen:
        errors["cases"] = [_("Choose the cases of the campaign.")]
    hidden = [c.code for c in chosen if not may(actor, Capability.CASE_VIEW, c)]
    if hidden:
        errors["cases"] = [_("Not among the cases you may see: %(codes)s.") % {"codes": "、".join(hidden)}]
    closed = [c.code for c in chosen if c.closed_at is not None]
    if closed:
        errors["cases"] = [_("Already closed: %(codes)s.") % {"codes": "、".join(closed)}]
    districts = {c.region.district.pk if c.region.district else None for c in chosen}
    if len(districts) > 1:
        errors["cases"] = [_("A campaign stays within one district; these cases come from %(n)d districts.")
                           % {"n": len(districts)}]
    owner = owner or actor
    if not _may_run(owner):
        errors["owner"] = [_("The owner must be centre staff or a leader.")]
    if due_on is not None and due_on < timezone.localdate(now):
        errors["due_on"] = [_("The date to clear by has passed.")]
    if errors:
        raise ValidationError(errors)
    district = chosen[0].region.district or chosen[0].region
    campaign = Campaign.objects.create(name=name.strip(), district=district, owner=owner, goal=goal.strip(),
                                       due_on=due_on, grouping=grouping or {}, created_by=actor, created_at=now)
    CampaignCase.objects.bulk_create([CampaignCase(campaign=campaign, case=c, added_at=now) for c in chosen])
    return campaign


def _runner(campaign: Campaign, actor) -> None:
    if actor.pk not in (campaign.owner_id, campaign.created_by_id) and not _may_run(actor):
        raise PermissionDenied(_("Only the campaign's owner and centre staff change it."))
    if campaign.status != Campaign.Status.ACTIVE:
        raise ValidationError(_("The campaign is closed."))


@transaction.atomic
def plan_set(*, entry: CampaignCase, actor, plan: str, plan_owner=None, due_on: date | None = None) -> CampaignCase:
    """The plan for one case (一案一策): what will be done, by whom, by when."""
    _runner(entry.campaign, actor)
    if not plan.strip():
        raise ValidationError({"plan": [_("Write the plan for this case.")]})
    entry.plan, entry.plan_owner, entry.plan_due_on = plan.strip(), plan_owner, due_on
    entry.save(update_fields=["plan", "plan_owner", "plan_due_on"])
    return entry


def _batch(campaign: Campaign, actor, codes: list[str], work) -> int:
    _runner(campaign, actor)
    entries = list(campaign.entries.select_related("case").filter(case__code__in=codes))
    if not entries:
        raise ValidationError(_("Choose the cases to act on."))
    refused: list[str] = []
    with transaction.atomic():
        for entry in entries:
            try:
                with transaction.atomic():
                    work(Case.objects.get(pk=entry.case_id))
            except (ValidationError, PermissionDenied, TransitionError) as exc:
                detail = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                refused.append(f"{entry.case.code}: {detail}")
        if refused:
            transaction.set_rollback(True)
    if refused:
        raise ValidationError(_("Nothing was changed. Refused: %(list)s") % {"list": "；".join(refused)})
    return len(entries)


def batch_dispatch(*, campaign: Campaign, actor, codes: list[str], unit: OrgUnit, note: str = "") -> int:
    """Dispatch (or re-dispatch) the chosen cases to one unit, all or none."""
    return _batch(campaign, actor, codes, lambda case: cs.case_dispatch(case=case, actor=actor, unit=unit, note=note))


def batch_supervise(*, campaign: Campaign, actor, codes: list[str], reason: str) -> int:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say what must be done, and by when.")]})
    return _batch(campaign, actor, codes, lambda case: cs.case_supervise(case=case, actor=actor, reason=reason))


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor, at: datetime | None = None) -> Campaign:
    _runner(campaign, actor)
    campaign.status, campaign.closed_at = Campaign.Status.CLOSED, at or timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    return campaign
