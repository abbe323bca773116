"""Retention: closed cases past their rule are anonymised in place by `./fq manage anonymise_closed --apply`;
what statistics need stays; open matters, holds and recent cases are kept; the timeline still verifies."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from fengqiao.cases import services as cs
from fengqiao.cases.models import Attachment, Case, CaseEvent, Party
from fengqiao.cases.services import PartyInput
from fengqiao.privacy.anonymise import MARKER, scrub_text
from fengqiao.privacy.models import Anonymisation, LegalHold, RetentionRule

pytestmark = pytest.mark.django_db
ID = "440311199001011234"
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _close(case: Case, *, years_ago: float) -> Case:
    """Set a case closed long ago (test set-up: the workflow itself is tested elsewhere)."""
    when = timezone.now() - timedelta(days=int(365 * years_ago))
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=when, outcome="resolved",
                                           satisfaction="satisfied")
    return Case.objects.get(pk=case.pk)


def _rich_case(make_case, cast):
    case = make_case(
        title="王小梅反映工资被拖欠",
        description=f"我叫王小梅，电话１３９ １２３４ ５６７８，身份证{ID}，公司欠我工资三个月。",
        address="光明街道碧眼新村3栋201", latitude=22.779712, longitude=113.935045,
        people_count=3, amount=Decimal("42000"), applicant_user=cast.resident,
        parties=[PartyInput(role=Party.PartyRole.APPLICANT, name="王小梅", phone=PHONE,
                            id_type=Party.IdType.RESIDENT_ID, id_number=ID),
                 PartyInput(role=Party.PartyRole.RESPONDENT, name="深圳某某科技有限公司",
                            kind=Party.Kind.ORGANISATION)],
    )
    cs.case_note(case=case, actor=cast.op_community, text=f"已电话联系王小梅 {PHONE}，约定周三面谈。")
    cs.case_attach(case=case, actor=cast.op_community, upload=SimpleUploadedFile(
        "contract.pdf", b"%PDF-1.4\n% contract\n%%EOF\n", content_type="application/pdf"))
    return Case.objects.get(pk=case.pk)


def _facts(case: Case) -> dict:
    case = Case.objects.get(pk=case.pk)
    return {"code": case.code, "service_type": case.service_type, "category": case.category_id,
            "grade": case.grade, "channel": case.channel, "region": case.region_id, "holder": case.holder_unit_id,
            "status": case.status, "submitted_at": case.submitted_at, "closed_at": case.closed_at,
            "outcome": case.outcome, "satisfaction": case.satisfaction, "people": case.people_count,
            "amount": case.amount, "moves": list(CaseEvent.objects.filter(case=case).exclude(action="note")
                                                 .values_list("action", "from_status", "to_status", "at"))}


def _rows_mentioning(case: Case, needle: str) -> list[str]:
    """Every text column of this case's rows in the tables that hold them, searched as stored."""
    found = []
    with connection.cursor() as cur:
        for table, key in (("cases_case", "id"), ("cases_party", "case_id"), ("cases_caseevent", "case_id"),
                           ("triage_triagesuggestion", "case_id"), ("notifications_notification", "case_id")):
            cur.execute(f"SELECT * FROM {table} WHERE {key} = %s", [case.pk])
            for row in cur.fetchall():
                if any(needle in str(v) for v in row):
                    found.append(table)
    return found


def run(*args) -> str:
    out = io.StringIO()
    call_command("anonymise_closed", *args, stdout=out)
    return out.getvalue()


def test_the_scrubber_removes_every_spelling_and_the_names():
    text = "王小梅的电话是138.0013.8000，也可打１３８００１３８０００，身份证 440311 19900101 1234，找王小梅。"
    out = scrub_text(text, ["王小梅"])
    assert "王小梅" not in out and "8000" not in out and "1234" not in out and out.count(MARKER) >= 4
    assert scrub_text("2026-12-07 欠款5000元", []) == "2026-12-07 欠款5000元"


def test_dry_run_changes_nothing_apply_anonymises_and_keeps_the_statistics(make_case, cast, tmp_path):
    case = _close(_rich_case(make_case, cast), years_ago=4)
    before = _facts(case)
    out = run()
    assert "would anonymise 1 cases" in out and "dry run" in out
    assert Case.objects.get(pk=case.pk).description == case.description
    assert not Anonymisation.objects.exists()

    out = run("--apply")
    assert f"anonymised {case.code}" in out
    after = Case.objects.get(pk=case.pk)
    assert _facts(after) == before  # counts, categories, regions, dates, grades, outcomes: intact
    assert "王小梅" not in after.title and "王小梅" not in after.description
    assert "工资" in after.description and "三个月" in after.description  # the matter stays readable
    assert after.address == MARKER and after.applicant_user_id is None
    assert (after.latitude, after.longitude) == (22.78, 113.94)
    applicant, respondent = (after.parties.get(role="applicant"), after.parties.get(role="respondent"))
    assert (applicant.name, applicant.phone, applicant.id_number, applicant.id_number_index) == (MARKER, "", "", "")
    assert respondent.name == "深圳某某科技有限公司"  # an organisation is not personal data
    assert not Attachment.objects.filter(case=after).exists() and not any((tmp_path / "media").rglob("*.pdf"))
    for needle in (PHONE, "5678", ID, "王小梅", "碧眼新村"):
        assert _rows_mentioning(after, needle) == [], needle
    anonymisation = Anonymisation.objects.get(case=after)
    assert anonymisation.reason == "retention" and anonymisation.counts["parties"] == 2
    # the timeline still verifies: the redaction is recorded on it
    assert CaseEvent.objects.filter(case=after, data__has_key="redaction").count() == 1
    assert run("--apply").startswith("anonymised 0 cases")  # once only


def test_the_chain_of_the_anonymised_timeline_still_verifies(make_case, cast):
    from fengqiao.audit.verify import Report, audit_problems

    case = _close(_rich_case(make_case, cast), years_ago=4)
    run("--apply")
    report = Report()
    assert list(audit_problems(report, case_ids=[case.pk])) == []
    assert report.redacted == 1  # the note lost the name and the phone; the redaction is on record


def test_recent_open_held_and_petitioned_cases_are_kept(make_case, cast):
    recent = _close(make_case(description=f"电话{PHONE}"), years_ago=1)
    still_open = make_case(description=f"电话{PHONE}")
    held = _close(make_case(description=f"电话{PHONE}"), years_ago=5)
    LegalHold.objects.create(case=held, reason="法院调取案卷", placed_by=cast.admin)
    out = run("--apply")
    assert f"kept {held.code}: The case is under a legal hold: 法院调取案卷" in out
    for c in (recent, still_open, held):
        assert PHONE in Case.objects.get(pk=c.pk).description
    LegalHold.objects.filter(case=held).update(lifted_at=timezone.now())
    assert f"anonymised {held.code}" in run("--apply")


def test_the_rule_per_service_type_is_data(make_case):
    complaint = _close(make_case(description=f"电话{PHONE}"), years_ago=2)
    assert "would anonymise 0 cases" in run()
    RetentionRule.objects.update_or_create(kind="case", service_type="complaint", defaults={"months": 12})
    assert f"anonymised {complaint.code}" in run("--apply")


def test_bookings_without_a_case_are_anonymised_after_their_retention(cast):
    from fengqiao.mediation.models import Booking, MediatorProfile

    mediator = MediatorProfile.objects.first()
    start = timezone.now() - timedelta(days=800)
    booking = Booking.objects.create(mediator=mediator, starts_at=start, ends_at=start + timedelta(hours=1),
                                     name="赵六", phone=PHONE, matter=f"邻居噪音，联系{PHONE}")
    assert "would anonymise 1 bookings" in run()
    run("--apply")
    booking.refresh_from_db()
    assert (booking.name, booking.phone) == (MARKER, "") and PHONE not in booking.matter
