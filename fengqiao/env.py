"""Typed access to the environment: every setting comes from here.

Each helper names the variable it reads in its error, so a bad deployment stops
at start-up with a message an operator can act on. `.env.example` lists them all.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class EnvError(RuntimeError):
    """A variable is missing or malformed; the message names it."""


_MISSING = object()


def _read(name: str, default: object, parse: Callable[[str], T]) -> T:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        if default is _MISSING:
            raise EnvError(f"Environment variable {name} is required but not set.")
        return default  # type: ignore[return-value]
    try:
        return parse(raw)
    except (TypeError, ValueError) as exc:
        raise EnvError(f"Environment variable {name}={raw!r} is malformed: {exc}") from exc


def env_str(name: str, default: str | object = _MISSING) -> str:
    return _read(name, default, str)


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected one of 1/0, true/false, yes/no, on/off")


def env_bool(name: str, default: bool | object = _MISSING) -> bool:
    return _read(name, default, _parse_bool)


def _parse_int(raw: str) -> int:
    return int(raw.strip())


def env_int(name: str, default: int | object = _MISSING) -> int:
    return _read(name, default, _parse_int)


def _parse_list(raw: str) -> list[str]:
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise ValueError("expected a comma-separated list without empty items")
    return items


def env_list(name: str, default: list[str] | object = _MISSING) -> list[str]:
    return _read(name, default, _parse_list)


def _parse_url(raw: str) -> str:
    if "://" not in raw:
        raise ValueError("expected a URL such as scheme://host/…")
    return raw


def env_url(name: str, default: str | object | None = _MISSING) -> str | None:
    return _read(name, default, _parse_url)
