"""Cross-validated scores of the triage models on the shipped training data (never on rows trained on).

    .venv/bin/python -m bench.cv --task category            # stratified 5-fold
    .venv/bin/python -m bench.cv --task dispatch --repeats 3  # repeated stratified 5-fold
    .venv/bin/python -m bench.cv --task category --set C=0.3 --set title_weight=1.0

Each fold trains the full pipeline (vocabulary, model, calibration) on the other folds only. Labels with fewer
rows than folds stay in training; held out, they count as errors like any other miss.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    import django

    django.setup()


def folds(task: str, rows, n_splits: int, repeat: int):
    from fengqiao.triage.ml.models import _folds

    y = np.array([r.label for r in rows], dtype=object)
    return _folds(y, n_splits, seed=repeat)


def run(task: str, n_splits: int = 5, repeats: int = 1, params: dict | None = None, verbose: bool = True) -> dict:
    from fengqiao.triage.ml.data import load_shipped
    from fengqiao.triage.ml.evaluate import evaluate
    from fengqiao.triage.ml.train import fit

    rows = load_shipped(task)
    scores = []
    for rep in range(repeats):
        for i, (tr, te) in enumerate(folds(task, rows, n_splits, rep)):
            started = time.perf_counter()
            model, _, _ = fit(task, [rows[j] for j in tr], **(params or {}))
            result = evaluate(task, model, [rows[j] for j in te])
            scores.append((result.macro_f1, result.accuracy, result.top3, time.perf_counter() - started))
            if verbose:
                print(f"  repeat {rep} fold {i}: macro_f1={scores[-1][0]:.4f} accuracy={scores[-1][1]:.4f} "
                      f"top3={scores[-1][2]:.4f} ({scores[-1][3]:.1f}s)", flush=True)
    s = np.array(scores)
    return {
        "task": task, "folds": n_splits, "repeats": repeats, "params": params or {},
        "macro_f1": s[:, 0].mean(), "macro_f1_sd": s[:, 0].std(), "accuracy": s[:, 1].mean(),
        "accuracy_sd": s[:, 1].std(), "top3": s[:, 2].mean(), "top3_sd": s[:, 2].std(),
    }


def _value(raw: str):
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            pass
    return raw


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cv", description=__doc__.split("\n")[0])
    parser.add_argument("--task", choices=["category", "dispatch"], default="category")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                        help="model parameter, e.g. C=0.3 (CategoryModel/DispatchModel fields)")
    args = parser.parse_args(argv)
    _setup()
    params = {k: _value(v) for k, v in (p.split("=", 1) for p in args.set)}
    r = run(args.task, args.folds, args.repeats, params)
    print(f"cv task={r['task']} folds={r['folds']}x{r['repeats']} params={r['params']} "
          f"macro_f1={r['macro_f1']:.4f}±{r['macro_f1_sd']:.4f} accuracy={r['accuracy']:.4f}±{r['accuracy_sd']:.4f} "
          f"top3={r['top3']:.4f}±{r['top3_sd']:.4f}")


if __name__ == "__main__":
    main()
