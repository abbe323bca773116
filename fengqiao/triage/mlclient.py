"""The one door to the learned models (fengqiao.triage.ml.registry), imported lazily and never trusted to work.

Every call returns plain values or an empty answer: a missing, untrained or failing model makes triage
fall back to the rules and to the district centre, it never stops a case. A retrain anywhere (a worker runs
`train_triage`) replaces the `{task}.current` pointers; the registry checks them on every call, so every
process uses the new version from its next call on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings

from fengqiao.core.reasons import Reason

log = logging.getLogger("fengqiao.triage")

# Which entry of the registry's model_versions() versions each answer.
VERSION_KEYS = {"category": "category", "router": "dispatch"}


@dataclass(frozen=True)
class Candidate:
    label: str
    confidence: float
    evidence: list[Reason] = field(default_factory=list)  # quoted words or stored messages (core.reasons)


@dataclass(frozen=True)
class Answer:
    candidates: list[Candidate]
    version: str = ""
    needs_operator: bool = True


def registry():
    """The registry module, or None when the models are switched off or unavailable."""
    if not getattr(settings, "FQ_TRIAGE_ML", True):
        return None
    try:
        from fengqiao.triage.ml import registry as reg
    except Exception as exc:  # noqa: BLE001 - no model package is a normal state
        log.debug("triage models unavailable: %s", exc)
        return None
    return reg


def _ask(task: str, call) -> Answer:
    reg = registry()
    if reg is None:
        return Answer([])
    try:
        raw = list(call(reg) or [])
        candidates = [Candidate(str(s.label), float(s.confidence), [e if isinstance(e, dict) else str(e) for e in (s.evidence or [])]) for s in raw]
        try:
            unsure = bool(reg.needs_operator(raw))
        except Exception:  # noqa: BLE001 - unsure is the safe answer
            unsure = True
        try:
            version = str((reg.model_versions() or {}).get(VERSION_KEYS[task], ""))
        except Exception:  # noqa: BLE001 - a missing version is shown as none
            version = ""
        return Answer(candidates, version=version, needs_operator=unsure)
    except Exception:  # a model error must never stop triage
        log.exception("triage model %s failed", task)
        return Answer([])


def classify_category(title: str, body: str, k: int = 3) -> Answer:
    return _ask("category", lambda reg: reg.classify_category(title, body, k=k))


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
