"""train_triage and triage_eval, over tiny models."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from fengqiao.triage.ml import registry
from fengqiao.triage.ml.data import load_shipped
from fengqiao.triage.ml.train import train, training_rows
from fengqiao.triage.tests.ml_fixtures import small_rows

LAST_LINE = re.compile(r"^macro_f1=(\d+\.\d{4}) accuracy=(\d+\.\d{4}) top3=(\d+\.\d{4})$")


@pytest.fixture
def tiny(tmp_path, settings):
    settings.FQ_MODEL_DIR = tmp_path / "models"
    registry.reload_models()
    train("category", small_rows("category", 30), folds=0)
    train("dispatch", small_rows("dispatch", 30), folds=0)
    yield tmp_path
    registry.reload_models()


def _eval(*args) -> list[str]:
    out = io.StringIO()
    call_command("triage_eval", *args, stdout=out)
    return out.getvalue().rstrip("\n").split("\n")


def test_category_eval_prints_the_contract_and_counts_unseen_labels_as_errors(tiny):
    path = tiny / "cat.csv"
    path.write_text(
        "\ufeffID,Title,Body,Label,extra\n"
        "1,公司拖欠工资,老板拖欠工资三个月不发,劳动和社会保障,x\n"
        ",,,,\n"
        "2,小区噪音,晚上施工噪音扰民严重,城乡建设,y\n"
        "3,某个新类别,这是一条训练时没有的类别的留言,新类别,z\n"
        "4,,,劳动和社会保障,\n",
        encoding="utf-8",
    )
    lines = _eval("--task", "category", "--data", str(path))
    m = LAST_LINE.match(lines[-1])
    assert m, lines[-1]
    macro_f1, accuracy, top3 = map(float, m.groups())
    assert accuracy <= 0.5  # 4 rows: the unseen label and the empty text are errors
    assert 0.0 <= macro_f1 <= 1.0 and top3 <= 0.5
    text = "\n".join(lines)
    assert "rows=4" in text and "新类别 (unseen)" in text and "never seen" in text
    assert "without usable text" in text and "per class:" in text and "confusions" in text
    assert "calibration error (ECE, 10 bins)" in text and "confidence >= 0.6 (pre-filled)" in text


def test_calibration_error_and_the_pre_filled_share():
    from fengqiao.triage.ml.evaluate import Result

    labels = {"a", "b"}
    overconfident = Result("category", ["a", "b", "a", "b"], [["a"], ["a"], ["a"], ["a"]], labels, [0.9] * 4)
    assert overconfident.calibration_error() == pytest.approx(0.4)  # says 90%, right half the time
    honest = Result("category", ["a", "b", "a", "b"], [["a"], ["a"], ["a"], ["b"]], labels, [0.75] * 4)
    assert honest.calibration_error() == pytest.approx(0.0)
    mixed = Result("category", ["a", "b", "a", "b"], [["a"], ["a"], ["b"], []], labels, [0.95, 0.8, 0.3, 0.0])
    assert mixed.above(0.6) == (0.5, 0.5) and mixed.above(0.99) == (0.0, 0.0)


def test_dispatch_eval_reports_top3(tiny):
    rows = load_shipped("dispatch")[:40]
    path = tiny / "d.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        import csv

        w = csv.writer(fh)
        w.writerow(["label", "statement", "location", "id"])  # any column order
        for r in rows:
            w.writerow([r.label, r.b, r.a, r.id])
    lines = _eval("--task", "dispatch", "--data", str(path))
    m = LAST_LINE.match(lines[-1])
    assert m and float(m.group(3)) >= float(m.group(2))


def test_eval_refuses_a_file_without_the_columns(tiny):
    path = tiny / "bad.csv"
    path.write_text("id,title,text\n1,a,b\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"missing column.*body.*label"):
        _eval("--task", "category", "--data", str(path))
    with pytest.raises(CommandError, match="no such file"):
        _eval("--task", "category", "--data", str(tiny / "nope.csv"))
    (tiny / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="empty"):
        _eval("--task", "dispatch", "--data", str(tiny / "empty.csv"))


def test_train_triage_if_missing_keeps_existing_models(tiny, monkeypatch):
    before = registry.model_versions()
    out = io.StringIO()
    call_command("train_triage", "--if-missing", stdout=out)
    assert out.getvalue().count("nothing to do") == 2
    assert registry.model_versions() == before


def test_train_triage_trains_the_dev_split_and_exports_it(tiny, monkeypatch):
    import fengqiao.triage.management.commands.train_triage as command

    calls = []

    def fake_train(task, part, with_corrections, with_history):
        calls.append((task, part, with_corrections, with_history))
        return train(task, small_rows(task, 20), folds=0)

    monkeypatch.setattr(command, "train", fake_train)
    out = io.StringIO()
    call_command("train_triage", "--task", "dispatch", "--exclude-dev", "--export-dev", str(tiny / "dev"), stdout=out)
    assert calls == [("dispatch", "train", False, False)]
    exported = (tiny / "dev" / "dispatch_dev.csv").read_text(encoding="utf-8").splitlines()
    assert exported[0] == "id,location,statement,label"
    dev_ids = {r.id for r in load_shipped("dispatch", part="dev")}
    train_ids = {r.id for r in load_shipped("dispatch", part="train")}
    assert dev_ids and train_ids and not dev_ids & train_ids
    assert len(dev_ids) + len(train_ids) == len(load_shipped("dispatch"))


@pytest.mark.django_db
def test_corrections_join_the_training_data():
    from fengqiao.triage.models import TriageCorrection

    base = len(training_rows("dispatch"))
    TriageCorrection.objects.create(task="dispatch", body="小区门口占道经营", location="坂田街道", label="区城市管理和综合执法局")
    TriageCorrection.objects.create(task="category", title="噪音", body="工地夜间施工", label="环境保护")
    rows = training_rows("dispatch", with_corrections=True)
    assert len(rows) == base + 1
    assert rows[-1].label == "区城市管理和综合执法局" and rows[-1].a == "坂田街道"
    assert len(training_rows("dispatch")) == base


@pytest.mark.django_db
def test_closed_cases_teach_their_final_category_and_unit(make_case, cast, org, catalogue):
    from fengqiao.cases import services as cs
    from fengqiao.routing.services import resolve_category
    from fengqiao.triage.models import TriageCorrection

    wages = resolve_category("劳动和社会保障/工资福利")
    closed = make_case(title="拖欠工资", description="公司拖欠工人三个月工资。", category=wages)
    cs.case_accept(case=closed, actor=cast.op_district)
    cs.case_dispatch(case=closed, actor=cast.op_district, unit=org.hr)
    cs.case_sign(case=closed, actor=cast.handler)
    cs.case_resolve(case=closed, actor=cast.handler, outcome="resolved", note="已督促公司支付工资")
    cs.case_confirm(case=closed, actor=cast.op_district, satisfaction="satisfied", by="callback")
    cs.case_close(case=closed, actor=cast.op_district)
    still_open = make_case(title="噪音", description="楼上装修噪音")
    TriageCorrection.objects.create(task="dispatch", body="x" * 5, label="光明区住房建设局", case=closed)
    TriageCorrection.objects.create(task="dispatch", body="楼上装修噪音扰民", label="光明区住房建设局", case=still_open)

    base = len(training_rows("dispatch"))
    rows = training_rows("dispatch", with_corrections=True, with_history=True)
    assert len(rows) == base + 2  # the closed case once (its outcome wins over its correction), the open one's correction
    learned = rows[base]
    assert learned.id == f"case-{closed.pk}" and learned.label == org.hr.name and "拖欠工资" in learned.b
    assert rows[-1].b == "楼上装修噪音扰民"
    category = training_rows("category", with_history=True)[-1]
    assert category.id == f"case-{closed.pk}" and category.label == "劳动和社会保障"  # the first level
