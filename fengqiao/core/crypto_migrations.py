"""Helpers for the migrations that move a clear-text column into an encrypted one (and back).

They read and write the column with plain SQL, so the historical model's `from_db_value` (which would try to
decrypt the clear text) is never involved. A value that already decrypts is left alone, so running twice is safe.
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.core.exceptions import ImproperlyConfigured

from fengqiao.core import crypto


def _is_token(value: str) -> bool:
    try:
        crypto.decrypt(value)
    except (ImproperlyConfigured, InvalidToken, ValueError):
        return False
    return True


def encrypt_column(table: str, column: str, index_column: str = ""):
    """A RunPython pair (forwards, backwards) encrypting `table.column`, filling `index_column` when named."""

    def forwards(apps, schema_editor):
        conn = schema_editor.connection
        q = conn.ops.quote_name
        with conn.cursor() as cur:
            cur.execute(f"SELECT id, {q(column)} FROM {q(table)} WHERE {q(column)} <> ''")  # noqa: S608
            rows = cur.fetchall()
            for pk, value in rows:
                if _is_token(value):
                    continue
                sets, params = [f"{q(column)} = %s"], [crypto.encrypt(value)]
                if index_column:
                    sets.append(f"{q(index_column)} = %s")
                    params.append(crypto.blind_index(value))
                cur.execute(f"UPDATE {q(table)} SET {', '.join(sets)} WHERE id = %s", [*params, pk])  # noqa: S608

    def backwards(apps, schema_editor):
        conn = schema_editor.connection
        q = conn.ops.quote_name
        with conn.cursor() as cur:
            cur.execute(f"SELECT id, {q(column)} FROM {q(table)} WHERE {q(column)} <> ''")  # noqa: S608
            for pk, value in cur.fetchall():
                if _is_token(value):
                    cur.execute(f"UPDATE {q(table)} SET {q(column)} = %s WHERE id = %s",  # noqa: S608
                                [crypto.decrypt(value), pk])

    return forwards, backwards
