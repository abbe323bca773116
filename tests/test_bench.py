"""The benchmark helpers measure what they say (the figures in fengqiao/triage/ml/README.md come from them)."""

from __future__ import annotations

import math

from bench.consistency import consistency


def test_label_consistency_counts_near_identical_pairs_and_their_agreement():
    texts = [
        "老板拖欠三个月工资不发，工人要求结清",
        "老板拖欠三个月工资不发，工人要求结清！",  # near-identical to the first, same label
        "小区门口流动摊贩占道经营，晚上很吵",
        "小区门口流动摊贩占道经营，晚上很吵。",  # near-identical to the third, another label
        "学校食堂饭菜质量差，孩子吃了肚子疼",
    ]
    labels = ["人社局", "人社局", "中心", "城管", "教育局"]
    by_threshold = {r["threshold"]: r for r in consistency(texts, labels, thresholds=(0.9, 1.5))}
    near = by_threshold[0.9]
    assert near["pairs"] == 2 and near["pairs_same_label"] == 0.5
    assert near["rows"] == 4 and near["nearest_same_label"] == 0.5
    none = by_threshold[1.5]  # above any cosine
    assert none["pairs"] == 0 and math.isnan(none["pairs_same_label"])
