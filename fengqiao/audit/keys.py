"""The audit key: from the environment (`FQ_AUDIT_KEY`), never stored in the database.

`FQ_AUDIT_KEY` may list several keys separated by commas: the first signs new records, all of them verify
(rotation: put the new key first and keep the old ones). Unset, the key is derived from SECRET_KEY — fine for a
laptop; in production set it, keep it apart from the database backups, and keep it when SECRET_KEY rotates.
"""

from __future__ import annotations

import hashlib

from django.conf import settings


def verification_keys() -> list[bytes]:
    configured = [k.strip() for k in getattr(settings, "FQ_AUDIT_KEY", None) or [] if k.strip()]
    if configured:
        return [k.encode("utf-8") for k in configured]
    return [hashlib.sha256(f"fengqiao-audit:{settings.SECRET_KEY}".encode()).digest()]


def signing_key() -> bytes:
    return verification_keys()[0]


def configured() -> bool:
    return bool([k for k in getattr(settings, "FQ_AUDIT_KEY", None) or [] if k.strip()])
