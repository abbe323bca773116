"""The models' public door: what the triage services call.

Each call checks the `{task}.current` pointer file (one stat) and loads the version it names when it
changed, so a retrain elsewhere is picked up without a restart (hot swap). Training never happens here (it
takes tens of seconds, far too long for a request): `./fq setup` trains both models, and the worker's
retrain task trains a missing one; until then a call raises ModelUnavailable and triage falls back.

Text that is empty or has fewer than two meaningful characters after normalisation gets no category
suggestion (an empty list, so `needs_operator` is true); the router answers it with the
district operations centre at its prior probability ("nothing decides").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_noop

from fengqiao.core.reasons import Reason, reason
from fengqiao.triage.ml import artefacts
from fengqiao.triage.ml.models import CENTRE
from fengqiao.triage.ml.text import InputTooShort, prepare_dispatch, prepare_message

TASKS = ("category", "dispatch")


@dataclass(frozen=True)
class Suggestion:
    label: str  # category name (one of the 7 first-level labels) or unit name
    confidence: float  # calibrated probability 0..1
    evidence: list[Reason] = field(default_factory=list)  # short reasons: quoted words or stored messages (core.reasons)


@dataclass(frozen=True)
class _Loaded:
    directory: Path
    stamp: tuple[int, int] | None
    model: object
    meta: dict


_lock = threading.RLock()
_loaded: dict[str, _Loaded] = {}


def _load(task: str) -> _Loaded:
    directory = artefacts.model_dir()
    stamp = artefacts.pointer_stamp(task, directory)
    entry = _loaded.get(task)
    if entry is not None and stamp is not None and entry.stamp == stamp and entry.directory == directory:
        return entry
    with _lock:
        stamp = artefacts.pointer_stamp(task, directory)
        entry = _loaded.get(task)
        if entry is not None and stamp is not None and entry.stamp == stamp and entry.directory == directory:
            return entry
        if stamp is None:
            raise artefacts.ModelUnavailable(
                f"no current {task} model in {directory}; run `./fq manage train_triage` (or `./fq setup`)")
        payload = artefacts.load(artefacts.current_file(task, directory))
        entry = _Loaded(directory, stamp, payload["model"], payload["meta"])
        _loaded[task] = entry
        return entry


def get_model(task: str):
    """(model, metadata) of the current version, loading it if the pointer changed; ModelUnavailable if none."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    entry = _load(task)
    return entry.model, entry.meta


def _suggestions(scored) -> list[Suggestion]:
    return [Suggestion(s.label, round(float(s.confidence), 4), list(s.evidence)) for s in scored]


def classify_category(title: str, body: str, k: int = 3) -> list[Suggestion]:
    try:
        t, b = prepare_message(title, body)
    except InputTooShort:
        return []
    model, _meta = get_model("category")
    return _suggestions(model.suggest(t, b, k=k))


def route_unit(location: str, statement: str, k: int = 3) -> list[Suggestion]:
    model, _meta = get_model("dispatch")
    try:
        loc, s = prepare_dispatch(location, statement)
    except InputTooShort:
        return _suggestions(model.fallback(k=k, why=reason(gettext_noop("the statement is empty or too short"))))
    return _suggestions(model.suggest(loc, s, k=k))


def model_versions() -> dict[str, str]:
    """Versions of the current models, read from the pointer files (no model is loaded or trained)."""
    out = {}
    for task in TASKS:
        try:
            path = artefacts.current_file(task)
        except artefacts.ModelUnavailable:
            path = None
        out[task] = path.name.removeprefix(f"{task}-").removesuffix(".joblib") if path else ""
    return out


def reload_models() -> None:
    """Forget the loaded models: the next call loads whatever the pointers name now."""
    with _lock:
        _loaded.clear()


def needs_operator(suggestions: list[Suggestion]) -> bool:
    """True when there is no suggestion or the best one's confidence is below FQ_TRIAGE_MIN_CONFIDENCE."""
    threshold = float(getattr(settings, "FQ_TRIAGE_MIN_CONFIDENCE", 0.6))
    return not suggestions or suggestions[0].confidence < threshold


__all__ = [
    "CENTRE",
    "Suggestion",
    "classify_category",
    "get_model",
    "model_versions",
    "needs_operator",
    "reload_models",
    "route_unit",
]
