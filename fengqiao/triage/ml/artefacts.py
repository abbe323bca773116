"""Versioned model files and the pointer that says which one is current.

    {FQ_MODEL_DIR}/{task}-{version}.joblib   the model and its metadata (joblib, compressed)
    {FQ_MODEL_DIR}/{task}.current            the current version's file name, replaced atomically

version = UTC timestamp + the first 8 hex digits of the training data's hash, e.g. 20260105T101500Z-3fa2c1d0.
Only files this process or `train_triage` wrote are loaded (joblib unpickles: keep FQ_MODEL_DIR private).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import joblib

FORMAT = 2  # bump when the model classes change incompatibly: older files are then retrained


class ModelUnavailable(RuntimeError):
    """No usable model file and none could be trained."""


def model_dir() -> Path:
    from django.conf import settings

    return Path(getattr(settings, "FQ_MODEL_DIR", Path(settings.VAR_DIR) / "models"))


def pointer_path(task: str, directory: Path | None = None) -> Path:
    return (directory or model_dir()) / f"{task}.current"


def new_version(data_hash: str) -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + data_hash[:8]


def _atomic_write_bytes(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(task: str, model, meta: dict, directory: Path | None = None, *, make_current: bool = True) -> Path:
    """Write the model file (atomically) and, by default, point `{task}.current` at it."""
    directory = directory or model_dir()
    version = meta["version"]
    path = directory / f"{task}-{version}.joblib"
    payload = {"format": FORMAT, "task": task, "meta": meta, "model": model}
    _atomic_write_bytes(path, lambda fh: joblib.dump(payload, fh, compress=3))
    if make_current:
        set_current(task, path.name, directory)
        prune(task, directory)
    return path


KEEP_VERSIONS = 5  # older versions of a task are deleted after a new one becomes current


def prune(task: str, directory: Path | None = None, keep: int = KEEP_VERSIONS) -> list[Path]:
    """Delete all but the newest `keep` versions of `task` (names sort by their UTC time), never the current
    one; returns what was deleted. A process that loaded an older version keeps it in memory."""
    directory = directory or model_dir()
    current = current_file(task, directory)
    versions = sorted(directory.glob(f"{task}-*.joblib"), reverse=True)
    gone = [p for p in versions[keep:] if current is None or p.name != current.name]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def set_current(task: str, filename: str, directory: Path | None = None) -> None:
    _atomic_write_bytes(pointer_path(task, directory), lambda fh: fh.write((filename + "\n").encode()))


def current_file(task: str, directory: Path | None = None) -> Path | None:
    directory = directory or model_dir()
    try:
        name = pointer_path(task, directory).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ModelUnavailable(f"{pointer_path(task, directory)} does not name a model file: {name!r}")
    return directory / name


def pointer_stamp(task: str, directory: Path | None = None) -> tuple[int, int] | None:
    """(mtime_ns, inode) of the pointer, or None: cheap to read on every call, changes on each replace."""
    try:
        st = os.stat(pointer_path(task, directory))
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_ino)


def load(path: Path) -> dict:
    try:
        payload = joblib.load(path)
    except FileNotFoundError as exc:
        raise ModelUnavailable(f"model file {path} is missing") from exc
    except Exception as exc:
        raise ModelUnavailable(f"model file {path} cannot be read ({type(exc).__name__}: {exc})") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelUnavailable(f"model file {path} has an old or unknown format; run train_triage")
    return payload
