"""The one door to the learned models (fengqiao.triage.ml.registry), imported lazily and never trusted to work.

Every call returns plain values or an empty answer: a missing, untrained or failing model makes triage
fall back to the rules and to the district centre, it never stops a case. After a retrain (a worker runs
`train_triage`), the worker rewrites a stamp file; every process sees the newer stamp on its next call and
reloads the models, so the new version is the one used.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

log = logging.getLogger("fengqiao.triage")

_UNSEEN = object()
_loaded_stamp: object = _UNSEEN
# The names model_versions() may give each model.
VERSION_KEYS = {
    "category": ("category", "classify_category"),
    "service_type": ("service_type", "classify_service_type"),
    "router": ("router", "route_unit", "dispatch", "unit"),
}


@dataclass(frozen=True)
class Candidate:
    label: str
    confidence: float
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    candidates: list[Candidate]
    version: str = ""
    needs_operator: bool = True
    error: str = ""

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def stamp_path() -> Path:
    return Path(getattr(settings, "FQ_TRIAGE_STAMP", Path(settings.VAR_DIR) / "triage-models.stamp"))


def read_stamp() -> str | None:
    """What the last retrain wrote (the newest correction it learned from and when), or None before any."""
    try:
        return stamp_path().read_text(encoding="utf-8").strip()
    except OSError:
        return None


def write_stamp(text: str) -> None:
    path = stamp_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # atomic: a reader sees the old stamp or the new one


def registry():
    """The registry module, reloaded when a retrain happened since it was last loaded; None when unavailable."""
    global _loaded_stamp
    if not getattr(settings, "FQ_TRIAGE_ML", True):
        return None
    try:
        from fengqiao.triage.ml import registry as reg
    except Exception as exc:  # noqa: BLE001 - no model package yet is a normal state
        log.debug("triage models unavailable: %s", exc)
        return None
    stamp = read_stamp()
    if _loaded_stamp is _UNSEEN:
        _loaded_stamp = stamp  # the models this process loads now are the newest there are
    elif stamp != _loaded_stamp:
        try:
            reg.reload_models()
        except Exception:
            log.exception("reloading the triage models failed")
        _loaded_stamp = stamp
    return reg


def _ask(task: str, call) -> Answer:
    reg = registry()
    if reg is None:
        return Answer([], error="unavailable")
    try:
        raw = list(call(reg) or [])
        candidates = [Candidate(str(s.label), float(s.confidence), [str(e) for e in (s.evidence or [])]) for s in raw]
        try:
            unsure = bool(reg.needs_operator(raw))
        except Exception:  # noqa: BLE001 - unsure is the safe answer
            unsure = True
        try:
            known = reg.model_versions() or {}
            version = next((str(known[k]) for k in VERSION_KEYS[task] if k in known), "")
        except Exception:  # noqa: BLE001 - a missing version is shown as none
            version = ""
        return Answer(candidates, version=version, needs_operator=unsure)
    except Exception as exc:  # a model error must never stop triage
        log.exception("triage model %s failed", task)
        return Answer([], error=f"{type(exc).__name__}: {exc}"[:200])


def classify_category(title: str, body: str, k: int = 3) -> Answer:
    return _ask("category", lambda reg: reg.classify_category(title, body, k=k))


def classify_service_type(title: str, body: str, k: int = 3) -> Answer:
    return _ask("service_type", lambda reg: reg.classify_service_type(title, body, k=k))


def route_unit(location: str, statement: str, k: int = 3) -> Answer:
    return _ask("router", lambda reg: reg.route_unit(location, statement, k=k))


def versions() -> dict[str, str]:
    reg = registry()
    if reg is None:
        return {}
    try:
        return {str(k): str(v) for k, v in (reg.model_versions() or {}).items()}
    except Exception:  # noqa: BLE001
        return {}


def reload() -> None:
    """Load the newest models in this process now (after a retrain here), once."""
    global _loaded_stamp
    if _loaded_stamp is not _UNSEEN:
        _loaded_stamp = read_stamp()  # so registry() does not reload a second time
    reg = registry()
    if reg is not None:
        reg.reload_models()
