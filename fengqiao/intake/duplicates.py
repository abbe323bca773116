"""Duplicate hints for the staff entry form: earlier cases of the same caller, similar recent cases nearby.

`similarity` is a plain character-bigram Jaccard index (good enough for short Chinese titles,
no word segmentation needed); the selectors only ever look at cases the operator may see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.cases.models import Case, Party

WINDOW = timedelta(days=30)
THRESHOLD = 0.5
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def bigrams(text: str) -> set[str]:
    """Character bigrams of `text` without spaces and punctuation ("门口道路" → {"门口", "口道", "道路"})."""
    value = _NOISE.sub("", (text or "").lower())
    if len(value) < 2:
        return {value} if value else set()
    return {value[i : i + 2] for i in range(len(value) - 1)}


def similarity(a: str, b: str) -> float:
    """Jaccard index of the bigram sets, 0.0 (nothing shared) … 1.0 (same bigrams)."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


@dataclass
class Hint:
    case: Case
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0


def cases_for_phone(user, phone: str, *, limit: int = 10) -> list[Case]:
    """The caller's earlier cases (any age) among those `user` may see, newest first."""
    if not phone:
        return []
    ids = Party.objects.filter(phone=phone).values("case_id")
    return list(
        Case.objects.visible_to(user).filter(pk__in=ids).select_related("region", "holder_unit")
        .order_by("-submitted_at")[:limit]
    )


def duplicate_hints(user, *, phone: str = "", region=None, title: str = "", now=None, limit: int = 10) -> list[Hint]:
    """Recent cases (30 days) `user` may see with the same phone, or in the same region with a similar title."""
    now = now or timezone.now()
    since = now - WINDOW
    recent = Case.objects.visible_to(user).filter(submitted_at__gte=since)
    hints: dict[int, Hint] = {}
    if phone:
        ids = Party.objects.filter(phone=phone).values("case_id")
        for case in recent.filter(pk__in=ids).select_related("region").order_by("-submitted_at")[:limit]:
            hints.setdefault(case.pk, Hint(case)).reasons.append(_("same phone number"))
    if region is not None and len(bigrams(title)) >= 2:
        candidates = recent.filter(region=region).select_related("region").order_by("-submitted_at")[:500]
        for case in candidates:
            score = similarity(title, case.title)
            if score >= THRESHOLD:
                hint = hints.setdefault(case.pk, Hint(case))
                hint.score = score
                hint.reasons.append(_("same community, similar title (%(pct)d%%)") % {"pct": round(score * 100)})
    ordered = sorted(hints.values(), key=lambda h: (-len(h.reasons), -h.score, -h.case.submitted_at.timestamp()))
    return ordered[:limit]
