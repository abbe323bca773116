"""How consistent are the labels of the shipped training data? Pairs of nearly identical texts should carry
the same label; the share that do bounds what any text-only model can reach.

    .venv/bin/python -m bench.consistency --task dispatch
    .venv/bin/python -m bench.consistency --task category

Texts are compared by the cosine of their character 1-3-gram TF-IDF vectors (the statement for dispatch,
title + text for messages). For each threshold: the number of pairs at least that similar and the share
of them with the same label; then, for rows whose nearest other row is at least that similar, how often
the nearest row's label is the row's own (a 1-nearest-neighbour "oracle" on near-duplicates).
"""

from __future__ import annotations

import argparse
import os

import numpy as np

THRESHOLDS = (0.95, 0.9, 0.8, 0.7, 0.6, 0.5)


def consistency(texts: list[str], labels: list[str], thresholds=THRESHOLDS) -> list[dict]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    y = np.asarray(labels, dtype=object)
    X = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2).fit_transform(texts)
    sim = (X @ X.T).toarray()
    np.fill_diagonal(sim, 0.0)
    nearest, best = sim.argmax(axis=1), sim.max(axis=1)
    out = []
    for t in thresholds:
        i, j = np.nonzero(np.triu(sim >= t))
        near = best >= t
        out.append({
            "threshold": t,
            "pairs": len(i),
            "pairs_same_label": float((y[i] == y[j]).mean()) if len(i) else float("nan"),
            "rows": int(near.sum()),
            "nearest_same_label": float((y[nearest][near] == y[near]).mean()) if near.any() else float("nan"),
        })
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.consistency", description=__doc__.split("\n")[0])
    parser.add_argument("--task", choices=["category", "dispatch"], default="dispatch")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    import django

    django.setup()
    from fengqiao.triage.ml.data import load_shipped
    from fengqiao.triage.ml.train import prepared

    a, b, labels, _ = prepared(args.task, load_shipped(args.task))
    texts = [f"{x} {z}" for x, z in zip(a, b, strict=True)] if args.task == "category" else b
    print(f"{args.task}: {len(texts)} rows, {len(set(labels))} labels")
    print(f"{'cosine >=':>9}  {'pairs':>6}  {'same label':>10}  {'rows':>5}  {'nearest same':>12}")
    for r in consistency(texts, labels):
        print(f"{r['threshold']:>9.2f}  {r['pairs']:>6}  {r['pairs_same_label']:>10.3f}  {r['rows']:>5}  "
              f"{r['nearest_same_label']:>12.3f}")


if __name__ == "__main__":
    main()
