"""Attachments: what residents may upload, checked by content (not by name), stored with safe names."""

from __future__ import annotations

import hashlib
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# What the platform accepts, by the type the bytes say they are.
ALLOWED = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "application/pdf": "pdf",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/x-m4a": "m4a",
    "audio/amr": "amr",
    "audio/x-wav": "wav",
    "audio/wav": "wav",
    "video/mp4": "mp4",
}


def sniff(head: bytes) -> str | None:
    kind = filetype.guess(head)
    return kind.mime if kind else None


def check_upload(upload) -> tuple[str, str, str]:
    """(content type, extension, sha256) of an acceptable upload, or a ValidationError a resident understands."""
    limit = settings.FQ_MAX_UPLOAD_MB * 1024 * 1024
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is too big (%(size).1f MB). Files can be at most %(limit)d MB.")
            % {"name": upload.name, "size": upload.size / 1024 / 1024, "limit": settings.FQ_MAX_UPLOAD_MB},
            code="too_big",
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": upload.name}, code="empty")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    mime = sniff(head)
    if mime not in ALLOWED:
        raise ValidationError(
            _("“%(name)s” is not a photo, a recording or a PDF. Please attach JPG, PNG, PDF, MP3, M4A, AMR or WAV files.")
            % {"name": upload.name},
            code="type",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return mime, ALLOWED[mime], digest.hexdigest()


def safe_storage_name(case_code: str, extension: str) -> str:
    """A name that says nothing about the uploader and cannot escape the upload folder."""
    return f"cases/{case_code}/{uuid.uuid4().hex}.{extension}"
