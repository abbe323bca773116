"""Service type (五大服务) from title and text: a transparent keyword model.

There is no labelled data for the five service types, so nothing is learned here: each type has a list of
weighted cue words (the level-2 names of fengqiao/cases/data/categories.csv for disputes, legal, psychological
and assistance services, plus common wordings). A type's score is the sum of the weights of its cues found in
the text (title cues count double); "complaint" (投诉建议, the default of the seven message categories) starts
with a prior. Confidences are softmax(0.5 x score) — heuristic, not calibrated against labels, and the evidence says so.
"""

from __future__ import annotations

import math

from django.utils.translation import gettext_noop

from fengqiao.core.reasons import reason

VERSION = "rules-1"

# cue -> weight. Longer cues are more specific and weigh more.
CUES: dict[str, dict[str, float]] = {
    "mediation": {
        "调解": 2.0, "纠纷": 1.5, "矛盾": 1.2, "吵架": 1.2, "争吵": 1.2, "打架": 1.0, "争执": 1.2, "邻里": 1.5,
        "婚姻家庭": 2.0, "离婚": 1.2, "家庭矛盾": 2.0, "家暴": 1.0, "物业纠纷": 2.0, "劳资纠纷": 2.0,
        "消费纠纷": 2.0, "医疗纠纷": 2.0, "交通事故": 1.5, "土地纠纷": 2.0, "房屋纠纷": 2.0, "协商不成": 1.5,
        "协商未果": 1.5, "扯皮": 1.0, "赔偿": 0.8, "遗产": 1.2, "赡养": 1.2, "抚养": 1.0,
    },
    "legal": {
        "法律咨询": 2.5, "法律援助": 2.5, "律师": 2.0, "起诉": 1.8, "诉讼": 1.8, "法院": 1.2, "仲裁": 1.5,
        "公证": 2.0, "司法鉴定": 2.5, "合同": 0.8, "法律": 1.2, "维权": 0.8, "判决": 1.2, "违法吗": 1.5,
        "是否合法": 1.5, "合法吗": 1.5, "法律责任": 1.5, "立案": 1.0, "欠条": 1.2, "借款": 0.8,
    },
    "psychological": {
        "心理": 2.0, "心理咨询": 2.5, "心理疏导": 2.5, "危机干预": 2.5, "抑郁": 2.5, "焦虑": 2.0, "轻生": 3.0,
        "自杀": 3.0, "想不开": 2.5, "不想活": 3.0, "情绪低落": 2.0, "失眠": 1.2, "崩溃": 1.5, "压力大": 1.2,
        "精神压力": 1.5, "心情": 0.8, "绝望": 2.0,
    },
    "assistance": {
        "救助": 2.0, "困难救助": 2.5, "帮扶": 2.0, "低保": 2.0, "特困": 2.0, "救济": 2.0, "补助": 1.0,
        "残疾": 1.5, "残疾人": 1.5, "孤寡": 2.0, "独居老人": 2.0, "老年人关爱": 2.5, "留守儿童": 2.0,
        "未成年人保护": 2.5, "生活困难": 2.0, "家庭困难": 2.0, "无家可归": 2.5, "流浪": 1.5, "求助": 1.0,
        "医药费": 1.0, "大病": 1.2, "临时救助": 2.5,
    },
    "complaint": {
        "投诉": 1.5, "举报": 1.5, "建议": 1.0, "反映": 0.8, "噪音": 1.2, "扰民": 1.2, "违章": 1.0,
        "违建": 1.2, "乱收费": 1.5, "不作为": 1.2, "占道": 1.2, "污染": 1.0, "垃圾": 0.8, "拖欠": 0.8,
        "欠薪": 1.0, "质量": 0.6, "整改": 0.8, "施工": 0.6,
    },
}
PRIOR = {"complaint": 1.0}
TITLE_FACTOR = 2.0
SHARPNESS = 0.5  # confidences = softmax(SHARPNESS * score): rules should not sound certain
TYPES = ("mediation", "legal", "psychological", "assistance", "complaint")


def scores(title: str, body: str) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Score per type and the cues found, from normalised text."""
    out = {t: PRIOR.get(t, 0.0) for t in TYPES}
    found: dict[str, list[str]] = {t: [] for t in TYPES}
    for stype, cues in CUES.items():
        for cue, weight in cues.items():
            hit = 0.0
            if cue in title:
                hit += weight * TITLE_FACTOR
            if cue in body:
                hit += weight
            if hit:
                out[stype] += hit
                found[stype].append(cue)
    return out, found


def suggest(title: str, body: str, k: int = 3) -> list[tuple[str, float, list[str]]]:
    s, found = scores(title, body)
    top = max(s.values())
    exp = {t: math.exp(SHARPNESS * (v - top)) for t, v in s.items()}
    total = sum(exp.values())
    ranked = sorted(TYPES, key=lambda t: -exp[t])
    result = []
    for t in ranked[:k]:
        cues = sorted(found[t], key=len, reverse=True)[:4]
        evidence = [reason(gettext_noop("keyword: %(cue)s"), cue=c) for c in cues] or (
            [reason(gettext_noop("no cue of another service: complaints and suggestions is the default"))]
            if t == "complaint" else []
        )
        evidence.append(reason(gettext_noop("keyword rules, not learned from labelled data (a rough confidence)")))
        result.append((t, exp[t] / total, evidence))
    return result
