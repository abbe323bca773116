"""No personal data in logs: every configured handler masks it, and a journey with phone and ID numbers written in
every spelling leaves none in what the handlers write (the console, the runserver access log) or in caplog."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.core.masking import PersonalDataLogFilter

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
SPELLINGS = ("13800138000", "１３８００１３８０００", "138.0013.8000", "138 0013 8000")
ID_NUMBER = "440311199001011234"
ID_SPELLINGS = (ID_NUMBER, "440311 19900101 1234")


def _configured_handlers() -> list[tuple[str, logging.Handler]]:
    loggers = [("root", logging.getLogger())]
    loggers += [(name, lg) for name, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)]
    return [(name, h) for name, lg in loggers for h in lg.handlers
            if not type(h).__module__.startswith("_pytest") and not isinstance(h, logging.NullHandler)]


def test_every_configured_handler_masks_personal_data():
    handlers = _configured_handlers()
    assert {name for name, _h in handlers} >= {"root", "django", "django.server"}
    for name, handler in handlers:
        assert any(isinstance(f, PersonalDataLogFilter) for f in handler.filters), (name, handler)


def _leaks(text: str) -> list[str]:
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)  # Django escapes logged paths
    digits = re.sub(r"[\s.\-\u3000]", "", text.translate({0xFF10 + i: ord("0") + i for i in range(10)}))
    return [secret for secret in (PHONE, ID_NUMBER, "1380013", "4403111990") if secret in digits]


@pytest.fixture
def captured():
    """What the configured handlers write: their streams swapped for one buffer during the test."""
    buffer = io.StringIO()
    swapped = []
    for _name, handler in _configured_handlers():
        if isinstance(handler, logging.StreamHandler):
            swapped.append((handler, handler.setStream(buffer)))
    yield buffer
    for handler, stream in swapped:
        handler.setStream(stream)


def test_the_runserver_access_log_line_is_masked(captured):
    """runserver logs each request line through "django.server" (django.core.servers.basehttp.WSGIRequestHandler)."""
    from django.core.servers.basehttp import WSGIRequestHandler

    class Line(WSGIRequestHandler):
        def __init__(self, requestline):  # no socket: only what log_message needs
            self.requestline, self.command, self.client_address = requestline, "GET", ("127.0.0.1", 0)
            self.request_version, self.path, self.request = "HTTP/1.1", requestline.split()[1], None

    for spelled in (*SPELLINGS, *ID_SPELLINGS):
        Line(f"GET /cases/?q={spelled} HTTP/1.1").log_request(200, 1234)
    written = captured.getvalue()
    assert written.count("/cases/?q=") == len(SPELLINGS) + len(ID_SPELLINGS)
    assert _leaks(written) == [], written


def test_a_journey_with_personal_data_leaves_none_in_the_logs(cast, make_case, client_for, captured, caplog,
                                                              make_partner_key):
    from fengqiao.cases import services as cs
    from fengqiao.cases.models import Party

    caplog.set_level(logging.DEBUG)
    description = "我的电话" + "，".join(SPELLINGS) + "，身份证" + "、".join(ID_SPELLINGS)
    case = make_case(description=description, parties=[
        cs.PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone=PHONE, id_number=ID_NUMBER,
                      id_type="resident_id")])
    cs.case_note(case=case, actor=cast.op_district, text=f"回电{SPELLINGS[1]}")
    staff = client_for(cast.op_district)
    assert staff.get(reverse("cases:detail", args=[case.code])).status_code == 200
    assert staff.post(reverse("cases:list"), {"q": PHONE}).status_code == 302
    assert client_for(cast.op_community).post(reverse("intake:staff_lookup"), {"phone": PHONE}).status_code == 200
    assert staff.get(f"/cases/{PHONE}/").status_code == 404  # django.request logs "Not Found: <path>"
    assert staff.get(f"/cases/{SPELLINGS[1]}/").status_code == 404
    key = make_partner_key()
    api = Client().get(f"/api/v1/cases/{case.code}", headers={"Authorization": f"Bearer {key}"})
    assert api.status_code == 200 and _leaks(json.dumps(api.json(), ensure_ascii=False)) == []
    logging.getLogger("fengqiao.test").warning("caller %s gave ID %s", SPELLINGS[2], ID_SPELLINGS[1])
    try:
        raise ValueError(f"bad input {SPELLINGS[3]}")
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error: /report/?phone=%s", PHONE)

    written = captured.getvalue()
    assert "Not Found" in written and "caller 138****8000" in written and "Traceback" in written
    assert _leaks(written) == [], written
    assert "Not Found" in caplog.text and _leaks(caplog.text) == [], caplog.text


@pytest.fixture
def make_partner_key(cast):
    from fengqiao.api.services import api_client_create
    from fengqiao.org.models import OrgUnit

    def make() -> str:
        unit = OrgUnit.objects.get(name="光明区群众诉求服务大厅")
        _client, key = api_client_create(name="log test", scopes=["cases:read"], memberships=[(unit, "operator")])
        return key

    return make
