"""Possible duplicates and related cases of one case: same text, same phone, same respondent, same place.

Built on the character-bigram Jaccard index of fengqiao.intake.duplicates (the staff entry form's hints),
so the workbench and the entry form agree on what "similar" means. Limits: a time window around the
case (30 days either side) and, for similar text, the same street; a bounded number of candidates, so
the cost does not grow with the size of the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from fengqiao.cases.models import Case, CaseEvent, Party
from fengqiao.cases.workflow import Action, Status
from fengqiao.intake.duplicates import WINDOW, bigrams, similarity

TITLE_THRESHOLD = 0.5
TEXT_THRESHOLD = 0.45
PLACE_METRES = 150
MAX_CANDIDATES = 300

TEXT, PHONE, RESPONDENT, PLACE = "text", "phone", "respondent", "place"
DUPLICATE_KINDS = frozenset({TEXT, PHONE})  # what usually means "the same demand again"


@dataclass
class Related:
    case: Case
    kinds: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0

    def add(self, kind: str, reason: str, score: float = 0.0) -> None:
        if kind not in self.kinds:
            self.kinds.append(kind)
            self.reasons.append(reason)
        self.score = max(self.score, score)

    @property
    def likely_duplicate(self) -> bool:
        return bool(set(self.kinds) & DUPLICATE_KINDS)


def text_score(a: Case, b_title: str, b_text: str) -> float:
    """The better of title and opening-text similarity, each counted only above its own threshold (else 0)."""
    title = similarity(a.title, b_title) if len(bigrams(a.title)) >= 2 else 0.0
    body = similarity(a.description[:300], b_text[:300])
    return max(title if title >= TITLE_THRESHOLD else 0.0, body if body >= TEXT_THRESHOLD else 0.0)


def _street_path(case: Case) -> str:
    codes = case.region.path.strip("/").split("/")
    return "/" + "/".join(codes[:3]) + "/" if len(codes) >= 3 else case.region.path


def _metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    k = math.pi / 180
    x = (lng2 - lng1) * k * math.cos((lat1 + lat2) / 2 * k)
    y = (lat2 - lat1) * k
    return 6_371_000 * math.hypot(x, y)


def related_cases(case: Case, user=None, *, window: timedelta = WINDOW, limit: int = 8) -> list[Related]:
    """Cases near `case` in time that share its text, phone, respondent or place; only those `user` may see.

    Best first: several shared facts before one, then the closer text. Merged cases are left out (their
    main case stands for them), and so are cases already merged into this one.
    """
    since, until = case.submitted_at - window, case.submitted_at + window
    recent = Case.objects.exclude(pk=case.pk).exclude(status=Status.MERGED).filter(
        submitted_at__gte=since, submitted_at__lte=until)
    found: dict[int, Related] = {}
    placeholders: dict[int, list[tuple[str, str, float]]] = {}

    def note(pk: int, kind: str, reason: str, score: float = 0.0) -> None:
        placeholders.setdefault(pk, []).append((kind, reason, score))

    parties = list(case.parties.all())
    phones = {p.phone for p in parties if p.phone}
    respondents = {p.name.strip() for p in parties if p.role == Party.PartyRole.RESPONDENT and len(p.name.strip()) >= 2}
    if phones:
        for pk in Party.objects.filter(phone__in=phones, case__in=recent).values_list("case_id", flat=True)[:50]:
            note(pk, PHONE, _("same phone number"))
    if respondents:
        rows = Party.objects.filter(role=Party.PartyRole.RESPONDENT, name__in=respondents, case__in=recent)
        for pk, name in rows.values_list("case_id", "name")[:50]:
            note(pk, RESPONDENT, _("same respondent: %(name)s") % {"name": name})
    street = _street_path(case)
    candidates = recent.filter(region__path__startswith=street).order_by("-submitted_at").values_list(
        "pk", "title", "description")[:MAX_CANDIDATES]
    for pk, title, description in candidates:
        score = text_score(case, title, description)
        if score > 0:
            note(pk, TEXT, _("similar text (%(pct)d%%), same street") % {"pct": round(score * 100)}, score)
    place = Q()
    address = (case.address or "").strip()
    if len(address) >= 4:
        place |= Q(address=address)
    if case.latitude is not None and case.longitude is not None:
        d = 0.002  # about 200 m: the box first, the exact distance below
        place |= Q(latitude__range=(case.latitude - d, case.latitude + d),
                   longitude__range=(case.longitude - d, case.longitude + d))
    if place:
        for pk, addr, lat, lng in recent.filter(place).values_list("pk", "address", "latitude", "longitude")[:50]:
            if address and addr == address:
                note(pk, PLACE, _("same address"))
            elif lat is not None and _metres(case.latitude, case.longitude, lat, lng) <= PLACE_METRES:
                note(pk, PLACE, _("within %(m)d m") % {"m": PLACE_METRES})
    if not placeholders:
        return []
    cases = Case.objects.filter(pk__in=list(placeholders)).select_related("region", "holder_unit")
    if user is not None:
        cases = cases.filter(pk__in=Case.objects.visible_to(user).filter(pk__in=list(placeholders)).values("pk"))
    for other in cases:
        item = found.setdefault(other.pk, Related(other))
        for kind, reason, score in placeholders[other.pk]:
            item.add(kind, reason, score)
    ordered = sorted(found.values(), key=lambda r: (-len(r.kinds), -r.score, abs((r.case.submitted_at
                                                                                  - case.submitted_at).total_seconds())))
    return ordered[:limit]


def linked_cases(case: Case) -> list[dict]:
    """Cases a person linked to this one (either way round), from the timeline: [{code, kind, by_this}]."""
    events = CaseEvent.objects.filter(action=Action.NOTE).filter(
        Q(case=case, data__has_key="link") | Q(data__link__id=case.pk)).select_related("case")
    out, seen = [], set()
    for event in events:
        link = event.data.get("link") or {}
        if event.case_id == case.pk:
            code, kind = link.get("code"), link.get("kind", "")
        else:
            code, kind = event.case.code, link.get("kind", "")
        if code and code not in seen:
            seen.add(code)
            out.append({"code": code, "kind": kind})
    return out
