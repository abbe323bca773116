"""Backup and restore (fengqiao/core/backup.py) round-trip a part of the demo through the real commands.

A separate database (a temporary SQLite file, or two temporary PostgreSQL databases when DATABASE_URL is set)
is migrated and seeded with the demo's own seed functions (organisation, staff, a resident, cases through the
services, an attachment); `./fq manage backup` copies it, `./fq manage restore` puts it into an empty database,
and every table's row count and every file's checksum must match. Then: a database in use is refused without
--force, and a damaged backup is refused before anything is touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]
SEED = """
import random
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from fengqiao.cases import services as cs
from fengqiao.cases.models import Case
from fengqiao.core import demo
from fengqiao.intake.qr import png_bytes
from fengqiao.org.loaders import load_district
load_district(demo.GM)
load_district(demo.LH, stations_per_community=0)
demo.load_categories()
demo.seed_staff()
resident = demo.seed_resident()
demo.seed_cases(count=6, rng=random.Random(7), resident=resident)
case = Case.objects.order_by("pk").first()
for name in ("a.png", "b.png"):
    upload = SimpleUploadedFile(name, png_bytes("https://example.org/" + name), content_type="image/png")
    cs.case_attach(case=case, actor=None, upload=upload)
print("seeded", Case.objects.count())
"""
STATE = """
import hashlib, json
from pathlib import Path
from django.conf import settings
from fengqiao.core.backup import database_counts
root = Path(settings.MEDIA_ROOT)
files = {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
         for p in sorted(root.rglob("*")) if p.is_file()} if root.is_dir() else {}
print(json.dumps({"tables": database_counts(), "files": files}))
"""


def _pg_url(base: str, name: str) -> str:
    return base.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    """Two installations (a: the original, b: where it is restored), each with its var dir and database."""
    root = tmp_path_factory.mktemp("backup")
    a, b = root / "a", root / "b"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(FQ_ENV="test", FQ_MODEL_DIR=str(settings.FQ_MODEL_DIR), PYTHONPATH=str(ROOT))
    envs = {"a": {**env, "FQ_VAR_DIR": str(a)}, "b": {**env, "FQ_VAR_DIR": str(b)}}
    created: list[str] = []
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        suffix = uuid.uuid4().hex[:8]
        admin = _pg_url(base, "postgres")
        with psycopg.connect(admin, autocommit=True) as pg:
            for side in ("a", "b"):
                name = f"fq_backup_{side}_{suffix}"
                pg.execute(f'CREATE DATABASE "{name}"')
                created.append(name)
                envs[side]["DATABASE_URL"] = _pg_url(base, name)
    yield root, envs
    if created:
        import psycopg

        with psycopg.connect(_pg_url(base, "postgres"), autocommit=True) as pg:
            for name in created:
                pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict, *args: str, code: str | None = None, ok: bool = True) -> subprocess.CompletedProcess:
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    if code is not None:
        command += ["-c", code]
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    if ok:
        assert result.returncode == 0, f"{args}: {result.stdout[-2000:]} {result.stderr[-4000:]}"
    return result


def state(env: dict) -> dict:
    return json.loads(manage(env, "shell", code=STATE).stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def round_trip(places):
    root, envs = places
    manage(envs["a"], "migrate", "--noinput")
    assert "seeded 6" in manage(envs["a"], "shell", code=SEED).stdout
    before = state(envs["a"])
    out = manage(envs["a"], "backup", str(root / "backup")).stdout
    restored = manage(envs["b"], "restore", str(root / "backup"))
    return SimpleNamespace(root=root, envs=envs, before=before, out=out, restored=restored)


def test_the_restored_installation_has_every_row_and_every_file(round_trip):
    rt = round_trip
    envs, before = rt.envs, rt.before
    after = state(envs["b"])
    assert before["tables"]["cases_case"] == 6 and before["tables"]["cases_attachment"] == 2
    assert before["tables"]["accounts_user"] > 10 and before["tables"]["org_region"] > 100
    assert after["tables"] == before["tables"]  # every table, row for row
    assert len(before["files"]) == 2 and after["files"] == before["files"]  # every file, byte for byte
    assert "every table has the rows of the backup" in rt.restored.stdout
    assert "audit trail verified" in rt.restored.stdout  # the hash-chained timelines still verify (audit_verify)
    assert "FQ_FIELD_KEYS" in rt.out  # the operator is told the keys are not in it


def test_the_manifest_lists_counts_checksums_and_migrations(round_trip):
    rt = round_trip
    root, envs, before = rt.root, rt.envs, rt.before
    manifest = json.loads((root / "backup" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == ("postgresql" if "DATABASE_URL" in envs["a"] else "sqlite")
    assert manifest["tables"] == before["tables"]
    db = root / "backup" / manifest["database"]["file"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == manifest["database"]["sha256"]
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == before["files"]
    assert manifest["missing_files"] == []
    assert manifest["migrations"]["cases"].startswith("00")


def test_a_database_in_use_is_replaced_only_with_force(round_trip):
    rt = round_trip
    root, envs, before = rt.root, rt.envs, rt.before
    refused = manage(envs["b"], "restore", str(root / "backup"), ok=False)
    assert refused.returncode != 0 and "not empty" in refused.stderr and "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    manage(envs["b"], "restore", str(root / "backup"), "--force")
    assert state(envs["b"]) == before


def test_a_damaged_backup_is_refused_before_anything_is_touched(round_trip):
    rt = round_trip
    root, envs, before = rt.root, rt.envs, rt.before
    damaged = root / "damaged"
    subprocess.run(["cp", "-a", str(root / "backup"), str(damaged)], check=True)
    manifest = json.loads((damaged / "manifest.json").read_text(encoding="utf-8"))
    victim = damaged / "media" / manifest["files"][0]["path"]
    victim.write_bytes(victim.read_bytes()[:-1] + b"!")
    refused = manage(envs["b"], "restore", str(damaged), "--force", ok=False)
    assert refused.returncode != 0 and "damaged" in refused.stderr
    assert state(envs["b"]) == before


def test_a_backup_never_overwrites_a_directory_in_use(round_trip):
    root, envs = round_trip.root, round_trip.envs
    again = manage(envs["a"], "backup", str(root / "backup"), ok=False)
    assert again.returncode != 0 and "not an empty directory" in again.stderr
