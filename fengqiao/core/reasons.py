"""Explanations that are stored once and read later, in the reader's language.

A stored explanation (a triage suggestion's evidence, its next candidates' evidence) is a list whose items
are either plain text — words quoted from the case, a reason an administrator wrote into a rule — or a message
to translate when it is shown::

    {"msg": "street: %(name)s", "args": {"name": "光明街道"}}

Write the message id with ``gettext_noop`` so that makemessages collects it. An argument may itself be such a
message, or a list of them (shown joined by a translated ", "). Rendering never raises: a translation that does
not fit its arguments falls back to the message id, and anything else is shown as text.

A sentence an administrator can edit (a grading rule's reason) uses ``{name}`` placeholders instead::

    {"msg": "Wage arrears involving {people} people ({threshold} or more)", "args": {...}, "style": "brace"}

``template_reason`` writes it. The shipped sentences are English message ids (marked with ``gettext_noop``),
so each reader gets their language; a sentence an administrator wrote is not in the catalogue and is shown as
written, with its placeholders filled in (a placeholder it does not know stays empty).

A sum of money is stored as a number, ``{"money": "420000"}`` (``money``), and written the way the reader
counts: “42万元” in Chinese, “420,000 yuan” in English.

In templates: ``{% load reasons %}`` then ``{{ item|reason }}`` or ``{{ items|reasons }}`` (joined by “；”).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language, gettext

Reason = str | dict[str, Any]


def reason(msgid: str, **args: Any) -> dict[str, Any]:
    """A message to translate when shown; `msgid` is the English source text, marked with gettext_noop."""
    return {"msg": msgid, "args": args} if args else {"msg": msgid}


def template_reason(template: str, **args: Any) -> dict[str, Any]:
    """A sentence with ``{name}`` placeholders (a rule's reason), translated if the catalogue knows it, then filled in."""
    return {"msg": template, "args": args, "style": "brace"}


def money(value: Any) -> dict[str, str]:
    """A sum in yuan, stored as a number and written the reader's way when shown."""
    return {"money": f"{Decimal(value):f}"}


def _money(stored: Any) -> str:
    try:
        value = Decimal(str(stored))
    except (InvalidOperation, ValueError):
        return str(stored)
    whole = value.quantize(Decimal("1"))
    if (get_language() or "").startswith("zh"):  # Chinese counts large sums in 万 (ten thousands)
        number = f"{(value / 10_000).quantize(Decimal('0.01')).normalize():f}万" if value >= 10_000 else f"{whole:f}"
    else:
        number = f"{whole:,f}"
    return gettext("%(amount)s yuan") % {"amount": number}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _fill(template: str, values: dict[str, Any]) -> str:
    return template.format_map(_Blank(values))


def render(item: Any) -> str:
    """One stored reason as text in the active language."""
    if isinstance(item, dict) and "money" in item and "msg" not in item:
        return _money(item["money"])
    if isinstance(item, dict) and isinstance(item.get("msg"), str) and item.get("style") == "brace":
        values = {k: render(v) if isinstance(v, dict | list) else v for k, v in (item.get("args") or {}).items()}
        for template in (gettext(item["msg"]), item["msg"]):
            try:
                return _fill(template, values)
            except (ValueError, IndexError, KeyError, AttributeError, TypeError):
                continue
        return item["msg"]
    if isinstance(item, dict) and isinstance(item.get("msg"), str):
        args = item.get("args") or {}
        if not args:
            return gettext(item["msg"])
        values = {k: render(v) if isinstance(v, dict | list) else v for k, v in args.items()}
        try:
            return gettext(item["msg"]) % values
        except (KeyError, ValueError, TypeError):
            try:
                return item["msg"] % values
            except (KeyError, ValueError, TypeError):
                return item["msg"]
    if isinstance(item, list):
        return gettext(", ").join(render(i) for i in item)
    return "" if item is None else str(item)


def render_all(items: Any) -> list[str]:
    """A stored list of reasons as texts in the active language (an old plain string stays as it is)."""
    if items is None:
        return []
    if isinstance(items, str | dict):
        items = [items]
    return [render(i) for i in items]
