"""The shipped category catalogue (fengqiao/cases/data/categories.csv) in two queries, with the codes the demo loader
gives (C01 …, C01-01 …): tests that need the catalogue but not the loader's per-row checks use this."""

from __future__ import annotations

import csv

from fengqiao.cases.models import Category
from fengqiao.core.demo import CASES_DATA


def bulk_categories() -> None:
    if Category.objects.exists():
        return
    with (CASES_DATA / "categories.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    first: dict[str, Category] = {}
    for row in rows:
        if row["level1"] not in first:
            first[row["level1"]] = Category(code=f"C{len(first) + 1:02d}", name=row["level1"],
                                            default_service_type=row["service_type"])
    Category.objects.bulk_create(first.values())
    parents = {c.name: c for c in Category.objects.filter(parent__isnull=True)}
    counts: dict[str, int] = {}
    children = []
    for row in rows:
        parent = parents[row["level1"]]
        counts[parent.code] = counts.get(parent.code, 0) + 1
        children.append(Category(code=f"{parent.code}-{counts[parent.code]:02d}", name=row["level2"], parent=parent,
                                 default_service_type=row["service_type"]))
    Category.objects.bulk_create(children)
