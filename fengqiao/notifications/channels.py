"""Delivery channels. Outside production every channel is a sink (recorded, never sent) unless configured."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger("fengqiao.notifications")


class Channel:
    def send(self, *, address: str, subject: str, body: str, key: str = "") -> None:  # pragma: no cover - interface
        """`key` is the outbox message's own: the same on every attempt, for a receiver to drop a repeat."""
        raise NotImplementedError


class SinkChannel(Channel):
    """Records the message in the log and pretends it was delivered (development, tests, demos)."""

    sent: list[dict] = []

    def send(self, *, address: str, subject: str, body: str, key: str = "") -> None:
        SinkChannel.sent.append({"address": address, "subject": subject, "body": body})
        log.info("sink: to=%s subject=%s", address, subject)


class EmailChannel(Channel):
    def send(self, *, address: str, subject: str, body: str, key: str = "") -> None:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


class WebhookChannel(Channel):
    """POSTs JSON to a URL, signed with HMAC-SHA256 in X-Fengqiao-Signature (SMS gateways, chat bots)."""

    def __init__(self, url: str, secret: str):
        self.url, self.secret = url, secret

    def send(self, *, address: str, subject: str, body: str, key: str = "") -> None:
        payload = json.dumps({"to": address, "subject": subject, "text": body}, ensure_ascii=False).encode()
        signature = hmac.new(self.secret.encode(), payload, hashlib.sha256).hexdigest()
        request = urllib.request.Request(  # noqa: S310 - the URL is operator configuration
            self.url, data=payload, method="POST",
            headers={"Content-Type": "application/json", "X-Fengqiao-Signature": f"sha256={signature}",
                     **({"Idempotency-Key": key} if key else {})},  # a resend after a crash carries the same key
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            if response.status >= 300:
                raise OSError(f"webhook answered {response.status}")


def channel_for(name: str) -> Channel | None:
    """The configured channel called `name`, or None when it is switched off."""
    spec = settings.FQ_NOTIFY_CHANNELS.get(name)
    if not spec:
        return None
    if isinstance(spec, dict):
        cls = import_string(spec["class"])
        return cls(**spec.get("options", {}))
    return import_string(spec)()
