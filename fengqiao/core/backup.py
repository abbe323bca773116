"""Backup and restore of the database and the uploaded files, consistent with each other.

    ./fq manage backup /srv/backups/fq-2026-12-07        # a new (or empty) directory
    ./fq manage restore /srv/backups/fq-2026-12-07 [--force]

A backup directory holds ``database.sqlite3`` (SQLite: the online backup API, a consistent copy taken while the
web server and the worker keep running) or ``database.dump`` (PostgreSQL: ``pg_dump --format=custom`` from a
snapshot the row counts are read in too), ``media/`` (the private uploads, ``MEDIA_ROOT``) and ``manifest.json``:
engine, the row count of every table, the SHA-256 of the database file and of every file, the last migration of
every app. The database is copied first and the files after it: a file is written before the row naming it is
committed, so every file the copy names is in the backup (``missing_files`` lists any that is not, e.g. deleted by
retention in between). Personal data encrypted at rest stays encrypted in the backup; the keys
(``FQ_FIELD_KEYS``) are never in it and must be kept apart, or the restored data cannot be read.

Restore checks every checksum before it touches anything, refuses a database that already holds users or cases
unless ``--force``, copies the database (SQLite backup API into the configured file; ``pg_restore --clean
--single-transaction``), then the files, and compares the row count of every table with the manifest. Stop the
web server and the worker while restoring; run ``./fq manage migrate`` afterwards when the code is newer.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.models import FileField

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA_DIR = "media"
# Tables whose rows make a database "in use": restoring over them needs --force.
IN_USE_TABLES = ("accounts_user", "cases_case")
KEYS_NOTE = ("Encrypted personal data stays encrypted in this backup. The keys (FQ_FIELD_KEYS) are not in it: "
             "keep them apart, or the restored data cannot be read.")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- helpers -------------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                        "ORDER BY name").fetchall()
    return [name for (name,) in rows]


def sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in _sqlite_tables(conn)}  # noqa: S608


def _pg_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def database_counts(alias: str = "default") -> dict[str, int]:
    """Rows per table of the configured database, as it is now."""
    conn = connections[alias]
    with conn.cursor() as cursor:
        tables = sorted(conn.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _file_columns() -> list[tuple[str, str]]:
    """(table, column) of every FileField, to find the files a database copy names."""
    return [(model._meta.db_table, f.column) for model in apps.get_models() for f in model._meta.concrete_fields
            if isinstance(f, FileField)]


def _migrations(rows) -> dict[str, str]:
    last: dict[str, str] = {}
    for app, name in rows:
        last[app] = max(last.get(app, ""), name)
    return dict(sorted(last.items()))


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _db_settings(alias: str = "default") -> dict:
    return connections[alias].settings_dict


# --- backup ----------------------------------------------------------------------------------------------


def _backup_sqlite(dest: Path) -> tuple[dict[str, int], dict[str, str], set[str]]:
    conn = connections["default"]
    conn.ensure_connection()
    target = sqlite3.connect(dest)
    try:
        conn.connection.backup(target)  # online: pages copied consistently while others keep writing
        counts = sqlite_counts(target)
        migrations = _migrations(target.execute("SELECT app, name FROM django_migrations").fetchall())
        named: set[str] = set()
        for table, column in _file_columns():
            if table in counts:
                named.update(v for (v,) in target.execute(f'SELECT "{column}" FROM "{table}"') if v)  # noqa: S608
    finally:
        target.close()
    return counts, migrations, named


def _pg_command(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"{tool} is not installed: PostgreSQL backups need the PostgreSQL client tools "
                          f"(apt install postgresql-client, of the server's major version or newer).")
    return path


def _pg_args(db: dict) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")


def _backup_postgres(dest: Path) -> tuple[dict[str, int], dict[str, str], set[str]]:
    """pg_dump from a snapshot exported by a REPEATABLE READ transaction, in which the rows are counted too."""
    import psycopg

    pg_dump = _pg_command("pg_dump")
    db = _db_settings()
    args, env = _pg_args(db)
    with psycopg.connect(dbname=db["NAME"], host=db.get("HOST") or None, port=db.get("PORT") or None,
                         user=db.get("USER") or None, password=db.get("PASSWORD") or None) as pg, \
            pg.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _pg_counts(cursor)
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = _migrations(cursor.fetchall())
        named: set[str] = set()
        for table, column in _file_columns():
            if table in counts:
                cursor.execute(f'SELECT "{column}" FROM "{table}"')  # noqa: S608
                named.update(v for (v,) in cursor.fetchall() if v)
        _run([pg_dump, *args, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              "--file", str(dest)], env)
        pg.rollback()
    return counts, migrations, named


def _copy_media(dest: Path) -> list[dict]:
    source = _media_root()
    files = []
    if source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            relative = path.relative_to(source).as_posix()
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            files.append({"path": relative, "size": target.stat().st_size, "sha256": sha256_of(target)})
    return files


def backup(dest: Path) -> dict:
    """Write a backup into `dest` (new or empty); returns the manifest."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} exists and is not an empty directory: choose a new directory for each backup.")
    dest.mkdir(parents=True, exist_ok=True)
    vendor = connections["default"].vendor
    if vendor == "sqlite":
        db_file = SQLITE_FILE
        counts, migrations, named = _backup_sqlite(dest / db_file)
    elif vendor == "postgresql":
        db_file = PG_FILE
        counts, migrations, named = _backup_postgres(dest / db_file)
    else:  # pragma: no cover - the project runs on these two
        raise BackupError(f"Backups of {vendor} databases are not supported.")
    files = _copy_media(dest / MEDIA_DIR)
    copied = {f["path"] for f in files}
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": vendor,
        "database": {"file": db_file, "size": (dest / db_file).stat().st_size, "sha256": sha256_of(dest / db_file)},
        "tables": counts,
        "migrations": migrations,
        "files": files,
        "missing_files": sorted(named - copied),
        "note": KEYS_NOTE,
    }
    tmp = dest / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(dest / MANIFEST)  # the manifest last: a directory without one is an unfinished backup
    return manifest


# --- restore ---------------------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} holds no {MANIFEST}: not a backup, or an unfinished one.")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} (this version reads {FORMAT}).")
    return manifest


def verify(source: Path) -> dict:
    """Check the database file and every file against the manifest; returns the manifest."""
    source = Path(source)
    manifest = read_manifest(source)
    db = source / manifest["database"]["file"]
    if not db.is_file() or sha256_of(db) != manifest["database"]["sha256"]:
        raise BackupError(f"{db} is missing or does not match its checksum: the backup is damaged.")
    bad = [f["path"] for f in manifest["files"]
           if not (source / MEDIA_DIR / f["path"]).is_file()
           or sha256_of(source / MEDIA_DIR / f["path"]) != f["sha256"]]
    if bad:
        raise BackupError(f"{len(bad)} file(s) are missing or do not match their checksum, e.g. {bad[0]}: "
                          f"the backup is damaged.")
    return manifest


def database_in_use() -> dict[str, int]:
    """Rows in the tables that make a database in use ({} when it has none, or no tables yet)."""
    conn = connections["default"]
    with conn.cursor() as cursor:
        present = set(conn.introspection.table_names(cursor))
        in_use = {}
        for table in IN_USE_TABLES:
            if table in present:
                cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608
                if (n := cursor.fetchone()[0]) > 0:
                    in_use[table] = n
    return in_use


def restore_sqlite_file(backup_file: Path, target: sqlite3.Connection) -> None:
    """Copy the backup's pages into `target` (replacing what it held), with the backup API."""
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        source.backup(target)
    finally:
        source.close()


def _restore_media(source: Path, files: list[dict]) -> int:
    root = _media_root()
    for f in files:
        target = root / f["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / MEDIA_DIR / f["path"], target)
    return len(files)


def restore(source: Path, *, force: bool = False) -> dict:
    """Restore the backup in `source` into the configured database and MEDIA_ROOT; returns a report."""
    source = Path(source)
    manifest = verify(source)
    conn = connections["default"]
    if manifest["engine"] != conn.vendor:
        raise BackupError(f"This backup is of a {manifest['engine']} database; the configured one is {conn.vendor}.")
    in_use = database_in_use()
    if in_use and not force:
        held = ", ".join(f"{table}: {n}" for table, n in in_use.items())
        raise BackupError(f"The database is not empty ({held}). Restoring replaces everything in it: "
                          f"add --force if that is what you want.")
    if conn.vendor == "sqlite":
        path = conn.settings_dict["NAME"]
        conn.close()
        target = sqlite3.connect(path)
        try:
            restore_sqlite_file(source / manifest["database"]["file"], target)
        finally:
            target.close()
    else:
        pg_restore = _pg_command("pg_restore")
        conn.close()
        args, env = _pg_args(_db_settings())
        _run([pg_restore, *args, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", str(source / manifest["database"]["file"])], env)
    files = _restore_media(source, manifest["files"])
    counts = database_counts()
    differ = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if differ:
        table, (want, got) = next(iter(differ.items()))
        raise BackupError(f"After restoring, {len(differ)} table(s) differ from the backup, e.g. {table}: "
                          f"{got} rows, the backup has {want}.")
    return {"tables": len(counts), "rows": sum(counts.values()), "files": files,
            "created_at": manifest["created_at"], "migrations": manifest["migrations"]}
