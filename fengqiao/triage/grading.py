"""Risk grade from the facts of a case: plain values in, (grade, reasons) out. No database.

一类 red, 二类 yellow, 三类 green (MISSION §5). Each grading rule (fengqiao.triage.models.GradingRule,
shipped defaults in migration 0002) is one signal: a threshold on the people or money involved, words
in the text (self-harm, violence, gathering, blocking roads, banners, urgency, vulnerable people), wage
arrears with many workers or shortly before the Spring Festival, or a repeat complainant. Every signal
that fires gives a reason: the rule's sentence with its placeholders filled in, stored as a message
(fengqiao.core.reasons.template_reason) and shown in the reader's language — the shipped sentences are English
message ids translated for each reader, a sentence an administrator wrote is shown as written. The grade is the
highest any of them raises it to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from string import Formatter

from fengqiao.core.reasons import money, render, template_reason
from fengqiao.routing.rules import keyword_hit

RED, YELLOW, GREEN = "red", "yellow", "green"
ORDER = {GREEN: 0, YELLOW: 1, RED: 2}

PEOPLE, MONEY, URGENCY, TEXT, TEXT_PEOPLE, FESTIVAL, REPEAT = (
    "people", "money", "urgency", "text", "text_people", "festival", "repeat")

# 正月初一 for the years the holiday calendar may not know yet (chinese-calendar covers the years the State
# Council has published; for later years the lunar new year day stands in for the start of the holiday).
LUNAR_NEW_YEAR = {
    2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1), 2023: date(2023, 1, 22),
    2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3), 2031: date(2031, 1, 23),
    2032: date(2032, 2, 11), 2033: date(2033, 1, 31), 2034: date(2034, 2, 19), 2035: date(2035, 2, 8),
}


@dataclass(frozen=True)
class Signal:
    """One grading rule as a plain value."""

    code: str
    kind: str
    grade: str
    reason: str
    keywords: tuple[str, ...] = ()
    threshold: Decimal | None = None
    window_days: int | None = None
    priority: int = 100
    name: str = ""


@dataclass(frozen=True)
class Facts:
    text: str
    on: date
    people_count: int = 1
    amount: Decimal | None = None
    phone_case_dates: tuple[date, ...] = ()  # days of the cases raised from the same phone, this one included


@dataclass(frozen=True)
class Reason:
    code: str
    grade: str
    message: dict  # what is stored (Case.grade_reasons, the suggestion's evidence): fengqiao.core.reasons

    @property
    def text(self) -> str:
        """The reason in the active language."""
        return render(self.message)


@dataclass(frozen=True)
class Result:
    grade: str
    reasons: tuple[Reason, ...]

    @property
    def texts(self) -> list[str]:
        """The reasons in the active language (for a line written now: the timeline, a notification)."""
        return [r.text for r in self.reasons]

    @property
    def messages(self) -> list[dict]:
        """The reasons as stored, shown later in the reader's language."""
        return [r.message for r in self.reasons]


# --- numbers in the text -----------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_PEOPLE = re.compile(
    r"(\d{1,5}|[零〇一二两三四五六七八九十百千]{1,6})\s*(?:余|多|来|几)?\s*(?:名|个|位|户|家)?\s*"
    r"(?:农民工|工人|员工|职工|工友|业主|村民|居民|住户|租户|商户|家长|学生|老人|群众|人)"
)


def chinese_number(text: str) -> int | None:
    """“三十” → 30, “两百” → 200, “十二” → 12, “30” → 30; None when it is not a number."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def people_mentioned(text: str) -> int:
    """The largest number of people the text speaks of (“30余名工人” → 30, “三十多名业主” → 30), 0 when none."""
    best = 0
    for match in _PEOPLE.finditer(text or ""):
        n = chinese_number(match.group(1))
        if n is not None and n < 100_000:
            best = max(best, n)
    return best


# --- the Spring Festival -----------------------------------------------------------------------


def spring_festival(year: int) -> date | None:
    """First day of the statutory Spring Festival holiday of `year` (chinese-calendar), else 正月初一."""
    try:
        from chinese_calendar.constants import Holiday, holidays
    except ImportError:  # pragma: no cover - the package is a dependency
        holidays, Holiday = {}, None
    if Holiday is not None:
        days = [d for d, name in holidays.items() if d.year == year and name == Holiday.spring_festival.value
                and d.month <= 3]
        if days:
            return min(days)
    return LUNAR_NEW_YEAR.get(year)


def days_before_spring_festival(day: date) -> int | None:
    """Days from `day` until the next Spring Festival holiday begins (0 on its first day); None if unknown."""
    for year in (day.year, day.year + 1):
        festival = spring_festival(year)
        if festival is not None and festival >= day:
            return (festival - day).days
    return None


# --- the signals -------------------------------------------------------------------------------


def yuan(value: Decimal | int | None) -> dict | str:
    """A sum of money as stored in a reason: shown “1.2万元” to a Chinese reader, “12,000 yuan” to an English one."""
    return money(value) if value is not None else ""


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


def _text(signal: Signal, **values) -> dict:
    """The rule's sentence with the values it names, translated and filled in when shown (a badly written
    placeholder shows the sentence as written, never an error: fengqiao.core.reasons.render)."""
    try:
        names = {name for _text, name, _spec, _conv in Formatter().parse(signal.reason) if name}
    except ValueError:
        names = set(values)
    return template_reason(signal.reason, **{k: v for k, v in values.items() if k in names})


def evaluate(signal: Signal, facts: Facts) -> Reason | None:
    """The reason `signal` gives for these facts, or None when it does not fire."""
    people = max(facts.people_count or 0, people_mentioned(facts.text))
    threshold = signal.threshold
    common = {
        "people": people,
        "amount": yuan(facts.amount),
        "threshold": yuan(threshold) if signal.kind == MONEY else _number(threshold),
        "window": signal.window_days or "",
    }
    kind = signal.kind
    if kind == PEOPLE:
        if threshold is not None and people >= threshold:
            return Reason(signal.code, signal.grade, _text(signal, **common))
        return None
    if kind == MONEY:
        if threshold is not None and facts.amount is not None and facts.amount >= threshold:
            return Reason(signal.code, signal.grade, _text(signal, **common))
        return None
    if kind == REPEAT:
        window = signal.window_days or 30
        since = facts.on - timedelta(days=window)
        count = sum(1 for d in facts.phone_case_dates if since <= d <= facts.on)
        if threshold is not None and count >= threshold:
            return Reason(signal.code, signal.grade, _text(signal, count=count, days=window, **common))
        return None
    hit = keyword_hit(signal.keywords, facts.text or "")
    if not hit:
        return None
    if kind in (TEXT, URGENCY):
        return Reason(signal.code, signal.grade, _text(signal, keyword=hit, **common))
    if kind == TEXT_PEOPLE:
        if threshold is not None and people >= threshold:
            return Reason(signal.code, signal.grade, _text(signal, keyword=hit, **common))
        return None
    if kind == FESTIVAL:
        days = days_before_spring_festival(facts.on)
        if days is not None and days <= (signal.window_days or 30):
            return Reason(signal.code, signal.grade, _text(signal, keyword=hit, days=days, **common))
        return None
    return None


def grade(facts: Facts, signals: Iterable[Signal]) -> Result:
    """The highest grade any signal raises the case to, with every reason (reddest first, then rule order)."""
    ordered = sorted(signals, key=lambda s: (s.priority, s.code))
    fired = [(s, r) for s, r in ((s, evaluate(s, facts)) for s in ordered) if r is not None]
    # Of two thresholds on the same figure (5 and 30 people), only the higher one that is passed is a reason.
    top_of_kind: dict[str, int] = {}
    for s, r in fired:
        if s.kind in (PEOPLE, MONEY):
            top_of_kind[s.kind] = max(top_of_kind.get(s.kind, 0), ORDER.get(r.grade, 0))
    reasons = [r for s, r in fired if s.kind not in top_of_kind or ORDER.get(r.grade, 0) == top_of_kind[s.kind]]
    reasons.sort(key=lambda r: -ORDER.get(r.grade, 0))  # stable: rule order within a grade
    top = max((r.grade for r in reasons), key=lambda g: ORDER.get(g, 0), default=GREEN)
    return Result(grade=top, reasons=tuple(reasons))


def higher(a: str, b: str) -> str:
    return a if ORDER.get(a, 0) >= ORDER.get(b, 0) else b


NEEDS_KEYWORDS = frozenset({URGENCY, TEXT, TEXT_PEOPLE, FESTIVAL})
NEEDS_THRESHOLD = frozenset({PEOPLE, MONEY, TEXT_PEOPLE, REPEAT})
NEEDS_WINDOW = frozenset({FESTIVAL, REPEAT})
PLACEHOLDERS = frozenset({"keyword", "people", "amount", "count", "days", "threshold", "window"})


def signal_errors(*, kind: str, keywords, threshold, window_days, reason: str) -> dict[str, str]:
    """What is wrong with a grading rule, by field (empty when it can be saved)."""
    from string import Formatter

    from django.utils.translation import gettext as _

    errors: dict[str, str] = {}
    if kind in NEEDS_KEYWORDS and not [k for k in (keywords or []) if str(k).strip()]:
        errors["keywords"] = _("This kind of rule needs at least one keyword.")
    if kind in NEEDS_THRESHOLD and (threshold is None or threshold <= 0):
        errors["threshold"] = _("This kind of rule needs a threshold above zero.")
    if kind in NEEDS_WINDOW and not window_days:
        errors["window_days"] = _("This kind of rule needs a window in days.")
    try:
        names = {name for _text, name, _spec, _conv in Formatter().parse(reason or "") if name is not None}
    except ValueError:
        errors["reason"] = _("Unbalanced braces in the reason.")
    else:
        unknown = sorted(n for n in names if n not in PLACEHOLDERS)
        if unknown:
            errors["reason"] = _("Unknown placeholder: %(names)s. Known: %(known)s.") % {
                "names": ", ".join(f"{{{n}}}" for n in unknown),
                "known": ", ".join(f"{{{n}}}" for n in sorted(PLACEHOLDERS))}
    return errors
