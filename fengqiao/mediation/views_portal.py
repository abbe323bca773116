"""The resident's side of mediation (/mediators/): find a mediator, book a free slot, the confirmation, and the
booking page (cancel, move, rate) opened with the booking code and the phone number.

Thin views: fengqiao.mediation.forms_portal checks the input, fengqiao.mediation.bookings writes. A booking is
shown only to the browser that made or verified it (its code is remembered in the session) or to the signed-in
resident who made it; anyone else gets 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengqiao.intake import tracking
from fengqiao.intake.idempotency import IdempotencyConflict
from fengqiao.intake.limits import failure_count, failures_exhausted, over_limit
from fengqiao.intake.models import IdempotencyRecord
from fengqiao.intake.views import rate_limited
from fengqiao.mediation import bookings as svc
from fengqiao.mediation import rules
from fengqiao.mediation.forms_portal import (
    BookingForm,
    CancelForm,
    DirectoryForm,
    LookupForm,
    MoveForm,
    RateForm,
    parse_slot_key,
    slot_key,
)
from fengqiao.mediation.models import Booking, MediatorProfile, MeetingMode
from fengqiao.privacy.intake import booking_consent

SESSION_KEY = "fq_bookings"
MAX_REMEMBERED = 20


def _remember(request: HttpRequest, booking: Booking) -> None:
    codes = [c for c in request.session.get(SESSION_KEY, []) if c != booking.code]
    request.session[SESSION_KEY] = [*codes, booking.code][-MAX_REMEMBERED:]
    if booking.case is not None:
        tracking.remember(request.session, booking.case.code)  # the case's tracking page opens too


def _booking_for(request: HttpRequest, code: str) -> Booking:
    """The booking this browser verified (or the signed-in resident made); else 404."""
    booking = (Booking.objects.filter(code=code.upper())
               .select_related("mediator__user", "mediator__unit", "service_point", "case").first())
    user = request.user
    if booking is None or not (code.upper() in request.session.get(SESSION_KEY, [])
                               or (user.is_authenticated and booking.resident_id == user.pk)):
        raise Http404(_("No booking to show."))
    return booking


def _available(pk: int) -> MediatorProfile:
    return get_object_or_404(MediatorProfile.objects.select_related("user", "unit", "service_point"),
                             pk=pk, is_available=True, user__is_active=True)


# --- finding a mediator --------------------------------------------------------------------------------------------


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """/mediators/: every available mediator with what they handle, where, their rating and next free time."""
    form = DirectoryForm(request.GET or None, points=svc.directory_points(), languages=svc.directory_languages())
    filters = svc.DirectoryFilter(**form.filters()) if form.is_bound else svc.DirectoryFilter()
    cards = svc.mediator_directory(filters)
    return render(request, "mediation/portal/directory.html",
                  {"form": form, "cards": cards, "filtered": form.is_bound and any(vars(filters).values())})


@never_cache
@require_GET
def mediator(request: HttpRequest, pk: int) -> HttpResponse:
    """A mediator's page: who they are and their free times for the next two weeks."""
    profile = _available(pk)
    slots = svc.free_slots(profile)
    average, count = svc.mediator_rating(profile)
    days = [(day, [(slot, slot_key(slot.starts_at)) for slot in day_slots]) for day, day_slots in svc.slots_by_day(slots)]
    return render(request, "mediation/portal/mediator.html", {
        "profile": profile, "days": days, "average": average, "count": count, "booking_days": rules.BOOKING_DAYS,
        "points": {h.service_point for h in svc.hours_of(profile) if h.service_point_id} or
        ({profile.service_point} if profile.service_point_id else set()),
    })


# --- booking ----------------------------------------------------------------------------------------------------


def _book_page(request, profile, form, *, at, status=200):
    slot = rules.slot_at(svc.hours_of(profile), at) if at else None
    point = svc._point_for(profile, slot) if slot else None
    return render(request, "mediation/portal/book.html",
                  {"profile": profile, "form": form, "at": at, "slot": slot, "point": point}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """/mediators/<pk>/book/?at=202612071400: the resident's details for one free slot, one plain POST."""
    profile = _available(pk)
    video = bool(profile.video_link)
    if request.method == "GET":
        at = parse_slot_key(request.GET.get("at", ""))
        free = {s.starts_at for s in svc.free_slots(profile)}
        if at is None or at not in free:
            messages.warning(request, _("This time is no longer free. Please pick another time."))
            return redirect("mediators:mediator", pk=profile.pk)
        initial = {"at": slot_key(at), "mode": MeetingMode.IN_PERSON}
        if request.user.is_authenticated:
            initial.update({"name": request.user.name, "phone": request.user.phone})
        return _book_page(request, profile, BookingForm(initial=initial, video=video), at=at)

    token = request.POST.get("submission_token", "")
    replay = IdempotencyRecord.objects.filter(scope=svc.BOOKING_SCOPE, key=token).exists()
    if not replay and over_limit(request, group="mediators.book.ip", rate=settings.FQ_RATE_SUBMIT_IP):
        return rate_limited(request)
    form = BookingForm(request.POST, video=video)
    if not form.is_valid():
        return _book_page(request, profile, form, at=form.cleaned_data.get("at"), status=400)
    data = form.cleaned_data
    if not replay and over_limit(request, group="mediators.book.phone", rate=settings.FQ_RATE_SUBMIT_PHONE,
                                 value=data["phone"]):
        return rate_limited(request)
    req = svc.BookingRequest(mediator=profile, starts_at=data["at"], name=data["name"], phone=data["phone"],
                             matter=data["matter"], specialty=data.get("specialty") or "",
                             mode=data.get("mode") or MeetingMode.IN_PERSON, resident=request.user)
    try:
        with transaction.atomic():  # the booking and the consent it was made with, together
            booking, replayed = svc.booking_submit(req, key=data["submission_token"])
            if not replayed:
                booking_consent(data["notice_version"], request.user, booking)
    except IdempotencyConflict:
        post = request.POST.copy()
        post["submission_token"] = BookingForm(video=video).initial["submission_token"]
        form = BookingForm(post, video=video)
        form.is_valid()
        messages.warning(request, _("This form was sent before. If this is a different booking, check it and send "
                                    "it again."))
        return _book_page(request, profile, form, at=data["at"], status=409)
    except ValidationError as exc:
        taken = False
        for name, errors in exc.message_dict.items():
            if name == "starts_at":
                taken = True
            form.add_error(name if name in form.fields and name != "starts_at" else None, errors)
        return _book_page(request, profile, form, at=data["at"], status=409 if taken else 400)
    _remember(request, booking)
    return redirect("mediators:booked", code=booking.code)


@never_cache
@require_GET
def booked(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmation: booking code, case code, when and where (or the video link), what to bring."""
    try:
        booking = _booking_for(request, code)
    except Http404:
        return redirect(f"{reverse('mediators:manage')}?{urlencode({'code': code})}")
    return render(request, "mediation/portal/booked.html", {"booking": booking, "place": svc.place_text(booking),
                                                               "cutoff": rules.BOOKING_CHANGE_CUTOFF.seconds // 3600})


# --- the resident's booking page --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """/mediators/booking/: booking code + phone number → the booking page (remembered for this code only)."""
    if request.method == "POST":
        if over_limit(request, group="mediators.manage.ip", rate=settings.FQ_RATE_TRACK_IP):
            return rate_limited(request)
        form = LookupForm(request.POST)
        if form.is_valid():
            # Wrong phone numbers are counted per booking code too: guesses from many IPs are stopped as well.
            code = form.cleaned_data["code"]
            if failures_exhausted(request, group="mediators.manage.code", rate=settings.FQ_RATE_TRACK_CODE, value=code):
                return rate_limited(request)
            booking = svc.booking_find(code, form.cleaned_data["phone"])
            if booking is not None:
                _remember(request, booking)
                return redirect("mediators:booking", code=booking.code)
            failure_count(request, group="mediators.manage.code", rate=settings.FQ_RATE_TRACK_CODE, value=code)
            form.add_error(None, _("We could not find a booking with this code and this phone number. "
                                   "Check both and try again."))
            return render(request, "mediation/portal/manage.html", {"form": form}, status=404)
        return render(request, "mediation/portal/manage.html", {"form": form}, status=400)
    form = LookupForm(initial={"code": request.GET.get("code", "")[:12]})
    return render(request, "mediation/portal/manage.html", {"form": form})


def _booking_page(request, booking: Booking, *, forms: dict | None = None, status: int = 200) -> HttpResponse:
    now = timezone.now()
    changeable = booking.status == Booking.Status.BOOKED and rules.may_change_booking(booking.starts_at, now)
    slots = svc.free_slots(booking.mediator, now=now, exclude=booking) if changeable else []
    slots = [s for s in slots if s.starts_at != booking.starts_at]
    context = {
        "booking": booking,
        "place": svc.place_text(booking),
        "changeable": changeable,
        "cancel_form": CancelForm(),
        "move_form": MoveForm(slots=slots) if slots else None,
        "rate_form": RateForm() if svc.may_rate(booking) else None,
        "rating": getattr(booking, "rating", None) if booking.status == Booking.Status.ATTENDED else None,
        "cutoff_hours": rules.BOOKING_CHANGE_CUTOFF.seconds // 3600,
    }
    context.update(forms or {})
    return render(request, "mediation/portal/booking.html", context, status=status)


@never_cache
@require_GET
def booking(request: HttpRequest, code: str) -> HttpResponse:
    return _booking_page(request, _booking_for(request, code))


def _errors_to(form, exc: ValidationError, field: str | None = None) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else field, errors)
    else:
        form.add_error(field, exc.messages)


@require_POST
def booking_cancel(request: HttpRequest, code: str) -> HttpResponse:
    booking = _booking_for(request, code)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            svc.booking_cancel(booking=booking, reason=form.cleaned_data.get("reason") or "")
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Your booking is cancelled. The time is free for others again."))
            return redirect("mediators:booking", code=booking.code)
    return _booking_page(request, booking, forms={"cancel_form": form}, status=400)


@require_POST
def booking_move(request: HttpRequest, code: str) -> HttpResponse:
    booking = _booking_for(request, code)
    slots = svc.free_slots(booking.mediator, exclude=booking)
    form = MoveForm(request.POST, slots=slots)
    if form.is_valid():
        try:
            svc.booking_move(booking=booking, starts_at=form.cleaned_data["at"])
        except ValidationError as exc:
            _errors_to(form, exc, "at")
        else:
            messages.success(request, _("Your booking was moved to %(when)s.") % {
                "when": svc.when_text(booking.starts_at)})
            return redirect("mediators:booking", code=booking.code)
    return _booking_page(request, booking, forms={"move_form": form}, status=409 if form.errors.get("at") else 400)


@require_POST
def booking_rate(request: HttpRequest, code: str) -> HttpResponse:
    booking = _booking_for(request, code)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            svc.booking_rate(booking=booking, stars=form.cleaned_data["stars"],
                             comment=form.cleaned_data.get("comment") or "")
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Thank you for rating the mediator."))
            return redirect("mediators:booking", code=booking.code)
    return _booking_page(request, booking, forms={"rate_form": form}, status=400)
