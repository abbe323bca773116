"""The registry over tiny models trained once per session from slices of the shipped data."""

from __future__ import annotations

import math
import os

import pytest
from django.utils.translation import gettext as _

from fengqiao.core.reasons import render_all
from fengqiao.triage.ml import artefacts, registry
from fengqiao.triage.ml.data import Row
from fengqiao.triage.ml.features import NgramBlock
from fengqiao.triage.ml.models import CENTRE, _scale_columns
from fengqiao.triage.ml.train import train
from fengqiao.triage.tests.ml_fixtures import small_rows

SEVEN = {"城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"}


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("models")
    train("category", small_rows("category", 60), directory=directory, folds=3)
    train("dispatch", small_rows("dispatch", 40), directory=directory, folds=3)
    return directory


@pytest.fixture
def models(tiny_model_dir, settings):
    settings.FQ_MODEL_DIR = tiny_model_dir
    settings.FQ_TRIAGE_MIN_CONFIDENCE = 0.6
    registry.reload_models()
    yield tiny_model_dir
    registry.reload_models()


def _check_distribution(suggestions, k):
    assert 0 < len(suggestions) <= k
    confidences = [s.confidence for s in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert sum(confidences) <= 1.0 + 1e-6


def test_category_suggestions_are_calibrated_sorted_and_explained(models):
    out = registry.classify_category("公司拖欠工资三个月", "老板一直拖欠我们工人的工资，劳动合同也不签，要求补发工资", k=3)
    _check_distribution(out, 3)
    assert out[0].label == "劳动和社会保障"
    assert {s.label for s in out} <= SEVEN
    assert out[0].evidence and all(isinstance(e, str) and e for e in out[0].evidence)
    assert any("工资" in e for e in out[0].evidence)
    everything = registry.classify_category("小区噪音", "晚上施工噪音扰民", k=10)
    assert len(everything) == 7
    assert math.isclose(sum(s.confidence for s in everything), 1.0, abs_tol=1e-3)


def test_needs_operator_follows_the_threshold(models, settings):
    out = registry.classify_category("公司拖欠工资三个月", "老板一直拖欠我们工人的工资，劳动合同也不签，要求补发工资")
    settings.FQ_TRIAGE_MIN_CONFIDENCE = 0.0
    assert registry.needs_operator(out) is False
    settings.FQ_TRIAGE_MIN_CONFIDENCE = 1.0
    assert registry.needs_operator(out) is True
    assert registry.needs_operator([]) is True


def test_bad_input_gets_an_empty_list_or_a_sensible_answer(models):
    assert registry.classify_category("", "") == []
    assert registry.classify_category("字", None) == []
    assert registry.classify_category("<p></p>", "\x00\x01") == []
    traditional = registry.classify_category("公司拖欠員工薪資", "老闆拖欠工資三個月，勞動合同也沒簽")
    assert traditional[0].label == "劳动和社会保障"
    english = registry.classify_category("Unpaid wages", "My employer has not paid my salary for three months.")
    _check_distribution(english, 3)  # no Chinese to go on: an answer, but not one to pre-fill
    html = registry.classify_category("<b>拖欠工资</b>", "<script>x()</script><p>老板拖欠工资&nbsp;三个月</p>")
    assert html[0].label == "劳动和社会保障"
    long = registry.classify_category("拖欠工资", "老板拖欠工资。" * 100_000)
    assert long[0].label == "劳动和社会保障"


def test_route_unit_proposes_units_with_evidence(models):
    out = registry.route_unit("坂田街道", "公司拖欠工资两个月，老板不发工资，劳动合同纠纷", k=3)
    _check_distribution(out, 3)
    assert out[0].label == "区人力资源局"
    assert out[0].evidence
    labels = {s.label for s in registry.route_unit("坂田街道", "问题类型:乱摆卖 占道经营", k=5)}
    assert CENTRE in labels


@pytest.mark.parametrize("statement", ["", "？", "𠀀𠀁𠀂𠀃"])
def test_route_unit_falls_back_to_the_centre_when_nothing_decides(models, statement):
    out = registry.route_unit("平湖街道", statement, k=3)
    assert out[0].label == CENTRE
    assert any(e.startswith(_("fallback: %(reason)s") % {"reason": ""}) for e in render_all(out[0].evidence))
    _check_distribution(out, 3)
    assert out[0].confidence < 0.9  # the centre's share of past dispatches, not certainty


def test_versions_and_hot_swap_through_the_pointer_file(tmp_path, settings):
    settings.FQ_MODEL_DIR = tmp_path
    registry.reload_models()
    first = train("category", small_rows("category", 25), folds=0)
    assert registry.model_versions()["category"] == first["version"]
    assert {s.label for s in registry.classify_category("拖欠工资", "老板拖欠工资", k=7)} == SEVEN
    # v2: other labels; the running process sees the pointer change on its next call, without reload_models()
    renamed = [Row(r.id, r.a, r.b, "甲" if r.label == "劳动和社会保障" else "乙") for r in small_rows("category", 25)]
    second = train("category", renamed, folds=0)
    assert second["version"] != first["version"]
    assert registry.model_versions()["category"] == second["version"]
    assert {s.label for s in registry.classify_category("拖欠工资", "老板拖欠工资", k=7)} == {"甲", "乙"}
    # back to v1 by pointing at its file again
    artefacts.set_current("category", os.path.basename(first["path"]))
    assert {s.label for s in registry.classify_category("拖欠工资", "老板拖欠工资", k=7)} == SEVEN
    registry.reload_models()
    _, meta = registry.get_model("category")
    assert meta["version"] == first["version"]
    registry.reload_models()


def test_missing_model_without_training_data_is_a_clear_error(tmp_path, settings, monkeypatch):
    from fengqiao.triage.ml import data

    settings.FQ_MODEL_DIR = tmp_path
    registry.reload_models()
    monkeypatch.setattr(data, "DATA_DIR", tmp_path / "nowhere")
    with pytest.raises(artefacts.ModelUnavailable, match="train_triage"):
        registry.classify_category("拖欠工资", "老板拖欠工资三个月")
    assert registry.model_versions()["category"] == ""
    registry.reload_models()


def test_a_corrupt_pointer_or_file_is_reported(tmp_path, settings):
    settings.FQ_MODEL_DIR = tmp_path
    (tmp_path / "dispatch.current").write_text("../../etc/passwd\n")
    with pytest.raises(artefacts.ModelUnavailable, match="does not name a model file"):
        artefacts.current_file("dispatch")
    (tmp_path / "x.joblib").write_bytes(b"not a model")
    with pytest.raises(artefacts.ModelUnavailable, match="cannot be read"):
        artefacts.load(tmp_path / "x.joblib")


def test_the_fast_features_equal_scikit_learns_tfidf():
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = ["拖欠工资三个月", "小区噪音扰民", "工资 噪音", "学校收费", "a", "", "拖欠工资"]
    block = NgramBlock("b", "body", 1, 3, min_df=1).fit(texts)
    ours = block.transform(texts).toarray()
    ref = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, lowercase=False).fit(texts)
    theirs = ref.transform(texts).toarray()
    assert ours.shape == theirs.shape
    assert np.allclose(np.sort(ours, axis=1), np.sort(theirs, axis=1), atol=1e-6)
    col = int(np.argmax(block.transform(["欠"]).toarray()))
    assert block.names("拖欠工资", np.array([col])) == {col: "欠"}


@pytest.mark.parametrize("nb_alpha", [0.0, 0.1])
def test_nb_svm_scaling_is_folded_into_linear_weights(nb_alpha):
    """NB-SVM (nb_alpha > 0) and the plain SVM (0) both score as X @ weights + intercept, so the evidence
    (value x weight) explains the score; the dispatch unit stage shares the same code."""
    import numpy as np

    from fengqiao.triage.ml.models import CategoryModel
    from fengqiao.triage.ml.text import prepare_message

    rows = small_rows("category", 25)
    titles, bodies = zip(*(prepare_message(r.a, r.b) for r in rows), strict=True)
    model = CategoryModel(nb_alpha=nb_alpha, folds=0).fit(list(titles), list(bodies), [r.label for r in rows])
    X, scores = model.decision(["拖欠工资"], ["老板拖欠工人工资三个月"])
    assert np.allclose(scores, X @ model.weights_ + model.intercept_, atol=1e-5)
    top = model.suggest("拖欠工资", "老板拖欠工人工资三个月")[0]
    assert top.label == "劳动和社会保障"
    assert any("工资" in e for e in top.evidence)


def test_old_versions_are_pruned_but_never_the_current_one(tmp_path):
    names = [f"category-2026010{i}T000000Z-abc.joblib" for i in range(1, 8)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "dispatch-20260101T000000Z-abc.joblib").write_bytes(b"x")
    artefacts.set_current("category", names[0], tmp_path)  # someone rolled back to the oldest
    gone = artefacts.prune("category", tmp_path, keep=3)
    left = sorted(p.name for p in tmp_path.glob("*.joblib"))
    assert left == sorted([names[0], *names[-3:], "dispatch-20260101T000000Z-abc.joblib"])
    assert sorted(p.name for p in gone) == sorted(names[1:4])


def test_scaling_the_columns_in_one_pass_equals_multiplying_by_the_diagonal():
    import numpy as np
    from scipy.sparse import diags
    from scipy.sparse import random as sparse_random

    X = sparse_random(40, 300, density=0.05, format="csr", random_state=0)
    r = np.random.default_rng(1).normal(size=300)
    scaled = _scale_columns(X, r)
    assert scaled.shape == X.shape and abs(scaled - X @ diags(r)).max() < 1e-12
