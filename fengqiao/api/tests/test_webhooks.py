"""Webhooks: subscriptions per client, a durable producer over the timeline, signed deliveries with retries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fengqiao.api import webhooks
from fengqiao.api.models import WebhookAttempt, WebhookCursor, WebhookDelivery, WebhookSubscription
from fengqiao.api.tasks import deliver_webhooks
from fengqiao.api.webhooks import enqueue_webhooks_since, verify, webhooks_deliver, webhooks_produce
from fengqiao.cases import services as cs
from fengqiao.cases.models import CaseEvent

pytestmark = pytest.mark.django_db


def subscribe(partner, url, events=("case.status_changed",), **extra):
    response = partner.api.post("/webhooks", {"url": url, "events": list(events), **extra})
    assert response.status_code == 201, response.content
    return response.json()


# --- managing subscriptions ---------------------------------------------------------------------------


def test_subscribe_list_and_delete(gm, make_partner, receiver):
    created = subscribe(gm, receiver.url, ["case.status_changed", "case.note_added"])
    assert len(created["secret"]) >= 32 and created["is_active"] is True
    listed = gm.api.get("/webhooks").json()
    assert [w["id"] for w in listed] == [created["id"]] and "secret" not in listed[0]
    assert listed[0]["events"] == ["case.status_changed", "case.note_added"]

    other = make_partner()
    assert other.api.get("/webhooks").json() == []
    assert other.api.delete(f"/webhooks/{created['id']}").status_code == 404
    assert other.api.get(f"/webhooks/{created['id']}/deliveries").status_code == 404

    assert gm.api.delete(f"/webhooks/{created['id']}").status_code == 204
    assert gm.api.get("/webhooks").json() == []
    assert gm.api.delete(f"/webhooks/{created['id']}").status_code == 404
    assert WebhookSubscription.objects.get(pk=created["id"]).is_active is False  # the log stays


def test_subscribe_refuses_hosts_the_operator_did_not_allow(gm, settings, receiver):
    bad = gm.api.post("/webhooks", {"url": "https://partner.example.com/hook", "events": ["case.created"]}, lang="en")
    assert bad.status_code == 422 and "FQ_WEBHOOK_ALLOWED_HOSTS" in bad.json()["fields"]["url"]
    not_url = gm.api.post("/webhooks", {"url": "javascript:alert(1)", "events": ["case.created"]})
    assert not_url.status_code == 422 and "url" in not_url.json()["fields"]
    events = gm.api.post("/webhooks", {"url": receiver.url, "events": ["case.exploded"]})
    assert events.status_code == 422 and "events.0" in events.json()["fields"]
    none = gm.api.post("/webhooks", {"url": receiver.url, "events": []})
    assert none.status_code == 422 and "events" in none.json()["fields"]
    short_secret = gm.api.post("/webhooks", {"url": receiver.url, "events": ["case.created"], "secret": "x"})
    assert short_secret.status_code == 422 and "secret" in short_secret.json()["fields"]

    settings.FQ_WEBHOOK_ALLOWED_HOSTS = ["partner.example.com:8443"]
    assert gm.api.post("/webhooks", {"url": "https://partner.example.com/hook", "events": ["case.created"]}
                       ).status_code == 422  # wrong port
    assert gm.api.post("/webhooks", {"url": "https://partner.example.com:8443/hook", "events": ["case.created"]}
                       ).status_code == 201
    settings.PRODUCTION = True
    assert gm.api.post("/webhooks", {"url": "http://partner.example.com:8443/hook", "events": ["case.created"]}
                       ).status_code == 422  # plain http in production
    assert not WebhookSubscription.objects.filter(url__startswith="http://partner").exists()


# --- producing and delivering -------------------------------------------------------------------------


def test_a_status_change_makes_exactly_one_signed_delivery(gm, make_case, cast, receiver):
    secret = "a-shared-secret-of-the-partner-0001"
    sub = subscribe(gm, receiver.url, ["case.status_changed"], secret=secret)
    case = make_case()  # case.created: not subscribed
    cs.case_note(case=case, actor=cast.op_district, text="备注")  # case.note_added: not subscribed
    cs.case_accept(case=case, actor=cast.op_district)

    assert webhooks_produce() == 1
    assert webhooks_produce() == 0  # caught up
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "case.status_changed" and delivery.subscription_id == sub["id"]

    assert webhooks_deliver() == {"delivered": 1, "retry": 0, "failed": 0}
    assert len(receiver.requests) == 1
    sent = receiver.requests[0]
    headers = {k.lower(): v for k, v in sent["headers"].items()}
    assert verify(secret, sent["body"], headers["x-fengqiao-signature"])
    assert not verify("another secret", sent["body"], headers["x-fengqiao-signature"])
    assert headers["x-fengqiao-event"] == "case.status_changed"
    assert headers["x-fengqiao-delivery"] == str(delivery.uuid)
    payload = json.loads(sent["body"])
    assert payload["id"] == str(delivery.uuid) and payload["case"]["code"] == case.code
    assert payload["change"]["from_status"] == "submitted" and payload["change"]["to_status"] == "accepted"
    assert payload["change"]["unit"] == "光明区群众诉求服务大厅"

    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 1 and delivery.response_code == 200
    assert webhooks_deliver() == {"delivered": 0, "retry": 0, "failed": 0}
    assert len(receiver.requests) == 1

    log = gm.api.get(f"/webhooks/{sub['id']}/deliveries").json()
    assert [d["id"] for d in log["items"]] == [str(delivery.uuid)] and log["next_cursor"] is None
    assert log["items"][0]["attempt_log"][0]["response_code"] == 200 and log["items"][0]["status"] == "delivered"


def test_only_clients_that_see_the_case_get_it(gm, make_partner, make_case, cast, receiver):
    luohu = make_partner(unit="罗湖区综治中心")
    subscribe(gm, receiver.url, ["case.created", "case.status_changed"])
    subscribe(luohu, receiver.url, ["case.created", "case.status_changed"])
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_district)
    cs.case_reveal_personal_data(case=case, actor=cast.op_district)  # a read is never announced
    assert webhooks_produce() == 2
    assert set(WebhookDelivery.objects.values_list("subscription__client", flat=True)) == {gm.client.pk}
    assert set(WebhookDelivery.objects.values_list("event", flat=True)) == {"case.created", "case.status_changed"}


def test_event_types(gm, make_case, cast, org, receiver, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    subscribe(gm, receiver.url, ["case.note_added", "case.attachment_added", "case.updated", "case.deadline"])
    case = make_case()
    cs.case_note(case=case, actor=cast.op_district, text="备注")
    cs.case_supervise(case=case, actor=cast.op_district, reason="督办")
    from django.core.files.uploadedfile import SimpleUploadedFile

    cs.case_attach(case=case, actor=cast.op_district,
                   upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"))
    cs.case_record_deadline_event(case=case, action="deadline_overdue", step="review", due=timezone.now(),
                                  at=timezone.now())
    webhooks_produce()
    assert sorted(WebhookDelivery.objects.values_list("event", flat=True)) == [
        "case.attachment_added", "case.deadline", "case.note_added", "case.updated"]


def test_a_failing_endpoint_is_retried_with_backoff_and_every_attempt_logged(gm, make_case, cast, receiver):
    receiver.statuses = [500, 503, 200]
    subscribe(gm, receiver.url, ["case.status_changed"])
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_district)
    webhooks_produce()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert webhooks_deliver() == {"delivered": 0, "retry": 1, "failed": 0}
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending" and delivery.attempts == 1 and delivery.response_code == 500
        assert delivery.next_attempt_at == start + timedelta(seconds=30)
        assert webhooks_deliver()["retry"] == 0  # not due yet
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        assert webhooks_deliver()["retry"] == 1
        delivery.refresh_from_db()
        assert delivery.attempts == 2 and delivery.last_error == "HTTP 503"
        assert delivery.next_attempt_at == start + timedelta(seconds=31) + timedelta(seconds=60)
    with time_machine.travel(start + timedelta(seconds=92), tick=False):
        assert webhooks_deliver()["delivered"] == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 3 and delivery.last_error == ""
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "response_code"))
    assert attempts == [(1, 500), (2, 503), (3, 200)]
    assert len(receiver.requests) == 3
    ids = {r["headers"]["X-Fengqiao-Delivery"] for r in receiver.requests}
    assert ids == {str(delivery.uuid)}  # the same id every time: partners de-duplicate on it


def test_gives_up_after_the_last_attempt(gm, make_case, cast, receiver):
    receiver.statuses = [500] * webhooks.MAX_ATTEMPTS
    subscribe(gm, receiver.url, ["case.status_changed"])
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_district)
    webhooks_produce()
    moment = timezone.now()
    for attempt in range(1, webhooks.MAX_ATTEMPTS + 1):
        with time_machine.travel(moment, tick=False):
            counts = webhooks_deliver()
        moment += webhooks.backoff(attempt) + timedelta(seconds=1)
    assert counts == {"delivered": 0, "retry": 0, "failed": 1}
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == webhooks.MAX_ATTEMPTS
    assert delivery.attempt_log.count() == webhooks.MAX_ATTEMPTS
    assert webhooks.backoff(20) == webhooks.BACKOFF_CAP


def test_unreachable_endpoint_and_removed_host_are_logged_not_sent(gm, make_case, cast, receiver, settings):
    sub = subscribe(gm, receiver.url, ["case.status_changed"])
    WebhookSubscription.objects.filter(pk=sub["id"]).update(url="http://127.0.0.1:9/closed")  # nothing listens
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_district)
    webhooks_produce()
    assert webhooks_deliver()["retry"] == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_code is None and "Error" in delivery.last_error

    settings.FQ_WEBHOOK_ALLOWED_HOSTS = []
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks_deliver()
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and "not allowed" in delivery.last_error and receiver.requests == []


def test_unsubscribing_cancels_what_waits(gm, make_case, cast, receiver):
    sub = subscribe(gm, receiver.url, ["case.status_changed"])
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_district)
    webhooks_produce()
    assert gm.api.delete(f"/webhooks/{sub['id']}").status_code == 204
    assert webhooks_deliver() == {"delivered": 0, "retry": 0, "failed": 0}
    assert WebhookDelivery.objects.get().status == "cancelled" and receiver.requests == []
    cs.case_reject(case=make_case(), actor=cast.op_district, reason="重复")
    assert webhooks_produce() == 0


def test_the_cursor_makes_the_producer_idempotent_across_restarts(gm, make_case, cast, receiver):
    subscribe(gm, receiver.url, ["case.created", "case.status_changed"])
    cases = [make_case() for _ in range(3)]
    for case in cases:
        cs.case_accept(case=case, actor=cast.op_district)
    first = enqueue_webhooks_since(limit=4)  # a partial round, as if the worker stopped here
    assert first.events_read == 4 and first.deliveries == 4
    cursor = WebhookCursor.objects.get(name=webhooks.CURSOR)
    assert cursor.last_event_id == first.cursor

    # "Restart": a new round reads the stored cursor and continues where the last one stopped.
    assert webhooks_produce() == 2
    last_id = CaseEvent.objects.order_by("-id").first().id
    assert WebhookCursor.objects.get(name=webhooks.CURSOR).last_event_id == last_id
    assert WebhookDelivery.objects.count() == 6

    # Reading everything again (a lost cursor, a second worker) adds nothing: one delivery per event.
    again = enqueue_webhooks_since(0)
    assert again.deliveries == 0 and WebhookDelivery.objects.count() == 6
    assert WebhookCursor.objects.get(name=webhooks.CURSOR).last_event_id == last_id


def test_a_new_subscription_gets_no_history(gm, make_case, cast, receiver):
    case = make_case()
    cs.case_accept(case=case, actor=cast.op_district)
    subscribe(gm, receiver.url, ["case.created", "case.status_changed"])
    enqueue_webhooks_since(0)
    assert not WebhookDelivery.objects.exists()


def test_delivery_log_pages(gm, make_case, receiver):
    sub = subscribe(gm, receiver.url, ["case.created"])
    for _ in range(3):
        make_case()
    webhooks_produce()
    first = gm.api.get(f"/webhooks/{sub['id']}/deliveries", {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = gm.api.get(f"/webhooks/{sub['id']}/deliveries", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    assert first["items"][0]["status"] == "pending" and first["items"][0]["next_attempt_at"]


def test_the_task_produces_and_delivers_and_the_scheduler_enqueues_it(gm, make_case, cast, receiver):
    subscribe(gm, receiver.url, ["case.status_changed"])
    cs.case_accept(case=make_case(), actor=cast.op_district)
    assert deliver_webhooks.call() == {"produced": 1, "delivered": 1, "retry": 0, "failed": 0}
    assert len(receiver.requests) == 1
    call_command("fq_scheduler", once=True)
    assert DBTaskResult.objects.filter(task_path="fengqiao.api.tasks.deliver_webhooks").exists()
