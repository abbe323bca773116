"""Service type (五大服务) by rules: a table of plain rows, the first that applies decides, and says why.

Nothing here is learned, and so no confidence is given. The shipped data carries no service-type labels:
the messages are labelled with the seven first-level categories, the dispatch orders with the unit that
handled them (fengqiao/triage/data/SOURCES.md); a case's own service type is what the resident or the
operator picked at intake, not a checked outcome, so the platform's history is no ground truth either.
A rule that applies is a definite answer (one click accepts it, it is not a guess); when none applies the
operator decides, and the panel says so.

Order matters: a group's wage arrears is a labour dispute (dispute mediation), even when the resident writes
投诉; words of distress call for psychological help before anything else the text asks for; then the
catalogue's own service for the case's category (fengqiao/cases/data/categories.csv, editable in the
administration), then words that name one of the services.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from fengqiao.core.reasons import Reason, reason
from fengqiao.routing.rules import keyword_hit
from fengqiao.triage.defaults import SELF_HARM_WORDS, WAGE_WORDS
from fengqiao.triage.grading import people_mentioned

MEDIATION, LEGAL, PSYCHOLOGICAL, ASSISTANCE, COMPLAINT = "mediation", "legal", "psychological", "assistance", "complaint"
TEXT, CATEGORY = "text", "category"

# Wage arrears of this many workers or more is a group's labour dispute.
WAGE_GROUP = 3


@dataclass(frozen=True)
class ServiceRule:
    """One row of the table. `reason` is an English message id (translated when shown) with the placeholders
    %(keyword)s, %(people)d, %(threshold)d (text rules) or %(category)s (the category rule)."""

    code: str
    service_type: str
    reason: str
    kind: str = TEXT
    keywords: tuple[str, ...] = ()  # any one of them ("A+B": both A and B)
    min_people: int | None = None  # and at least this many people (the figure given or the text's largest)


RULES: tuple[ServiceRule, ...] = (
    ServiceRule("wage_group", MEDIATION, gettext_noop(
        "Wage arrears of %(people)d workers (“%(keyword)s”, %(threshold)d or more): a group's labour dispute, "
        "for dispute mediation."), keywords=WAGE_WORDS, min_people=WAGE_GROUP),
    ServiceRule("distress", PSYCHOLOGICAL, gettext_noop(
        "Words of distress (“%(keyword)s”): psychological help first."),
        keywords=(*SELF_HARM_WORDS, "想不开", "抑郁", "危机干预", "心理疏导", "心理咨询")),
    ServiceRule("category", "", gettext_noop(
        "The catalogue serves the category “%(category)s” as this service."), kind=CATEGORY),
    ServiceRule("dispute", MEDIATION, gettext_noop(
        "A dispute between parties (“%(keyword)s”): dispute mediation."),
        keywords=("纠纷", "调解", "矛盾", "吵架", "争吵", "争执", "打架", "协商不成", "协商未果", "扯皮", "劳资",
                  "邻里", "离婚", "赡养", "抚养", "遗产", "分家")),
    ServiceRule("legal", LEGAL, gettext_noop(
        "A legal question (“%(keyword)s”): legal service."),
        keywords=("法律咨询", "法律援助", "律师", "起诉", "诉讼", "仲裁", "公证", "司法鉴定", "合法吗", "违法吗",
                  "是否合法", "是否违法", "法律责任", "打官司")),
    ServiceRule("assistance", ASSISTANCE, gettext_noop(
        "A request for help in hardship (“%(keyword)s”): assistance and relief."),
        keywords=("救助", "低保", "特困", "帮扶", "救济", "生活困难", "家庭困难", "无家可归", "孤寡", "独居老人",
                  "留守儿童", "困境儿童", "大病", "医药费")),
    ServiceRule("mood", PSYCHOLOGICAL, gettext_noop(
        "Words about the resident's state of mind (“%(keyword)s”): psychological service."),
        keywords=("心理", "焦虑", "失眠", "情绪低落", "压力大", "崩溃", "绝望")),
    ServiceRule("complaint", COMPLAINT, gettext_noop(
        "A complaint, report or suggestion (“%(keyword)s”): complaint and suggestion."),
        keywords=("投诉", "举报", "建议", "噪音", "扰民", "违建", "违章", "乱收费", "不作为", "占道", "污染")),
)


@dataclass(frozen=True)
class Facts:
    title: str
    description: str
    people_count: int = 1
    category: str = ""  # the case's category name, if it has one
    category_service_type: str = ""  # that category's service in the catalogue


@dataclass(frozen=True)
class Match:
    code: str
    service_type: str
    reason: Reason


def normalised(text: str) -> str:
    """Full-width to half-width, lower case: 'ＡＢ' and 'ab' are the same word to a rule."""
    return unicodedata.normalize("NFKC", text or "").lower()


def apply(rule: ServiceRule, facts: Facts) -> Match | None:
    """What `rule` says of these facts, or None when it does not apply."""
    if rule.kind == CATEGORY:
        # complaint and suggestion is every first-level category's default: it tells nothing about this case
        if facts.category and facts.category_service_type and facts.category_service_type != COMPLAINT:
            return Match(rule.code, facts.category_service_type, reason(rule.reason, category=facts.category))
        return None
    text = normalised(f"{facts.title}\n{facts.description}")
    hit = keyword_hit(rule.keywords, text)
    if not hit:
        return None
    people = max(facts.people_count or 0, people_mentioned(text))
    if rule.min_people is not None and people < rule.min_people:
        return None
    args: dict = {"keyword": hit}
    if rule.min_people is not None:
        args.update(people=people, threshold=rule.min_people)
    return Match(rule.code, rule.service_type, reason(rule.reason, **args))


def matches(facts: Facts, rules: tuple[ServiceRule, ...] = RULES) -> list[Match]:
    """Every service a rule points to, in the table's order, each with the first rule that points to it."""
    out: list[Match] = []
    for rule in rules:
        found = apply(rule, facts)
        if found is not None and all(m.service_type != found.service_type for m in out):
            out.append(found)
    return out
