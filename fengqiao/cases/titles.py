"""Case titles: one rule for shortening text, used by every channel and every list.

A title derived from the description (a resident who gave none) and a title shown shortened in a list are
cut on a character boundary and end with "…", so the reader knows there is more; the whole text stays on the
case page (and in the list as a hover title).
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
TITLE_LENGTH = 40  # a title made from the description: about one line on a phone
TITLE_MAX = 120  # the stored title (Case.title)
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}  # zero-width joiner, variation selectors: part of the character before
_TRAILING = " \t\u3000,，、;；:：-—–(（[【《“\"'‘"


def _joins_previous(ch: str) -> bool:
    return ch in _JOINERS or unicodedata.combining(ch) > 0 or 0x1F3FB <= ord(ch) <= 0x1F3FF  # skin-tone modifiers


def shorten(text: str, limit: int) -> str:
    """`text` on one line; if longer than `limit` characters, cut before a character boundary and end with "…"
    (the result, ellipsis included, is at most `limit` characters)."""
    line = " ".join((text or "").split())
    if len(line) <= limit:
        return line
    cut = max(limit - 1, 1)
    # never split a character made of several code points (a letter and its accent, an emoji sequence)
    while cut > 1 and (_joins_previous(line[cut]) or line[cut - 1] in _JOINERS):
        cut -= 1
    return line[:cut].rstrip(_TRAILING) + ELLIPSIS


def title_from_description(description: str, limit: int = TITLE_LENGTH) -> str:
    """The title of a demand whose author gave none: the start of what they wrote."""
    return shorten(description, limit)


def is_shortened(text: str, limit: int) -> bool:
    return shorten(text, limit) != " ".join((text or "").split())


HOVER_MAX = 500  # a hover title longer than this helps nobody; the case page has the whole text


def whole_title(title: str, description: str = "") -> str:
    """The whole text behind a title: the description when the title was made from it and cut, else the title."""
    line = " ".join((description or "").split())
    if title.endswith(ELLIPSIS) and line.startswith(title[:-1].rstrip()):
        return shorten(line, HOVER_MAX)
    return " ".join((title or "").split())


def masked_title(title: str, description: str = "") -> str:
    """The title as shown to anyone without a recorded reveal: phone, ID, card numbers and plates masked
    (core.masking). A title cut from the description is cut again from the masked description (and mask_text
    hides the digits before a final "…"), so no half number survives the cut."""
    from fengqiao.core.masking import mask_text

    line = " ".join((description or "").split())
    if title.endswith(ELLIPSIS) and line.startswith(title[:-1].rstrip()):
        return shorten(mask_text(line), max(len(title), TITLE_LENGTH))
    return mask_text(title)
