"""The only writes of commands and check-in. Each service checks who acts, runs in one transaction with the
command's row locked, records a line in the command's thread and tells the people concerned.

    command_issue → (command_sign) → command_checkin … command_post … → command_confirm | command_escalate
    sweep_commands: when a command's clock runs out, departments that have not checked in are flagged missing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.cases import services as cs
from fengqiao.cases.geo import case_position
from fengqiao.cases.models import Case
from fengqiao.cases.workflow import TERMINAL_STATES, Action
from fengqiao.commands import rules
from fengqiao.commands.models import (
    CheckIn,
    CheckInPerson,
    Command,
    CommandPolicy,
    CommandTarget,
    Flag,
    Level,
    Post,
    Rank,
    StaffRank,
)
from fengqiao.core.reasons import reason
from fengqiao.notifications.services import notify, unit_members
from fengqiao.org.access import Capability, may
from fengqiao.org.models import Membership, OrgUnit, Role
from fengqiao.org.rules import CENTRE_KINDS

ISSUER_ROLES = (Role.OPERATOR, Role.LEADER)
DAILY_REMINDER_HOUR = 8  # local time: the reminder of the day before goes out in the morning
MODE_WORDS = {"on_site": gettext_noop("on site"), "online": gettext_noop("online")}
FLAG_WORDS = {
    Flag.LATE: gettext_noop("%(unit_name)s checked in late"),
    Flag.UNDER_RANKED: gettext_noop("%(unit_name)s: nobody of the required rank came"),
    Flag.SHORT_HANDED: gettext_noop("%(unit_name)s: fewer people came than required"),
    Flag.FAR: gettext_noop("%(unit_name)s: the check-in was far from the case's place"),
    Flag.ONLINE: gettext_noop("%(unit_name)s checked in online where on site was required"),
}
HEAD_ROLES = (Role.LEADER,)
DEPARTMENT_ROLES = (Role.HANDLER, Role.MEDIATOR, Role.LEADER)  # a mediation committee can be called too


# --- reads used by the writes ------------------------------------------------------------------------------


def policy_for(case: Case, level: str) -> rules.Policy:
    """The policy a command of `level` on `case` follows: the case's category's row, else the level's row,
    else the shipped default."""
    rows = {(p.category_id, p.level): p for p in CommandPolicy.objects.filter(level=level, is_active=True)}
    row = rows.get((case.category_id, level)) if case.category_id else None
    row = row or rows.get((None, level))
    if row is None:
        return rules.DEFAULT_POLICIES[Level(level)]
    return rules.Policy(level, row.checkin_amount, row.checkin_unit, row.min_rank, row.headcount, row.on_site,
                        row.max_distance_m, row.source)


def _snapshot(command: Command) -> rules.Policy:
    return rules.Policy(command.level, command.checkin_amount, command.checkin_unit, command.min_rank,
                        command.headcount, command.on_site, command.max_distance_m)


def _member(user, unit: OrgUnit, roles) -> bool:
    return bool(user and user.is_authenticated) and Membership.objects.filter(
        user=user, unit=unit, role__in=list(roles), is_active=True).exists()


def _district_path(unit: OrgUnit) -> str:
    district = unit.region.district
    return (district or unit.region).path


def reachable(issuer: OrgUnit, target: OrgUnit) -> bool:
    return rules.in_reach(issuer.path, issuer.region.path, target.kind, target.path, target.region.path,
                          _district_path(issuer))


def rank_of(user) -> int:
    record = StaffRank.objects.filter(user=user).first()
    return record.rank if record else Rank.STAFF


def _say(command: Command, msgid: str, *, at: datetime, actor=None, unit: OrgUnit | None = None, **args: Any) -> Post:
    return Post.objects.create(command=command, kind=Post.Kind.SYSTEM, author=actor, unit=unit,
                               message=reason(msgid, **args), at=at)


def _tell_targets(command: Command, title: str, key: str) -> None:
    units = [t.unit for t in command.targets.select_related("unit")]
    notify(unit_members(units, DEPARTMENT_ROLES), kind="command", title=title, body=command.instructions[:200],
           case=command.case, key=key)


def _tell_issuer(command: Command, title: str, body: str, key: str) -> None:
    notify(unit_members([command.issuer_unit], ISSUER_ROLES), kind="command", title=title, body=body,
           case=command.case, key=key)


def _locked(command: Command) -> Command:
    return Command.objects.select_for_update().select_related("case", "issuer_unit__region").get(pk=command.pk)


def _move(command: Command, move: str) -> str:
    to = rules.next_status(command.status, move)
    if to is None:
        raise ValidationError(_("This command is %(status)s: it cannot be done now.")
                              % {"status": command.get_status_display()})
    return to


# --- issue and sign ----------------------------------------------------------------------------------------


@transaction.atomic
def command_issue(*, case: Case, actor, issuer_unit: OrgUnit, level: str, units: list[OrgUnit],
                  instructions: str, at: datetime | None = None, escalated_from: Command | None = None) -> Command:
    """A centre commands departments to come to `case`. Signed at once when the actor is the centre's head
    (leader); otherwise it waits for the head's signature."""
    now = at or timezone.now()
    errors: dict[str, list[str]] = {}
    if issuer_unit.kind not in CENTRE_KINDS:
        raise PermissionDenied(_("Only a community, street or district centre issues commands."))
    if not _member(actor, issuer_unit, ISSUER_ROLES) or not may(actor, Capability.CASE_DISPATCH, case):
        raise PermissionDenied(_("You may not issue commands for this centre on this case."))
    locked_case = Case.objects.select_for_update().get(pk=case.pk)
    if locked_case.status in TERMINAL_STATES:
        raise ValidationError(_("The case is %(status)s: no command can be issued on it.")
                              % {"status": locked_case.get_status_display()})
    if level not in Level.values:
        errors["level"] = [_("Choose the level of the command.")]
    if not instructions.strip():
        errors["instructions"] = [_("Say what the departments must do.")]
    targets = list(dict.fromkeys(units))
    if not targets:
        errors["units"] = [_("Choose at least one department.")]
    outside = [u.name for u in targets if not reachable(issuer_unit, u)]
    if outside:
        errors["units"] = [_("Outside this centre's reach: %(units)s. A centre commands the departments of its own "
                             "district and the centres below it.") % {"units": "、".join(outside)}]
    if errors:
        raise ValidationError(errors)
    policy = policy_for(locked_case, level)
    number = f"{locked_case.code}-L{Command.objects.filter(case=locked_case).count() + 1}"
    command = Command.objects.create(
        number=number, case=locked_case, level=level, issuer_unit=issuer_unit, issued_by=actor,
        instructions=instructions.strip(), checkin_amount=policy.checkin_amount, checkin_unit=policy.checkin_unit,
        min_rank=policy.min_rank, headcount=policy.headcount, on_site=policy.on_site,
        max_distance_m=policy.max_distance_m, escalated_from=escalated_from, created_at=now)
    CommandTarget.objects.bulk_create([CommandTarget(command=command, unit=u) for u in targets])
    _say(command, gettext_noop("Drawn up by %(unit_name)s"), at=now, actor=actor, unit=issuer_unit,
         unit_name=issuer_unit.name)
    if _member(actor, issuer_unit, HEAD_ROLES):
        _issue(command, actor, now)
    else:
        notify(unit_members([issuer_unit], HEAD_ROLES), kind="command",
               title=_("A command waits for your signature: %(number)s") % {"number": command.number},
               body=command.instructions[:200], case=locked_case, key=f"command:{command.pk}:sign")
    return command


def _issue(command: Command, actor, now: datetime) -> None:
    command.status = _move(command, "sign")
    command.signed_by = actor
    command.issued_at = now
    command.due_at = rules.checkin_due(_snapshot(command), now)
    command.save(update_fields=["status", "signed_by", "issued_at", "due_at"])
    _say(command, gettext_noop("Signed and issued by %(name)s; check in by %(due)s"), at=now, actor=actor,
         unit=command.issuer_unit, name=actor.name or actor.username,
         due=timezone.localtime(command.due_at).strftime("%Y-%m-%d %H:%M"))
    cs.case_record_step(case=command.case, action=Action.COMMAND, step="issued", actor=actor, at=now,
                        public=gettext_noop("%(units)s called to the scene by %(centre)s"),
                        public_args={"units": "、".join(t.unit.name for t in command.targets.select_related("unit")),
                                     "centre": command.issuer_unit.name},
                        data={"command": command.number, "level": command.level})
    _tell_targets(command, _("Command %(number)s: check in by %(due)s")
                  % {"number": command.number, "due": timezone.localtime(command.due_at).strftime("%m-%d %H:%M")},
                  key=f"command:{command.pk}:issued")


@transaction.atomic
def command_sign(*, command: Command, actor, at: datetime | None = None) -> Command:
    """The issuing centre's head signs: the command is issued and reaches each department at once."""
    now = at or timezone.now()
    locked = _locked(command)
    if not _member(actor, locked.issuer_unit, HEAD_ROLES):
        raise PermissionDenied(_("Only the head of the issuing centre signs its commands."))
    _move(locked, "sign")
    _issue(locked, actor, now)
    return locked


# --- check in and report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInResult:
    checkin: CheckIn
    flags: tuple[str, ...]


@transaction.atomic
def command_checkin(*, target: CommandTarget, actor, on_site: bool, people: list, latitude: float | None = None,
                    longitude: float | None = None, photo=None, note: str = "",
                    at: datetime | None = None) -> CheckInResult:
    """A department checks in, naming who came. What is wrong (late, below the rank, too few, far away, online
    where on site was required) is recorded with the check-in and shown to the whole command group."""
    now = at or timezone.now()
    command = _locked(target.command)
    target = CommandTarget.objects.select_for_update().select_related("unit").get(pk=target.pk)
    if not _member(actor, target.unit, DEPARTMENT_ROLES):
        raise PermissionDenied(_("Only a member of %(unit)s checks in for it.") % {"unit": target.unit.name})
    if command.status != Command.Status.ISSUED:
        raise ValidationError(_("This command is %(status)s: check-in is closed.")
                              % {"status": command.get_status_display()})
    if target.status == CommandTarget.Status.CHECKED_IN:
        raise ValidationError(_("%(unit)s has already checked in for this command.") % {"unit": target.unit.name})
    chosen = list(dict.fromkeys(people))
    if not chosen:
        raise ValidationError({"people": [_("Name who came.")]})
    members = set(Membership.objects.filter(unit=target.unit, is_active=True, user__in=chosen)
                  .values_list("user_id", flat=True))
    strangers = [p for p in chosen if p.pk not in members]
    if strangers:
        raise ValidationError({"people": [_("Not a member of %(unit)s: %(names)s.") % {
            "unit": target.unit.name, "names": "、".join(p.name or p.username for p in strangers)}]})
    already = set(CheckInPerson.objects.filter(command=command, user__in=chosen).values_list("user_id", flat=True))
    if already:
        names = "、".join(p.name or p.username for p in chosen if p.pk in already)
        raise ValidationError({"people": [_("Already checked in for this command: %(names)s.") % {"names": names}]})
    if (latitude is None) != (longitude is None) or (latitude is not None and not (-90 <= latitude <= 90
                                                                                   and -180 <= longitude <= 180)):
        raise ValidationError({"latitude": [_("The position is not valid; let the phone locate you again.")]})
    place = case_position(command.case)
    distance = None
    if on_site and latitude is not None and longitude is not None and place is not None:
        distance = rules.distance_m(latitude, longitude, place.latitude, place.longitude)
    ranks = {p.pk: rank_of(p) for p in chosen}
    judged = rules.assess_checkin(_snapshot(command), due=command.due_at, at=now, ranks=list(ranks.values()),
                                  on_site=on_site, distance=distance, place_known=place is not None,
                                  place_radius_m=place.radius_m if place is not None else 0)
    checkin = CheckIn.objects.create(
        target=target, mode=CheckIn.Mode.ON_SITE if on_site else CheckIn.Mode.ONLINE, at=now, by=actor,
        latitude=latitude, longitude=longitude, distance_m=judged.distance_m, note=note.strip(),
        flags=list(judged.flags))
    if photo is not None:
        suffix = PurePath(photo.name or "").suffix.lower()
        suffix = suffix if suffix in (".jpg", ".jpeg", ".png", ".webp", ".gif") else ".jpg"
        checkin.photo.save(f"{command.number}-{target.unit_id}{suffix}", photo, save=True)  # no resident's file name
    try:
        with transaction.atomic():
            CheckInPerson.objects.bulk_create([CheckInPerson(checkin=checkin, command=command, user=p,
                                                             rank=ranks[p.pk]) for p in chosen])
    except IntegrityError as exc:  # two check-ins naming the same person at the same moment
        raise ValidationError({"people": [_("Someone named here has just checked in for this command.")]}) from exc
    kept = [f for f in target.flags if f == Flag.MISSING]  # a department that missed the clock stays counted
    target.flags = kept + [f for f in judged.flags if f not in kept]
    target.status = CommandTarget.Status.CHECKED_IN
    target.checked_in_at = now
    target.save(update_fields=["flags", "status", "checked_in_at"])
    _say(command, gettext_noop("%(unit_name)s checked in (%(mode)s, %(people)s people)"), at=now, actor=actor,
         unit=target.unit, unit_name=target.unit.name, mode=reason(MODE_WORDS[checkin.mode]), people=len(chosen))
    for flag in judged.flags:
        _say(command, FLAG_WORDS[flag], at=now, unit=target.unit, unit_name=target.unit.name)
    if judged.flags:
        _tell_issuer(command, _("%(unit)s checked in with problems: %(flags)s") % {
            "unit": target.unit.name, "flags": "、".join(rules.flag_label(f) for f in judged.flags)},
            body=command.number, key=f"command:{command.pk}:checkin:{target.pk}")
    return CheckInResult(checkin, judged.flags)


@transaction.atomic
def command_post(*, command: Command, actor, text: str, at: datetime | None = None) -> Post:
    """Progress reported in the command's thread, by a commanded department or the issuing centre."""
    now = at or timezone.now()
    locked = _locked(command)
    if not text.strip():
        raise ValidationError({"text": [_("Write what has been done.")]})
    unit = post_unit(locked, actor)
    if unit is None:
        raise PermissionDenied(_("Only the issuing centre and the commanded departments write in this thread."))
    if not locked.is_open:
        raise ValidationError(_("This command is closed."))
    return Post.objects.create(command=locked, kind=Post.Kind.PROGRESS, author=actor, unit=unit, text=text.strip(),
                               at=now)


def post_unit(command: Command, user) -> OrgUnit | None:
    """The unit `user` writes for in this command's thread, if any."""
    if _member(user, command.issuer_unit, ISSUER_ROLES):
        return command.issuer_unit
    for target in command.targets.select_related("unit"):
        if _member(user, target.unit, DEPARTMENT_ROLES):
            return target.unit
    return None


# --- close -------------------------------------------------------------------------------------------------


def _issuer_only(command: Command, actor) -> None:
    if not _member(actor, command.issuer_unit, ISSUER_ROLES) or not may(actor, Capability.CASE_DISPATCH,
                                                                          command.case):
        raise PermissionDenied(_("Only the issuing centre closes or escalates its command."))


@transaction.atomic
def command_confirm(*, command: Command, actor, reason_text: str = "", at: datetime | None = None) -> Command:
    """The issuing centre confirms the command fulfilled. While a department has not checked in, only with a reason."""
    now = at or timezone.now()
    locked = _locked(command)
    _issuer_only(locked, actor)
    to = _move(locked, "confirm")
    waiting = [t.unit.name for t in locked.targets.select_related("unit") if t.status != CommandTarget.Status.CHECKED_IN]
    if waiting and not reason_text.strip():
        raise ValidationError({"reason": [_("%(units)s has not checked in: say why the command is fulfilled anyway.")
                                          % {"units": "、".join(waiting)}]})
    locked.status, locked.closed_at, locked.closed_by, locked.close_reason = to, now, actor, reason_text.strip()
    locked.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
    _say(locked, gettext_noop("Confirmed fulfilled by %(unit_name)s"), at=now, actor=actor, unit=locked.issuer_unit,
         unit_name=locked.issuer_unit.name)
    flagged = {t.unit.name: t.flags for t in locked.targets.select_related("unit") if t.flags}
    cs.case_record_step(case=locked.case, action=Action.COMMAND, step="fulfilled", actor=actor, at=now,
                        reason=reason_text.strip(), public=gettext_noop("The departments called to the scene have "
                                                                         "done their part"),
                        data={"command": locked.number, "flags": flagged})
    _tell_targets(locked, _("Command %(number)s is fulfilled") % {"number": locked.number},
                  key=f"command:{locked.pk}:fulfilled")
    return locked


@transaction.atomic
def command_escalate(*, command: Command, actor, reason_text: str, at: datetime | None = None) -> Command:
    """The issuing centre escalates to the centre above; the new command, issued by that centre, binds."""
    now = at or timezone.now()
    locked = _locked(command)
    _issuer_only(locked, actor)
    to = _move(locked, "escalate")
    if not reason_text.strip():
        raise ValidationError({"reason": [_("Say why the command goes to the next level.")]})
    parent = locked.issuer_unit.parent
    while parent is not None and parent.kind not in CENTRE_KINDS:
        parent = parent.parent
    if parent is None:
        raise ValidationError(_("The district centre is the last level: there is no centre above it."))
    locked.status, locked.closed_at, locked.closed_by, locked.close_reason = to, now, actor, reason_text.strip()
    locked.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
    level = Level.URGENT if locked.level == Level.URGENT else Level.MAJOR
    units = [t.unit for t in locked.targets.select_related("unit")]
    higher = Command.objects.create(
        number=f"{locked.case.code}-L{Command.objects.filter(case=locked.case).count() + 1}", case=locked.case,
        level=level, issuer_unit=parent, issued_by=actor, escalated_from=locked, created_at=now,
        instructions=locked.instructions, **_policy_fields(policy_for(locked.case, level)))
    CommandTarget.objects.bulk_create([CommandTarget(command=higher, unit=u) for u in units])
    _say(locked, gettext_noop("Escalated to %(unit_name)s"), at=now, actor=actor, unit=locked.issuer_unit,
         unit_name=parent.name)
    cs.case_record_step(case=locked.case, action=Action.COMMAND, step="escalated", actor=actor, at=now,
                        reason=reason_text.strip(), data={"command": locked.number, "to": parent.pk})
    _say(higher, gettext_noop("Escalated from %(unit_name)s (%(number)s): waiting for this centre's head to sign"),
         at=now, actor=actor, unit=locked.issuer_unit, unit_name=locked.issuer_unit.name, number=locked.number)
    notify(unit_members([parent], (*HEAD_ROLES, Role.OPERATOR)), kind="command",
           title=_("A command was escalated to you: %(number)s") % {"number": higher.number},
           body=reason_text.strip()[:200], case=locked.case, key=f"command:{higher.pk}:escalated")
    return higher


def _policy_fields(policy: rules.Policy) -> dict[str, Any]:
    return {"checkin_amount": policy.checkin_amount, "checkin_unit": policy.checkin_unit,
            "min_rank": policy.min_rank, "headcount": policy.headcount, "on_site": policy.on_site,
            "max_distance_m": policy.max_distance_m}


@transaction.atomic
def command_withdraw(*, command: Command, actor, reason_text: str, at: datetime | None = None) -> Command:
    now = at or timezone.now()
    locked = _locked(command)
    _issuer_only(locked, actor)
    to = _move(locked, "withdraw")
    if not reason_text.strip():
        raise ValidationError({"reason": [_("Say why the command is withdrawn.")]})
    locked.status, locked.closed_at, locked.closed_by, locked.close_reason = to, now, actor, reason_text.strip()
    locked.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
    _say(locked, gettext_noop("Withdrawn by %(unit_name)s"), at=now, actor=actor, unit=locked.issuer_unit,
         unit_name=locked.issuer_unit.name)
    return locked


# --- the clock ---------------------------------------------------------------------------------------------


def sweep_commands(*, now: datetime | None = None) -> int:
    """Flag the departments that have not checked in when a command's clock runs out (once per command:
    the claim is a conditional UPDATE, so two workers never flag twice). Returns how many were flagged."""
    now = now or timezone.now()
    flagged = 0
    due = Command.objects.filter(status=Command.Status.ISSUED, due_at__lte=now, swept_at__isnull=True)
    for pk in due.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            if not Command.objects.filter(pk=pk, swept_at__isnull=True).update(swept_at=now):
                continue
            command = Command.objects.select_related("case", "issuer_unit").get(pk=pk)
            missing = list(command.targets.filter(status=CommandTarget.Status.WAITING).select_related("unit"))
            for target in missing:
                target.status = CommandTarget.Status.MISSING
                target.flags = [*target.flags, Flag.MISSING]
                target.save(update_fields=["status", "flags"])
                _say(command, gettext_noop("%(unit_name)s did not check in in time"), at=now, unit=target.unit,
                     unit_name=target.unit.name)
            if missing:
                flagged += len(missing)
                _tell_issuer(command, _("Command %(number)s: %(units)s did not check in in time") % {
                    "number": command.number, "units": "、".join(t.unit.name for t in missing)},
                    body=command.instructions[:200], key=f"command:{command.pk}:missing")
                notify(unit_members([t.unit for t in missing], DEPARTMENT_ROLES), kind="command",
                       title=_("You did not check in for command %(number)s in time") % {"number": command.number},
                       body=command.instructions[:200], case=command.case, key=f"command:{command.pk}:missed")
    return flagged


# --- what the assessment reads -----------------------------------------------------------------------------


def tally(*, since: datetime, until: datetime, units: list[OrgUnit] | None = None) -> dict[int, Counter]:
    """Per department, over commands issued in [since, until): commanded, checked in, on time, and each flag."""
    targets = CommandTarget.objects.filter(command__issued_at__gte=since, command__issued_at__lt=until)
    if units is not None:
        targets = targets.filter(unit__in=units)
    counts: dict[int, Counter] = {}
    for unit_id, status, flags in targets.values_list("unit_id", "status", "flags"):
        c = counts.setdefault(unit_id, Counter())
        c["commanded"] += 1
        if status == CommandTarget.Status.CHECKED_IN:
            c["checked_in"] += 1
            if Flag.LATE not in flags and Flag.MISSING not in flags:
                c["on_time"] += 1
        for flag in flags:
            c[flag] += 1
    return counts


def daily_reminder(*, now: datetime | None = None) -> int:
    """Each morning, tell every department what its check-ins of the day before cost it (late, missing, below the
    rank, too few): the daily reminder of MISSION §7. Once per department and day (the notice's key); returns how
    many departments were told."""
    from datetime import time, timedelta

    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < DAILY_REMINDER_HOUR:
        return 0
    today = datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)
    yesterday = today - timedelta(days=1)
    counts = tally(since=yesterday, until=today)
    told = 0
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=list(counts))}
    for unit_id, c in counts.items():
        problems = {f: c[f] for f in (Flag.LATE, Flag.MISSING, Flag.UNDER_RANKED, Flag.SHORT_HANDED) if c[f]}
        if not problems:
            continue
        words = "、".join(f"{rules.flag_label(f)} {n}" for f, n in problems.items())
        notify(unit_members([units[unit_id]], DEPARTMENT_ROLES), kind="command",
               title=_("Yesterday's commands: %(words)s (of %(n)d)") % {"words": words, "n": c["commanded"]},
               key=f"command-daily:{yesterday.date().isoformat()}:{unit_id}")
        told += 1
    return told
