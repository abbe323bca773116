"""Writes of the API's own data: partner clients and their webhook subscriptions.

Case writes never happen here: fengqiao.api.casework calls fengqiao.cases.services.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.api.auth import hash_secret, new_key
from fengqiao.api.models import ApiClient, ApiScope, WebhookEvent, WebhookSubscription, key_expiry_default
from fengqiao.org.models import OrgUnit, Role
from fengqiao.org.services import membership_grant

DEFAULT_UNIT = "光明区群众诉求服务大厅"
DEFAULT_ROLE = Role.OPERATOR
MAX_SUBSCRIPTIONS = 20

DEMO_CLIENT = "演示合作系统 (demo partner)"
DEMO_SOURCE_SYSTEM = "demo-partner"
DEMO_PREFIX = "demo0001"
DEMO_SCOPES = [ApiScope.CASES, ApiScope.OPEN311]


def _clean_scopes(scopes) -> list[str]:
    cleaned = []
    for scope in scopes:
        scope = str(scope).strip()
        if scope and scope not in cleaned:
            cleaned.append(scope)
    unknown = [s for s in cleaned if s not in ApiScope.values]
    if unknown or not cleaned:
        raise ValidationError({"scopes": _("Give one or more scopes among: %(scopes)s.") % {
            "scopes": ", ".join(ApiScope.values)}})
    return cleaned


@transaction.atomic
def api_client_create(
    *,
    name: str,
    scopes,
    memberships: list[tuple[OrgUnit, str]] | None = None,
    source_system: str = "",
    key: tuple[str, str] | None = None,
    days: int | None = None,
) -> tuple[ApiClient, str]:
    """A partner client with its service account and memberships; returns (client, raw key shown once).

    Without `memberships` the account is an operator of the Guangming district centre. The key works for `days`
    (default FQ_API_KEY_DAYS). `key` = (prefix, secret) is for the demo's fixed key only.
    """
    name = name.strip()
    source_system = (source_system or name).strip()[:40]
    errors = {}
    if not name:
        errors["name"] = _("Give the client a name.")
    elif ApiClient.objects.filter(name=name).exists():
        errors["name"] = _("An API client with this name exists already.")
    if ApiClient.objects.filter(source_system=source_system).exists():
        errors["source_system"] = _("Another API client uses this source system.")
    if errors:
        raise ValidationError(errors)
    scopes = _clean_scopes(scopes)
    if memberships is None:
        memberships = [(OrgUnit.objects.get(name=DEFAULT_UNIT), DEFAULT_ROLE)]
    if not memberships:
        raise ValidationError({"memberships": _("The service account must belong to at least one unit.")})
    raw_key, prefix, key_hash = new_key(*(key or (None, None)))
    user = get_user_model()(username=f"api-{prefix}", name=f"API · {name}"[:64])
    user.set_unusable_password()  # a service account never signs in to the web pages
    user.save()
    for unit, role in memberships:
        membership_grant(user=user, unit=unit, role=role, title="API", seed=f"API client: {name}"[:100])
    client = ApiClient.objects.create(
        name=name, source_system=source_system, user=user, key_prefix=prefix, key_hash=key_hash, scopes=scopes,
        expires_at=timezone.now() + timedelta(days=days or settings.FQ_API_KEY_DAYS),
    )
    return client, raw_key


@transaction.atomic
def api_client_revoke(*, client: ApiClient) -> ApiClient:
    """Switch the key off at once (and record when); the delivery log and the cases it submitted stay."""
    client.is_active = False
    client.revoked_at = client.revoked_at or timezone.now()
    client.save(update_fields=["is_active", "revoked_at"])
    client.webhooks.update(is_active=False)
    return client


@transaction.atomic
def api_client_rotate_key(*, client: ApiClient, days: int | None = None) -> str:
    """A new key for the client, valid `days` (default FQ_API_KEY_DAYS); the old one stops working at once."""
    raw_key, prefix, key_hash = new_key()
    client.key_prefix, client.key_hash = prefix, key_hash
    client.expires_at = timezone.now() + timedelta(days=days or settings.FQ_API_KEY_DAYS)
    client.save(update_fields=["key_prefix", "key_hash", "expires_at"])
    return raw_key


def demo_key() -> str:
    """The demo client's fixed key (derived from a constant, so re-seeding keeps curl examples working)."""
    secret = hashlib.sha256(b"fengqiao-demo-api-key").hexdigest()[:40]
    return f"fq_{DEMO_PREFIX}_{secret}"


@transaction.atomic
def demo_client_ensure() -> str | None:
    """The demo partner client with its fixed key (idempotent); None in production, where no fixed key may exist."""
    if settings.PRODUCTION:
        return None
    raw = demo_key()
    _fq, prefix, secret = raw.split("_", 2)
    client = ApiClient.objects.filter(name=DEMO_CLIENT).first()
    if client is None:
        api_client_create(name=DEMO_CLIENT, scopes=DEMO_SCOPES, source_system=DEMO_SOURCE_SYSTEM, key=(prefix, secret))
    elif (client.key_prefix != prefix or client.key_hash != hash_secret(secret) or not client.is_active
          or client.revoked_at is not None or client.expires_at <= timezone.now() + timedelta(days=30)):
        client.key_prefix, client.key_hash, client.is_active = prefix, hash_secret(secret), True
        client.revoked_at, client.expires_at = None, key_expiry_default()
        client.save(update_fields=["key_prefix", "key_hash", "is_active", "revoked_at", "expires_at"])
    return raw


# --- webhook subscriptions -----------------------------------------------------------------------


def webhook_url_allowed(url: str) -> bool:
    """Is `url` on a host the operator allowed (FQ_WEBHOOK_ALLOWED_HOSTS: "host" or "host:port")?"""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or (settings.PRODUCTION and parts.scheme != "https"):
        return False
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        return False
    for entry in settings.FQ_WEBHOOK_ALLOWED_HOSTS:
        entry = entry.strip().lower()
        allowed_host, _sep, allowed_port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        if host == allowed_host and (not allowed_port or str(port) == allowed_port):
            return True
    return False


@transaction.atomic
def webhook_subscribe(*, client: ApiClient, url: str, events, secret: str | None = None) -> WebhookSubscription:
    """Subscribe `client` to `events`, delivered to `url`; only events after this moment are sent."""
    from fengqiao.cases.models import CaseEvent

    errors = {}
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors["url"] = _("Enter a valid http(s) URL.")
    else:
        if not webhook_url_allowed(url):
            errors["url"] = _("Webhooks may only go to hosts the platform operator has approved "
                              "(ask them to add this host to FQ_WEBHOOK_ALLOWED_HOSTS).")
    events = list(dict.fromkeys(events))
    if not events or any(e not in WebhookEvent.values for e in events):
        errors["events"] = _("Choose one or more of: %(events)s.") % {"events": ", ".join(WebhookEvent.values)}
    if client.webhooks.filter(is_active=True).count() >= MAX_SUBSCRIPTIONS:
        errors["url"] = _("At most %(n)d webhooks per client.") % {"n": MAX_SUBSCRIPTIONS}
    if errors:
        raise ValidationError(errors)
    start = CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0
    return WebhookSubscription.objects.create(
        client=client, url=url, events=events, secret=secret or secrets.token_urlsafe(32), start_event_id=start
    )


@transaction.atomic
def webhook_unsubscribe(*, subscription: WebhookSubscription) -> None:
    """Stop the subscription; what is still waiting is cancelled, the log stays readable."""
    from fengqiao.api.models import DeliveryStatus

    subscription.is_active = False
    subscription.save(update_fields=["is_active"])
    subscription.deliveries.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, last_error=_("The subscription was removed.")
    )
