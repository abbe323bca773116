"""Helpers for the intake tests: posted form data, files that are (or only pretend to be) photos, private media."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from fengqiao.intake.qr import png_bytes

HOME_COMMUNITY = "440311001001"  # 光明街道 光明社区
LUOHU_COMMUNITY = "440303001001"  # 桂园街道 大塘龙社区
INSIDE = ("22.7797", "113.9350")  # in Guangming
OUTSIDE = ("31.2304", "121.4737")  # Shanghai


def zh(message) -> str:
    """What a resident reads by default (Chinese), for a message built from the code's own msgid."""
    with translation.override("zh-hans"):
        return str(message)


def photo(name: str = "photo.png") -> SimpleUploadedFile:
    """A real PNG image (a QR code), small."""
    return SimpleUploadedFile(name, png_bytes("https://example.org/photo"), content_type="image/png")


def fake_jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A text file that calls itself a JPEG: judged by content, it is refused."""
    return SimpleUploadedFile(name, "这不是照片，只是一段文字。".encode() * 20, content_type="image/jpeg")


def big_jpeg(size_mb: float, name: str = "big.jpg") -> SimpleUploadedFile:
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return SimpleUploadedFile(name, head + b"\x00" * int(size_mb * 1024 * 1024), content_type="image/jpeg")


def report_data(token: str = "tok-1", **overrides) -> dict:
    data = {
        "submission_token": token,
        "service_type": "complaint",
        "description": "小区门口的路灯坏了两个星期，晚上很黑，老人容易摔倒。",
        "community": HOME_COMMUNITY,
        "address": "碧眼新村3栋门口",
        "latitude": "",
        "longitude": "",
        "people_count": "1",
        "amount": "",
        "respondent": "",
        "identity": "named",
        "name": "王小梅",
        "phone": "13912345678",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def anon() -> Client:
    return Client()
