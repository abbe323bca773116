"""Identity numbers at rest: encrypted in the database, readable through the model, searchable only by blind index,
rotated to a new key by a command, and production refuses to start without keys."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from fengqiao.cases.models import Party
from fengqiao.cases.services import PartyInput
from fengqiao.core import crypto
from fengqiao.core.crypto_migrations import encrypt_column

pytestmark = pytest.mark.django_db
ID = "440311199001011234"
ROOT = Path(__file__).resolve().parents[3]


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cur.fetchone()[0]


def _case_with_id(make_case, number=ID):
    case = make_case(parties=[PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone="13912345678",
                                         id_type=Party.IdType.RESIDENT_ID, id_number=number)])
    return case, case.parties.get()


def test_the_database_holds_a_token_the_model_reads_the_number(make_case):
    _case, party = _case_with_id(make_case)
    stored = raw("cases_party", "id_number", party.pk)
    assert ID not in stored and stored.startswith("gAAAAA")
    assert Party.objects.get(pk=party.pk).id_number == ID
    assert raw("cases_party", "id_number_index", party.pk) == crypto.blind_index(ID)


def test_an_empty_number_stays_empty_and_needs_no_key(make_case):
    case = make_case(parties=[PartyInput(role=Party.PartyRole.APPLICANT, name="李四", phone="13912345678")])
    party = case.parties.get()
    assert raw("cases_party", "id_number", party.pk) == "" and party.id_number_index == ""
    assert Party.objects.filter(id_number="").filter(pk=party.pk).exists()


def test_searching_by_value_raises_instead_of_finding_nothing(make_case):
    _case_with_id(make_case)
    with pytest.raises(FieldError):
        list(Party.objects.filter(id_number=ID))
    with pytest.raises(FieldError):
        list(Party.objects.filter(id_number__contains="4403"))


def test_blind_index_finds_every_spelling(make_case):
    _case, party = _case_with_id(make_case)
    for spelling in (ID, "４４０３１１１９９００１０１１２３４", "440311 19900101 1234", "440311-19900101-1234"):
        assert Party.objects.filter(id_number_index__in=crypto.blind_indexes([spelling])).get() == party


def test_agreement_party_numbers_are_encrypted_too():
    from fengqiao.mediation.models import AgreementParty

    field = AgreementParty._meta.get_field("id_number")
    assert isinstance(field, crypto.EncryptedTextField)
    assert field.get_prep_value(ID) != ID and crypto.decrypt(field.get_prep_value(ID)) == ID


def test_the_migration_helper_encrypts_clear_text_once(make_case):
    _case, party = _case_with_id(make_case)
    with connection.cursor() as cur:  # as before the migration: the number in clear, no index
        cur.execute("UPDATE cases_party SET id_number = %s, id_number_index = '' WHERE id = %s", [ID, party.pk])
    forwards, backwards = encrypt_column("cases_party", "id_number", "id_number_index")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    forwards(None, editor)
    token = raw("cases_party", "id_number", party.pk)
    assert token != ID and crypto.decrypt(token) == ID
    assert raw("cases_party", "id_number_index", party.pk) == crypto.blind_index(ID)
    forwards(None, editor)  # twice: nothing changes
    assert raw("cases_party", "id_number", party.pk) == token
    backwards(None, editor)
    assert raw("cases_party", "id_number", party.pk) == ID


def test_rotation_re_encrypts_with_the_newest_key(make_case, settings):
    old = settings.FQ_FIELD_KEYS[0]
    _case, party = _case_with_id(make_case)
    before = raw("cases_party", "id_number", party.pk)
    new = Fernet.generate_key().decode()
    settings.FQ_FIELD_KEYS = [new, old]
    assert Party.objects.get(pk=party.pk).id_number == ID  # readable with the old key behind the new one
    assert Party.objects.filter(id_number_index__in=crypto.blind_indexes([ID])).exists()  # searchable meanwhile
    with pytest.raises(CommandError):
        call_command("rotate_keys", "--check", stdout=io.StringIO())
    call_command("rotate_keys", stdout=io.StringIO())
    call_command("rotate_keys", "--check", stdout=io.StringIO())
    after = raw("cases_party", "id_number", party.pk)
    assert after != before and Fernet(new).decrypt(after.encode()).decode() == ID
    assert raw("cases_party", "id_number_index", party.pk) == crypto.blind_index(ID, new)
    settings.FQ_FIELD_KEYS = [new]  # the old key removed after rotation: everything still reads
    assert Party.objects.get(pk=party.pk).id_number == ID
    settings.FQ_FIELD_KEYS = [old]  # a database rotated away from the only key left cannot be read: said plainly
    with pytest.raises(ImproperlyConfigured):
        Party.objects.get(pk=party.pk)


def test_keys_are_checked():
    with pytest.raises(ValueError, match="key 2"):
        crypto.check_keys([crypto.INSECURE_DEVELOPMENT_KEY, "not-a-key"])
    with pytest.raises(ValueError):
        crypto.check_keys([])


def _settings_in(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FQ_", "DATABASE_URL"))}
    return subprocess.run([sys.executable, "-c", "import fengqiao.settings"], cwd=ROOT, capture_output=True,
                          text=True, env={**base, **env}, timeout=60)


def test_production_refuses_to_start_without_keys_or_with_the_development_key():
    prod = {"FQ_ENV": "production", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "fq.example.gov.cn"}
    missing = _settings_in(prod)
    assert missing.returncode != 0 and "FQ_FIELD_KEYS" in missing.stderr
    dev_key = _settings_in({**prod, "FQ_FIELD_KEYS": crypto.INSECURE_DEVELOPMENT_KEY})
    assert dev_key.returncode != 0 and "FQ_FIELD_KEYS" in dev_key.stderr
    good = _settings_in({**prod, "FQ_FIELD_KEYS": Fernet.generate_key().decode()})
    assert "FQ_FIELD_KEYS" not in good.stderr
