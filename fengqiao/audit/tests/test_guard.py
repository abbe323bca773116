"""The database itself refuses UPDATE and DELETE of audit rows (triggers, SQLite and PostgreSQL alike), except
the two doors of fengqiao.audit.guard; and writing the chain costs the submission path no extra query."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from fengqiao.audit.anchors import anchor_write
from fengqiao.audit.guard import AUDIT_TABLES, installed, unlocked, unlocked_for_flush
from fengqiao.audit.models import AuditAnchor
from fengqiao.cases import services as cs
from fengqiao.cases.models import CaseEvent
from fengqiao.counselling.models import AccessLog
from fengqiao.counselling.services import access_denied_log

pytestmark = pytest.mark.django_db


def refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        return "append-only" in str(exc)
    return False


@pytest.fixture
def event(make_case, cast):
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_community)
    return CaseEvent.objects.filter(case=case).order_by("seq").last()


def test_the_triggers_are_installed_on_every_audit_table():
    assert {table: installed(connection, table) for table in AUDIT_TABLES} == dict.fromkeys(AUDIT_TABLES, True)


@pytest.mark.parametrize("column, value", [("reason", "改写"), ("actor_id", None), ("action", "close"),
                                           ("digest", ""), ("chain", ""), ("seq", 99)])
def test_a_timeline_line_refuses_update(event, column, value):
    assert refused(f"UPDATE cases_caseevent SET {column} = %s WHERE id = %s", [value, event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(**{column: value})


def test_a_timeline_line_refuses_delete(event):
    assert refused("DELETE FROM cases_caseevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_the_redaction_door_opens_reason_and_data_only(event):
    with transaction.atomic(), unlocked():
        CaseEvent.objects.filter(pk=event.pk).update(reason="[已匿名]", data={"anonymised": True})
        assert refused("UPDATE cases_caseevent SET actor_id = NULL WHERE id = %s", [event.pk])
        assert refused("UPDATE cases_caseevent SET digest = '' WHERE id = %s", [event.pk])
        assert refused("DELETE FROM cases_caseevent WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.reason == "[已匿名]"
    # and the door closes behind it
    assert refused("UPDATE cases_caseevent SET reason = 'x' WHERE id = %s", [event.pk])


def test_flush_empties_the_tables(event):
    """On SQLite, our flush command lifts the guard for its DELETEs; on PostgreSQL flush is a TRUNCATE, which row
    triggers do not see."""
    from django.core.management.color import no_style

    statements = connection.ops.sql_flush(no_style(), ["cases_caseevent"])
    if connection.vendor == "postgresql":
        assert statements[0].startswith("TRUNCATE")
    else:
        with transaction.atomic():
            with unlocked_for_flush(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM cases_caseevent WHERE id = %s", [event.pk])
            assert not CaseEvent.objects.filter(pk=event.pk).exists()
            transaction.set_rollback(True)


def test_anchors_refuse_update_and_delete(event):
    anchor = anchor_write()
    assert refused("UPDATE audit_auditanchor SET heads = '[]' WHERE id = %s", [anchor.pk])
    assert refused("DELETE FROM audit_auditanchor WHERE id = %s", [anchor.pk])
    assert AuditAnchor.objects.filter(pk=anchor.pk, seal=anchor.seal).exists()


def test_the_counselling_access_log_refuses_update_and_delete(cast):
    access_denied_log(user=cast.outsider, pk=424242)
    row = AccessLog.objects.get(engagement_ref=424242)
    assert refused("UPDATE counselling_accesslog SET user_id = NULL WHERE id = %s", [row.pk])
    assert refused("DELETE FROM counselling_accesslog WHERE id = %s", [row.pk])


def test_a_changed_access_log_row_is_found_by_the_anchor(cast):
    from fengqiao.audit.verify import audit_problems

    from .test_chain import tamper

    access_denied_log(user=cast.outsider, pk=424243)
    row = AccessLog.objects.get(engagement_ref=424243)
    anchor = anchor_write()
    assert list(audit_problems()) == []
    tamper("UPDATE counselling_accesslog SET user_id = NULL WHERE id = %s", [row.pk])
    [found] = audit_problems()
    assert found.anchor_day == anchor.day.isoformat() and found.args["log"] == "counselling.AccessLog"


def _reads_of_the_last_line(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")
            and ('"cases_caseevent"."chain"' in q["sql"] or 'MAX("cases_caseevent"."seq")' in q["sql"])]


def _inserts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith('INSERT INTO "CASES_CASEEVENT"')]


def test_chaining_costs_submission_no_extra_query(make_case, cast):
    """case_submit writes the first line without reading the timeline (the case is new): one INSERT, where the
    unchained timeline also read MAX(seq). A later action reads the last line (seq and chain) once, as it read
    MAX(seq) before."""
    with CaptureQueriesContext(connection) as submit:
        case = make_case()
    assert (len(_reads_of_the_last_line(submit.captured_queries)), len(_inserts(submit.captured_queries))) == (0, 1)
    with CaptureQueriesContext(connection) as accept:
        cs.case_accept(case=case, actor=cast.op_community)
    assert (len(_reads_of_the_last_line(accept.captured_queries)), len(_inserts(accept.captured_queries))) == (1, 1)


def test_the_grant_record_refuses_delete_and_its_anchor_finds_a_change(cast, org):
    from django.utils import timezone

    from fengqiao.audit.verify import audit_problems
    from fengqiao.org.models import GrantRecord, Role

    from .test_chain import tamper

    record = GrantRecord.objects.create(at=timezone.now(), event="requested", actor=cast.admin, subject=cast.handler,
                                        unit=org.hr, role=Role.HANDLER, reason="新入职")
    assert refused("DELETE FROM org_grantrecord WHERE id = %s", [record.pk])
    anchor = anchor_write()
    assert "org.GrantRecord" in anchor.logs and list(audit_problems()) == []
    tamper("UPDATE org_grantrecord SET reason = %s WHERE id = %s", ["（已改）", record.pk])
    [found] = audit_problems()
    assert found.anchor_day == anchor.day.isoformat() and found.args["log"] == "org.GrantRecord"


def test_migrate_puts_back_triggers_a_table_rebuild_dropped():
    """SQLite drops a table's triggers when a migration rebuilds it; the post_migrate handler installs them again."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    from fengqiao.audit.guard import uninstall

    uninstall(connection, "cases_caseevent")
    assert not installed(connection, "cases_caseevent")
    post_migrate.send(sender=apps.get_app_config("audit"), app_config=apps.get_app_config("audit"), verbosity=0,
                      interactive=False, using=connection.alias, apps=apps, plan=[])
    assert installed(connection, "cases_caseevent")
