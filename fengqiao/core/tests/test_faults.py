"""Infrastructure faults (fengqiao/core/faults.py): a locked or lost database, a full or read-only disk.

Each fault is simulated where it really happens — the database cursor (Django's execute_wrapper raises what
the driver raises) or the file being written — and each test checks what the person gets (a 503 they can
act on, in their language, with Retry-After, never a trace) and that nothing was half-written.
"""

from __future__ import annotations

import errno
import json
import sqlite3
import uuid
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection
from django.test import Client

from fengqiao.api.services import api_client_create
from fengqiao.cases.models import Attachment, Case
from fengqiao.core.faults import RETRY_AFTER, Fault, classify, may_retry, retry_once
from fengqiao.intake.models import IdempotencyRecord
from fengqiao.intake.places import forget_community_groups
from fengqiao.intake.tests.conftest import photo, report_data
from fengqiao.org.models import OrgUnit

pytestmark = pytest.mark.django_db

LOCKED = "database is locked"
LOST = "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally"
HEADING = {"zh-hans": "请稍后再试", "en": "Please try again in a moment"}
BUSY_TEXT = {"zh-hans": "请过几秒钟再提交一次", "en": "Please send it again in a few seconds."}
LOST_TEXT = {"zh-hans": "与数据库的连接短暂中断", "en": "briefly lost its connection to its database"}
DISK_TEXT = {"zh-hans": "存储空间已满或只读", "en": "its storage is full or read-only"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = False


@contextmanager
def failing_queries(exc_factory, *, when=lambda sql: True, times: int | None = None):
    """Every query for which `when(sql)` holds raises exc_factory() (the first `times` of them, if given)."""
    calls = {"failed": 0, "seen": 0}

    def wrapper(execute, sql, params, many, context):
        if when(sql):
            calls["seen"] += 1
            if times is None or calls["failed"] < times:
                calls["failed"] += 1
                raise exc_factory()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield calls


def inserts_into(table: str):
    return lambda sql: sql.lstrip().upper().startswith("INSERT") and f'"{table}"' in sql


def reads(table: str):
    return lambda sql: sql.lstrip().upper().startswith("SELECT") and f'"{table}"' in sql


def client_in(lang: str) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = lang
    return client


def assert_no_trace(text: str) -> None:
    for word in ("Traceback", "OperationalError", "InterfaceError", "File \"", "sqlite", "psycopg"):
        assert word not in text


# --- which error is which fault ------------------------------------------------------------------------


@pytest.mark.parametrize(("exc", "fault"), [
    (OperationalError("database is locked"), Fault.BUSY),
    (OperationalError("canceling statement due to lock timeout"), Fault.BUSY),
    (OperationalError("deadlock detected"), Fault.BUSY),
    (OperationalError("could not serialize access due to concurrent update"), Fault.BUSY),
    (OperationalError(LOST), Fault.CONNECTION),
    (OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused'), Fault.CONNECTION),
    (OperationalError("terminating connection due to administrator command"), Fault.CONNECTION),
    (InterfaceError("connection already closed"), Fault.CONNECTION),
    (OperationalError("database or disk is full"), Fault.STORAGE),
    (OperationalError("attempt to write a readonly database"), Fault.STORAGE),
    (OperationalError("disk I/O error"), Fault.STORAGE),
    (OSError(errno.ENOSPC, "No space left on device"), Fault.STORAGE),
    (OSError(errno.EROFS, "Read-only file system"), Fault.STORAGE),
    (OSError(errno.EDQUOT, "Disk quota exceeded"), Fault.STORAGE),
    # programming errors stay 500s, to be fixed in the code
    (OperationalError("no such table: cases_case"), None),
    (IntegrityError("UNIQUE constraint failed"), None),
    (DatabaseError("something else"), None),
    (FileNotFoundError(errno.ENOENT, "No such file"), None),
    (OSError(errno.ECONNREFUSED, "Connection refused"), None),  # a webhook that does not answer is not a disk
    (ValueError("bad"), None),
])
def test_classify(exc, fault):
    assert classify(exc) is fault


def test_classify_follows_the_cause_django_wraps_around_the_driver_error():
    try:
        try:
            raise sqlite3.OperationalError("database is locked")
        except sqlite3.OperationalError as driver:
            raise OperationalError(*driver.args) from driver
    except OperationalError as wrapped:
        assert classify(wrapped) is Fault.BUSY
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as disk:
            raise RuntimeError("saving failed") from disk
    except RuntimeError as outer:
        assert classify(outer) is Fault.STORAGE


def test_what_may_be_retried_in_the_process():
    assert may_retry(Fault.CONNECTION, vendor="sqlite") and may_retry(Fault.CONNECTION, vendor="postgresql")
    assert may_retry(Fault.BUSY, vendor="postgresql")  # lock timeout, deadlock: they fail fast
    assert not may_retry(Fault.BUSY, vendor="sqlite")  # SQLite has already waited its 20 s busy timeout
    assert not may_retry(Fault.STORAGE, vendor="postgresql") and not may_retry(None, vendor="sqlite")


def test_retry_once_runs_a_second_time_only_after_a_retryable_fault():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise InterfaceError("connection already closed")
        return "done"

    assert retry_once(flaky, what="test") == "done" and len(calls) == 2

    def always_lost():
        calls.append(1)
        raise InterfaceError("connection already closed")

    calls.clear()
    with pytest.raises(InterfaceError):
        retry_once(always_lost, what="test")
    assert len(calls) == 2  # once more, not forever

    def full():
        calls.append(1)
        raise OperationalError("database or disk is full")

    calls.clear()
    with pytest.raises(OperationalError):
        retry_once(full, what="test")
    assert len(calls) == 1


# --- pages: residents and staff ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_locked_database_gives_the_resident_a_page_to_retry(lang):
    forget_community_groups()  # the form's community list is read once per process: make this request read it
    client = client_in(lang)
    with failing_queries(lambda: OperationalError(LOCKED)):
        response = client.get("/report/")
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER[Fault.BUSY])
    assert HEADING[lang] in page and BUSY_TEXT[lang] in page
    assert f'<html lang="{lang}">' in page and 'href="/report/"' in page
    assert_no_trace(page)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_lost_connection_on_a_staff_page_is_retried_once_then_explained(client_for, cast, lang):
    client = client_for(cast.op_district)
    client.cookies["django_language"] = lang
    client.raise_request_exception = False
    with failing_queries(lambda: InterfaceError("connection already closed"), when=reads("cases_case"),
                         times=1) as calls:
        response = client.get("/cases/")
    assert response.status_code == 200  # the GET ran again on a fresh connection
    assert calls["failed"] == 1 and calls["seen"] >= 2
    with failing_queries(lambda: OperationalError(LOST), when=reads("cases_case")) as calls:
        response = client.get("/cases/")
    page = response.content.decode()
    assert response.status_code == 503 and calls["failed"] == 2  # once, then once more: no loop
    assert response["Retry-After"] == str(RETRY_AFTER[Fault.CONNECTION])
    assert HEADING[lang] in page and LOST_TEXT[lang] in page
    assert 'href="/"' in page
    assert_no_trace(page)


def test_a_fault_outside_the_view_gets_the_same_page(client_for, cast):
    """The session and the user are read by middleware, before any view: the 500 handler answers with the 503."""
    client = client_for(cast.op_district)
    client.raise_request_exception = False
    with failing_queries(lambda: OperationalError(LOCKED), when=reads("django_session")):
        response = client.get("/cases/")
    assert response.status_code == 503 and HEADING["zh-hans"] in response.content.decode()
    assert_no_trace(response.content.decode())


def test_other_errors_stay_500s(client_for, cast):
    client = client_for(cast.op_district)
    client.raise_request_exception = False
    with failing_queries(lambda: OperationalError("no such column: cases_case.nothing"), when=reads("cases_case")):
        response = client.get("/cases/")
    assert response.status_code == 500  # a bug, to be fixed, not retried by people


# --- submissions: the resident's form, the API, Open311 --------------------------------------------------


def test_a_resident_submission_on_a_locked_database_saves_nothing_and_the_same_form_sends_once():
    client = client_in("zh-hans")
    before = Case.objects.count()
    data = report_data(token="lock-" + uuid.uuid4().hex)
    with failing_queries(lambda: OperationalError(LOCKED), when=inserts_into("cases_case"), times=1) as calls:
        response = client.post("/report/", {**data, "files": [photo()]})
    if connection.vendor != "sqlite":  # PostgreSQL's lock timeout fails fast: the process tried once more
        assert calls["failed"] == 1 and calls["seen"] == 2
    else:
        # SQLite waited 20 s already: no second wait in the process; the resident sends the same form again.
        assert response.status_code == 503 and calls["failed"] == 1
        assert BUSY_TEXT["zh-hans"] in response.content.decode()
        assert "不会重复登记" in response.content.decode()
        assert Case.objects.count() == before and not IdempotencyRecord.objects.filter(key=data["submission_token"])
        assert Attachment.objects.count() == 0
        response = client.post("/report/", {**data, "files": [photo()]})
    assert response.status_code == 302
    assert Case.objects.count() == before + 1
    assert IdempotencyRecord.objects.filter(key=data["submission_token"]).count() == 1
    again = client.post("/report/", {**data, "files": [photo()]})  # and a third send is a replay
    assert again["Location"] == response["Location"] and Case.objects.count() == before + 1


def test_a_lost_connection_during_a_submission_is_retried_once_with_the_same_key():
    client = client_in("en")
    before = Case.objects.count()
    data = report_data(token="lost-" + uuid.uuid4().hex)
    with failing_queries(lambda: InterfaceError("connection already closed"), when=inserts_into("cases_case"),
                         times=1) as calls:
        response = client.post("/report/", data)
    assert response.status_code == 302 and calls["failed"] == 1 and calls["seen"] == 2
    assert Case.objects.count() == before + 1
    assert IdempotencyRecord.objects.filter(key=data["submission_token"]).count() == 1


@pytest.fixture
def partner(cast):
    _client, key = api_client_create(name="12345热线-faults", scopes=["cases"],
                                     memberships=[(OrgUnit.objects.get(name="光明区群众诉求服务大厅"), "operator")])
    return key


def api_post(path: str, key: str, body: dict, idem: str, lang: str = "zh-hans"):
    return Client(raise_request_exception=False).post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idem, "Accept-Language": lang})


CASE_BODY = {
    "service_type": "complaint", "title": "路灯坏了", "description": "小区门口的路灯坏了两个星期，晚上很黑。",
    "community_code": "440311001001", "people_count": 1,
    "parties": [{"role": "applicant", "name": "王小梅", "phone": "13912345678"}],
}


@pytest.mark.parametrize("debug", [False, True])  # with DEBUG on ninja would answer with the traceback
def test_the_api_answers_a_lost_database_in_its_error_shape(settings, partner, debug):
    settings.DEBUG = debug
    before = Case.objects.count()
    with failing_queries(lambda: OperationalError(LOST), when=inserts_into("cases_case")) as calls:
        response = api_post("/cases", partner, CASE_BODY, idem="k-" + uuid.uuid4().hex, lang="en")
    assert calls["failed"] == 2  # the keyed submission was tried once more on a fresh connection
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER[Fault.CONNECTION])
    body = response.json()
    assert body["code"] == "temporarily_unavailable" and LOST_TEXT["en"] in body["message"]
    assert_no_trace(response.content.decode())
    assert Case.objects.count() == before and not IdempotencyRecord.objects.filter(scope__startswith="api:").exists()


def test_an_api_submission_on_a_locked_database_is_sent_again_with_its_key(partner):
    idem = "k-" + uuid.uuid4().hex
    before = Case.objects.count()
    with failing_queries(lambda: OperationalError(LOCKED), when=inserts_into("cases_case"), times=1):
        first = api_post("/cases", partner, CASE_BODY, idem=idem)
    if connection.vendor == "sqlite":
        assert first.status_code == 503 and first.json()["code"] == "temporarily_unavailable"
        assert "几秒" in first.json()["message"]
        assert Case.objects.count() == before
        first = api_post("/cases", partner, CASE_BODY, idem=idem)
    assert first.status_code == 201  # PostgreSQL: the lock failed fast and the process tried once more
    replay = api_post("/cases", partner, CASE_BODY, idem=idem)
    assert replay.status_code == 201 and replay.json()["code"] == first.json()["code"]
    assert Case.objects.count() == before + 1


def test_open311_answers_a_locked_database_in_its_format(cast):
    with failing_queries(lambda: OperationalError(LOCKED)):
        response = Client(raise_request_exception=False).get("/open311/v2/services.json",
                                                             headers={"Accept-Language": "en"})
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER[Fault.BUSY])
    assert response.json() == [{"code": 503, "description": response.json()[0]["description"]}]
    assert BUSY_TEXT["en"] in response.json()[0]["description"]
    with failing_queries(lambda: OperationalError(LOCKED)):
        xml = Client(raise_request_exception=False).get("/open311/v2/services.xml")
    assert xml.status_code == 503 and b"<code>503</code>" in xml.content


# --- a full or read-only disk ---------------------------------------------------------------------------


def _chunks_then_full(self, chunk_size=None):
    yield self.read()[:16]  # a part reaches the disk, then it is full
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_full_disk_during_an_upload_leaves_no_case_and_no_half_file(settings, lang):
    client = client_in(lang)
    before = Case.objects.count()
    data = report_data(token="disk-" + uuid.uuid4().hex)
    with mock.patch.object(ContentFile, "chunks", _chunks_then_full):
        response = client.post("/report/", {**data, "files": [photo()]})
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER[Fault.STORAGE])
    assert DISK_TEXT[lang] in page
    assert_no_trace(page)
    assert Case.objects.count() == before and Attachment.objects.count() == 0
    assert not IdempotencyRecord.objects.filter(key=data["submission_token"]).exists()
    media = Path(settings.MEDIA_ROOT)
    assert [p for p in media.rglob("*") if p.is_file()] == []  # the partial file was removed


def test_a_read_only_database_file_is_explained(partner):
    with failing_queries(lambda: OperationalError("attempt to write a readonly database"),
                         when=inserts_into("cases_case")) as calls:
        response = api_post("/cases", partner, CASE_BODY, idem="k-" + uuid.uuid4().hex)
    assert calls["failed"] == 1  # never retried: a disk does not heal in a second
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER[Fault.STORAGE])
    assert "存储" in response.json()["message"]
