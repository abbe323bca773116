"""Fingerprints the radar keeps per case: a 64-bit text fingerprint and a normalised respondent key.

``text_fingerprint`` is a SimHash over character n-grams of the normalised Chinese text: the same text always
gives the same value, and two texts that differ in a few characters (a different building number, another
phone, one sentence added) give values a few bits apart. Near-identical texts are then found by comparing
fingerprints (``hamming``) instead of texts, and bucketed by 16-bit bands (``bands``) so that a district's
90 days are clustered without comparing every pair.

The value is a *signed* 64-bit integer (two's complement) so that it fits a database ``BigIntegerField``;
``hamming`` masks it, so signed and unsigned forms compare alike.

Both functions are pure and stable across processes and versions of Python (no use of ``hash()``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

BITS = 64
MASK = (1 << BITS) - 1
NGRAM = 3  # character trigrams: short enough for Chinese (no word segmentation), long enough to be specific
BAND_BITS = 16  # four bands of 16 bits: two fingerprints within 3 bits share at least one band exactly

# Runs of digits and Latin letters (room numbers, phone numbers, dates, plate numbers) become one symbol, so that
# "3栋501" and "5栋1202" do not make two form letters look different.
_RUNS = re.compile(r"[0-9a-z]+")
# Everything that is not a letter or a digit (punctuation, spaces, emoji) is dropped.
_KEEP = re.compile(r"[^\w]+", re.UNICODE)
# Masked personal details ("138****5678", "张**") are noise too.
_STARS = re.compile(r"[*＊×xX]{2,}")


def normalise_text(text: str) -> str:
    """The text the fingerprint is made of: NFKC, lower case, no punctuation or spaces, runs of digits as '#'."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _STARS.sub("#", text)
    text = _KEEP.sub("", text).replace("_", "")
    return _RUNS.sub("#", text)


def _hash64(gram: str) -> int:
    return int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "little")


def _to_signed(value: int) -> int:
    return value - (1 << BITS) if value >= 1 << (BITS - 1) else value


def text_fingerprint(text: str) -> int:
    """SimHash of the text's character trigrams (each trigram counted once), as a signed 64-bit integer.

    An empty text gives 0. A text shorter than a trigram is hashed whole.
    """
    norm = normalise_text(text)
    if not norm:
        return 0
    grams = {norm} if len(norm) < NGRAM else {norm[i : i + NGRAM] for i in range(len(norm) - NGRAM + 1)}
    weights = [0] * BITS
    for gram in grams:
        h = _hash64(gram)
        for bit in range(BITS):
            weights[bit] += 1 if (h >> bit) & 1 else -1
    value = 0
    for bit in range(BITS):
        if weights[bit] > 0:
            value |= 1 << bit
    return _to_signed(value)


def hamming(a: int, b: int) -> int:
    """How many of the 64 bits differ between two fingerprints (signed or unsigned)."""
    return ((a ^ b) & MASK).bit_count()


def bands(fingerprint: int) -> tuple[int, int, int, int]:
    """The four 16-bit bands of a fingerprint, each tagged with its position (so bands never collide)."""
    v = fingerprint & MASK
    return (v & 0xFFFF, (1 << 16) | ((v >> 16) & 0xFFFF), (2 << 16) | ((v >> 32) & 0xFFFF), (3 << 16) | (v >> 48))


# Legal-form words and place prefixes that do not tell two respondents apart ("深圳市某某建筑有限公司" is
# "某某建筑公司" is "某某建筑"). Longest first.
_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "分公司",
    "集团",
    "公司",
    "工作室",
    "经营部",
    "商行",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
)
_PREFIXES = ("广东省", "深圳市", "深圳", "广东")
_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


def respondent_key(name: str) -> str:
    """A normalised key for a respondent's name: NFKC, lower case, no brackets, spaces, punctuation, city
    prefix or legal form, so that the ways residents write one company meet ("" for no name)."""
    key = unicodedata.normalize("NFKC", name or "").lower().strip()
    key = _BRACKETS.sub("", key)
    key = re.sub(r"\s+", "", key)
    changed = True
    while changed and key:
        changed = False
        for suffix in _SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key, changed = key[: -len(suffix)], True
                break
        for prefix in _PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                key, changed = key[len(prefix) :], True
                break
    return _KEEP.sub("", key).replace("_", "")
