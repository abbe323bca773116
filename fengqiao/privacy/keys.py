"""Re-encrypting stored personal data with the newest key (`./fq manage rotate_keys`).

Every `EncryptedTextField` of every model is found by type, so a new encrypted field is rotated without being
listed here. Rows are read and written with plain SQL (the token as stored), in batches, each batch one
transaction: an interrupted run leaves every value readable (old or new key) and a second run finishes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

from fengqiao.core import crypto

BATCH = 500


@dataclass
class Column:
    label: str  # app_label.Model.field
    table: str
    column: str
    index_column: str = ""


def encrypted_columns() -> list[Column]:
    out = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, crypto.EncryptedTextField):
                index = getattr(model._meta.get_field(f.index_field), "column", "") if f.index_field else ""
                out.append(Column(f"{model._meta.label}.{f.name}", model._meta.db_table, f.column, index))
    return out


def rotate_column(col: Column, *, apply: bool) -> tuple[int, int]:
    """(values stored, values that were (or would be) rewritten)."""
    q = connection.ops.quote_name
    total = changed = 0
    last_id = 0
    while True:
        with transaction.atomic(), connection.cursor() as cur:
            select = f"SELECT id, {q(col.column)}" + (f", {q(col.index_column)}" if col.index_column else "")
            cur.execute(f"{select} FROM {q(col.table)} WHERE id > %s AND {q(col.column)} <> '' "
                        f"ORDER BY id LIMIT {BATCH}", [last_id])
            rows = cur.fetchall()
            if not rows:
                return total, changed
            for row in rows:
                pk, token = row[0], row[1]
                last_id = pk
                total += 1
                stale_token = crypto.needs_rotation(token)
                index = crypto.blind_index(crypto.decrypt(token)) if col.index_column else ""
                stale_index = bool(col.index_column) and row[2] != index
                if not (stale_token or stale_index):
                    continue
                changed += 1
                if not apply:
                    continue
                sets, params = [f"{q(col.column)} = %s"], [crypto.rotate(token) if stale_token else token]
                if col.index_column:
                    sets.append(f"{q(col.index_column)} = %s")
                    params.append(index)
                cur.execute(f"UPDATE {q(col.table)} SET {', '.join(sets)} WHERE id = %s",  # noqa: S608
                            [*params, pk])
