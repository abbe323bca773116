"""Masking personal data on screen (PIPL): show just enough to recognise, never the whole number.

Structured fields have their own maskers (`mask_phone`, `mask_id`, `mask_name`). Free text — a description, a
timeline note, a file name — goes through `mask_text`, which finds every way people write a Chinese mobile or
landline number, an identity number (18 or 15 digits), a bank card number or a licence plate
(`find_personal_data`) and masks each in place, leaving the rest of the text as it was.

How numbers are found: each character is first read as what it stands for (full-width or other Unicode digits as
0-9, full-width letters as ASCII, every dot, dash, space, middle dot, bracket and their full-width forms as a
separator), one character for one character so positions stay those of the original text. A *run* is digits
joined by short separator sequences; a number is made of whole groups of a run (people do not split one group
between two numbers) and is recognised by its shape: 1[3-9] and 9 more digits (mobile, optionally after
+86/0086/86), 0 + area code + 7-8 digits (landline), 6 region digits + a real birth date + 3 digits (+ check
digit or X) (identity number), 16-19 digits (bank card: one group, or several groups that pass the Luhn check).
Dates (2026-12-07), times, amounts (5000元) and case codes (GM-2026-000123) have none of these shapes.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

MOBILE = "mobile"
LANDLINE = "landline"
ID_NUMBER = "id_number"
BANK_CARD = "bank_card"
PLATE = "plate"

# Separators people put inside numbers (ASCII and full-width forms, no-break and thin spaces, dashes, middle
# dots, brackets); all read as "-".
_SEPARATORS = frozenset(
    " \t.-_·•・()[]"
    "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"  # spaces
    "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"  # dashes, minus
    "\uff0e\uff3f\u30fb\uff65\u2027\u22c5\u00b7"  # full-width dot and underscore, middle dots
    "\uff08\uff09\uff3b\uff3d\u3010\u3011"  # full-width brackets, 【】
)
_SEP = "-"
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_RUN = re.compile(r"\+?[0-9]+(?:-{1,3}\+?[0-9]+)*(?:-{0,3}[Xx])?")
_GROUP = re.compile(r"[0-9]+(?:-{0,3}[Xx])?")
_CURRENCY = "¥￥$€£"
_LEADING_DIGITS = re.compile(r"[0-9]+$")

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0(?:10|2[0-9]|[3-9][0-9]{2})([2-9][0-9]{6,7})")
_AREA = re.compile(r"0(?:10|2[0-9]|[3-9][0-9]{2})")

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_PLATE = re.compile(
    rf"(?<![A-Z0-9])([{_PROVINCES}])-{{0,2}}([A-HJ-NP-Z])-{{0,2}}"
    r"([DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF]|[A-HJ-NP-Z0-9]{5})(?![A-Z0-9])"
)

@dataclass(frozen=True)
class Finding:
    """One piece of personal data in a text: where it is (in the original text), what kind, its digits."""

    start: int
    end: int
    kind: str
    value: str  # the number as digits (an identity number may end in X); a plate as written without separators


def _read_char(ch: str) -> str:
    """What one character stands for, as one character: a digit, an ASCII letter, "-" for a separator."""
    if "0" <= ch <= "9" or "A" <= ch <= "Z" or "a" <= ch <= "z":
        return ch
    if ch in _SEPARATORS:
        return _SEP
    if ch.isspace() and ch not in _LINE_BREAKS:  # numbers on two lines are two numbers
        return _SEP
    value = unicodedata.decimal(ch, None)
    if value is not None:
        return str(value)
    if "\uff01" <= ch <= "\uff5e":  # full-width ASCII: Ａ → A, ＋ → +
        return chr(ord(ch) - 0xFEE0)
    return ch


def normalise(text: str) -> str:
    """The text as read for matching, the same length as `text` (so positions carry over)."""
    return "".join(_read_char(ch) for ch in text)


def _valid_birth(digits: str) -> bool:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def _is_id18(value: str) -> bool:
    return (len(value) == 18 and value[:17].isdigit() and (value[17].isdigit() or value[17] in "Xx")
            and value[0] in "12345678" and _valid_birth(value[6:14]))


def _is_id15(value: str) -> bool:
    return len(value) == 15 and value.isdigit() and value[0] in "12345678" and _valid_birth("19" + value[6:12])


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_groups(groups: list[str]) -> bool:
    """Written as cards are printed: groups of four, the last one shorter (6222 0212 3456 7890 123)."""
    return all(len(g) == 4 for g in groups[:-1]) and 1 <= len(groups[-1]) <= 4


def _id15_groups(groups: list[str]) -> bool:
    """The old 15-digit number is only taken whole or cut where people cut it (440311 900101 123, by threes):
    15 digits from random groups are too often something else."""
    cuts, at = set(), 0
    for g in groups[:-1]:
        at += len(g)
        cuts.add(at)
    return cuts <= {3, 6, 9, 12}


def _classify(value: str, *, groups: list[str], plus: bool) -> tuple[str, str] | None:
    """The kind of a candidate number (digits of whole groups) and its national form, or None."""
    if not value[:-1].isdigit():
        return None
    if value[-1] in "Xx":
        return (ID_NUMBER, value[:-1] + "X") if _is_id18(value) else None
    for prefix in ("0086", "86"):
        if value.startswith(prefix) and len(value) > len(prefix) + 6:
            rest = value[len(prefix):]
            if _MOBILE.fullmatch(rest):
                return MOBILE, rest
            if (plus or prefix == "0086") and _LANDLINE.fullmatch("0" + rest):
                return LANDLINE, "0" + rest
    if _MOBILE.fullmatch(value):
        return MOBILE, value
    if _LANDLINE.fullmatch(value):
        return LANDLINE, value
    if _is_id18(value) or (_is_id15(value) and _id15_groups(groups)):
        return ID_NUMBER, value
    if 16 <= len(value) <= 19 and (
        len(groups) == 1 or (value[0] in "3456" and _luhn(value)) or (value.startswith("62") and _card_groups(groups))
    ):
        return BANK_CARD, value
    return None


def _dates(text: str, groups) -> set[int]:
    """The groups of a run that write a date (2026-12-07, 2026.01.07): year, month and day joined by the same
    separator, which is not the one joining them to the numbers around (a phone's groups share theirs)."""
    found: set[int] = set()
    values = [g[2] for g in groups]

    def sep(a: int, b: int) -> str | None:
        return text[groups[a][1]:groups[b][0]] if a >= 0 and b < len(groups) else None

    for k in range(len(values) - 2):
        year, month, day = values[k:k + 3]
        shaped = len(year) == 4 and len(month) == 2 and len(day) == 2 and day.isdigit()
        if not (shaped and _valid_birth(f"{year}{int(month):02d}{int(day):02d}")):
            continue
        inner = sep(k, k + 1)
        if inner == sep(k + 1, k + 2) and sep(k - 1, k) != inner and sep(k + 2, k + 3) != inner:
            found.update((k, k + 1, k + 2))
    return found


def _numbers(text: str, read: str) -> list[Finding]:
    found: list[Finding] = []
    for run in _RUN.finditer(read):
        groups = [(m.start() + run.start(), m.end() + run.start(), m.group().replace(_SEP, ""),
                   m.start() + run.start() + len(m.group().rstrip("Xx").rstrip(_SEP)))
                  for m in _GROUP.finditer(run.group())]
        before = read[max(run.start() - 2, 0):run.start()]
        leading = _LEADING_DIGITS.search(read, 0, max(run.start() - 1, 0))  # digits just before the character before
        leading_digits = len(leading.group()) if leading is not None else 0
        thousands = (text[run.start() - 1:run.start()] == "," and 1 <= leading_digits <= 3 and len(groups[0][2]) == 3
                     and (leading is None or leading.start() == 0 or read[leading.start() - 1] not in "-0123456789"))
        dates = _dates(text, groups)
        blocked: set[int] = set()  # groups no number is made of
        no_start: set[int] = set()  # groups no number starts with (one that starts before may go on through them)
        if before[-1:] in tuple(_CURRENCY) or thousands:
            no_start.add(0)  # ¥130.00, 2,492,010.20: an amount (an ASCII comma between groups of three: thousands)
        elif before[-1:] == ":" and leading_digits in (1, 2) and len(groups[0][2]) == 2:
            no_start.add(0)  # 13:45 102…: the minutes of a time do not start a number
        elif re.fullmatch(r"[A-Za-z]-", text[max(run.start() - 2, 0):run.start()]) and len(groups[0][2]) == 4:
            # GM-2026-000123: a case code (letters-year-counter) is not the start of a number
            blocked.update((0, 1) if len(groups) > 1 and len(groups[1][2]) == 6 else (0,))
        for k in range(1, len(groups)):
            joined = text[groups[k - 1][1]:groups[k][0]]
            after = text[groups[k][1]:groups[k + 1][0]] if k + 1 < len(groups) else ""
            if joined == "." and len(groups[k][2]) <= 2 and after != ".":
                no_start.add(k)  # 0.03 102…: the decimals of an amount do not start a number
        # Every number that could start at each group, then the choice that covers the most digits (so a
        # landline does not swallow the first digit of the mobile written after it).
        options: list[list[tuple[int, int, str, str]]] = [[] for _ in groups]
        for i in range(len(groups)):
            if i in blocked or i in no_start:
                continue
            value = ""
            for j in range(i, len(groups)):
                if j in blocked:
                    break
                value += groups[j][2]
                if len(value.rstrip("Xx")) > 19:
                    break
                plus = read[run.start():groups[i][0]].lstrip(_SEP).startswith("+") if i == 0 else (
                    "+" in read[groups[i - 1][1]:groups[i][0]])
                candidates = [value]
                if value[-1] in "Xx":  # "…1234X" where the X is not a check character: also without it
                    candidates.append(value[:-1])
                for digits in candidates:
                    shape = _classify(digits, groups=[g[2] for g in groups[i:j + 1]], plus=plus)
                    if shape is not None and shape[0] in (MOBILE, LANDLINE) and dates.intersection(range(i, j + 1)):
                        shape = None  # ¥130.00 2000-01-01: a phone number is not made of a date
                    if shape is not None:
                        options[i].append((j, len(digits), shape[0], shape[1]))
                        break
                if value[-1] in "Xx":
                    break
        covered = [0] * (len(groups) + 1)
        choice: list[tuple[int, int, str, str] | None] = [None] * len(groups)
        for i in range(len(groups) - 1, -1, -1):
            covered[i] = covered[i + 1]
            for option in options[i]:
                total = option[1] + covered[option[0] + 1]  # digits the number takes, its prefix (86) included
                chosen = choice[i]
                if total > covered[i] or (total == covered[i] and chosen is not None and option[0] > chosen[0]):
                    covered[i], choice[i] = total, option
        i = 0
        while i < len(groups):
            picked = choice[i]
            if picked is None:
                i += 1
                continue
            j, taken, kind, national = picked
            cut = sum(len(g[2]) for g in groups[i:j + 1]) != taken  # the X after it is not a check character
            start, end = groups[i][0], groups[j][3] if cut else groups[j][1]
            if start > 0 and read[start - 1] == "+":
                start -= 1
            if start > 0 and text[start - 1] in "(（[【" and any(c in text[start:end] for c in ")）]】"):
                start -= 1  # (0755)8888 1234: the opening bracket goes with the number
            found.append(Finding(start, end, kind, national))
            i = j + 1
    return found


def find_personal_data(text: str) -> list[Finding]:
    """Every phone, identity, bank card number and licence plate written in `text`, in order, not overlapping."""
    if not text:
        return []
    read = normalise(text)
    found = _numbers(text, read)
    upper = read.upper()
    for m in _PLATE.finditer(upper):
        rest = m.group(3)
        if sum(c.isdigit() for c in rest) < 3:
            continue
        if any(f.start < m.end() and m.start() < f.end for f in found):
            continue
        found.append(Finding(m.start(), m.end(), PLATE, m.group(1) + m.group(2) + rest))
    return sorted(found, key=lambda f: f.start)


def mask_finding(finding: Finding, *, public: bool = False) -> str:
    """How a finding is shown: 138****8000, 0755-****1234, 4403**********1234, 6222***********0123, 粤B***45.

    `public` (anonymous readers, e.g. the Open311 feed) hides the last four digits of phone numbers too: with the
    case code they are what a resident tracks a case with."""
    value = finding.value
    if finding.kind == MOBILE:
        return value[:3] + "*" * 8 if public else value[:3] + "****" + value[-4:]
    if finding.kind == LANDLINE:
        area = _AREA.match(value)
        code = area.group() if area else value[:3]
        local = value[len(code):]
        return f"{code}-{'*' * len(local)}" if public else f"{code}-{'*' * (len(local) - 4)}{local[-4:]}"
    if finding.kind == PLATE:
        return value[:2] + "*" * (len(value) - 4) + value[-2:]
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


_CUT_NUMBER = re.compile(r"[0-9](?:-{0,3}[0-9]){6,}(?=(?:…|\.\.\.)$)")


def mask_text(text: str, *, public: bool = False) -> str:
    """`text` with every phone, identity, bank card number and licence plate in it masked; the rest untouched.

    A text cut with "…" right after seven or more digits (a title cut from a description) has those digits
    hidden but the first three: the start of a number is all that is left of it, too short to be recognised."""
    if not text:
        return text
    findings = find_personal_data(text)
    parts, last = [], 0
    for f in findings:
        parts.append(text[last:f.start])
        parts.append(mask_finding(f, public=public))
        last = f.end
    parts.append(text[last:])
    masked = "".join(parts)
    cut = _CUT_NUMBER.search(normalise(masked))
    if cut is not None:
        masked = masked[:cut.start() + 3] + "*" * (cut.end() - cut.start() - 3) + masked[cut.end():]
    return masked


def has_personal_data(text: str) -> bool:
    return bool(find_personal_data(text))


_ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})")


def _unescape_number_char(match: re.Match) -> str:
    """`\uff11` → `１` when the escaped character is a digit or a separator; anything else stays escaped."""
    ch = chr(int(match.group(1), 16))
    return ch if _read_char(ch) != ch or ch in _SEPARATORS else match.group(0)


class PersonalDataLogFilter(logging.Filter):
    """Masks personal data in every log record (its message and its arguments) before any handler writes it.

    Installed on every handler in settings.LOGGING; it never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format string: leave it to the handler to report
            return True
        read = _ESCAPED.sub(_unescape_number_char, message)  # Django logs paths with \uff11-style escapes
        masked = mask_text(read)
        if masked != read:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True


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
