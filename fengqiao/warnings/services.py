"""The only writes of the early-warning radar: the lean row of a new case, a radar pass over a district, and the
steps of a warning's closed loop. Each step writes a WarningEvent in the same transaction.

A radar pass (`radar_run`) reads the district's last 90 days in one query, runs the pure detectors
(`detectors.detect`), and for each signal either updates the warning not yet closed with the same key (new
evidence, count, series; the level may rise, and only a rise notifies again) or raises a new warning and notifies
the district's leaders and the suggested owner. Two passes that overlap cannot raise a phenomenon twice: the
database allows one warning not closed per (district, key), the loser of the race updates the winner's warning,
and a notice is written once per (warning, level, recipient).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengqiao.cases.models import Case, Category, Party
from fengqiao.core.crypto import _index_key, _keys
from fengqiao.core.reasons import render
from fengqiao.notifications.services import notify, unit_members
from fengqiao.org.access import scope_for
from fengqiao.org.models import OrgUnit, Region, RegionLevel, Role, UnitKind
from fengqiao.org.selectors import centre_for_region
from fengqiao.warnings import rules
from fengqiao.warnings.fingerprint import respondent_key, text_fingerprint
from fengqiao.warnings.models import (
    Outcome,
    RadarCase,
    State,
    ThresholdOverride,
    Warning,
    WarningCase,
    WarningEvent,
)
from fengqiao.warnings.thresholds import DEFAULT_THRESHOLDS, Thresholds

if TYPE_CHECKING:
    from fengqiao.warnings.detectors import Record, Signal

log = logging.getLogger("fengqiao.warnings")

WINDOW_DAYS = 90  # what a pass reads: the district's last 90 days
EVIDENCE_LIMIT = 200  # cases kept as a warning's evidence


# --- the lean row of a new case ---------------------------------------------------------------------------------


def _district_of(region: Region) -> Region:
    return region.district or region


def complainant_key(phone: str) -> str:
    """A keyed hash of a phone number (digits only), never the number: the same phone gives the same key, and
    without the platform's field key nobody can tell which phone it was (as fengqiao.core.crypto's blind indexes)."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    if not digits:
        return ""
    return hmac.new(_index_key(_keys()[0]), b"radar complainant:" + digits.encode(), hashlib.sha256).hexdigest()[:32]


def _codes(region: Region) -> tuple[str, str]:
    """(place, street) codes of a case's region: a grid counts as its community. Region.path runs from the city:
    /city/district/street/community/grid/ (routing.rules.LEVEL_DEPTH)."""
    codes = region.path.strip("/").split("/")
    place = codes[3] if region.level == RegionLevel.GRID and len(codes) > 3 else region.code
    street = codes[2] if len(codes) > 2 else ""
    return place, street


def radar_case_record(case: Case, parties: Sequence) -> RadarCase:
    """What the radar keeps of a new case (called by hooks.case_submitted in the submission's transaction)."""
    region = case.region
    place, street = _codes(region)
    applicant_phone = next((p.phone for p in parties if p.role == Party.PartyRole.APPLICANT and p.phone), "")
    respondent = next((p.name for p in parties if p.role == Party.PartyRole.RESPONDENT and p.name.strip()), "")
    return RadarCase.objects.create(
        case=case,
        district=_district_of(region),
        place=place,
        street=street,
        category=case.category.code if case.category is not None else "",
        respondent=respondent_key(respondent)[:120],
        complainant=complainant_key(applicant_phone),
        people=max(1, case.people_count or 1),
        fingerprint=text_fingerprint(f"{case.title} {case.description}"),
        submitted_at=case.submitted_at,
    )


# --- the thresholds of a district -----------------------------------------------------------------------------


def thresholds_for(district: Region) -> Thresholds:
    """DEFAULT_THRESHOLDS with the district's changes (Thresholds.from_dict ignores a name no longer known)."""
    values = ThresholdOverride.objects.filter(district=district).values_list("values", flat=True).first()
    return Thresholds.from_dict(values) if values else DEFAULT_THRESHOLDS


# --- a radar pass ---------------------------------------------------------------------------------------------


def district_records(district: Region, now: datetime) -> list[Record]:
    """The district's last 90 days as the detectors see them, in one query (the grade and whether the case is
    open are read from the case by a join: they change after submission)."""
    from fengqiao.warnings.detectors import Record

    since = now - timedelta(days=WINDOW_DAYS)
    recent = RadarCase.objects.filter(district=district, submitted_at__gt=since, submitted_at__lte=now)
    rows = (recent | RadarCase.objects.filter(case_id__in=_old_open_red(district, since))).values_list(
        "case_id",
        "submitted_at",
        "place",
        "street",
        "category",
        "respondent",
        "complainant",
        "people",
        "case__grade",
        "case__closed_at",
        "fingerprint",
    )
    return [
        Record(
            case_id=r[0],
            at=r[1],
            place=r[2],
            street=r[3],
            category=r[4],
            respondent=r[5],
            complainant=r[6],
            people=r[7],
            grade=r[8],
            is_open=r[9] is None,
            fingerprint=r[10],
        )
        for r in rows
    ]


OLD_RED_MAX = 500  # red cases still open from before the window that a pass looks at, oldest first


def _old_open_red(district: Region, since: datetime) -> list[int]:
    """Red cases still open that were submitted before the window: the "open too long" detector must see them
    however old they are. Read through the case index (region, status, submitted_at), bounded by the stock of open
    cases, never by the history."""
    from fengqiao.cases.models import Case
    from fengqiao.cases.workflow import OPEN_STATES

    return list(
        Case.objects.filter(
            region__path__startswith=district.path, status__in=OPEN_STATES, grade="red", submitted_at__lte=since
        )
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:OLD_RED_MAX]
    )


@dataclass
class RunResult:
    raised: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    signals: int = 0


class _Context:
    """What one pass loads once: the places, categories, the routing rules (lazily)."""

    def __init__(self, district: Region, signals: Sequence[Signal], focus: Iterable[str] = ()):
        self.district = district
        codes = {s.place for s in signals if s.place} | set(focus)
        self.places = {r.code: r for r in Region.objects.filter(code__in=codes).defer("boundary")} if codes else {}
        cats = {s.category for s in signals if s.category}
        self.categories = {c.code: c for c in Category.objects.filter(code__in=cats)} if cats else {}
        self._rules: list | None = None
        self._leaders: list | None = None

    def place(self, code: str) -> Region:
        return self.places.get(code) or self.district

    def rules(self) -> list:
        if self._rules is None:
            from fengqiao.routing.services import active_rule_values

            self._rules = list(active_rule_values())
        return self._rules

    def leaders(self) -> list:
        if self._leaders is None:
            centres = OrgUnit.objects.filter(region=self.district, kind=UnitKind.DISTRICT_CENTRE, is_active=True)
            self._leaders = unit_members(centres, [Role.LEADER])
        return self._leaders


def suggested_owner(kind: str, place: Region, category: Category | None, *, routing_rules=None) -> OrgUnit | None:
    """The department the responsibility list names for the category (kinds about a subject), else the centre
    of the place (rules.py)."""
    if kind in rules.ROUTED_KINDS and category is not None:
        from fengqiao.routing.services import route

        for routed in route(region=place, category=category, text="", rules=routing_rules):
            if not routed.unit.is_centre:
                return routed.unit
    return centre_for_region(place)


def _notify_raised(warning: Warning, ctx: _Context, *, escalated: bool) -> None:
    recipients = list(ctx.leaders())
    owner = warning.owner_unit
    if owner is not None:
        roles = [Role.LEADER, Role.OPERATOR] if owner.is_centre else [Role.LEADER, Role.HANDLER]
        recipients += unit_members([owner], roles)
    with translation.override(settings.LANGUAGE_CODE):
        level = str(_level_label(warning.level))
        headline = (_("Warning raised to %(level)s: %(title)s") if escalated else _("%(level)s: %(title)s")) % {
            "level": level,
            "title": render(warning.title),
        }
        body = _("%(reason)s. %(count)d cases. See %(url)s") % {
            "reason": render(warning.reason),
            "count": warning.count,
            "url": reverse("warnings:detail", args=[warning.pk]),
        }
    notify(
        recipients,
        kind=rules.NOTIFY_KIND.get(warning.level, "warning"),
        title=headline[:200],
        body=body,
        key=f"warning:{warning.pk}:{warning.level}",
    )


def _level_label(level: str) -> str:
    from fengqiao.warnings.models import Level

    return str(Level(level).label) if level in Level.values else level


def _recurs(closed: Warning | None, signal: Signal, at_of: dict[int, datetime]) -> bool:
    """Has a closed phenomenon come back? New cases since it was closed (rules.RECUR_MIN_NEW_CASES)."""
    if closed is None or closed.closed_at is None:
        return True
    fresh = sum(1 for pk in signal.case_ids if at_of.get(pk) and at_of[pk] > closed.closed_at)
    return fresh >= min(rules.recur_min_new_cases(signal.kind), max(1, signal.count))


def _evidence_add(warning: Warning, case_ids: Iterable[int], have: set[int]) -> list[int]:
    room = EVIDENCE_LIMIT - len(have)
    fresh = [pk for pk in case_ids if pk not in have][: max(0, room)]
    if fresh:
        WarningCase.objects.bulk_create(
            [WarningCase(warning=warning, case_id=pk) for pk in fresh], ignore_conflicts=True
        )
        have.update(fresh)
    return fresh


FOCUS_SHARE = 0.8  # a warning about a street or the district is shown at the community holding this much of it


def _focus(signal: Signal, place_of: dict[int, str]) -> str:
    """The place a new warning is about: the signal's place, or the smaller region within it where most of its
    cases are (a street's burst that is all in one community is that community's)."""
    places = [place_of[pk] for pk in signal.case_ids if pk in place_of]
    if not places:
        return signal.place
    code, n = Counter(places).most_common(1)[0]
    if code != signal.place and code.startswith(signal.place) and n >= FOCUS_SHARE * len(places):
        return code
    return signal.place


def _raise(signal: Signal, ctx: _Context, now: datetime, previous: Warning | None, focus: str) -> Warning | None:
    """A new warning for a signal; None when another pass raised it a moment ago (the constraint said no)."""
    place = ctx.place(focus)
    category = ctx.categories.get(signal.category)
    owner = suggested_owner(signal.kind, place, category, routing_rules=ctx.rules())
    try:
        with transaction.atomic():
            warning = Warning.objects.create(
                kind=signal.kind,
                key=signal.key[:200],
                level=signal.level,
                district=ctx.district,
                place=place,
                category=category,
                respondent=signal.respondent[:120],
                title=rules.title(
                    signal.kind,
                    place=place.name,
                    category=category.name if category else "",
                    respondent=signal.respondent,
                ),
                reason=signal.reason,
                series=[list(p) for p in signal.series],
                count=signal.count,
                started_at=signal.started_at,
                raised_at=now,
                last_seen_at=now,
                state=State.OPEN,
                owner_unit=owner,
                previous=previous,
            )
            have: set[int] = set()
            _evidence_add(warning, signal.case_ids, have)
            WarningEvent.objects.create(
                warning=warning,
                at=now,
                action=WarningEvent.Action.RAISED,
                data={"level": signal.level, "count": signal.count, "previous": previous.pk if previous else None},
            )
    except IntegrityError:
        return None
    _notify_raised(warning, ctx, escalated=False)
    return warning


def _update(warning: Warning, signal: Signal, ctx: _Context, now: datetime, have: set[int]) -> bool:
    """Bring an open warning up to date with the signal; False when nothing changed (nothing written)."""
    level = rules.higher(warning.level, signal.level)
    new_ids = [pk for pk in signal.case_ids if pk not in have]
    series = [list(p) for p in signal.series]
    if level == warning.level and not new_ids and signal.count == warning.count and series == warning.series:
        return False
    with transaction.atomic():
        locked = Warning.objects.select_for_update().get(pk=warning.pk)
        if locked.state == State.CLOSED:  # closed by someone a moment ago: the next pass decides afresh
            return False
        level = rules.higher(locked.level, signal.level)
        escalated = rules.rises(locked.level, level)
        added = _evidence_add(locked, new_ids, have)
        locked.level, locked.count, locked.series, locked.last_seen_at = level, signal.count, series, now
        locked.reason = signal.reason
        locked.save(update_fields=["level", "count", "series", "last_seen_at", "reason"])
        WarningEvent.objects.create(
            warning=locked,
            at=now,
            action=WarningEvent.Action.ESCALATED if escalated else WarningEvent.Action.UPDATED,
            data={"level": level, "count": signal.count, "new_cases": len(added)},
        )
    if escalated:
        _notify_raised(locked, ctx, escalated=True)
    return True


def _detect(records: Sequence[Record], *, now: datetime, thresholds: Thresholds, district: str) -> list[Signal]:
    from fengqiao.warnings.detectors import detect

    return detect(records, now=now, thresholds=thresholds, district=district)


def _open_warnings(district: Region, keys: list[str]) -> dict[str, Warning]:
    return {
        w.key: w
        for w in Warning.objects.filter(district=district, key__in=keys)
        .exclude(state=State.CLOSED)
        .select_related("owner_unit")
    }


def radar_run(district: Region, now: datetime | None = None) -> RunResult:
    """One pass of the radar over a district (idempotent: a second pass over the same cases writes nothing)."""
    now = now or timezone.now()
    records = district_records(district, now)
    signals = _detect(records, now=now, thresholds=thresholds_for(district), district=district.code)
    result = RunResult(signals=len(signals))
    if not signals:
        return result
    at_of = {r.case_id: r.at for r in records}
    place_of = {r.case_id: r.place for r in records}
    keys = list({s.key[:200] for s in signals})
    open_by_key = _open_warnings(district, keys)
    have: dict[int, set[int]] = {w.pk: set() for w in open_by_key.values()}
    for warning_id, case_id in WarningCase.objects.filter(warning_id__in=list(have)).values_list(
        "warning_id", "case_id"
    ):
        have[warning_id].add(case_id)
    last_closed: dict[str, Warning] = {}
    for w in Warning.objects.filter(
        district=district, key__in=[k for k in keys if k not in open_by_key], state=State.CLOSED
    ).order_by("closed_at"):
        last_closed[w.key] = w  # the newest wins
    focus = {signal.key: _focus(signal, place_of) for signal in signals}
    ctx = _Context(district, signals, {code for code in focus.values() if code})
    for signal in signals:
        key = signal.key[:200]
        warning = open_by_key.get(key)
        if warning is None:
            closed = last_closed.get(key)
            if closed is not None and not _recurs(closed, signal, at_of):
                result.unchanged += 1
                continue
            warning = _raise(signal, ctx, now, closed, focus[signal.key])
            if warning is not None:
                result.raised.append(warning.pk)
                open_by_key[key] = warning
                have[warning.pk] = set(signal.case_ids[:EVIDENCE_LIMIT])
                continue
            # Another pass raised it meanwhile: bring that one up to date instead.
            warning = Warning.objects.select_related("owner_unit").get(
                district=district, key=key, state__in=rules.NOT_CLOSED
            )
            have[warning.pk] = set(WarningCase.objects.filter(warning=warning).values_list("case_id", flat=True))
            open_by_key[key] = warning
        if _update(warning, signal, ctx, now, have.setdefault(warning.pk, set())):
            result.updated.append(warning.pk)
        else:
            result.unchanged += 1
    return result


def radar_run_all(now: datetime | None = None) -> dict[str, RunResult]:
    """A pass over every district that has cases seen by the radar."""
    out = {}
    ids = RadarCase.objects.values_list("district_id", flat=True).distinct()
    for district in Region.objects.filter(pk__in=ids).defer("boundary"):
        out[district.code] = radar_run(district, now)
    return out


# --- the closed loop ----------------------------------------------------------------------------------------------


def _step(warning: Warning, actor, step: str) -> tuple[Warning, str]:
    # No select_related here: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    locked = Warning.objects.select_for_update().get(pk=warning.pk)
    scope = scope_for(actor)
    if not rules.may_read(scope, place_id=locked.place_id, owner_unit_id=locked.owner_unit_id):
        raise PermissionDenied(_("This warning is not in your scope."))
    allowed = (
        rules.may_steer(scope, place_id=locked.place_id)
        if step == rules.CLOSE
        else rules.may_work(scope, place_id=locked.place_id, owner_unit_id=locked.owner_unit_id)
    )
    if not allowed:
        raise PermissionDenied(_("Only the centre of the place and the suggested owner work on this warning."))
    target = rules.next_state(step, locked.state)
    if target is None:
        raise ValidationError(
            _("This step cannot be taken now: the warning is %(state)s.") % {"state": locked.get_state_display()}
        )
    return locked, target


@transaction.atomic
def warning_acknowledge(*, warning: Warning, actor, note: str = "", at: datetime | None = None) -> Warning:
    """We have seen it and own it."""
    now = at or timezone.now()
    locked, target = _step(warning, actor, rules.ACKNOWLEDGE)
    locked.state, locked.acknowledged_by, locked.acknowledged_at = target, actor, now
    locked.save(update_fields=["state", "acknowledged_by", "acknowledged_at"])
    WarningEvent.objects.create(
        warning=locked, at=now, action=WarningEvent.Action.ACKNOWLEDGED, actor=actor, note=note.strip()
    )
    return locked


@transaction.atomic
def warning_record_action(*, warning: Warning, actor, action: str, at: datetime | None = None) -> Warning:
    """What was done about it (a patrol, a meeting with the company, a notice to residents)."""
    now = at or timezone.now()
    if not action.strip():
        raise ValidationError({"action": [_("Say what was done.")]})
    locked, target = _step(warning, actor, rules.RECORD_ACTION)
    locked.state, locked.actions = target, locked.actions + 1
    locked.save(update_fields=["state", "actions"])
    WarningEvent.objects.create(
        warning=locked, at=now, action=WarningEvent.Action.ACTION, actor=actor, note=action.strip()
    )
    return locked


@transaction.atomic
def warning_close(*, warning: Warning, actor, outcome: str, result: str, at: datetime | None = None) -> Warning:
    """Close the loop with its outcome and what came of it. A resolved warning needs an action recorded first."""
    now = at or timezone.now()
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    if not result.strip():
        errors["result"] = [_("Say what came of it.")]
    if errors:
        raise ValidationError(errors)
    locked, target = _step(warning, actor, rules.CLOSE)
    if outcome == Outcome.RESOLVED and locked.actions == 0:
        raise ValidationError({"outcome": [_("Record what was done before closing it as resolved.")]})
    locked.state, locked.closed_by, locked.closed_at = target, actor, now
    locked.outcome, locked.result = outcome, result.strip()
    locked.save(update_fields=["state", "closed_by", "closed_at", "outcome", "result"])
    WarningEvent.objects.create(
        warning=locked,
        at=now,
        action=WarningEvent.Action.CLOSED,
        actor=actor,
        note=result.strip(),
        data={"outcome": outcome},
    )
    return locked
