"""Which capability each lifecycle action needs (the "do" half of fengqiao.org.access)."""

from __future__ import annotations

from fengqiao.cases.workflow import Action
from fengqiao.org.access import Capability as C

ACTION_CAPABILITY: dict[str, C] = {
    Action.ACCEPT: C.CASE_REVIEW,
    Action.REJECT: C.CASE_REVIEW,
    Action.MERGE: C.CASE_REVIEW,
    Action.DISPATCH: C.CASE_DISPATCH,
    Action.REDISPATCH: C.CASE_DISPATCH,
    Action.RETURN_REFUSE: C.CASE_DISPATCH,
    Action.ESCALATE: C.CASE_DISPATCH,
    Action.SUPERVISE: C.CASE_DISPATCH,
    Action.EXTENSION_DECIDE: C.CASE_DISPATCH,
    Action.ASSIST: C.CASE_DISPATCH,
    Action.CLOSE: C.CASE_REVIEW,
    Action.CONFIRM: C.CASE_REVIEW,  # a return visit (回访) by the centre
    Action.REGRADE: C.CASE_REVIEW,
    Action.SIGN: C.CASE_HANDLE,
    Action.START: C.CASE_HANDLE,
    Action.PROGRESS: C.CASE_HANDLE,
    Action.RETURN: C.CASE_HANDLE,
    Action.EXTENSION_REQUEST: C.CASE_HANDLE,
    Action.HOLD: C.CASE_HANDLE,
    Action.RESUME: C.CASE_HANDLE,
    Action.RESOLVE: C.CASE_HANDLE,
    Action.ASSIGN: C.CASE_HANDLE,
    Action.NOTE: C.CASE_NOTE,  # an internal note or a file: seeing the case is never enough to write on it
    Action.PII_REVEAL: C.PII_REVEAL,
    Action.REOPEN: C.CASE_REVIEW,
    Action.WITHDRAW: C.CASE_REVIEW,
}

# What the resident who raised the case may do on it themselves.
RESIDENT_ACTIONS = frozenset({Action.WITHDRAW, Action.CONFIRM, Action.REOPEN})

# What the resident who raised the case, or the grid worker who reported it, may add to it themselves: public
# information and files (cases.services.case_add_information, case_attach), never an internal note.
OWNER_PUBLIC_ACTIONS = frozenset({Action.NOTE})

# Writes that are not lifecycle actions, each with the capability it needs (the same table for every entry point:
# the case page, the API, the tracking page). A file goes on the timeline as a note.
OPERATION_CAPABILITY: dict[str, C] = {
    "case.attach": C.CASE_NOTE,
    "case.recategorise": C.CASE_REVIEW,
    "case.link": C.CASE_REVIEW,
    "case.bulk_dispatch": C.CASE_DISPATCH,
}


def may_act(user, action: str, case, *, is_public: bool = False) -> bool:
    """May `user` take `action` on `case` by their role, as its resident, or as the one who reported it?"""
    from fengqiao.org.access import may

    if user is None or not user.is_authenticated:
        return False
    own = user.pk in (case.applicant_user_id, case.reporter_id)
    if action in OWNER_PUBLIC_ACTIONS and is_public and own:
        return True
    if action in RESIDENT_ACTIONS and user.pk == case.applicant_user_id:
        return True
    capability = ACTION_CAPABILITY.get(action)
    return capability is not None and may(user, capability, case)


def available_actions(user, case) -> list[str]:
    """The lifecycle actions `user` may take on `case` now: allowed in its state and by their role."""
    from fengqiao.cases.workflow import allowed_actions
    from fengqiao.org.access import may

    actions = []
    for action in allowed_actions(case.status):
        if action in RESIDENT_ACTIONS and user.is_authenticated and user.pk == case.applicant_user_id:
            actions.append(action)
            continue
        capability = ACTION_CAPABILITY.get(action)
        if capability is not None and may(user, capability, case):
            actions.append(action)
    return actions
