"""The demo's hotline export: the shipped sample, re-dated to the last few hours, imported once."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from fengqiao.imports.models import ImportBatch
from fengqiao.imports.services import import_file_now, mapping_default

SAMPLES = Path(__file__).resolve().parent / "samples"
SAMPLE_CSV = SAMPLES / "12345_export_sample.csv"
DEMO_FILE_NAME = "demo-12345-export.csv"


def demo_export(now=None) -> bytes:
    """The sample with 来电时间 moved to the last hours (every 10 minutes), keeping everything else."""
    now = timezone.localtime(now or timezone.now()).replace(second=0, microsecond=0)
    with SAMPLE_CSV.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    heading, body = rows[0], rows[1:]
    when = heading.index("来电时间")
    for i, row in enumerate(body):
        row[when] = (now - timedelta(minutes=10 * (len(body) - i))).strftime("%Y-%m-%d %H:%M:%S")
    out = io.StringIO()
    csv.writer(out).writerows([heading, *body])
    return out.getvalue().encode("utf-8-sig")


def demo_import(user) -> ImportBatch | None:
    """Import the demo export as `user` (a district operator); None when it was imported before."""
    mapping = mapping_default()
    if ImportBatch.objects.filter(mapping=mapping, original_name=DEMO_FILE_NAME).exists():
        return None
    return import_file_now(mapping=mapping, name=DEMO_FILE_NAME, content=demo_export(), user=user)
