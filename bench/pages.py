"""Timings of the resident's pages, in this process through Django's test client (no network, no browser).

    ./fq bench pages                            # over the database of FQ_VAR_DIR (load the demo first)
    ./fq bench pages --cold                     # without loading the triage models first (as before fengqiao.wsgi
                                                # loaded them at start): the first submission pays for them

Measures GET / (the portal), GET /report/ and GET /track/ (first request of the process, then the median and
95th percentile of the next ones, with the number of SQL queries), and POST /report/ with a 250 KB photo (the
first submission of the process, then the median of the next ones). Submissions run inside a transaction that is
rolled back, their files go to a temporary folder: the database is left as it was.
The last line starts with `summary`, as in `./fq bench`.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import statistics
import sys
import tempfile
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    import django

    django.setup()


def photo_bytes(target_kb: int = 250) -> bytes:
    """A JPEG of about `target_kb` KB (noise compresses badly, like a phone photo of a street)."""
    from PIL import Image

    side, data = 400, b""
    for _ in range(8):
        buffer = io.BytesIO()
        Image.effect_noise((side, side), 60).convert("RGB").save(buffer, "JPEG", quality=92)
        data = buffer.getvalue()
        if abs(len(data) / 1024 - target_kb) < target_kb * 0.1:
            break
        side = int(side * (target_kb * 1024 / len(data)) ** 0.5)
    return data


def _timed(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = fn()
        elapsed = (time.perf_counter() - started) * 1000
    return response, elapsed, len(queries.captured_queries)


def _percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n")[0])
    parser.add_argument("--cold", action="store_true", help="do not load the triage models before measuring")
    parser.add_argument("--repeat", type=int, default=30, help="warm requests per page (default 30)")
    args = parser.parse_args(argv)

    _setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.test import Client

    from fengqiao.org.models import Region, RegionLevel

    community = Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("code").values_list("code", flat=True)
    community = community.filter(code__startswith="440311").first() or community.first()
    if community is None:
        sys.exit("no communities in this database: load the demo first (./fq manage seed_demo, or ./fq demo)")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    rows: list[tuple[str, str]] = []
    metrics: dict[str, float] = {}

    def add(name: str, value: str, **numbers: float) -> None:
        rows.append((name, value))
        metrics.update(numbers)

    if not args.cold:
        started = time.perf_counter()
        from fengqiao.triage import mlclient

        mlclient.classify_category("", "")
        mlclient.route_unit("", "")
        seconds = time.perf_counter() - started
        add("triage models loaded at start (fengqiao.wsgi, in the background)", f"{seconds:.2f} s", warm_up_s=seconds)

    client = Client()
    for key, path in (("home", "/"), ("report", "/report/"), ("track", "/track/")):
        response, first, first_queries = _timed(lambda path=path: client.get(path))
        assert response.status_code == 200, (path, response.status_code)
        times, queries = [], 0
        for _ in range(args.repeat):
            _response, elapsed, queries = _timed(lambda path=path: client.get(path))
            times.append(elapsed)
        p50, p95 = _percentiles(times)
        add(f"GET {path}: first request of the process", f"{first:.0f} ms, {first_queries} queries",
            **{f"{key}_first_ms": first})
        add(f"GET {path}: next {args.repeat}", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries",
            **{f"{key}_ms": p50, f"{key}_queries": queries})

    photo = photo_bytes()
    media = tempfile.mkdtemp(prefix="fq-bench-media-")
    settings.MEDIA_ROOT = media
    times = []
    try:
        with transaction.atomic():
            for i in range(1 + max(3, args.repeat // 5)):
                visitor = Client()
                page = visitor.get("/report/").content.decode()
                token = re.search(r'name="submission_token" value="([^"]+)"', page).group(1)
                data = {
                    "submission_token": token, "service_type": "complaint", "community": community,
                    "description": f"小区门口的路灯坏了两个星期，晚上很黑，老人容易摔倒（测量 {i}）。",
                    "address": "3栋门口", "people_count": "1", "identity": "named", "name": "王小梅",
                    "phone": f"1390000{i:04d}", "consent": "on",
                    "files": SimpleUploadedFile("street.jpg", photo, content_type="image/jpeg"),
                }
                response, elapsed, queries = _timed(
                    lambda data=data, i=i, visitor=visitor: visitor.post("/report/", data, REMOTE_ADDR=f"10.9.{i // 250}.{i % 250}"))
                assert response.status_code == 302, response.content.decode()[:2000]
                if i == 0:
                    add(f"POST /report/ with a {len(photo) // 1024} KB photo: first of the process",
                        f"{elapsed:.0f} ms, {queries} queries", submit_first_ms=elapsed)
                else:
                    times.append(elapsed)
            transaction.set_rollback(True)
    finally:
        shutil.rmtree(media, ignore_errors=True)
    p50, p95 = _percentiles(times)
    add(f"POST /report/ with a {len(photo) // 1024} KB photo: next {len(times)}",
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, {queries} queries", submit_ms=p50, submit_queries=queries)

    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print("summary " + " ".join(f"{k}={v:.4g}" for k, v in metrics.items()))


if __name__ == "__main__":
    main()
