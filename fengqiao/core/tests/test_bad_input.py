"""fengqiao.core.badinput: NUL and text that is not UTF-8 are refused at the door, for the web forms too.

Before, the resident's form stored a name or an address with NUL on SQLite (PostgreSQL refused it: a 500) and
stored invalid UTF-8 as garbled text.
"""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.core.badinput import KIND_ENCODING, KIND_NUL, form_problems, json_problems, text_problem


def test_text_problem_names_nul_and_lone_surrogates():
    assert text_problem("工地拖欠工资") is None
    assert text_problem("a\x00b") == KIND_NUL
    assert text_problem("a\ud800b") == KIND_ENCODING
    assert text_problem("\x01 other control characters are the cleaners' business") is None


def test_form_problems_read_as_django_reads_and_name_the_field():
    assert list(form_problems(b"a=1&b=%E5%B7%A5&c=")) == []
    assert list(form_problems("q=%E5%B7%A5")) == []  # a query string as WSGI hands it over
    assert list(form_problems(b"name=%E7%8E%8B%00")) == [("name", KIND_NUL)]
    assert list(form_problems(b"ok=1&desc=%FF%FE")) == [("desc", KIND_ENCODING)]
    assert list(form_problems("desc=工资".encode("gbk"))) == [("desc", KIND_ENCODING)]
    assert list(form_problems("desc=工资".encode())) == []  # raw UTF-8 bytes are text, as Django reads them
    assert list(form_problems(b"desc=%E5%B7", "gbk")) == []  # in the declared charset: 宸
    assert list(form_problems(b"%FF=1")) == [("?", KIND_ENCODING)]


def test_json_problems_give_the_dotted_path():
    document = {"a": "fine", "parties": [{"name": "王\x00"}, {"name": "x\udc00"}], "n": 1, "b": None}
    assert list(json_problems(document)) == [("parties.0.name", KIND_NUL), ("parties.1.name", KIND_ENCODING)]
    assert list(json_problems({"bad\x00key": 1})) == [("__all__", KIND_NUL)]
    assert list(json_problems("\x00")) == [("__all__", KIND_NUL)]


@pytest.mark.django_db
def test_the_residents_form_refuses_nul_with_a_page_that_says_why(cast):
    from django.conf import settings

    from fengqiao.cases.models import Case

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    response = client.post("/report/", {"description": "楼上漏水\x00三天了", "phone": "13912345678"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "NUL character (U+0000)" in text and "Go back, reload the page and try again." in text
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_page_address_with_invalid_utf8_is_refused_in_chinese_by_default(cast):
    response = Client().get("/track/?code=GM%FF")
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode() and "请以 UTF-8 编码发送" in response.content.decode()


@pytest.mark.django_db
def test_clean_requests_pass_untouched(cast):
    assert Client().get("/track/?code=%E5%B7%A5").status_code == 200
