"""`{{ text|mask_pii }}`: free text with the phone, identity, bank card numbers and plates in it masked.

A builtin of the template engine (settings.TEMPLATES), so every template has it without `{% load %}`.
`{{ text|mask_pii:revealed }}` shows the text as written when `revealed` is true (after a recorded reveal);
`{{ text|mask_pii_public }}` is for anonymous readers (phones lose their last four digits too).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeData, mark_safe

from fengqiao.core.masking import has_personal_data, mask_text

register = template.Library()


def _masked(value, *, public: bool):
    if value is None or value == "":
        return value
    masked = mask_text(str(value), public=public)
    return mark_safe(masked) if isinstance(value, SafeData) else masked  # noqa: S308 - masking adds no markup


@register.filter
def mask_pii(value, revealed=False):
    return value if revealed else _masked(value, public=False)


@register.filter
def mask_pii_public(value):
    return _masked(value, public=True)


@register.filter
def has_pii(value) -> bool:
    return bool(value) and has_personal_data(str(value))
