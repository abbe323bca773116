"""Text normalisation shared by training, evaluation and run-time classification.

`normalize` is total (it never raises on a str): HTML tags and entities are removed, full-width forms
become half-width (NFKC), control and zero-width characters become spaces, traditional Chinese becomes
simplified (OpenCC t2s, only when a traditional character is present, so the usual case stays fast),
Latin letters are lower-cased, whitespace is collapsed and the result is cut to `max_chars`.

`prepare_*` apply it to the fields of one case and raise `InputTooShort` (a ValueError) when fewer than
`MIN_CHARS` meaningful characters remain: the registry turns that into an empty suggestion list.
"""

from __future__ import annotations

import html
import os
import re
import threading
import unicodedata
from functools import lru_cache

TITLE_MAX_CHARS = 200
BODY_MAX_CHARS = 2000  # longer texts are cut; accuracy on the shipped data does not change below ~500 chars
MIN_CHARS = 2
# Cut the raw input early (before regexes run) so a multi-megabyte paste costs no more than a long text.
_RAW_FACTOR = 8

_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<!--.*?-->|<![^>]{0,200}>|</?[a-zA-Z][^<>]{0,500}>", re.DOTALL)
# C0/C1 controls, zero-width and bidi marks, line/paragraph separators, BOM, private-use noise stays.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\ufeff\ufff9-\ufffc]")
_SPACE = re.compile(r"\s+")
_MEANINGFUL = re.compile(r"[^\W_]")  # letters, digits, CJK ideographs (str patterns are Unicode-aware)

_cc_lock = threading.Lock()


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    """Characters OpenCC's t2s table changes: their presence is what makes a conversion worth its cost."""
    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    chars = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            key, _, value = line.rstrip("\n").partition("\t")
            if key and value.split(" ")[0] != key:
                chars.add(key)
    return frozenset(chars)


def to_simplified(text: str) -> str:
    if _traditional_chars().isdisjoint(text):
        return text
    with _cc_lock:  # the pure-Python converter keeps state while it converts
        return _opencc().convert(text)


def normalize(text: str | None, max_chars: int = BODY_MAX_CHARS) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    s = text[: max_chars * _RAW_FACTOR]
    if "<" in s:
        s = _TAG.sub(" ", _SCRIPT_STYLE.sub(" ", s))
    if "&" in s:
        s = html.unescape(s)
    s = unicodedata.normalize("NFKC", s)
    s = _CONTROL.sub(" ", s)
    s = to_simplified(s)
    s = _SPACE.sub(" ", s.lower()).strip()
    return s[:max_chars].rstrip()


class InputTooShort(ValueError):
    """Less than MIN_CHARS meaningful characters after normalisation: nothing to classify."""


def meaningful_length(text: str, cap: int = MIN_CHARS) -> int:
    """How many letters, digits or ideographs `text` has, counting no further than `cap`."""
    n, pos = 0, 0
    while n < cap:
        m = _MEANINGFUL.search(text, pos)
        if m is None:
            break
        n, pos = n + 1, m.end()
    return n


def prepare_message(title: str | None, body: str | None) -> tuple[str, str]:
    t, b = normalize(title, TITLE_MAX_CHARS), normalize(body, BODY_MAX_CHARS)
    if meaningful_length(t) + meaningful_length(b) < MIN_CHARS:
        raise InputTooShort("title and text together have fewer than 2 meaningful characters")
    return t, b


def prepare_dispatch(location: str | None, statement: str | None) -> tuple[str, str]:
    loc, s = normalize(location, 100), normalize(statement, BODY_MAX_CHARS)
    if meaningful_length(s) < MIN_CHARS:
        raise InputTooShort("the statement has fewer than 2 meaningful characters")
    return loc, s
