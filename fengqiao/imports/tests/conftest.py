"""Fixtures of the import tests: signed-in clients, the category catalogue, the default mapping, files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from fengqiao.accounts.tests.conftest import verify
from fengqiao.imports.services import mapping_default

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SAMPLE_CSV = SAMPLES / "12345_export_sample.csv"
SAMPLE_XLSX = SAMPLES / "12345_export_sample.xlsx"
HEADINGS = ["工单编号", "来电时间", "来电人", "联系电话", "所属街道", "所属社区", "诉求类型", "诉求分类", "标题", "诉求内容",
            "事发地址", "涉及人数", "涉及金额"]
SAMPLE_ROWS = 20
SAMPLE_REJECTED = {19: "联系电话", 20: "所属社区"}  # row number in the file -> the column at fault


def row(**values) -> dict:
    """A good 12345 row (光明街道 光明社区), with `values` replacing columns by heading."""
    base = {
        "工单编号": "T-0001", "来电时间": "2026-11-20 09:30:00", "来电人": "王先生", "联系电话": "13912345678",
        "所属街道": "光明街道", "所属社区": "光明社区", "诉求类型": "投诉", "诉求分类": "城乡建设/城市建设和市政管理",
        "标题": "路灯不亮", "诉求内容": "小区门口路灯坏了一个星期，晚上出行不安全。", "事发地址": "光明大街1号",
        "涉及人数": "", "涉及金额": "",
    }
    base.update(values)
    return base


def make_csv(rows: list[dict], *, headings: list[str] | None = None, encoding: str = "utf-8-sig") -> bytes:
    headings = headings or HEADINGS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    for r in rows:
        writer.writerow([r.get(h, "") for h in headings])
    return out.getvalue().encode(encoding)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are asserted in English (the source language), whatever translations exist."""
    with translation.override("en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        yield


@pytest.fixture
def categories(db):
    from fengqiao.open311.tests.catalogue import bulk_categories

    bulk_categories()


@pytest.fixture
def mapping(db):
    return mapping_default()


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        verify(client, user)
        return client

    return make
