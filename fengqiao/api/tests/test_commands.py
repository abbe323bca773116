"""create_api_key prints a key once; the demo client has a fixed key outside production only."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fengqiao.api.auth import client_for_key
from fengqiao.api.models import ApiClient
from fengqiao.api.services import DEMO_CLIENT, demo_client_ensure, demo_key
from fengqiao.org.models import Membership

pytestmark = pytest.mark.django_db

KEY = re.compile(r"^fq_[0-9a-f]{8}_[A-Za-z0-9_-]{40,}$")


def create(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_create_api_key_prints_a_working_key_once(cast):
    key, info = create("--name", "12345热线", "--scopes", "open311,cases")
    assert KEY.match(key), key
    assert "12345热线" in info and "光明区群众诉求服务大厅" in info and key not in info
    client = client_for_key(key)
    assert client.name == "12345热线" and client.scopes == ["open311", "cases"] and client.source_system == "12345热线"
    assert key.split("_", 2)[2] not in client.key_hash
    user = client.user
    assert not user.has_usable_password()
    assert list(Membership.objects.filter(user=user).values_list("unit__name", "role")) == [
        ("光明区群众诉求服务大厅", "operator")]


def test_create_api_key_with_unit_role_and_source_system(cast):
    key, _info = create("--name", "罗湖平台", "--scopes", "cases:read", "--unit", "罗湖区综治中心",
                        "--role", "operator", "--source-system", "luohu-platform")
    client = client_for_key(key)
    assert client.source_system == "luohu-platform"
    assert Membership.objects.get(user=client.user).unit.name == "罗湖区综治中心"


@pytest.mark.parametrize("args, message", [
    (["--name", "x", "--scopes", "everything"], "scopes"),
    (["--name", "x", "--scopes", "cases", "--unit", "不存在的单位"], "No single active unit"),
    (["--name", "x", "--scopes", "cases", "--unit", "光明区人力资源局", "--role", "operator"], "role"),
])
def test_create_api_key_refuses_bad_input(cast, args, message):
    with pytest.raises(CommandError, match=message):
        create(*args)
    assert not ApiClient.objects.exists()


def test_create_api_key_refuses_a_taken_name(cast):
    create("--name", "dup", "--scopes", "cases")
    with pytest.raises(CommandError, match="name"):
        create("--name", "dup", "--scopes", "cases")


def test_demo_client_is_idempotent_and_never_in_production(cast, settings, capsys):
    from fengqiao.core.demo import seed_api_client

    key = seed_api_client()
    assert key == demo_key() and key in capsys.readouterr().out
    assert seed_api_client() == key
    assert ApiClient.objects.filter(name=DEMO_CLIENT).count() == 1
    client = client_for_key(key)
    assert client.has_scope("cases") and client.has_scope("open311")
    settings.PRODUCTION = True
    assert demo_client_ensure() is None
