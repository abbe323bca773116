"""Stored reasons are shown in the reader's language, whatever language was active when they were stored."""

from __future__ import annotations

from django.utils.translation import gettext_noop, override

from fengqiao.core.reasons import reason, render, render_all


def test_a_message_is_translated_when_shown_not_when_stored():
    stored = reason(gettext_noop("street: %(name)s"), name="光明街道")
    assert stored == {"msg": "street: %(name)s", "args": {"name": "光明街道"}}
    with override("zh-hans"):
        assert render(stored) == "街道：光明街道"
    with override("en"):
        assert render(stored) == "street: 光明街道"


def test_nested_messages_and_lists_are_translated_and_joined():
    stored = reason(gettext_noop("Responsibility list rule #%(id)d (version %(version)d): %(conditions)s → %(target)s"),
                    id=3, version=2, target="光明区人力资源局",
                    conditions=[reason(gettext_noop("category “%(name)s”"), name="劳动和社会保障"),
                                reason(gettext_noop("any area"))])
    with override("en"):
        assert render(stored) == ("Responsibility list rule #3 (version 2): category “劳动和社会保障”, any area → "
                                  "光明区人力资源局")
    with override("zh-hans"):
        text = render(stored)
    assert "劳动和社会保障" in text and "光明区人力资源局" in text and "Responsibility" not in text


def test_plain_text_old_strings_and_odd_values_are_shown_as_they_are():
    assert render_all(["欠薪", "old reason stored as text", None, 3]) == ["欠薪", "old reason stored as text", "", "3"]
    assert render_all(None) == [] and render_all("一条") == ["一条"]


def test_arguments_that_do_not_fit_never_break_the_page():
    with override("en"):
        assert render({"msg": "street: %(name)s", "args": {"other": 1}}) == "street: %(name)s"
        assert render({"msg": "%(share)d%% of past dispatches", "args": {"share": "many"}}) == (
            "%(share)d%% of past dispatches")
