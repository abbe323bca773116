"""The resident's mediation pages: directory with filters, the mediator's free times, booking (errors in both
languages, double submit), the confirmation, the booking page behind code + phone (404 otherwise), cancel, move,
rate, and the /my/ page."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from fengqiao.mediation import bookings as svc
from fengqiao.mediation.forms_portal import slot_key
from fengqiao.mediation.models import Booking, MediatorHours, MediatorProfile, Rating
from fengqiao.org.models import ServicePoint
from fengqiao.sla.deadlines import LOCAL

MONDAY = date(2026, 12, 7)
NOW = datetime.combine(MONDAY, time(9), tzinfo=LOCAL)


def at(day: date, hh: int) -> datetime:
    return datetime.combine(day, time(hh), tzinfo=LOCAL)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def mediator(cast, org):
    point = ServicePoint.objects.filter(unit=org.street_centre).first()
    profile = MediatorProfile.objects.get(user=cast.mediator)
    MediatorHours.objects.filter(mediator=profile).delete()
    MediatorHours.objects.create(mediator=profile, weekday=0, start=time(14), end=time(17), slot_minutes=60,
                                 service_point=point)
    return profile


def lang(client: Client, code: str) -> Client:
    client.cookies["django_language"] = code
    return client


def post_booking(client, mediator, starts_at, **overrides):
    data = {"submission_token": overrides.pop("token", "tok-" + slot_key(starts_at)), "at": slot_key(starts_at),
            "name": "王小梅", "phone": "13800138000", "specialty": "neighbour", "mode": "in_person",
            "matter": "楼上邻居每天深夜噪音，多次沟通无果。", "consent": "on"}
    data.update(overrides)
    return client.post(reverse("mediators:book", args=[mediator.pk]), data)


def test_directory_lists_and_filters(client, mediator):
    page = client.get(reverse("mediators:directory"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "t_mediator" in text and "12-07" in text  # next free slot
    assert "138" not in text.replace("1380", "")  # no phone numbers on the directory
    filtered = client.get(reverse("mediators:directory"), {"specialty": "medical"})
    assert "t_mediator" not in filtered.content.decode()
    english = lang(Client(), "en").get(reverse("mediators:directory"), {"specialty": "labour", "min_rating": "",
                                                                         "language": "普通话"})
    assert "Book a mediator" in english.content.decode() and "t_mediator" in english.content.decode()


def test_mediator_page_shows_free_times(client, mediator):
    page = client.get(reverse("mediators:mediator", args=[mediator.pk]))
    assert page.status_code == 200
    assert f'?at={slot_key(at(MONDAY, 14))}' in page.content.decode()


def test_booking_journey_and_booking_page(client, mediator):
    response = post_booking(client, mediator, at(MONDAY, 14))
    booking = Booking.objects.get(mediator=mediator)
    assert response.status_code == 302 and response.url == reverse("mediators:booked", args=[booking.code])
    done = client.get(response.url)
    assert booking.code in done.content.decode() and booking.case.code in done.content.decode()
    again = post_booking(client, mediator, at(MONDAY, 14))  # the same form sent twice
    assert again.status_code == 302 and Booking.objects.filter(mediator=mediator).count() == 1
    page = client.get(reverse("mediators:booking", args=[booking.code]))
    assert page.status_code == 200 and "move-form" in page.content.decode()
    # the case page of the tracking channel opens too
    assert client.get(reverse("intake:track_case", args=[booking.case.code])).status_code == 200


@pytest.mark.parametrize("code,message", [("en", "just taken"), ("zh-hans", "刚被别人预约")])
def test_a_taken_slot_answers_409_in_the_residents_language(mediator, code, message):
    post_booking(Client(), mediator, at(MONDAY, 14))
    response = post_booking(lang(Client(), code), mediator, at(MONDAY, 14), phone="13900139000", token="other")
    assert response.status_code == 409
    assert message in response.content.decode()


@pytest.mark.parametrize("code,message", [("en", "not a phone number"), ("zh-hans", "不是有效的电话号码")])
def test_a_bad_phone_is_refused_in_both_languages(mediator, code, message):
    response = post_booking(lang(Client(), code), mediator, at(MONDAY, 14), phone="12345")
    assert response.status_code == 400 and message in response.content.decode()
    assert not Booking.objects.filter(mediator=mediator).exists()


def test_a_past_slot_in_the_link_goes_back_to_the_times(client, mediator):
    response = client.get(reverse("mediators:book", args=[mediator.pk]), {"at": "202612070800"})
    assert response.status_code == 302 and response.url == reverse("mediators:mediator", args=[mediator.pk])


def test_booking_page_needs_code_and_phone(mediator):
    booking = svc.booking_create(svc.BookingRequest(mediator=mediator, starts_at=at(MONDAY, 15), name="王小梅",
                                                    phone="13800138000", matter="邻居噪音扰民多次沟通无果"))
    stranger = Client()
    assert stranger.get(reverse("mediators:booking", args=[booking.code])).status_code == 404
    assert stranger.post(reverse("mediators:cancel", args=[booking.code])).status_code == 404
    wrong = lang(stranger, "en").post(reverse("mediators:manage"), {"code": booking.code, "phone": "13900139000"})
    assert wrong.status_code == 404 and "could not find a booking" in wrong.content.decode()
    right = stranger.post(reverse("mediators:manage"), {"code": booking.code.lower(), "phone": "138-0013-8000"})
    assert right.status_code == 302 and right.url == reverse("mediators:booking", args=[booking.code])
    assert stranger.get(right.url).status_code == 200


def test_cancel_and_move_from_the_booking_page(client, mediator):
    post_booking(client, mediator, at(MONDAY, 14))
    booking = Booking.objects.get(mediator=mediator)
    moved = client.post(reverse("mediators:move", args=[booking.code]), {"at": slot_key(at(MONDAY, 16))})
    assert moved.status_code == 302
    booking.refresh_from_db()
    assert booking.starts_at == at(MONDAY, 16)
    cancelled = client.post(reverse("mediators:cancel", args=[booking.code]), {"reason": "已自行和解"})
    assert cancelled.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_no_change_within_two_hours_in_english(mediator):
    client = lang(Client(), "en")
    post_booking(client, mediator, at(MONDAY, 14))
    booking = Booking.objects.get(mediator=mediator)
    with time_machine.travel(at(MONDAY, 13), tick=False):
        page = client.get(reverse("mediators:booking", args=[booking.code]))
        assert "can no longer be changed" in page.content.decode()
        refused = client.post(reverse("mediators:cancel", args=[booking.code]), {})
        assert refused.status_code == 400 and "can no longer be changed" in refused.content.decode()


def test_rate_once_after_attending(client, mediator, cast):
    post_booking(client, mediator, at(MONDAY, 14))
    booking = Booking.objects.get(mediator=mediator)
    assert client.post(reverse("mediators:rate", args=[booking.code]), {"stars": "5"}).status_code == 400
    svc.booking_mark(booking, cast.mediator, True, now=at(MONDAY, 14))
    assert 'data-testid="rate-form"' in client.get(reverse("mediators:booking", args=[booking.code])).content.decode()
    assert client.post(reverse("mediators:rate", args=[booking.code]), {"stars": "5", "comment": "很耐心"}).status_code == 302
    twice = lang(client, "en").post(reverse("mediators:rate", args=[booking.code]), {"stars": "1"})
    assert twice.status_code == 400 and "already rated" in twice.content.decode()
    assert Rating.objects.get(booking=booking).stars == 5
    assert "5.0" in client.get(reverse("mediators:directory")).content.decode()


def test_my_page_lists_the_signed_in_residents_bookings(mediator, cast):
    client = Client()
    client.force_login(cast.resident)
    post_booking(client, mediator, at(MONDAY, 14))
    booking = Booking.objects.get(mediator=mediator)
    assert booking.resident == cast.resident
    page = client.get(reverse("intake:my_cases"))
    assert booking.code in page.content.decode()
    assert client.get(reverse("mediators:booking", args=[booking.code])).status_code == 200


def test_the_mediator_admin_edits_hours(cast, mediator, client_for):
    admin = cast.admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    url = reverse("admin:mediation_mediatorprofile_change", args=[mediator.pk])
    page = client.get(url)
    assert page.status_code == 200 and "hours-TOTAL_FORMS" in page.content.decode()
    hours = MediatorHours.objects.get(mediator=mediator)
    data = {"unit": mediator.unit.pk, "kind": mediator.kind, "specialties": mediator.specialties,
            "languages": mediator.languages, "service_point": mediator.service_point_id or "", "bio": "",
            "is_available": "on",
            "hours-TOTAL_FORMS": "2", "hours-INITIAL_FORMS": "1", "hours-MIN_NUM_FORMS": "0",
            "hours-MAX_NUM_FORMS": "1000",
            "hours-0-id": hours.pk, "hours-0-mediator": mediator.pk, "hours-0-weekday": "0", "hours-0-start": "14:00",
            "hours-0-end": "17:00", "hours-0-slot_minutes": "60", "hours-0-service_point": hours.service_point_id,
            "hours-1-mediator": mediator.pk, "hours-1-weekday": "3", "hours-1-start": "09:00",
            "hours-1-end": "11:00", "hours-1-slot_minutes": "30", "hours-1-service_point": ""}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert MediatorHours.objects.filter(mediator=mediator).count() == 2
    thursday = [s for s in svc.free_slots(mediator) if s.starts_at.date() == date(2026, 12, 10)]
    assert [s.starts_at.strftime("%H:%M") for s in thursday] == ["09:00", "09:30", "10:00", "10:30"]


def test_booking_is_rate_limited_but_a_replay_is_not(mediator, settings):
    settings.FQ_RATE_SUBMIT_IP = "2/m"
    client = Client(REMOTE_ADDR="10.7.7.7")
    assert post_booking(client, mediator, at(MONDAY, 14), token="a").status_code == 302
    assert post_booking(client, mediator, at(MONDAY, 14), token="a").status_code == 302  # the same form again
    assert post_booking(client, mediator, at(MONDAY, 15), token="b", phone="13900139000").status_code == 302
    limited = post_booking(client, mediator, at(MONDAY, 16), token="c", phone="13700137000")
    assert limited.status_code == 429
    assert Booking.objects.filter(mediator=mediator).count() == 2


def test_directory_queries_do_not_grow_with_mediators(client, mediator, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert client.get(reverse("mediators:directory")).status_code == 200
