"""Small training sets cut from the shipped data, and a helper that trains tiny models quickly."""

from __future__ import annotations

from fengqiao.triage.ml.data import Row, load_shipped


def small_rows(task: str, per_label: int, labels: int | None = None) -> list[Row]:
    rows = load_shipped(task)
    counts: dict[str, int] = {}
    order: list[str] = []
    out = []
    for r in rows:
        if r.label not in counts:
            if labels is not None and len(order) >= labels:
                continue
            order.append(r.label)
            counts[r.label] = 0
        if counts[r.label] < per_label:
            counts[r.label] += 1
            out.append(r)
    return out
