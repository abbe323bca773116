"""Fixtures of the triage tests: the catalogue, the shipped responsibility list, and stand-in models.

The learned models (fengqiao.triage.ml) are built elsewhere; these tests never depend on them. By default
no model answers (as on a fresh install); `models` installs a scripted stand-in with the registry's interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest


@pytest.fixture(autouse=True)
def _no_models(monkeypatch):
    from fengqiao.triage import mlclient

    monkeypatch.setattr(mlclient, "registry", lambda: None)


@dataclass(frozen=True)
class Suggestion:
    label: str
    confidence: float
    evidence: list[str] = field(default_factory=list)


class FakeModels(SimpleNamespace):
    """The registry's interface, answering what the test scripts; `fail=True` makes every call raise."""

    def __init__(self):
        super().__init__(category=[], router=[], versions={"category": "c1", "dispatch": "r1"},
                         unsure=False, fail=False, calls=[])

    def _answer(self, name, answer):
        self.calls.append(name)
        if self.fail:
            raise RuntimeError("model file is corrupt")
        return answer

    def classify_category(self, title, body, k=3):
        return self._answer("category", self.category[:k])

    def route_unit(self, location, statement, k=3):
        self.calls.append(("route", location))
        return self._answer("router", self.router[:k])

    def model_versions(self):
        return dict(self.versions)

    def needs_operator(self, suggestions):
        return self.unsure or not suggestions or suggestions[0].confidence < 0.5


@pytest.fixture
def models(monkeypatch):
    from fengqiao.triage import mlclient

    fake = FakeModels()
    monkeypatch.setattr(mlclient, "registry", lambda: fake)
    return fake

