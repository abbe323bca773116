"""Content-Security-Policy: scripts only from our own static files — no inline script, no on…= handler, no eval.

The header is checked on the pages people open; the templates are scanned, so a new inline script fails here
before a browser refuses it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loaders.app_directories import get_app_template_dirs
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
HANDLER_ATTR = re.compile(r"""<[a-zA-Z][^>]*?\s(on[a-z]+)\s*=\s*["']""", re.DOTALL)
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']\s*javascript:""", re.IGNORECASE)
DATA_TYPES = ("application/json", "application/ld+json")


def our_templates() -> list[Path]:
    """Every template this project ships (its own directories and its apps'), not third-party packages'."""
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]] + [Path(d) for d in get_app_template_dirs("templates")]
    dirs = [d for d in dirs if ROOT in d.resolve().parents and ".venv" not in d.parts]
    return sorted({p for d in dirs for p in d.rglob("*.html")})


def inline_script_problems(text: str) -> list[str]:
    problems = []
    for attrs, body in SCRIPT_TAG.findall(text):
        kind = re.search(r"""type\s*=\s*["']([^"']+)["']""", attrs)
        if kind and kind.group(1).strip().lower() in DATA_TYPES:
            continue  # data for a script, never run
        if "src=" not in attrs.replace(" ", "") or body.strip():
            problems.append(f"inline <script{attrs}>")
    problems += [f"event handler {name}=" for name in HANDLER_ATTR.findall(text)]
    problems += ["javascript: URL" for _ in JS_URL.findall(text)]
    return problems


def test_the_scanner_finds_what_it_looks_for():
    assert inline_script_problems('<script>alert(1)</script>')
    assert inline_script_problems('<select name="s" onchange="this.form.submit()">')
    assert inline_script_problems('<a href="javascript:void(0)">')
    assert not inline_script_problems('<script src="/static/x.js" defer></script>')
    assert not inline_script_problems('<script id="d" type="application/json">{"a": 1}</script>')
    assert not inline_script_problems('<p data-online="1">online</p>')


def test_no_template_holds_an_inline_script():
    templates = our_templates()
    assert len(templates) > 50  # the scan really covers the project
    found = {str(p.relative_to(ROOT)): problems for p in templates
             if (problems := inline_script_problems(p.read_text(encoding="utf-8")))}
    assert found == {}


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["core:home", "intake:report", "intake:track", "accounts:login"])
def test_pages_forbid_inline_script(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    policy = csp_directives(response)
    scripts = policy.get("script-src", policy["default-src"])
    assert scripts == ["'self'"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_staff_pages_and_the_administration_carry_the_policy(cast, client_for):
    from fengqiao.accounts.models import User

    User.objects.filter(pk=cast.admin.pk).update(is_staff=True, is_superuser=True)
    client = client_for(User.objects.get(pk=cast.admin.pk))
    for url in (reverse("core:home"), reverse("cases:list"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert csp_directives(response)["script-src"] == ["'self'"]
