"""Training: rows -> fitted model -> versioned artefact. Used by `train_triage`, by the registry when a
model is missing, by the benchmarks and by the tests."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from fengqiao.triage.ml import artefacts
from fengqiao.triage.ml.data import Row, corrections, data_hash, history, load_shipped
from fengqiao.triage.ml.models import CategoryModel, DispatchModel
from fengqiao.triage.ml.text import InputTooShort, prepare_dispatch, prepare_message

log = logging.getLogger("fengqiao.triage")


def prepared(task: str, rows: list[Row]) -> tuple[list[str], list[str], list[str], int]:
    """Normalised fields and labels of the usable rows, and how many rows were skipped."""
    a, b, labels, skipped = [], [], [], 0
    prepare = prepare_message if task == "category" else prepare_dispatch
    for r in rows:
        if not r.label:
            skipped += 1
            continue
        try:
            x, z = prepare(r.a, r.b)
        except InputTooShort:
            skipped += 1
            continue
        a.append(x)
        b.append(z)
        labels.append(r.label)
    return a, b, labels, skipped


def fit(task: str, rows: list[Row], **params):
    a, b, labels, skipped = prepared(task, rows)
    if len(set(labels)) < 2:
        raise ValueError(f"{task}: training needs at least two labels with usable text, got {sorted(set(labels))}")
    model = CategoryModel(**params) if task == "category" else DispatchModel(**params)
    model.fit(a, b, labels)
    return model, len(labels), skipped


def training_rows(task: str, *, part: str = "all", with_corrections: bool = False,
                  with_history: bool = False) -> list[Row]:
    """The shipped rows, then (optionally) the platform's closed cases, then the operators' corrections of
    cases not among them."""
    rows = load_shipped(task, part=part)
    learned: set[int] = set()
    if with_history:
        past = history(task)
        rows = rows + past
        learned = {int(r.id.removeprefix("case-")) for r in past}
    if with_corrections:
        rows = rows + corrections(task, skip_cases=learned)
    return rows


def train(task: str, rows: list[Row] | None = None, *, part: str = "all", with_corrections: bool = False,
          with_history: bool = False, directory: Path | None = None, make_current: bool = True, note: str = "",
          **params) -> dict:
    """Train one task and save it as the current version. Returns the artefact's metadata."""
    if rows is None:
        rows = training_rows(task, part=part, with_corrections=with_corrections, with_history=with_history)
    started = time.perf_counter()
    model, n_used, skipped = fit(task, rows, **params)
    seconds = time.perf_counter() - started
    digest = data_hash(rows)
    meta = {
        "task": task,
        "version": artefacts.new_version(digest),
        "data_sha256": digest,
        "rows": n_used,
        "skipped_rows": skipped,
        "labels": [str(c) for c in model.classes_],
        "part": part,
        "with_corrections": with_corrections,
        "with_history": with_history,
        "train_seconds": round(seconds, 2),
        "model": repr(model),
        "note": note,
    }
    path = artefacts.save(task, model, meta, directory, make_current=make_current)
    meta["path"] = str(path)
    log.info("trained %s %s on %d rows in %.1fs", task, meta["version"], n_used, seconds)
    return meta
