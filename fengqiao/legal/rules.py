"""The rules of the legal routes as data and plain functions (no database): clocks, the competent court, the
matters judicial confirmation excludes, the moves of an application, and which units each linkage joins.

Sources (LEGAL.md): Civil Procedure Law art. 205–206 (joint application within 30 days of the agreement taking
effect, to the inviting court or the basic court where a party lives, the subject matter lies or the mediation body
sits); Supreme People's Court, Provisions on the Judicial Confirmation Procedure for People's Mediation Agreements
(2011): art. 4 (accept or not within 3 days; identity, adoption and marriage relationships are not accepted), art. 6
(decide within 15 days of acceptance, +10 with the approval of the court's president). Periods run in calendar days;
a period ending on a rest day ends on the next working day (Civil Procedure Law art. 85).

The statutory clocks are outer limits: `FQ_LEGAL_CLOCKS` (settings, e.g. {"accept_days": 2}) may tighten them,
never loosen them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from fengqiao.core.reasons import reason
from fengqiao.legal.models import ConfirmationApplication, LinkageKind, MatterType, ReferralKind
from fengqiao.org.models import UnitKind
from fengqiao.org.rules import CENTRE_KINDS
from fengqiao.sla.deadlines import LOCAL, is_working_day

AppStatus = ConfirmationApplication.Status

# --- clocks -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clocks:
    apply_days: int = 30  # after the agreement takes effect (Civil Procedure Law art. 205)
    accept_days: int = 3  # court accepts or not after filing (SPC 2011 art. 4)
    decide_days: int = 15  # court decides after acceptance (SPC 2011 art. 6)
    extension_days: int = 10  # with the approval of the court's president (SPC 2011 art. 6)
    remind_hours: int = 24  # reminders this long before a clock runs out
    apply_remind_days: int = 7  # the mediator is reminded this many days before the 30 days run out


STATUTORY = Clocks()


def clocks(configured: Mapping[str, int] | None = None) -> Clocks:
    """The clocks in force: the statutory ones, tightened (never loosened) by configuration."""
    if configured is None:
        configured = getattr(settings, "FQ_LEGAL_CLOCKS", None) or {}
    changes: dict[str, int] = {}
    for f in fields(Clocks):
        value = configured.get(f.name)
        if isinstance(value, int) and value > 0:
            changes[f.name] = min(value, getattr(STATUTORY, f.name))
    return replace(STATUTORY, **changes)


def period_end(start: datetime, days: int, overrides: Mapping[date, bool] | None = None) -> datetime:
    """The end of a period of `days` calendar days from `start` (the day it starts does not count); a period
    ending on a rest day or holiday ends on the next working day."""
    day = start.astimezone(LOCAL).date() + timedelta(days=days)
    while not is_working_day(day, overrides):
        day += timedelta(days=1)
    return datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL)


def apply_due(effective_at: datetime, c: Clocks | None = None) -> datetime:
    return period_end(effective_at, (c or clocks()).apply_days)


def accept_due(filed_at: datetime, c: Clocks | None = None) -> datetime:
    return period_end(filed_at, (c or clocks()).accept_days)


def decide_due(accepted_at: datetime, c: Clocks | None = None) -> datetime:
    return period_end(accepted_at, (c or clocks()).decide_days)


def extended_due(due: datetime, c: Clocks | None = None) -> datetime:
    return period_end(due, (c or clocks()).extension_days)


@dataclass(frozen=True)
class Clock:
    """One running clock as a page shows it."""

    label: str
    due: datetime
    state: str  # "later" | "soon" | "overdue" | "done"
    days_left: int


def clock(label: str, due: datetime, now: datetime, *, done: bool = False, soon_hours: int = 24) -> Clock:
    left = due - now
    if done:
        state = "done"
    elif left.total_seconds() < 0:
        state = "overdue"
    elif left <= timedelta(hours=soon_hours):
        state = "soon"
    else:
        state = "later"
    return Clock(label=label, due=due, state=state, days_left=left.days)


# --- the matter ------------------------------------------------------------------------------------------

EXCLUDED_MATTERS = frozenset({MatterType.IDENTITY, MatterType.ADOPTION, MatterType.MARRIAGE})
EXCLUSION_RULE = _(
    "Rule: the court does not accept an application to confirm an identity relationship, an adoption relationship "
    "or a marriage relationship (Supreme People's Court, Provisions on the Judicial Confirmation Procedure for "
    "People's Mediation Agreements, 2011, art. 4)."
)
# Words in the agreement that show the matter is one of the excluded kinds (the user cannot override them away).
MATTER_KEYWORDS: dict[str, tuple[str, ...]] = {
    MatterType.MARRIAGE: ("解除婚姻关系", "确认婚姻关系", "婚姻无效", "撤销婚姻", "同意离婚", "自愿离婚"),
    MatterType.ADOPTION: ("收养关系", "解除收养", "确认收养"),
    MatterType.IDENTITY: ("亲子关系", "身份关系", "确认亲生", "非亲生"),
}


def detect_matter(text: str) -> tuple[str, str]:
    """(matter type, the word that shows it) from the agreement's words; (civil, "") when none does."""
    for matter, words in MATTER_KEYWORDS.items():
        for word in words:
            if word in (text or ""):
                return matter, word
    return MatterType.CIVIL, ""


def effective_matter(detected: str, chosen: str | None) -> str:
    """The user may declare a matter excluded (towards refusal), never an excluded one civil."""
    if detected in EXCLUDED_MATTERS:
        return detected
    return chosen if chosen in MatterType.values else detected


def matter_error(matter: str, keyword: str = "") -> str | None:
    if matter not in EXCLUDED_MATTERS:
        return None
    label = MatterType(matter).label
    if keyword:
        return str(_("This agreement concerns %(matter)s (it says “%(word)s”). %(rule)s")
                   % {"matter": label, "word": keyword, "rule": EXCLUSION_RULE})
    return str(_("This agreement concerns %(matter)s. %(rule)s") % {"matter": label, "rule": EXCLUSION_RULE})


# --- the competent court ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Court:
    id: int
    name: str


@dataclass(frozen=True)
class CourtSuggestion:
    court: Court | None
    reasons: list[Any]  # stored reasons (fengqiao.core.reasons), translated when shown
    others: list[Court]  # other competent courts


def suggest_court(
    *,
    inviting_court: Court | None,
    courts_by_district: Mapping[str, Court],
    body: tuple[str, str | None] | None = None,
    subject: tuple[str, str | None] | None = None,
    parties: Sequence[str | None] = (),
) -> CourtSuggestion:
    """The court to apply to: the inviting court when a court invited the mediation; else the basic court where
    the mediation body sits, the subject matter lies or a party lives — the one with most grounds, in that order.

    `body` and `subject` are (name shown, district code or None); `parties` the district codes of the parties'
    addresses (None where unknown).
    """
    if inviting_court is not None:
        return CourtSuggestion(
            inviting_court,
            [reason(gettext_noop("%(court)s invited this mediation before litigation (诉前调解): the inviting court "
                                 "confirms the agreement"), court=inviting_court.name)],
            [],
        )
    grounds: dict[Court, list[Any]] = {}
    order: list[Court] = []

    def add(district: str | None, why: dict) -> None:
        court = courts_by_district.get(district or "")
        if court is None:
            return
        if court not in grounds:
            grounds[court] = []
            order.append(court)
        grounds[court].append(why)

    if body:
        add(body[1], reason(gettext_noop("the mediation body (%(name)s) sits in its district"), name=body[0]))
    if subject:
        add(subject[1], reason(gettext_noop("the subject matter lies in its district (%(name)s)"), name=subject[0]))
    seen: set[str] = set()
    for district in parties:
        if district and district not in seen:
            seen.add(district)
            add(district, reason(gettext_noop("a party lives in its district")))
    if not order:
        return CourtSuggestion(None, [reason(gettext_noop(
            "No basic court is known for the parties, the subject matter or the mediation body: choose the court."))],
            [])
    best = max(order, key=lambda c: (len(grounds[c]), -order.index(c)))
    why = [reason(gettext_noop("%(court)s is a basic court where:"), court=best.name), *grounds[best]]
    return CourtSuggestion(best, why, [c for c in order if c != best])


def districts_named(address: str, districts: Mapping[str, str]) -> str | None:
    """The code of the district (name → code) an address names, e.g. "深圳市光明区…" → 440311."""
    for name, code in districts.items():
        if name and name in (address or ""):
            return code
    return None


# --- the moves of an application ------------------------------------------------------------------------

APPLICATION_MOVES: dict[str, dict[str, str]] = {
    "accept": {AppStatus.FILED: AppStatus.ACCEPTED},
    "not_accept": {AppStatus.FILED: AppStatus.NOT_ACCEPTED},
    "extend": {AppStatus.ACCEPTED: AppStatus.ACCEPTED},
    "confirm": {AppStatus.ACCEPTED: AppStatus.CONFIRMED},
    "refuse": {AppStatus.ACCEPTED: AppStatus.REFUSED},
}
LIVE_STATUSES = frozenset({AppStatus.FILED, AppStatus.ACCEPTED, AppStatus.CONFIRMED})
RULING_MOVES = frozenset({"confirm", "refuse"})


def application_move_error(move: str, status: str) -> str | None:
    """Why `move` is not allowed on an application in `status`, or None."""
    if status in APPLICATION_MOVES.get(move, {}):
        return None
    if move in RULING_MOVES and status == AppStatus.FILED:
        return str(_("The court has not accepted this application yet: a ruling can only be recorded after "
                     "acceptance."))
    if move == "extend" and status == AppStatus.ACCEPTED:
        return None
    return str(_("This application is “%(status)s”: that step is not possible now.")
               % {"status": AppStatus(status).label})


# --- referrals -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteRule:
    body_kinds: frozenset[str]
    receive_days: int  # the body decides whether to take the case (arbitration 5 days, court filing 7 days)
    decide_days: int  # from receipt to the award / judgment
    source: str


REFERRAL_RULES: dict[str, RouteRule] = {
    # Labour Dispute Mediation and Arbitration Law art. 29 (5 days), art. 43 (45 days, +15 with approval).
    ReferralKind.ARBITRATION: RouteRule(frozenset({UnitKind.ARBITRATION}), 5, 45, "劳动争议调解仲裁法 第29、43条"),
    # Civil Procedure Law art. 126 (filing within 7 days), art. 152 (ordinary procedure: 6 months).
    ReferralKind.LITIGATION: RouteRule(frozenset({UnitKind.COURT}), 7, 180, "民事诉讼法 第126、152条"),
}


def referral_unit_error(kind: str, unit_name: str, unit_kind: str) -> str | None:
    rule = REFERRAL_RULES[kind]
    if unit_kind in rule.body_kinds:
        return None
    wanted = "、".join(str(UnitKind(k).label) for k in sorted(rule.body_kinds))
    return str(_("%(unit)s is not a body for this route (%(route)s goes to: %(wanted)s).")
               % {"unit": unit_name, "route": ReferralKind(kind).label, "wanted": wanted})


# --- the six linkages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkageRule:
    body_kinds: frozenset[str]
    accept_days: int  # working days for the receiver to accept or return
    conclude_days: int  # calendar days to conclude after it was sent


# The mediators' side of every linkage: committees, the justice bureau that runs them, the centres (综治中心).
MEDIATOR_SIDE_KINDS = frozenset({UnitKind.MEDIATION_COMMITTEE, UnitKind.JUSTICE, *CENTRE_KINDS})
LINKAGE_RULES: dict[str, LinkageRule] = {
    # 诉前调解: 30 days (SPC, Opinions on deepening the reform of diversified dispute resolution, 2016, art. 27)
    LinkageKind.COURT: LinkageRule(frozenset({UnitKind.COURT}), 3, 30),
    LinkageKind.PROCURATORATE: LinkageRule(frozenset({UnitKind.PROCURATORATE}), 3, 30),
    LinkageKind.POLICE: LinkageRule(frozenset({UnitKind.POLICE}), 3, 30),
    LinkageKind.PETITION: LinkageRule(frozenset({UnitKind.PETITION_OFFICE}), 3, 30),
    # Notary offices sit under the justice bureau (there is no unit kind of their own).
    LinkageKind.NOTARY: LinkageRule(frozenset({UnitKind.JUSTICE}), 3, 30),
    LinkageKind.ARBITRATION: LinkageRule(frozenset({UnitKind.ARBITRATION}), 3, 30),
}
LINKAGE_ACTOR_ROLES = frozenset({"operator", "handler", "mediator", "court_clerk", "leader"})


def linkage_units_error(kind: str, from_kind: str, to_kind: str, *, to_name: str = "") -> str | None:
    """A linkage joins the body of its kind and the mediators' side, in either direction."""
    rule = LINKAGE_RULES.get(kind)
    if rule is None:
        return str(_("Unknown kind of linkage."))
    body, mediators = rule.body_kinds, MEDIATOR_SIDE_KINDS
    if (from_kind in body and to_kind in mediators) or (from_kind in mediators and to_kind in body):
        return None
    wanted_kinds = body if from_kind in mediators else mediators
    wanted = "、".join(str(UnitKind(k).label) for k in sorted(wanted_kinds))
    return str(_("%(unit)s (%(kind)s) cannot receive a %(linkage)s: it goes to a %(wanted)s.")
               % {"unit": to_name, "kind": UnitKind(to_kind).label, "linkage": LinkageKind(kind).label,
                  "wanted": wanted})


def linkage_clocks(kind: str, sent_at: datetime, configured: Mapping[str, int] | None = None
                   ) -> tuple[datetime, datetime]:
    """(accept by, conclude by) for a linkage sent at `sent_at`; `FQ_LEGAL_LINKAGE_DAYS` may shorten the
    conclusion time per kind."""
    from fengqiao.sla.deadlines import add_working_days

    rule = LINKAGE_RULES[kind]
    if configured is None:
        configured = getattr(settings, "FQ_LEGAL_LINKAGE_DAYS", None) or {}
    days = min(int(configured.get(kind, rule.conclude_days)), rule.conclude_days)
    return add_working_days(sent_at, rule.accept_days), period_end(sent_at, days)
