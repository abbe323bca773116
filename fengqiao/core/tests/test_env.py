"""Typed environment helpers, and settings that fail closed with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fengqiao.env import EnvError, env_bool, env_int, env_list, env_str, env_url

ROOT = Path(__file__).resolve().parents[3]


# --- helpers --------------------------------------------------------------------------------


def test_env_str_required_and_default(monkeypatch):
    monkeypatch.delenv("FQ_T_STR", raising=False)
    with pytest.raises(EnvError, match="FQ_T_STR is required"):
        env_str("FQ_T_STR")
    assert env_str("FQ_T_STR", "fallback") == "fallback"
    monkeypatch.setenv("FQ_T_STR", "")  # empty counts as unset
    assert env_str("FQ_T_STR", "fallback") == "fallback"
    monkeypatch.setenv("FQ_T_STR", "value")
    assert env_str("FQ_T_STR") == "value"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        (" Yes ", True),
        ("ON", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("off", False),
    ],
)
def test_env_bool_parses(monkeypatch, raw, expected):
    monkeypatch.setenv("FQ_T_BOOL", raw)
    assert env_bool("FQ_T_BOOL", not expected) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "truthy"])
def test_env_bool_rejects_and_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("FQ_T_BOOL", raw)
    with pytest.raises(EnvError, match=r"FQ_T_BOOL=.* is malformed"):
        env_bool("FQ_T_BOOL", False)


def test_env_int(monkeypatch):
    monkeypatch.setenv("FQ_T_INT", " 42 ")
    assert env_int("FQ_T_INT", 0) == 42
    monkeypatch.setenv("FQ_T_INT", "4x2")
    with pytest.raises(EnvError, match="FQ_T_INT"):
        env_int("FQ_T_INT", 0)


def test_env_list(monkeypatch):
    monkeypatch.setenv("FQ_T_LIST", "a.example, b.example")
    assert env_list("FQ_T_LIST", []) == ["a.example", "b.example"]
    monkeypatch.setenv("FQ_T_LIST", "a.example,,b.example")
    with pytest.raises(EnvError, match="FQ_T_LIST"):
        env_list("FQ_T_LIST", [])


def test_env_url(monkeypatch):
    monkeypatch.delenv("FQ_T_URL", raising=False)
    assert env_url("FQ_T_URL", None) is None
    monkeypatch.setenv("FQ_T_URL", "redis://127.0.0.1:6379/0")
    assert env_url("FQ_T_URL", None) == "redis://127.0.0.1:6379/0"
    monkeypatch.setenv("FQ_T_URL", "127.0.0.1:6379")
    with pytest.raises(EnvError, match="FQ_T_URL"):
        env_url("FQ_T_URL", None)


# --- settings in a clean process ----------------------------------------------------------------

PRODUCTION = {"FQ_ENV": "production", "SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "fq.example.gov.cn",
              "FQ_FIELD_KEYS": "ZmVuZ3FpYW8tdGVzdC1wcm9kdWN0aW9uLWtleS0zMmI="}  # a test key, not the development one


def import_settings(tmp_path, **env) -> subprocess.CompletedProcess:
    """Import fengqiao.settings in a fresh interpreter with exactly this environment (plus PATH)."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "FQ_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import fengqiao.settings"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_import_when_complete(tmp_path):
    result = import_settings(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_production_without_secret_key_fails_naming_it(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = import_settings(tmp_path, **env)
    assert result.returncode != 0
    assert "EnvError" in result.stderr and "SECRET_KEY" in result.stderr


def test_development_does_not_need_a_secret_key(tmp_path):
    assert import_settings(tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "fq.example.gov.cn,*"}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"DEBUG": "1"}, "DEBUG"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"DB_CONN_MAX_AGE": "sixty", "DATABASE_URL": "postgres://u@127.0.0.1/fq"}, "DB_CONN_MAX_AGE"),
        ({"FQ_STAFF_2FA": "perhaps"}, "FQ_STAFF_2FA"),
        ({"FQ_DEMO": "1"}, "FQ_DEMO"),
        ({"FQ_ENV": "staging"}, "FQ_ENV"),
    ],
)
def test_bad_production_settings_fail_naming_the_variable(tmp_path, env, name):
    result = import_settings(tmp_path, **{**PRODUCTION, **env})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("fengqiao.env.EnvError") and name in last_line, result.stderr
