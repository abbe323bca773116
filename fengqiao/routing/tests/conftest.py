from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def _catalogue(module_db):
    """The shipped category catalogue, loaded once per module (each test runs in a savepoint inside the
    module's transaction, so what a test writes is gone after it)."""
    from fengqiao.core.demo import load_categories

    load_categories()


@pytest.fixture(scope="module")
def _shipped(_catalogue):
    """Guangming's shipped responsibility list, once per module: a module that asks for it has it in every test."""
    from fengqiao.routing.services import load_default_rules

    return load_default_rules("440311")


@pytest.fixture
def catalogue(_catalogue, db):
    """The category catalogue."""


@pytest.fixture
def gm_rules(_shipped, org):
    """The shipped responsibility list of Guangming; the number of rules it holds."""
    return _shipped
