"""Timings of /screen/data.json over counters equivalent to a large volume of cases.

    ./fq bench screen                       # SQLite in a temporary folder, 10 million cases over 5 years
    ./fq bench screen --cases 1000000       # smaller
    DATABASE_URL=postgres://…/db ./fq bench screen   # PostgreSQL: a temporary database next to `db`, dropped after

What it does, honestly: it loads the real organisation of the two shipped districts (光明, 罗湖) into an empty
database, then writes the COUNTER ROWS that `--cases` cases submitted over `--years` years would leave (spread over
every community, service type, grade, category, holding unit and a set of respondents, with a realistic skew, and
summed into the rows of every street, district and the city above, as the services write them) — directly, in bulk, without creating the cases themselves (creating ten million cases through the services would take
hours). The case table stays empty, so the two case queries of the answer (pins and latest) run on an empty table
and cost nearly nothing here; every counter query runs on the full volume. Then it calls the data.json view as a
district centre operator (its figures, its query count) for a district, a street and a community, over 30 days and
over one year, and prints the median and 95th percentile. The last line starts with `summary`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta

GM = "440311"


def _setup(tmp: str, database_url: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    os.environ["FQ_VAR_DIR"] = tmp
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def _pg_temp_database(url: str) -> tuple[str, str]:
    """A fresh database next to the one in `url`: (its url, its name)."""
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"fq_bench_screen_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", name


def _pg_drop(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _weights(n: int, rng: random.Random) -> list[float]:
    w = [rng.paretovariate(1.2) for _ in range(n)]
    s = sum(w)
    return [x / s for x in w]


def fill(cases: int, years: int, seed: int = 7) -> dict[str, int]:
    """Write the counter rows of `cases` cases over `years` years ending today; returns rows per table."""
    from django.db import connection, transaction

    from fengqiao.cases.models import Category, ServiceType
    from fengqiao.dashboard.models import CategoryTally, DayTally, OpenTally, RespondentTally, UnitTally
    from fengqiao.dashboard.tallies import places_of
    from fengqiao.org.models import OrgUnit, Region, RegionLevel

    rng = random.Random(seed)
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY).values_list("id", "path"))
    ids = {path: pk for pk, path in Region.objects.values_list("id", "path")}
    above = {pk: places_of(path, ids)[1:] for pk, path in communities}  # every region above each community

    def rollup(rows: list[tuple], lead: int, keys: int) -> list[tuple]:
        """The rows plus, for every region above a row's community, the same row summed there (as the services
        write them: each level keeps its own totals). `lead`: fields before region_id; `keys`: key fields after
        the path."""
        acc: dict[tuple, list[int]] = {}
        for row in rows:
            head, rid, rest = row[:lead], row[lead], row[lead + 2 :]
            key_rest, measures = rest[:keys], rest[keys:]
            for aid, apath in above[rid]:
                slot = acc.setdefault((*head, aid, apath, *key_rest), [0] * len(measures))
                for i, v in enumerate(measures):
                    slot[i] += v
        return rows + [(*k, *v) for k, v in acc.items()]

    units = list(OrgUnit.objects.filter(is_active=True).values_list("id", flat=True))[:60]
    categories = list(Category.objects.values_list("id", flat=True)) or list(range(1, 41))
    types = list(ServiceType.values)
    type_w = [0.25, 0.1, 0.05, 0.1, 0.5]  # mediation, legal, psychological, assistance, complaint
    grades, grade_w = ["red", "yellow", "green"], [0.03, 0.17, 0.8]
    combos = [(t, g) for t in types for g in grades]
    combo_w = [tw * gw for tw in type_w for gw in grade_w]
    place_w = _weights(len(communities), rng)
    cat_w = _weights(len(categories), rng)
    respondents = [f"深圳市样本{n:03d}有限公司" for n in range(300)]
    today = date.today()
    days = [today - timedelta(days=n) for n in range(years * 365)]
    per_day = cases / len(days)
    counts = {"DayTally": 0, "CategoryTally": 0, "UnitTally": 0, "RespondentTally": 0, "OpenTally": 0}

    def insert(model, fields: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        table = model._meta.db_table
        columns = ", ".join(model._meta.get_field(f).column for f in fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608 (our own names)
        counts[model.__name__] += len(rows)

    day_fields = ["day", "region_id", "path", "service_type", "grade", *DayTally.MEASURES]
    atomic = transaction.atomic()
    atomic.__enter__()
    for d_index, day in enumerate(days):
        if d_index % 100 == 99:  # commit now and then: one transaction per 100 days
            atomic.__exit__(None, None, None)
            atomic = transaction.atomic()
            atomic.__enter__()
        day_rows, cat_rows, unit_rows, resp_rows = [], [], [], []
        age = d_index  # days ago: older cases are mostly concluded
        n_today = max(0, int(rng.gauss(per_day, per_day**0.5)))
        places = rng.choices(range(len(communities)), weights=place_w, k=n_today)
        per_place: dict[int, int] = {}
        for p in places:
            per_place[p] = per_place.get(p, 0) + 1
        done_share = min(0.97, 0.2 + age / 20)
        for p, n in per_place.items():
            region_id, path = communities[p]
            cells: dict[tuple[str, str], int] = {}
            for key in rng.choices(combos, combo_w, k=n):
                cells[key] = cells.get(key, 0) + 1
            for (st, grade), k in cells.items():
                concluded = round(k * done_share)
                resolved = round(concluded * 0.85)
                on_time = round(concluded * 0.9)
                rated = round(concluded * 0.6)
                people = k + rng.randint(0, k)
                day_rows.append(
                    (
                        day,
                        region_id,
                        path,
                        st,
                        grade,
                        k,
                        resolved,
                        concluded,
                        on_time,
                        rated,
                        round(rated * 0.93),
                        people,
                        rng.randint(0, 500_000) * k,
                        k // 20,
                    )
                )
            for c in set(rng.choices(categories, cat_w, k=min(n, 8))):
                cat_rows.append((day, region_id, path, c, max(1, n // 8)))
            for u in set(rng.sample(units, k=min(3, len(units)))):
                unit_rows.append(
                    (day, region_id, path, u, max(1, n // 3), max(0, n // 4), max(0, n // 3), max(0, n // 4))
                )
            if rng.random() < 0.3:
                resp_rows.append((day, region_id, path, rng.choice(respondents), 1))
        insert(DayTally, day_fields, rollup(day_rows, 1, 2))
        insert(CategoryTally, ["day", "region_id", "path", "category_id", "received"], rollup(cat_rows, 1, 1))
        insert(
            UnitTally,
            ["day", "region_id", "path", "unit_id", "received", "resolved", "concluded", "on_time"],
            rollup(unit_rows, 1, 1),
        )
        insert(RespondentTally, ["day", "region_id", "path", "respondent", "received"], rollup(resp_rows, 1, 1))
    open_rows = [
        (region_id, path, g, st, rng.randint(0, 40)) for region_id, path in communities for g in grades for st in types
    ]
    insert(OpenTally, ["region_id", "path", "grade", "service_type", "open"], rollup(open_rows, 0, 2))
    atomic.__exit__(None, None, None)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


def _viewer():
    from fengqiao.org.models import OrgUnit, Region, RegionLevel, Role
    from fengqiao.org.selectors import centre_for_region
    from fengqiao.org.services import staff_user_create

    district = Region.objects.get(code=GM)
    centre = centre_for_region(district) or OrgUnit.objects.filter(region=district).first()
    return (
        staff_user_create(
            username="bench_screen", password="Bench-pass-2026", name="大屏基准", memberships=[(centre, Role.OPERATOR)]
        ),
        district,
        Region.objects.filter(parent=district, level=RegionLevel.STREET).order_by("code").first(),
    )


def measure(user, region_code: str, days: int, n: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from fengqiao.dashboard import data

    today = date.today()
    params = {"region": region_code, "from": (today - timedelta(days=days - 1)).isoformat(), "to": today.isoformat()}
    factory = RequestFactory()
    connection.queries_log.clear()
    times, queries, received = [], 0, 0
    for i in range(n + 1):
        request = factory.get("/screen/data.json", params)
        request.user = user
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = data.data(request)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"data.json answered {response.status_code}: {response.content[:300]!r}")
        if i:  # the first call warms the caches of the process
            times.append(elapsed)
        queries = len(captured.captured_queries)
        received = json.loads(response.content)["totals"]["received"]
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], queries, received


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="./fq bench screen", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=10_000_000, help="cases the counters stand for")
    parser.add_argument("--years", type=int, default=5, help="years they were submitted over")
    parser.add_argument("--runs", type=int, default=30, help="calls per measurement")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL")
    tmp = tempfile.mkdtemp(prefix="fq-bench-screen-")
    pg_name = None
    if url:
        bench_url, pg_name = _pg_temp_database(url)
    else:
        bench_url = None
    try:
        _setup(tmp, bench_url)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        from fengqiao.org.loaders import load_district

        load_district(GM)
        load_district("440303", stations_per_community=0)
        user, district, street = _viewer()
        community = street.children.order_by("code").first()
        print(f"database: {connection.vendor}; organisation loaded in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        counts = fill(args.cases, args.years)
        print(
            f"counter rows written directly (no cases created) for {args.cases:,} cases over {args.years} years "
            f"in {time.perf_counter() - started:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        )
        print()
        print(f"{'region':<28} {'period':>7} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'received':>12}")
        results = []
        for label, region in (
            ("district " + district.name, district),
            ("street " + street.name, street),
            ("community " + community.name, community),
        ):
            for days in (30, 365):
                p50, p95, queries, received = measure(user, region.code, days, args.runs)
                results.append((label, days, p50, p95))
                print(f"{label:<28} {days:>5} d {p50:>8.1f} {p95:>8.1f} {queries:>8} {received:>12,}")
        worst = max(results, key=lambda r: r[3])
        print()
        print(
            f"summary screen_db={connection.vendor} cases={args.cases} "
            f"district_30d_p50_ms={results[0][2]:.1f} district_1y_p50_ms={results[1][2]:.1f} "
            f"worst_p95_ms={worst[3]:.1f} ({worst[0].split()[0]} {worst[1]}d)"
        )
    finally:
        if pg_name and url:
            from django.db import connections

            connections.close_all()
            _pg_drop(url, pg_name)


if __name__ == "__main__":
    sys.exit(main())
