"""The administration in Chinese (the default language): every app and model heading on the index and every
column of the changelists is in Chinese, third-party apps (django-axes, django-otp, django-tasks) included.
Signed in as an administrator would: password, then the second factor."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import override
from django_otp.plugins.otp_totp.models import TOTPDevice

from fengqiao.accounts.otp import current_token
from fengqiao.accounts.tests.conftest import PASSWORD, make_user
from fengqiao.org.models import Role

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
# Latin words a Chinese heading may keep: names of protocols, products and formats
KEPT = {"api", "webhook", "totp", "sha", "http", "get", "post", "redis", "htmx", "open311", "georeport", "qr", "ip", "id"}


def english(text: str) -> bool:
    """No Chinese at all, or an English word among the Chinese (“Search by user's 用户名”)."""
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", text)}
    return not CJK.search(text) or bool(words - KEPT)
# the headings of the issue: English on the Chinese administration's index
ENGLISH_HEADINGS = ("axes", "otp_static", "otp_totp", "tasks database backend", "outbox messages", "access attempts")


@pytest.fixture
def admin_client(client, org):
    """An administrator signed in through the real forms: password, then the current code of their device."""
    user = make_user("root_zh", unit=org.district_centre, role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    assert client.post(reverse("accounts:login"), {"username": "root_zh", "password": PASSWORD}).status_code == 302
    assert client.post(reverse("accounts:2fa"), {"token": current_token(device)}).status_code == 302
    return client


def texts(html: str, pattern: str) -> list[str]:
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", m)).split()) for m in re.findall(pattern, html, re.S)]


def test_every_app_and_model_of_the_administration_has_a_chinese_name():
    with override("zh-hans"):
        names = {model._meta.app_label: str(apps.get_app_config(model._meta.app_label).verbose_name)
                 for model in admin.site._registry}
        names |= {f"{m._meta.label}": f"{m._meta.verbose_name} / {m._meta.verbose_name_plural}"
                  for m in admin.site._registry}
    assert [f"{k}: {v}" for k, v in names.items() if english(v)] == []


def test_every_installed_app_has_a_chinese_name():
    with override("zh-hans"):
        shown = [f"{a.label}: {a.verbose_name}" for a in apps.get_app_configs() if english(str(a.verbose_name))]
    assert shown == []


def test_every_model_has_a_chinese_name():
    """Also those the administration does not list: their names appear in the permissions of a group."""
    with override("zh-hans"):
        shown = [f"{m._meta.label}: {m._meta.verbose_name} / {m._meta.verbose_name_plural}" for m in apps.get_models()
                 if english(f"{m._meta.verbose_name} {m._meta.verbose_name_plural}")]
    assert shown == []


def test_the_admin_index_in_chinese_has_no_english_heading(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    apps_shown = texts(html, r'<caption>(.*?)</caption>')
    models_shown = texts(html, r'<th scope="row"[^>]*>(.*?)</th>')
    assert len(apps_shown) >= 10 and len(models_shown) >= 15  # the index really lists the registry
    assert [t for t in apps_shown + models_shown if english(t)] == []
    lowered = html.lower()
    assert [h for h in ENGLISH_HEADINGS if f">{h}<" in lowered or f">{h} <" in lowered] == []


def test_every_changelist_in_chinese_has_chinese_columns_filters_and_title(admin_client, rf):
    """Every page of the registry: its title, its search help, its filters and (read from the ModelAdmin, so that
    an empty list counts too) every column heading."""
    from django.contrib.admin.utils import label_for_field

    from fengqiao.accounts.models import User

    request = rf.get("/")
    request.user = User.objects.get(username="root_zh")
    found = []
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = admin_client.get(url)
        if response.status_code != 200:  # the administrator reads no case (separation of duties)
            continue
        html = response.content.decode()
        headings = texts(html, r"<h1>(.*?)</h1>") + texts(html, r'<th scope="col"[^>]*>(.*?)</th>')
        headings += [unescape(t) for t in re.findall(r'data-filter-title="([^"]*)"', html)]
        headings += texts(html, r'<div class="help" id="searchbar_helptext">(.*?)</div>')
        with override("zh-hans"):
            headings += [str(label_for_field(name, model, model_admin))
                         for name in model_admin.get_list_display(request) if name != "action_checkbox"]
        found += [f"{model._meta.label}: {h}" for h in headings if h and h.lower() != "id" and english(h)]
    assert found == []
