"""Explanations that are stored once and read later, in the reader's language.

A stored explanation (a triage suggestion's evidence, its next candidates' evidence) is a list whose items
are either plain text — words quoted from the case, a reason an administrator wrote into a rule — or a message
to translate when it is shown::

    {"msg": "street: %(name)s", "args": {"name": "光明街道"}}

Write the message id with ``gettext_noop`` so that makemessages collects it. An argument may itself be such a
message, or a list of them (shown joined by a translated ", "). Rendering never raises: a translation that does
not fit its arguments falls back to the message id, and anything else is shown as text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

Reason = str | dict[str, Any]


def reason(msgid: str, **args: Any) -> dict[str, Any]:
    """A message to translate when shown; `msgid` is the English source text, marked with gettext_noop."""
    return {"msg": msgid, "args": args} if args else {"msg": msgid}


def render(item: Any) -> str:
    """One stored reason as text in the active language."""
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
