"""The demo seeder takes a small 12345 export in through the bulk import: once, however often it runs."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fengqiao.cases.models import Case, Channel
from fengqiao.core.demo import load_categories, seed_hotline_import, seed_staff
from fengqiao.imports.demo import demo_export
from fengqiao.imports.models import ImportBatch

pytestmark = pytest.mark.django_db


def test_the_demo_import_is_idempotent_and_recent(cast):
    load_categories()
    seed_staff()
    assert seed_hotline_import() == 18
    imported = Case.objects.filter(channel=Channel.IMPORT, source_system="import:12345")
    assert imported.count() == 18
    assert all(timezone.now() - c.submitted_at < timezone.timedelta(hours=4) for c in imported)
    assert seed_hotline_import() == 0
    assert imported.count() == 18 and ImportBatch.objects.count() == 1


def test_the_demo_export_is_the_sample_redated():
    now = timezone.make_aware(timezone.datetime(2026, 11, 22, 15, 0))
    assert demo_export(now) == demo_export(now)
    text = demo_export(now).decode("utf-8-sig")
    assert "2026-11-22 11:40:00" in text and "2026-11-22 14:50:00" in text and "SZ12345-2026111800101" in text
