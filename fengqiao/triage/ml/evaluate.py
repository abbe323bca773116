"""Scoring a model on labelled rows, and the report `triage_eval` prints.

Rows whose text is too short to classify get no prediction and count as errors, and so do labels the
model has never seen. Macro-F1 averages over every label that occurs as truth or prediction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from fengqiao.triage.ml.data import Row
from fengqiao.triage.ml.text import InputTooShort, prepare_dispatch, prepare_message

NO_PREDICTION = "∅"  # shown for rows that got no prediction


@dataclass
class Result:
    task: str
    truth: list[str]
    top: list[list[str]]  # up to three predictions per row, best first ([] when none)
    known_labels: set[str]
    confidence: list[float] | None = None  # calibrated probability of the first prediction (0 when none)

    @property
    def n(self) -> int:
        return len(self.truth)

    @property
    def predicted(self) -> list[str]:
        return [t[0] if t else NO_PREDICTION for t in self.top]

    @property
    def accuracy(self) -> float:
        return float(np.mean([p == t for p, t in zip(self.predicted, self.truth, strict=True)])) if self.n else 0.0

    @property
    def top3(self) -> float:
        return float(np.mean([t in p[:3] for p, t in zip(self.top, self.truth, strict=True)])) if self.n else 0.0

    def per_class(self) -> list[tuple[str, int, int, float, float, float]]:
        """(label, support, predicted, precision, recall, F1) for every label seen as truth or prediction."""
        pred = self.predicted
        labels = sorted((set(self.truth) | set(pred)) - {NO_PREDICTION})
        rows = []
        for label in labels:
            tp = sum(1 for p, t in zip(pred, self.truth, strict=True) if p == t == label)
            support = sum(1 for t in self.truth if t == label)
            npred = sum(1 for p in pred if p == label)
            precision = tp / npred if npred else 0.0
            recall = tp / support if support else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            rows.append((label, support, npred, precision, recall, f1))
        return rows

    @property
    def macro_f1(self) -> float:
        table = self.per_class()
        return float(np.mean([r[5] for r in table])) if table else 0.0

    def calibration_error(self, bins: int = 10) -> float:
        """Expected calibration error of the first prediction: the row-weighted mean gap between confidence and
        accuracy over equal-width confidence bins (0 = the confidences mean what they say)."""
        if not self.n or self.confidence is None:
            return 0.0
        conf = np.asarray(self.confidence, dtype=float)
        hit = np.array([p == t for p, t in zip(self.predicted, self.truth, strict=True)], dtype=float)
        which = np.minimum((conf * bins).astype(int), bins - 1)
        gap = sum(abs(conf[which == b].mean() - hit[which == b].mean()) * np.sum(which == b)
                  for b in range(bins) if np.any(which == b))
        return float(gap / self.n)

    def above(self, threshold: float) -> tuple[float, float]:
        """(share of rows whose first confidence reaches `threshold`, accuracy on those rows): what would be
        pre-filled, and how often it would be right; the rest goes to a person."""
        if not self.n or self.confidence is None:
            return 0.0, 0.0
        sure = [i for i, c in enumerate(self.confidence) if c >= threshold]
        if not sure:
            return 0.0, 0.0
        right = sum(1 for i in sure if self.predicted[i] == self.truth[i])
        return len(sure) / self.n, right / len(sure)

    def confusions(self, limit: int = 10) -> list[tuple[str, str, int]]:
        pairs = Counter((t, p) for t, p in zip(self.truth, self.predicted, strict=True) if t != p)
        return [(t, p, n) for (t, p), n in pairs.most_common(limit)]


def evaluate(task: str, model, rows: list[Row], k: int = 3) -> Result:
    prepare = prepare_message if task == "category" else prepare_dispatch
    a, b, ok = [], [], []
    for r in rows:
        try:
            x, z = prepare(r.a, r.b)
        except InputTooShort:
            ok.append(False)
            continue
        a.append(x)
        b.append(z)
        ok.append(True)
    tops: list[list[str]] = []
    confidence: list[float] = []
    if a:
        proba = model.predict_proba(a, b)
        order = np.argsort(-proba, axis=1, kind="stable")[:, :k]
        ranked = [[str(model.classes_[j]) for j in row] for row in order]
        best = proba[np.arange(len(order)), order[:, 0]].tolist()
    else:
        ranked, best = [], []
    it, conf = iter(ranked), iter(best)
    for flag in ok:
        tops.append(next(it) if flag else [])
        confidence.append(float(next(conf)) if flag else 0.0)
    return Result(task, [r.label for r in rows], tops, {str(c) for c in model.classes_}, confidence)


def report(result: Result, *, version: str = "", source: str = "", threshold: float | None = None) -> list[str]:
    """The lines triage_eval prints; the last is the machine-readable summary."""
    lines = [f"task={result.task} model={version or '-'} data={source or '-'} rows={result.n}"]
    unseen = sorted({t for t in result.truth if t not in result.known_labels})
    skipped = sum(1 for t in result.top if not t)
    if unseen:
        lines.append(f"labels the model has never seen (counted as errors): {', '.join(unseen)}")
    if skipped:
        lines.append(f"rows without usable text (counted as errors): {skipped}")
    lines += [
        f"accuracy   {result.accuracy:.4f}",
        f"macro-F1   {result.macro_f1:.4f}",
        f"top-3 acc  {result.top3:.4f}",
        f"calibration error (ECE, 10 bins) {result.calibration_error():.4f}",
    ]
    if threshold is not None:
        share, accuracy = result.above(threshold)
        lines.append(f"confidence >= {threshold:g} (pre-filled): {share:.1%} of rows, accuracy {accuracy:.4f}; "
                     f"the rest is left to a person")
    lines += [
        "",
        "per class:",
        f"  {'label':<24} {'support':>7} {'pred':>6} {'prec':>6} {'recall':>6} {'F1':>6}",
    ]
    for label, support, npred, p, r, f in sorted(result.per_class(), key=lambda x: (-x[1], x[0])):
        mark = " (unseen)" if label not in result.known_labels else ""
        lines.append(f"  {label + mark:<24} {support:>7} {npred:>6} {p:>6.3f} {r:>6.3f} {f:>6.3f}")
    lines += ["", "most frequent confusions (truth -> predicted: rows):"]
    confusions = result.confusions()
    lines += [f"  {t} -> {p}: {n}" for t, p, n in confusions] or ["  none"]
    lines.append(f"macro_f1={result.macro_f1:.4f} accuracy={result.accuracy:.4f} top3={result.top3:.4f}")
    return lines
