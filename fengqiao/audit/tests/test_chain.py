"""The tamper-evident timeline: an untouched history verifies; each way of editing it in the database is found
(a tampered reason, a deleted middle line, a deleted last line, a forged line, a rewritten actor, rewritten
hashes), and a recorded redaction is not."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from fengqiao.audit import chain
from fengqiao.audit.anchors import anchor_write
from fengqiao.audit.guard import AUDIT_TABLES, install, uninstall
from fengqiao.audit.redaction import case_events_redact
from fengqiao.audit.timeline import content_of
from fengqiao.audit.verify import (
    ANCHOR_ORDER,
    CHANGED,
    HEAD_MISSING,
    MISSING_ONE,
    NOT_FOLLOWING,
    Report,
    audit_problems,
)
from fengqiao.cases import services as cs
from fengqiao.cases.models import CaseEvent
from fengqiao.cases.services import PartyInput
from fengqiao.cases.workflow import Action

pytestmark = pytest.mark.django_db


# the UPDATE triggers the apps put on their own logs before fengqiao.audit covered them
OWN_TRIGGERS = ["fengqiao.counselling.migrations.0002_accesslog_no_update", "fengqiao.org.migrations.0004_grant_approval"]


def _own_triggers(what: str) -> list[str]:
    name = {"sqlite": "SQLITE", "postgresql": "POSTGRES"}[connection.vendor] + what
    return [sql for module in OWN_TRIGGERS for sql in getattr(importlib.import_module(module), name)]


def tamper(sql: str, params=()) -> None:
    """What someone with database access can do: drop the triggers, change rows, put the triggers back."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in AUDIT_TABLES:
            uninstall(connection, table)
        for statement in _own_triggers("_DROP"):
            cursor.execute(statement)
        cursor.execute(sql, params)
        for statement in _own_triggers(""):
            cursor.execute(statement)
        for table, redactable in AUDIT_TABLES.items():
            install(connection, table, redactable)


def problems(**kwargs) -> list:
    return list(audit_problems(**kwargs))


@pytest.fixture
def history(cast, org, make_case):
    """A demo-like history: a case through its whole life with a reveal of personal data, and two others."""
    case = make_case(applicant_user=cast.resident,
                     parties=[PartyInput(role="applicant", name="李四", phone="13800138000")])
    cs.case_accept(case=case, actor=cast.op_community)
    cs.case_reveal_personal_data(case=case, actor=cast.op_community, reason="回访核实")
    cs.case_dispatch(case=case, actor=cast.op_community, unit=org.hr, note="请人社局处理")
    cs.case_sign(case=case, actor=cast.handler)
    cs.case_start(case=case, actor=cast.handler)
    cs.case_note(case=case, actor=cast.handler, text="已联系用人单位")
    cs.case_resolve(case=case, actor=cast.handler, outcome="resolved", note="已协调发放工资")
    cs.case_confirm(case=case, actor=cast.op_community, satisfaction="satisfied", by="return_visit")
    cs.case_close(case=case, actor=cast.op_community)
    other = make_case()
    cs.case_reject(case=other, actor=cast.op_community, reason="重复反映")
    third = make_case()
    cs.case_record_deadline_event(case=third, action=Action.DEADLINE_REMINDER, step="review",
                                  due=timezone.now() + timedelta(minutes=5), at=timezone.now())
    return case


def line(case, action: str) -> CaseEvent:
    return CaseEvent.objects.filter(case=case, action=action).order_by("seq").last()


def test_an_untouched_history_verifies_clean(history):
    report = Report()
    assert problems(report=report) == []
    assert report.cases >= 3 and report.events >= 13 and report.redacted == 0
    assert anchor_write() is not None
    cs.case_note(case=history, actor=None, text="归档后补记")  # lines after an anchor continue the chain
    assert problems() == []
    call_command("audit_verify")


def test_every_line_is_chained_to_the_case_previous_line(history, settings):
    events = list(CaseEvent.objects.filter(case=history).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    previous = chain.GENESIS
    for event in events:
        assert event.digest == chain.digest(content_of(event))
        assert chain.link_matches([chain_key(settings)], previous, event.digest, event.chain)
        previous = event.chain


def chain_key(settings) -> bytes:
    from fengqiao.audit.keys import signing_key

    return signing_key()


def test_a_tampered_resolve_reason_is_found(history):
    resolve = line(history, Action.RESOLVE)
    tamper("UPDATE cases_caseevent SET reason = %s WHERE id = %s", ["未解决，不予处理", resolve.pk])
    found = problems()
    assert len(found) == 1
    assert (found[0].case_code, found[0].event_id, found[0].seq) == (history.code, resolve.pk, resolve.seq)
    assert found[0].message == CHANGED


def test_a_rewritten_actor_is_found(history, cast):
    resolve = line(history, Action.RESOLVE)
    tamper("UPDATE cases_caseevent SET actor_id = %s WHERE id = %s", [cast.op_street.pk, resolve.pk])
    [found] = problems()
    assert found.event_id == resolve.pk and found.message == CHANGED


def test_content_rewritten_with_its_digest_breaks_the_chain_at_that_line(history):
    resolve = line(history, Action.RESOLVE)
    resolve.reason = "未解决"
    tamper("UPDATE cases_caseevent SET reason = %s, digest = %s WHERE id = %s",
           [resolve.reason, chain.digest(content_of(resolve)), resolve.pk])
    [found] = problems()
    assert found.event_id == resolve.pk and found.message == NOT_FOLLOWING


def test_a_deleted_reveal_in_the_middle_is_found(history):
    reveal = line(history, Action.PII_REVEAL)
    after = CaseEvent.objects.get(case=history, seq=reveal.seq + 1)
    tamper("DELETE FROM cases_caseevent WHERE id = %s", [reveal.pk])
    [found] = problems()
    assert (found.case_code, found.event_id) == (history.code, after.pk)
    assert (found.message, found.args) == (MISSING_ONE, {"first": reveal.seq})


def test_a_deleted_last_line_is_found_by_the_anchor(history):
    anchor_write()
    last = CaseEvent.objects.filter(case=history).order_by("-seq").first()
    tamper("DELETE FROM cases_caseevent WHERE id = %s", [last.pk])
    [found] = problems()
    assert (found.case_code, found.seq) == (history.code, last.seq)
    assert found.anchor_day and found.message == HEAD_MISSING


def test_a_whole_deleted_history_is_found_by_the_anchor(history):
    anchor_write()
    tamper("DELETE FROM cases_caseevent WHERE case_id = %s", [history.pk])
    found = problems()
    assert [(p.case_code, p.anchor_day != "") for p in found] == [(history.code, True)]


def test_an_inserted_forged_line_is_found(history, cast):
    """The forger knows the algorithm and computes the digest, but not the audit key the chain hash needs."""
    last = CaseEvent.objects.filter(case=history).order_by("-seq").first()
    forged = CaseEvent(case=history, seq=last.seq + 1, at=timezone.now(), actor=cast.op_community,
                       action=Action.NOTE, from_status=history.status, to_status=history.status,
                       reason="当事人已撤回全部诉求", is_public=True)
    forged.digest = chain.digest(content_of(forged))
    forged.chain = chain.link(b"a guessed key", last.chain, forged.digest)
    forged.save(force_insert=True)  # inserting is what the database allows
    [found] = problems()
    assert (found.case_code, found.event_id) == (history.code, forged.pk)
    assert found.message == NOT_FOLLOWING


def test_a_line_pasted_from_another_case_is_found(history, make_case, cast):
    other = make_case()
    cs.case_accept(case=other, actor=cast.op_community)
    accept = line(other, Action.ACCEPT)
    anchor_write()  # the other case's chain loses its last line: the anchor remembers it
    tamper("UPDATE cases_caseevent SET case_id = %s, seq = %s WHERE id = %s",
           [history.pk, CaseEvent.objects.filter(case=history).count() + 1, accept.pk])
    found = problems()
    assert {p.case_code for p in found} == {history.code, other.code}


def test_a_changed_or_deleted_anchor_is_found(history):
    first = anchor_write(day=timezone.localdate() - timedelta(days=2))
    anchor_write()
    tamper("UPDATE audit_auditanchor SET heads = %s WHERE id = %s", ["[]", first.pk])
    assert [p.anchor_day for p in problems()] == [first.day.isoformat()]
    tamper("DELETE FROM audit_auditanchor WHERE id = %s", [first.pk])
    [found] = problems()
    assert found.message == ANCHOR_ORDER


def test_a_recorded_redaction_verifies_and_says_so(history):
    resolve = line(history, Action.RESOLVE)
    reveal = line(history, Action.PII_REVEAL)
    record = case_events_redact(case=history, changes={resolve.pk: {"reason": "[已匿名]"},
                                                       reveal.pk: {"reason": "", "data": {"anonymised": True}}},
                                why="retention")
    assert record.action == Action.NOTE and not record.is_public
    assert set(record.data["redaction"]["events"]) == {str(resolve.seq), str(reveal.seq)}
    resolve.refresh_from_db()
    assert resolve.reason == "[已匿名]"
    report = Report()
    assert problems(report=report) == []
    assert report.redacted == 2
    # a change after the redaction is still a broken link
    tamper("UPDATE cases_caseevent SET reason = %s WHERE id = %s", ["改写", resolve.pk])
    [found] = problems()
    assert found.event_id == resolve.pk


def test_redaction_rewrites_only_reason_and_data(history, cast):
    resolve = line(history, Action.RESOLVE)
    with pytest.raises(ValueError):
        case_events_redact(case=history, changes={resolve.pk: {"actor": cast.outsider}}, why="retention")


def test_awkward_data_survives_the_database_round_trip(make_case, cast):
    """JSON the database gives back in another shape (integer keys, tuples, big floats) still verifies."""
    case = make_case()
    cs.case_record_step(case=case, action=Action.MEDIATE, step="session", actor=cast.mediator, reason="第一次调解",
                        data={1: "一", "t": (1, 2), "big": 1e20, "x": 1.5, "zh": "欠薪 ５ 万元", "n": None})
    assert problems() == []


def test_the_command_prints_the_first_broken_link_and_fails(history, capsys):
    reveal = line(history, Action.PII_REVEAL)
    tamper("DELETE FROM cases_caseevent WHERE id = %s", [reveal.pk])
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify")
    assert exc.value.returncode == 1
    err = capsys.readouterr().err
    assert f"BROKEN case {history.code}, event " in err and "missing (deleted)" in err


def test_the_migration_chains_existing_lines(history):
    """cases/0010 chains the lines a database already holds, so an existing database verifies clean."""
    from django.apps import apps

    migration = importlib.import_module("fengqiao.cases.migrations.0010_event_chain")
    tamper("UPDATE cases_caseevent SET digest = '', chain = ''")
    assert problems()

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    with transaction.atomic():
        migration.drop_triggers(apps, editor)
        migration.chain_existing(apps, editor)
        migration.install_triggers(apps, editor)
    assert problems() == []


def test_the_scheduler_task_seals_yesterday_once(history):
    from fengqiao.audit.models import AuditAnchor
    from fengqiao.audit.tasks import anchor_audit_chains

    anchor_audit_chains.call()
    anchor_audit_chains.call()
    [anchor] = AuditAnchor.objects.all()
    assert anchor.day == timezone.localdate() - timedelta(days=1)
    assert [history.pk, CaseEvent.objects.filter(case=history).count()] in [h[:2] for h in anchor.heads]
