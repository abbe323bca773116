"""Masking personal data on screen (PIPL): show just enough to recognise, never the whole number."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id(number: str) -> str:
    value = number.strip()
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_name(name: str) -> str:
    """王小梅 → 王**; organisations keep their names (they are not personal data)."""
    value = name.strip()
    if len(value) <= 1:
        return value
    return value[0] + "*" * (len(value) - 1)
