"""The database refuses UPDATE and DELETE on the audit tables (triggers on SQLite and PostgreSQL).

Two doors are left, both from inside the application:

- `unlocked()`: the recorded redaction path (fengqiao.audit.redaction) may rewrite the columns a
  table names as redactable (personal data in a timeline line's reason and data), never the others;
- `flush` (emptying the whole database: test databases) may delete rows; on PostgreSQL it is a TRUNCATE, which
  row triggers do not see; on SQLite our `flush` command lifts the guard for its own statements.

The SQLite triggers ask the function `fq_audit_unlocked()`, which the application registers on each of its
connections; any other client (the sqlite3 shell, another program) does not have it, so its UPDATE or DELETE
fails. On PostgreSQL the triggers read the transaction-local setting `fengqiao.audit_unlocked`.

Whoever holds the database can still drop a trigger: the triggers stop mistakes and casual edits, the hash chain
(fengqiao.audit.chain) finds the rest.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection

_state = threading.local()


LOCKED, REDACTING, FLUSHING = 0, 1, 2  # what fq_audit_unlocked() answers


def _unlocked_flag() -> int:
    return int(getattr(_state, "unlocked", LOCKED))


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """`connection_created` handler: give our SQLite connections the function the triggers ask."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("fq_audit_unlocked", 0, _unlocked_flag)


@contextmanager
def unlocked() -> Iterator[None]:
    """Let this thread's UPDATEs of redactable columns pass the audit triggers (the redaction path only; inside a
    transaction). Other columns stay refused, and so does DELETE."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.guard.unlocked() needs a transaction (transaction.atomic)")
    previous = _unlocked_flag()
    _state.unlocked = REDACTING
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('fengqiao.audit_unlocked', 'redact', true)")
    try:
        yield
    finally:
        _state.unlocked = previous
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('fengqiao.audit_unlocked', '', true)")


@contextmanager
def unlocked_for_flush() -> Iterator[None]:
    """The `flush` command's door (SQLite only: on PostgreSQL flush truncates, which row triggers do not see)."""
    previous = _unlocked_flag()
    _state.unlocked = FLUSHING
    try:
        yield
    finally:
        _state.unlocked = previous


# --- the triggers (used by migrations) ----------------------------------------------------------------------------

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION fq_audit_refuse() RETURNS trigger AS $$
DECLARE
    redacting boolean := coalesce(current_setting('fengqiao.audit_unlocked', true), '') = 'redact';
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% is append-only: DELETE refused', TG_TABLE_NAME;
    END IF;
    -- UPDATE: only the columns named as the trigger's arguments, and only through the redaction path
    IF NOT redacting OR (to_jsonb(NEW) - TG_ARGV) IS DISTINCT FROM (to_jsonb(OLD) - TG_ARGV) THEN
        RAISE EXCEPTION '% is append-only: UPDATE refused', TG_TABLE_NAME;
    END IF;
    RETURN NEW;
END; $$ LANGUAGE plpgsql;
"""


def _name(table: str, what: str) -> str:
    return f"{table}_audit_{what}"


def forward_sql(vendor: str, table: str, columns: Sequence[str], redactable: Sequence[str] = ()) -> list[str]:
    """Statements that make `table` append-only; `columns` are all its columns (SQLite compares them one by one),
    `redactable` those the redaction path may rewrite."""
    if vendor == "postgresql":
        args = ", ".join(f"'{c}'" for c in redactable)
        return [
            PG_FUNCTION,
            f"DROP TRIGGER IF EXISTS {_name(table, 'append_only')} ON {table};",
            f"""CREATE TRIGGER {_name(table, 'append_only')} BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION fq_audit_refuse({args});""",
        ]
    if vendor == "sqlite":
        fixed = [c for c in columns if c not in redactable]
        changed = " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in fixed) or "0"
        return [
            f"DROP TRIGGER IF EXISTS {_name(table, 'no_update')};",
            f"DROP TRIGGER IF EXISTS {_name(table, 'no_delete')};",
            f"""CREATE TRIGGER {_name(table, 'no_update')} BEFORE UPDATE ON {table}
                WHEN fq_audit_unlocked() IS NOT {FLUSHING} AND (fq_audit_unlocked() IS NOT {REDACTING} OR {changed})
                BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END;""",
            f"""CREATE TRIGGER {_name(table, 'no_delete')} BEFORE DELETE ON {table}
                WHEN fq_audit_unlocked() IS NOT {FLUSHING}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END;""",
        ]
    return []


def backward_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {_name(table, 'append_only')} ON {table};"]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {_name(table, 'no_update')};",
                f"DROP TRIGGER IF EXISTS {_name(table, 'no_delete')};"]
    return []


# Every append-only audit table, with the columns the redaction path may rewrite. A helper adding an audit log
# adds its table here; `install_all` runs after every `migrate` (post_migrate), so a later migration that rebuilds
# a table on SQLite (which drops its triggers) gets them back.
AUDIT_TABLES: dict[str, tuple[str, ...]] = {
    "cases_caseevent": ("reason", "data"),
    "audit_auditanchor": (),
    "counselling_accesslog": (),
    "org_grantrecord": (),
}


def install(conn, table: str, redactable: Sequence[str] = ()) -> bool:
    """Create the triggers for `table` with the columns it has now; False when the table does not exist (yet)."""
    with conn.cursor() as cursor:
        if table not in conn.introspection.table_names(cursor):
            return False
        columns = [c.name for c in conn.introspection.get_table_description(cursor, table)]
        for sql in forward_sql(conn.vendor, table, columns, redactable):
            cursor.execute(sql)
    return True


def install_all(conn) -> list[str]:
    return [table for table, redactable in AUDIT_TABLES.items() if install(conn, table, redactable)]


def uninstall(conn, table: str) -> None:
    with conn.cursor() as cursor:
        for sql in backward_sql(conn.vendor, table):
            cursor.execute(sql)


def installed(conn, table: str) -> bool:
    """Whether the triggers of `table` are there (the verify command says so when they are not)."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                           "AND name IN (%s, %s)", [table, _name(table, "no_update"), _name(table, "no_delete")])
            return cursor.fetchone()[0] == 2
        if conn.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal",
                           [_name(table, "append_only")])
            return cursor.fetchone()[0] == 1
    return False
