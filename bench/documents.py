"""Timings of the documents the platform prints, rendered in this process (no network, no browser).

    ./fq bench documents            # over the database of FQ_VAR_DIR (load the demo first: ./fq demo, or seed_demo)

For every mediation agreement in effect (人民调解协议书) and every judicial-confirmation application in the
database: the first rendering of the process (font loading included), then the median and 95th percentile of
`--repeat` more, with the size of the PDF. The last line starts with `summary`, as in `./fq bench`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    import django

    django.setup()


def _measure(render, repeat: int) -> tuple[float, float, float, int]:
    start = time.perf_counter()
    data = render()
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        render()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return first, statistics.median(times), p95, len(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./fq bench documents", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="renderings after the first (default 20)")
    args = parser.parse_args(argv)
    _setup()
    from fengqiao.legal.documents import application_pdf
    from fengqiao.legal.models import ConfirmationApplication
    from fengqiao.mediation.documents import agreement_pdf, verification_url
    from fengqiao.mediation.models import Agreement

    rows = []
    for agreement in Agreement.objects.filter(status=Agreement.Status.EFFECTIVE).order_by("pk"):
        url = verification_url(agreement)
        rows.append(("agreement", agreement.number, *_measure(lambda a=agreement, u=url: agreement_pdf(a, url=u),
                                                              args.repeat)))
    for app in ConfirmationApplication.objects.select_related("agreement", "court", "case").order_by("pk"):
        rows.append(("confirmation", app.agreement.number, *_measure(lambda a=app: application_pdf(a), args.repeat)))
    if not rows:
        print("no agreement in effect and no application: load the demo first (./fq demo)", file=sys.stderr)
        return 1
    print(f"{'document':<13} {'number':<22} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'KB':>6}")
    for kind, number, first, p50, p95, size in rows:
        print(f"{kind:<13} {number:<22} {first:>9.1f} {p50:>8.1f} {p95:>8.1f} {size / 1024:>6.1f}")
    warm = [r[3] for r in rows]
    print(f"summary documents={len(rows)} first_ms={rows[0][2]:.1f} p50_ms={statistics.median(warm):.1f} "
          f"max_p95_ms={max(r[4] for r in rows):.1f} max_kb={max(r[5] for r in rows) / 1024:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
