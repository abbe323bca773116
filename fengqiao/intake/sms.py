"""The SMS hook for resident accounts.

This build sends no SMS: signing up with a phone number and a password needs no code.
`send_verification_code` is where a deployment that has an SMS gateway will send one
(through fengqiao.notifications' outbox, so it survives restarts); here it is a sink that
records the request, so the sign-up flow, the tests and the demo never depend on a gateway.
"""

from __future__ import annotations

import logging

log = logging.getLogger("fengqiao.intake.sms")

# What would have been sent, newest last (tests read it; nothing else does).
SINK: list[str] = []


def send_verification_code(phone: str) -> None:
    """Ask for a verification code to be sent to `phone`. In this build: recorded, never sent."""
    SINK.append(phone)
    del SINK[:-100]
    log.info("sms sink: verification code for %s***%s not sent (no SMS in this build)", phone[:3], phone[-2:])
