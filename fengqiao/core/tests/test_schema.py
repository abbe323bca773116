"""Values the code writes fit the columns (SQLite does not enforce varchar lengths; PostgreSQL does)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from fengqiao.cases import services as cs
from fengqiao.cases.models import Case


def _choice_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("fengqiao."):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField) and field.choices and field.max_length:
                yield f"{model._meta.label}.{field.name}", field


@pytest.mark.parametrize(("name", "field"), list(_choice_fields()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_choice_fits_its_column(name, field):
    too_long = [value for value, _label in field.flatchoices if len(str(value)) > field.max_length]
    assert not too_long, f"{name} (max_length={field.max_length}): {too_long}"


@pytest.mark.parametrize(("values", "field"), [(cs.SATISFACTION, "satisfaction"), (cs.OUTCOMES, "outcome")])
def test_service_vocabularies_fit_the_case_columns(values, field):
    max_length = Case._meta.get_field(field).max_length
    assert all(len(value) <= max_length for value in values), (field, max_length, sorted(values))
