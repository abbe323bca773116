"""API keys at rest and over time: only a hash is stored, keys expire, a revoked key is refused at once and
the revocation is recorded; rotation gives a new key with a new term; the migration gave existing keys a term."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from fengqiao.api.auth import client_for_key, hash_secret, split_key
from fengqiao.api.models import ApiClient
from fengqiao.api.services import api_client_revoke, api_client_rotate_key

pytestmark = pytest.mark.django_db


def test_the_key_is_not_stored_in_clear(gm):
    prefix, secret = split_key(gm.key)
    row = ApiClient.objects.filter(pk=gm.client.pk).values().get()
    assert row["key_prefix"] == prefix and row["key_hash"] == hash_secret(secret)
    with connection.cursor() as cursor:  # nowhere in the row, whatever the column
        cursor.execute("SELECT * FROM api_apiclient WHERE id = %s", [gm.client.pk])
        stored = " ".join(str(v) for v in cursor.fetchone())
    assert secret not in stored and gm.key not in stored


def test_a_key_expires(gm, settings):
    settings.FQ_API_KEY_DAYS = 30
    client = ApiClient.objects.get(pk=gm.client.pk)
    assert gm.api.get("/cases").status_code == 200
    with time_machine.travel(client.expires_at + timedelta(seconds=1)):
        assert client_for_key(gm.key) is None
        response = gm.api.get("/cases")
        assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    with time_machine.travel(client.expires_at - timedelta(minutes=1)):
        assert gm.api.get("/cases").status_code == 200


def test_new_keys_get_the_configured_term(make_partner, settings):
    settings.FQ_API_KEY_DAYS = 90
    partner = make_partner("短期合作方")
    term = partner.client.expires_at - timezone.now()
    assert timedelta(days=89) < term <= timedelta(days=90)


def test_a_revoked_key_is_refused_and_the_revocation_recorded(gm):
    api_client_revoke(client=gm.client)
    client = ApiClient.objects.get(pk=gm.client.pk)
    assert client.revoked_at is not None and not client.is_active
    assert gm.api.get("/cases").status_code == 401
    # switching the flag back on by hand does not bring a revoked key back
    ApiClient.objects.filter(pk=client.pk).update(is_active=True)
    assert client_for_key(gm.key) is None


def test_rotation_gives_a_new_key_with_a_new_term(gm, settings):
    settings.FQ_API_KEY_DAYS = 10
    with time_machine.travel(timezone.now() + timedelta(days=9)):
        new = api_client_rotate_key(client=gm.client)
        assert client_for_key(gm.key) is None and client_for_key(new) is not None
        assert ApiClient.objects.get(pk=gm.client.pk).expires_at > timezone.now() + timedelta(days=9)


def test_create_api_key_command_takes_a_term(org):
    out, err = StringIO(), StringIO()
    call_command("create_api_key", "--name", "视频分析", "--scopes", "cases:read", "--days", "7", stdout=out, stderr=err)
    client = ApiClient.objects.get(name="视频分析")
    assert timedelta(days=6) < client.expires_at - timezone.now() <= timedelta(days=7)
    assert "expires" in err.getvalue()
    assert client_for_key(out.getvalue().strip()) == client
