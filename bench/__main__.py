"""./fq bench — training time, model size, throughput and latency of the triage models, and their quality
on the dev split (rows never trained on).

    ./fq bench            # everything (about a minute and a half)
    ./fq bench --quick    # without the dev-split training and scores

Steps: (1) train both models on all shipped data into a temporary directory (what `./fq setup` does) and
time it; (2) pin this process to one CPU core with one BLAS thread and measure classification and routing
throughput in batches (items per second, normalisation included) and the latency of single calls through
the registry (suggestions with evidence, as the case page asks); (3) unless --quick, train on the train
part of the fixed split and score the dev part with the same code as `triage_eval`.
The last line starts with `summary`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _setup(model_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    os.environ["FQ_MODEL_DIR"] = str(model_dir)
    import django

    django.setup()


def _one_core() -> str:
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        pinned = f"cpu {sorted(os.sched_getaffinity(0))[0]}"
    except (AttributeError, OSError):
        pinned = "not pinned"
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        pass
    return pinned


def _throughput(fn, items: list, batch: int = 256, min_seconds: float = 2.0) -> float:
    done, started = 0, time.perf_counter()
    while True:
        for i in range(0, len(items), batch):
            fn(items[i : i + batch])
            done += len(items[i : i + batch])
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds:
            return done / elapsed


def _latency(fn, items: list, n: int = 300) -> tuple[float, float]:
    times = []
    for item in (items * (n // max(len(items), 1) + 1))[:n]:
        started = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - started)
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="./fq bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the dev-split training and scores")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="fq-bench-"))
    _setup(tmp / "models")
    from fengqiao.triage.ml import registry
    from fengqiao.triage.ml.data import load_shipped
    from fengqiao.triage.ml.evaluate import evaluate
    from fengqiao.triage.ml.text import prepare_dispatch, prepare_message
    from fengqiao.triage.ml.train import fit, train

    rows: list[tuple[str, str, str]] = []
    metrics: dict[str, float] = {}

    def add(name: str, value: str, key: str | None = None, number: float | None = None) -> None:
        rows.append((name, value, ""))
        if key is not None and number is not None:
            metrics[key] = number

    print("training on all shipped data ...", file=sys.stderr, flush=True)
    total = 0.0
    for task in ("category", "dispatch"):
        started = time.perf_counter()
        meta = train(task)
        seconds = time.perf_counter() - started
        total += seconds
        size = Path(meta["path"]).stat().st_size / 1e6
        add(f"{task}: training time ({meta['rows']} rows)", f"{seconds:.1f} s", f"{task}_train_s", seconds)
        add(f"{task}: model file size", f"{size:.1f} MB", f"{task}_size_mb", size)
    add("both: training time", f"{total:.1f} s", "train_s", total)

    pinned = _one_core()
    category, _ = registry.get_model("category")
    dispatch, _ = registry.get_model("dispatch")
    messages = [(r.a, r.b) for r in load_shipped("category", part="dev")]
    cases = [(r.a, r.b) for r in load_shipped("dispatch", part="dev")]

    def classify_batch(batch):
        prepared = [prepare_message(t, b) for t, b in batch]
        category.predict_proba([p[0] for p in prepared], [p[1] for p in prepared])

    def route_batch(batch):
        prepared = [prepare_dispatch(loc, s) for loc, s in batch]
        dispatch.predict_proba([p[0] for p in prepared], [p[1] for p in prepared])

    print(f"measuring throughput on one core ({pinned}) ...", file=sys.stderr, flush=True)
    rate = _throughput(classify_batch, messages)
    add("classification throughput, batches of 256", f"{rate:,.0f} items/s", "category_items_per_s", rate)
    p50, p95 = _latency(lambda m: registry.classify_category(*m), messages)
    add("classification latency, single call with evidence", f"p50 {p50:.2f} ms, p95 {p95:.2f} ms",
        "category_latency_ms", p50)
    rate = _throughput(route_batch, cases)
    add("routing throughput, batches of 256", f"{rate:,.0f} items/s", "routing_items_per_s", rate)
    p50, p95 = _latency(lambda c: registry.route_unit(*c), cases)
    add("routing latency, single call with evidence", f"p50 {p50:.2f} ms, p95 {p95:.2f} ms",
        "routing_latency_ms", p50)

    if not args.quick:
        print("training on the train part, scoring the dev part ...", file=sys.stderr, flush=True)
        for task in ("category", "dispatch"):
            model, _, _ = fit(task, load_shipped(task, part="train"))
            result = evaluate(task, model, load_shipped(task, part="dev"))
            add(f"{task}: dev split ({result.n} rows) macro-F1 / accuracy / top-3",
                f"{result.macro_f1:.4f} / {result.accuracy:.4f} / {result.top3:.4f}")
            metrics[f"{task}_dev_macro_f1"] = result.macro_f1
            metrics[f"{task}_dev_accuracy"] = result.accuracy
            metrics[f"{task}_dev_top3"] = result.top3
            share, right = result.above(0.6)
            add(f"{task}: dev calibration error (ECE) / share >= 0.6 / its accuracy",
                f"{result.calibration_error():.4f} / {share:.1%} / {right:.4f}", f"{task}_dev_ece",
                result.calibration_error())

    width = max(len(name) for name, _, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for name, value, _ in rows:
        print(f"{name:<{width}}  {value}")
    shutil.rmtree(tmp, ignore_errors=True)
    print("summary " + " ".join(f"{k}={v:.4g}" for k, v in metrics.items()))


if __name__ == "__main__":
    main()
