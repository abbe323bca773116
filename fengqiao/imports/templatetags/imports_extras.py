"""Template helpers of the import pages: a row's mapped value, masked personal data."""

from __future__ import annotations

from django import template

from fengqiao.core.masking import mask_name, mask_phone

register = template.Library()


@register.filter
def cell(row, field: str) -> str:
    return (row.data or {}).get(field, "")


@register.filter
def masked_phone(value: str) -> str:
    return mask_phone(value) if value else ""


@register.filter
def masked_name(value: str) -> str:
    return mask_name(value) if value else ""
