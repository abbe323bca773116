"""Personal data encrypted at rest (PIPL art. 51; MISSION §13): identity numbers never sit in the database in clear.

- `EncryptedTextField` stores a Fernet token (AES-128-CBC + HMAC-SHA256, from the `cryptography` library: no
  hand-written cryptography here). The empty string stays empty, so "no ID number given" needs no key.
- Keys come from `settings.FQ_FIELD_KEYS` (environment variable `FQ_FIELD_KEYS`: a comma list of Fernet keys,
  newest first). The newest encrypts, every key listed decrypts (`MultiFernet`), so a new key can be put in front
  at any time; `./fq manage rotate_keys` then re-encrypts every stored value with it, after which the old key may go.
- A value people search for (a party's ID number: is this petitioner known?) gets a *blind index*: an HMAC-SHA256
  of the normalised value under a key derived from the field key (HKDF), stored next to the token. Lookups compute
  the index under every configured key (`blind_indexes`), so searches keep working between adding a key and
  running `rotate_keys`, which rewrites the indexes under the newest key too.
- Outside production a fixed key derived from a public string is used: it is INSECURE by design (anyone can
  decrypt development data); production refuses to start without `FQ_FIELD_KEYS` (`fengqiao/settings.py`).
- An encrypted field cannot be searched by value (a Fernet token is different every time): the only lookups
  allowed are `isnull` and equality with the empty string; anything else raises instead of silently finding nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact, IsNull

# INSECURE: derived from a public string, for development and tests only. Production must set FQ_FIELD_KEYS.
INSECURE_DEVELOPMENT_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"fengqiao insecure development field key - never use in production").digest()
).decode()


def check_keys(keys: Iterable[str]) -> list[str]:
    """The keys, each checked to be a Fernet key (url-safe base64 of 32 bytes); ValueError names the bad one."""
    checked = []
    for i, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode())
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ValueError(
                f"key {i} is not a Fernet key (32 bytes, url-safe base64; make one with "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)"
            )
        checked.append(key)
    if not checked:
        raise ValueError("at least one key is needed")
    return checked


def generate_key() -> str:
    return Fernet.generate_key().decode()


def _keys() -> tuple[str, ...]:
    from django.conf import settings

    keys = tuple(getattr(settings, "FQ_FIELD_KEYS", None) or ())
    if not keys:
        raise ImproperlyConfigured("FQ_FIELD_KEYS is empty: personal data cannot be encrypted.")
    return keys


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


@lru_cache(maxsize=32)
def _index_key(key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"fengqiao blind index v1")
    return hkdf.derive(base64.urlsafe_b64decode(key.encode()))


def encrypt(value: str) -> str:
    """A token for `value` under the newest key ('' stays '')."""
    if value == "":
        return ""
    return _fernet(_keys()).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The value of a token made under any configured key ('' stays ''); a token no key opens raises."""
    if token == "":
        return ""
    try:
        return _fernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored personal-data value cannot be decrypted with any key in FQ_FIELD_KEYS "
            "(a key was removed before `./fq manage rotate_keys` ran?)."
        ) from exc


def needs_rotation(token: str) -> bool:
    """Was this token made under a key other than the newest? (Fernet tokens do not name their key: try it.)"""
    if token == "":
        return False
    try:
        Fernet(_keys()[0]).decrypt(token.encode())
    except InvalidToken:
        return True
    return False


def rotate(token: str) -> str:
    """The same value under the newest key (MultiFernet.rotate keeps the original timestamp)."""
    if token == "":
        return ""
    return _fernet(_keys()).rotate(token.encode()).decode()


def normalise_identifier(value: str) -> str:
    """One spelling of an identifier: full-width folded (NFKC), spaces and dashes dropped, letters upper-case."""
    folded = unicodedata.normalize("NFKC", value)
    return "".join(c for c in folded if c not in " \t-—_.").upper()


def blind_index(value: str, key: str | None = None) -> str:
    """The keyed HMAC of the normalised value under `key` (default: the newest); '' for an empty value."""
    norm = normalise_identifier(value)
    if not norm:
        return ""
    digest = hmac.new(_index_key(key or _keys()[0]), norm.encode(), hashlib.sha256).hexdigest()
    return digest


def blind_indexes(values: Iterable[str]) -> list[str]:
    """Every index the values may be stored under (one per configured key), for an `__in` lookup."""
    out: list[str] = []
    for value in values:
        for key in _keys():
            idx = blind_index(value, key)
            if idx and idx not in out:
                out.append(idx)
    return out


class _EmptyOnlyExact(Exact):
    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted: search it through its blind index (fengqiao.core.crypto)."
            )
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token. `index_field` names a CharField on the same model kept equal to the blind
    index of the value whenever the model is saved (both are written by the same save)."""

    def __init__(self, *args, index_field: str = "", **kwargs):
        self.index_field = index_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.index_field:
            kwargs["index_field"] = self.index_field
        return name, path, args, kwargs

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt(str(value))

    def formfield(self, form_class=None, choices_form_class=None, **kwargs):
        from django import forms

        # One line of text, as the CharField it replaced (a TextField would draw a textarea).
        return models.Field.formfield(self, form_class=form_class or forms.CharField,
                                      choices_form_class=choices_form_class,
                                      **{"max_length": self.max_length, **kwargs})

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if self.index_field:
            setattr(model_instance, self.index_field, blind_index(value or ""))
        return value
