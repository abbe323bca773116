"""The workbench: queues of cases, the case page, and the lifecycle actions (thin: services do the work)."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fengqiao.cases import services as cs
from fengqiao.cases.forms import SORTS, ActionForm, CaseFilterForm
from fengqiao.cases.geo import case_position
from fengqiao.cases.models import Case, Party
from fengqiao.cases.permissions import RESIDENT_ACTIONS, available_actions
from fengqiao.cases.public import public_timeline
from fengqiao.cases.selectors import QUEUES
from fengqiao.cases.workflow import Action, TransitionError, allowed_actions
from fengqiao.core.masking import has_personal_data, mask_id, mask_name, mask_phone
from fengqiao.org.access import Capability, may, may_work_on, scope_for

PAGE_SIZE = 25
SORT_KEYS = {"newest": ("-submitted_at", "-id"), "oldest": ("submitted_at", "id"), "due": ("due_at", "id")}


def _encode_cursor(case: Case, sort: str) -> str:
    value = case.submitted_at if sort != "due" else case.due_at
    raw = json.dumps([value.isoformat(), case.pk])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _after_cursor(qs, cursor: str, sort: str):
    """Keyset pagination: rows strictly after the cursor in sort order (fast at any depth)."""
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        value = datetime.fromisoformat(value)
    except (ValueError, TypeError, json.JSONDecodeError):
        return qs
    field = "due_at" if sort == "due" else "submitted_at"
    if SORT_KEYS[sort][0].startswith("-"):
        return qs.filter(Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": pk}))
    return qs.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk}))


def filtered_cases(user, data: dict):
    qs = Case.objects.visible_to(user)
    queue = data.get("queue")
    if queue:
        qs = qs.filter(QUEUES[queue].filter(user))
    for field in ("status", "grade", "service_type", "channel"):
        if data.get(field):
            qs = qs.filter(**{field: data[field]})
    if data.get("category"):
        qs = qs.filter(Q(category=data["category"]) | Q(category__parent=data["category"]))
    if data.get("region"):
        qs = qs.filter(region__path__startswith=data["region"].path)
    if data.get("unit"):
        qs = qs.filter(holder_unit=data["unit"])
    if data.get("date_from"):
        qs = qs.filter(submitted_at__gte=timezone.make_aware(datetime.combine(data["date_from"], time.min)))
    if data.get("date_to"):
        qs = qs.filter(submitted_at__lte=timezone.make_aware(datetime.combine(data["date_to"], time.max)))
    if data.get("overdue"):
        qs = qs.overdue()
    text = (data.get("q") or "").strip()
    if text:
        if text.isdigit() and len(text) >= 7:
            qs = qs.filter(pk__in=Party.objects.filter(phone__endswith=text).values("case_id"))
        else:
            qs = qs.filter(Q(code__iexact=text) | Q(title__icontains=text) | Q(description__icontains=text))
    return qs


SEARCH_TOKENS = "fq_search_tokens"  # session key: opaque token → [search text, when]
SEARCH_TOKEN_SECONDS = 30 * 60
SEARCH_TOKENS_KEPT = 20


def _search_token(request: HttpRequest, text: str) -> str:
    """A short-lived opaque token standing for the search text: a phone number never goes into a URL (and so
    never into an access log); the text stays in the server-side session."""
    now = int(timezone.now().timestamp())
    kept = {k: v for k, v in request.session.get(SEARCH_TOKENS, {}).items() if v[1] > now - SEARCH_TOKEN_SECONDS}
    token = secrets.token_urlsafe(9)
    kept[token] = [text, now]
    request.session[SEARCH_TOKENS] = dict(sorted(kept.items(), key=lambda kv: kv[1][1])[-SEARCH_TOKENS_KEPT:])
    return token


def _search_text(request: HttpRequest, token: str) -> str | None:
    text, at = request.session.get(SEARCH_TOKENS, {}).get(token, (None, 0))
    return text if at > int(timezone.now().timestamp()) - SEARCH_TOKEN_SECONDS else None


def _search_redirect(request: HttpRequest) -> HttpResponse:
    """The filter form posts (with its CSRF token); the list is then read at a URL where the search text is a token."""
    params = request.POST.copy()
    for name in ("csrfmiddlewaretoken", "after", "qt"):
        params.pop(name, None)
    text = (params.pop("q", None) or [""])[-1].strip()
    if text:
        params["qt"] = _search_token(request, text)
    url = f"{reverse('cases:list')}?{params.urlencode()}" if params else reverse("cases:list")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Location"] = json.dumps({"path": url, "target": "#case-rows"})
        return response
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if Capability.CASE_VIEW not in scope.capabilities and not scope.grants:
        # Residents and reporters have their own pages; staff without a case role see nothing here.
        raise PermissionDenied(_("Your role does not include the case workbench."))
    if request.method == "POST":
        return _search_redirect(request)
    query = request.GET.copy()
    if query.get("qt"):
        text = _search_text(request, query["qt"])
        if text is None:
            messages.info(request, _("That search has expired. Please search again."))
        else:
            query["q"] = text
    form = CaseFilterForm(query or None, scope=scope)
    data = form.cleaned_data if form.is_valid() else {}
    sort = data.get("sort") or "newest"
    qs = filtered_cases(request.user, data)
    if sort == "due":
        qs = qs.filter(due_at__isnull=False)
    cursor = request.GET.get("after", "")
    if cursor:
        qs = _after_cursor(qs, cursor, sort)
    rows = list(
        qs.select_related("region", "holder_unit", "category").order_by(*SORT_KEYS[sort])[: PAGE_SIZE + 1]
    )
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    params = request.GET.copy()
    params.pop("after", None)
    next_url = None
    if has_more:
        params["after"] = _encode_cursor(rows[-1], sort)
        next_url = f"?{params.urlencode()}"
    context = {
        "form": form,
        "cases": rows,
        "next_url": next_url,
        "first_url": f"?{request.GET.copy().urlencode()}".replace(f"after={cursor}", "") if cursor else None,
        "queue": QUEUES.get(data.get("queue") or ""),
        "sorts": SORTS,
        "now": timezone.now(),
        "can_bulk_dispatch": Capability.CASE_DISPATCH in scope.capabilities,
        "bulk_units": _bulk_units(scope) if Capability.CASE_DISPATCH in scope.capabilities else [],
    }
    template = "cases/_case_rows.html" if request.htmx and request.htmx.target == "case-rows" else "cases/case_list.html"
    return render(request, template, context)


def _bulk_units(scope):
    from fengqiao.org.models import OrgUnit
    from fengqiao.org.rules import CENTRE_KINDS

    return OrgUnit.objects.filter(pk__in=scope.unit_ids, is_active=True).exclude(kind__in=CENTRE_KINDS).order_by("name")


def _get_case(request: HttpRequest, code: str) -> Case:
    case = Case.objects.visible_to(request.user).select_related(
        "region", "region__parent", "holder_unit", "category", "category__parent", "service_point", "assignee"
    ).filter(code=code).first()
    if case is None:
        raise Http404(_("No case with this code is visible to you."))
    return case


def _party_rows(parties, reveal: bool) -> list[dict]:
    rows = []
    for p in parties:
        personal = p.kind == Party.Kind.PERSON
        rows.append(
            {
                "role": p.get_role_display(),
                "kind": p.get_kind_display(),
                "name": p.name if (reveal or not personal) else mask_name(p.name),
                "phone": p.phone if reveal else mask_phone(p.phone) if p.phone else "",
                "id_type": p.get_id_type_display() if p.id_type else "",
                "id_number": p.id_number if reveal else mask_id(p.id_number) if p.id_number else "",
            }
        )
    return rows


def _text_has_pii(case: Case, events, attachments) -> bool:
    texts = [case.title, case.description, case.address, *(e.reason for e in events),
             *(a.original_name for a in attachments)]
    return any(text and has_personal_data(text) for text in texts)


@login_required
def case_detail(request: HttpRequest, code: str, *, revealed: list[Party] | None = None, forms=None,
                status: int = 200) -> HttpResponse:
    case = _get_case(request, code)
    if not may_work_on(request.user, case):
        return _resident_view(request, case, forms=forms, status=status)
    actions = [a for a in available_actions(request.user, case) if a != Action.PII_REVEAL]
    action_forms = forms or {}
    for action in actions:
        action_forms.setdefault(action, ActionForm(initial={"version": case.version}, action=action, case=case))
    district = case.region.district
    events = list(case.events.select_related("actor", "actor_unit").order_by("seq"))
    attachments = list(case.attachments.all())
    context = {
        "case": case,
        "parties": _party_rows(revealed if revealed is not None else case.parties.all(), reveal=revealed is not None),
        "revealed": revealed is not None,
        "can_reveal": may(request.user, Capability.PII_REVEAL, case),
        "events": events,
        # personal data written in the text (description, notes, file names): masked until the recorded reveal
        "text_has_pii": _text_has_pii(case, events, attachments),
        "actions": [(a, Action(a).label, action_forms[a]) for a in actions],
        "assisting": case.assignments.filter(role="assist", is_active=True).select_related("unit"),
        "attachments": attachments,
        "boundary": json.dumps(district.boundary) if district and district.boundary else "null",
        "position": case_position(case),
        "now": timezone.now(),
    }
    return render(request, "cases/case_detail.html", context, status=status)


def _resident_view(request: HttpRequest, case: Case, *, forms=None, status: int = 200) -> HttpResponse:
    """What the resident who raised the case (or the grid worker who reported it) sees: no internal notes."""
    actions = [a for a in available_actions(request.user, case) if a in RESIDENT_ACTIONS]
    action_forms = forms or {}
    for action in actions:
        action_forms.setdefault(action, ActionForm(initial={"version": case.version}, action=action, case=case))
    context = {
        "case": case,
        "events": public_timeline(case),
        "actions": [(a, Action(a).label, action_forms[a]) for a in actions],
        "now": timezone.now(),
    }
    return render(request, "cases/case_public.html", context, status=status)


SERVICE_CALLS = {
    Action.ACCEPT: lambda c, u, d: cs.case_accept(case=c, actor=u, expected_version=d["version"]),
    Action.REJECT: lambda c, u, d: cs.case_reject(case=c, actor=u, reason=d["reason"], expected_version=d["version"]),
    Action.MERGE: lambda c, u, d: cs.case_merge(case=c, actor=u, into=d["into"], expected_version=d["version"]),
    Action.DISPATCH: lambda c, u, d: cs.case_dispatch(
        case=c, actor=u, unit=d["unit"], assisting=list(d.get("assisting") or []), expected_version=d["version"]),
    Action.REDISPATCH: lambda c, u, d: cs.case_dispatch(
        case=c, actor=u, unit=d["unit"], note=d.get("reason", ""), expected_version=d["version"]),
    Action.RETURN: lambda c, u, d: cs.case_return(case=c, actor=u, reason=d["reason"], expected_version=d["version"]),
    Action.RETURN_REFUSE: lambda c, u, d: cs.case_return_refuse(
        case=c, actor=u, reason=d["reason"], expected_version=d["version"]),
    Action.SIGN: lambda c, u, d: cs.case_sign(case=c, actor=u, expected_version=d["version"]),
    Action.START: lambda c, u, d: cs.case_start(case=c, actor=u, expected_version=d["version"]),
    Action.PROGRESS: lambda c, u, d: cs.case_progress(case=c, actor=u, note=d["reason"], expected_version=d["version"]),
    Action.EXTENSION_REQUEST: lambda c, u, d: cs.case_extension_request(
        case=c, actor=u, reason=d["reason"], days=d["days"], expected_version=d["version"]),
    Action.EXTENSION_DECIDE: lambda c, u, d: cs.case_extension_decide(
        case=c, actor=u, approve=d["approve"], reason=d.get("reason", ""), expected_version=d["version"]),
    Action.ESCALATE: lambda c, u, d: cs.case_escalate(case=c, actor=u, reason=d["reason"], expected_version=d["version"]),
    Action.SUPERVISE: lambda c, u, d: cs.case_supervise(case=c, actor=u, reason=d["reason"], expected_version=d["version"]),
    Action.HOLD: lambda c, u, d: cs.case_hold(case=c, actor=u, reason=d["reason"], expected_version=d["version"]),
    Action.RESUME: lambda c, u, d: cs.case_resume(case=c, actor=u, expected_version=d["version"]),
    Action.WITHDRAW: lambda c, u, d: cs.case_withdraw(case=c, actor=u, reason=d.get("reason", ""),
                                                      expected_version=d["version"]),
    Action.RESOLVE: lambda c, u, d: cs.case_resolve(
        case=c, actor=u, outcome=d["outcome"], note=d["reason"], expected_version=d["version"]),
    Action.CONFIRM: lambda c, u, d: cs.case_confirm(
        case=c, actor=u, satisfaction=d["satisfaction"], expected_version=d["version"],
        by="resident" if u.pk == c.applicant_user_id else "return_visit"),
    Action.REOPEN: lambda c, u, d: cs.case_reopen(case=c, actor=u, reason=d["reason"], expected_version=d["version"]),
    Action.CLOSE: lambda c, u, d: cs.case_close(case=c, actor=u, expected_version=d["version"]),
    Action.ASSIGN: lambda c, u, d: cs.case_assign(case=c, actor=u, assignee=d["assignee"], expected_version=d["version"]),
    Action.ASSIST: lambda c, u, d: cs.case_assist(case=c, actor=u, unit=d["unit"], expected_version=d["version"]),
    Action.NOTE: lambda c, u, d: cs.case_note(case=c, actor=u, text=d["reason"]),
    Action.REGRADE: lambda c, u, d: cs.case_regrade(
        case=c, actor=u, grade=d["grade"], reason=d["reason"], expected_version=d["version"]),
}


@login_required
@require_POST
def case_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Run one lifecycle action from a plain form post; refusals keep the case unchanged and say why."""
    case = _get_case(request, code)
    if action not in SERVICE_CALLS:
        raise Http404(_("Unknown action."))
    if action not in available_actions(request.user, case):
        # 409 when the state forbids it, 403 when the state allows it but this user may not.
        status = 403 if action in allowed_actions(case.status) else 409
        messages.error(request, _("“%(action)s” is not possible for you on this case now.") % {"action": Action(action).label})
        return case_detail(request, code, status=status)
    form = ActionForm(request.POST, action=action, case=case)
    if not form.is_valid():
        messages.error(request, _("Please correct the fields marked below."))
        return case_detail(request, code, forms={action: form}, status=400)
    data = form.cleaned_data
    if action == Action.MERGE and not Case.objects.visible_to(request.user).filter(pk=data["into"].pk).exists():
        form.add_error("into", _("No case has the code %(code)s.") % {"code": data["into"].code})
        return case_detail(request, code, forms={action: form}, status=400)
    try:
        SERVICE_CALLS[action](case, request.user, data)
    except cs.ConcurrentUpdate as exc:
        messages.error(request, str(exc))
        return case_detail(request, code, status=409)
    except TransitionError as exc:
        messages.error(request, str(exc))
        return case_detail(request, code, status=409)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return case_detail(request, code, status=403)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return case_detail(request, code, forms={action: form}, status=400)
    messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
    if not Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
        # e.g. after a return (退单) the case has left this unit: back to the queues, not to a 404.
        return redirect(reverse("core:home"))
    return redirect(reverse("cases:detail", args=[code]))


@login_required
@require_POST
def case_bulk(request: HttpRequest) -> HttpResponse:
    """Dispatch many accepted cases at once; each goes through its service and may be refused on its own."""
    if Capability.CASE_DISPATCH not in scope_for(request.user).capabilities:
        # Gate first (fengqiao/org/policy.py): without the right to dispatch, there is nothing to try case by case.
        raise PermissionDenied(_("Your role does not include dispatching cases."))
    codes = request.POST.getlist("codes")[:100]
    action = request.POST.get("bulk_action")
    cases = list(Case.objects.visible_to(request.user).filter(code__in=codes).select_related("holder_unit"))
    done, refused = [], []
    for case in cases:
        form = ActionForm({**request.POST.dict(), "version": case.version}, action=action, case=case) if (
            action == Action.DISPATCH) else None
        if form is None or not form.is_valid():
            refused.append(case.code)
            continue
        try:
            SERVICE_CALLS[action](case, request.user, form.cleaned_data)
            done.append(case.code)
        except (TransitionError, PermissionDenied, ValidationError, cs.ConcurrentUpdate):
            refused.append(case.code)
    if done:
        messages.success(request, _("Done for %(n)d cases: %(codes)s") % {"n": len(done), "codes": "、".join(done)})
    if refused or not cases:
        messages.error(request, _("Not possible for: %(codes)s") % {"codes": "、".join(refused) or "—"})
    return redirect(request.POST.get("next") or reverse("cases:list"))


@login_required
@require_POST
def case_reveal(request: HttpRequest, code: str) -> HttpResponse:
    """Show unmasked personal data once; the read is recorded on the timeline."""
    case = _get_case(request, code)
    if not may(request.user, Capability.PII_REVEAL, case):
        raise PermissionDenied(_("You may not see this personal data."))
    parties = cs.case_reveal_personal_data(case=case, actor=request.user, reason=request.POST.get("reason", ""))
    return case_detail(request, code, revealed=parties)
