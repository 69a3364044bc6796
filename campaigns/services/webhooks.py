"""Webhooks to other tools: signed JSON events, an outbox with retries, back-off and replay.

Where deliveries come from:

* a **webhook step** of a play: its touch (one per account; `Step.config`
  ``{"event": "play.step", "subscription_ids": [3, 4]}``) becomes one `WebhookDelivery` per
  subscription — the ones named, or, without ``subscription_ids``, every active subscription
  whose ``events`` list the event (or ``"*"``). The idempotency key is the touch's, so handing
  the same touch over twice queues it once per subscription;
* **platform events** other code raises with `webhook_emit` (e.g. ``account.mqa``).

What a receiver gets (one POST per attempt, the same body every time)::

    POST <subscription url>
    Content-Type: application/json
    X-ABM-Event: play.step
    X-ABM-Delivery: 812                     the delivery id: retries and replays repeat it, dedupe on it
    X-ABM-Timestamp: 1767225600             Unix seconds of this attempt
    X-ABM-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<delivery>." + the raw body,
                     keyed with the subscription's secret>

    {"data": {...}, "event": "play.step", "occurred_at": "2026-01-01T10:00:00+00:00", "workspace": 1}

The signature covers the timestamp and the delivery id as well as the body, so a captured
request cannot be sent again under a new time or id: a receiver checks the signature, refuses
timestamps more than a few minutes old, and dedupes on the delivery id. In Python::

    signed = f"{request.headers['X-ABM-Timestamp']}.{request.headers['X-ABM-Delivery']}.".encode() + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    ok = hmac.compare_digest(expected, request.headers["X-ABM-Signature"])

The body is the stored payload as compact JSON with sorted keys. A touch's ``data`` holds the
touch (id, key, channel), the account, the contact (or null for account-level touches), the
campaign, the play and the step.

Sending (`webhooks_deliver_due`, run by a periodic task): an answer 2xx within `TIMEOUT` is
delivered; anything else (another status, a redirect — not followed —, a timeout, a refused
connection, an address on a private network) is a failed attempt, logged with its time, status
code or error and duration. Attempt n fails → the next one after BACKOFF[n-1] (1, 2, 4, 8,
16 minutes); after MAX_ATTEMPTS (6) the delivery is failed and waits for a person to replay it
(`webhook_delivery_replay`).

Exactly one worker sends an attempt: it claims the delivery with one conditional UPDATE (the
attempt counter it read, still due) that also pushes `next_attempt_at` out by `LEASE`. A worker
killed during a POST leaves the delivery to be tried again when the lease ends: delivery is at
least once, which is why receivers dedupe on X-ABM-Delivery. A delivery whose last attempt was
lost that way is failed ("state unknown"), not sent a seventh time.

Private networks: a subscription URL with a user name, a backslash, spaces or control
characters is refused outright (URL parsers disagree on those, and the check must see the host
the HTTP client connects to: `http://127.0.0.1:6379\\@8.8.8.8/` is 8.8.8.8 to `urlsplit` and
127.0.0.1 to requests), and so is one whose host resolves to a loopback, private, link-local or
reserved address (a workspace admin must not make the server call its own network),
unless `settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS` is true (development and tests). The check
resolves the name before the request, so DNS rebinding between the two is not covered.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from campaigns.models import DeliveryStatus, Touch, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

BACKOFF = (timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8),
           timedelta(minutes=16))
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT = (5.0, 10.0)               # seconds to connect, to read the answer
LEASE = timedelta(minutes=5)        # longer than any attempt can take
LOG_LIMIT = 50                      # attempts kept in `log` (replays can add more)
ANSWER_EXCERPT = 200                # characters of the receiver's answer kept in the log
ALL_EVENTS = "*"
USER_AGENT = "ABM-Platform-Webhooks/1"


# --- queueing ----------------------------------------------------------------------------------

def subscription_listens(subscription: WebhookSubscription, event: str) -> bool:
    events = subscription.events if isinstance(subscription.events, list) else []
    return event in events or ALL_EVENTS in events


def _listening(workspace_id: int, event: str) -> list[WebhookSubscription]:
    # Filtered in Python: a workspace has a handful of subscriptions, and JSON "contains" is not
    # available on SQLite.
    active = WebhookSubscription.objects.for_workspace(workspace_id).filter(is_active=True)
    return [s for s in active if subscription_listens(s, event)]


def _envelope(*, workspace_id: int, event: str, data: dict, now: datetime) -> dict:
    return {"event": event, "occurred_at": now.isoformat(), "workspace": workspace_id, "data": data}


def _queue(*, workspace_id: int, subscriptions: Iterable[WebhookSubscription], event: str, key: str,
           payload: dict, now: datetime) -> int:
    """One pending delivery per subscription; a key already queued for a subscription is kept
    as it is. Returns how many deliveries exist for the key (new or not)."""
    subscription_ids = [s.pk for s in subscriptions]
    scoped = WebhookDelivery.objects.for_workspace(workspace_id)
    scoped.bulk_create([WebhookDelivery(subscription_id=pk, event=event, idempotency_key=key, payload=payload,
                                        next_attempt_at=now) for pk in subscription_ids], ignore_conflicts=True)
    return scoped.filter(subscription_id__in=subscription_ids, idempotency_key=key).count()


def webhook_emit(*, workspace_id: int, event: str, payload: dict, key: str | None = None,
                 now: datetime | None = None) -> int:
    """Queue a platform event (``account.mqa``, ``touch.sent`` …) for every active subscription
    of the workspace that listens to it. Pass `key` (e.g. ``f"mqa:{account.pk}:{run.pk}"``) to
    make repeated calls queue the event once. Returns the number of deliveries for the key."""
    event = (event or "").strip()
    if not event or len(event) > 50:
        raise ValueError("An event name has 1–50 characters.")
    now = now or timezone.now()
    subscriptions = _listening(workspace_id, event)
    if not subscriptions:
        return 0
    key = (key or f"emit:{uuid.uuid4().hex}")[:100]
    body = _envelope(workspace_id=workspace_id, event=event, data=payload, now=now)
    return _queue(workspace_id=workspace_id, subscriptions=subscriptions, event=event, key=key, payload=body,
                  now=now)


def webhook_step_subscriptions(step) -> tuple[str, list[WebhookSubscription]]:
    """(event, subscriptions) of a webhook step. Raises ValueError when it is misconfigured."""
    config = step.config if isinstance(step.config, dict) else {}
    event = str(config.get("event") or "").strip()
    if not event or len(event) > 50:
        raise ValueError('A webhook step needs Step.config {"event": "<name of 1–50 characters>"}.')
    wanted = config.get("subscription_ids")
    if wanted:
        try:
            ids = {int(pk) for pk in wanted}
        except (TypeError, ValueError):
            raise ValueError("Step.config subscription_ids must be a list of subscription ids.") from None
        # Only this workspace's active subscriptions: an id of another workspace finds nothing.
        subscriptions = list(WebhookSubscription.objects.for_workspace(step.workspace_id)
                             .filter(pk__in=ids, is_active=True))
    else:
        subscriptions = _listening(step.workspace_id, event)
    if not subscriptions:
        raise ValueError(f"No active webhook subscription receives {event!r}.")
    return event, subscriptions


def webhook_touch_payload(touch: Touch) -> dict:
    """What a receiver learns about a touch: ids and names to find the records in its own tool."""
    account, contact, step = touch.account, touch.contact, touch.step
    return {
        "touch": {"id": touch.pk, "key": touch.key, "channel": touch.channel},
        "account": {"id": account.pk, "name": account.name, "domain": account.domain,
                    "external_id": account.external_id, "tier": account.tier.name if account.tier_id else "",
                    "stage": account.journey_stage, "score": account.score, "is_mqa": account.is_mqa},
        "contact": None if contact is None else {
            "id": contact.pk, "external_id": contact.external_id, "email": contact.email,
            "first_name": contact.first_name, "last_name": contact.last_name, "job_title": contact.job_title},
        "campaign": {"id": touch.campaign_id, "name": touch.campaign.name},
        "play": {"id": step.play_id, "name": step.play.name},
        "step": {"id": step.pk, "order": step.order, "channel": step.channel},
    }


def webhook_touch_deliveries_create(*, touch: Touch, now: datetime | None = None) -> int:
    """Queue the deliveries of a webhook step's touch (idempotent per touch and subscription).
    Returns how many deliveries the touch has."""
    now = now or timezone.now()
    event, subscriptions = webhook_step_subscriptions(touch.step)
    payload = _envelope(workspace_id=touch.workspace_id, event=event, data=webhook_touch_payload(touch), now=now)
    return _queue(workspace_id=touch.workspace_id, subscriptions=subscriptions, event=event,
                  key=f"touch:{touch.pk}", payload=payload, now=now)


def webhook_delivery_replay(*, delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """Send a failed delivery again, with a fresh round of attempts (a person checked the
    receiver). The same id and body go out, so the receiver can still dedupe."""
    now = now or timezone.now()
    log = [*(delivery.log or []), {"at": now.isoformat(), "replayed": True}][-LOG_LIMIT:]
    replayed = WebhookDelivery.objects.for_workspace(delivery.workspace_id).filter(
        pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, log=log)
    if not replayed:
        raise ValidationError("Only a failed delivery can be replayed.")
    delivery.refresh_from_db()
    return delivery


# --- sending -----------------------------------------------------------------------------------

def webhook_body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def webhook_signature(secret: str, body: bytes, *, timestamp: str, delivery_id: str) -> str:
    signed = f"{timestamp}.{delivery_id}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def webhook_due(workspace_id: int, now: datetime):
    return WebhookDelivery.objects.for_workspace(workspace_id).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True),
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING])


def webhook_due_workspace_ids(now: datetime | None = None) -> list[int]:
    """Workspaces with deliveries due: what the periodic task walks (across tenants on purpose)."""
    now = now or timezone.now()
    return sorted(set(WebhookDelivery.objects.unscoped().filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True),
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]).values_list("workspace_id", flat=True)))


def webhooks_deliver_due(*, workspace_id: int, now: datetime | None = None, limit: int = 200,
                         session: requests.Session | None = None) -> dict:
    """Send up to `limit` due deliveries of the workspace, oldest first. Returns counts:
    delivered, retrying, failed, skipped (another worker had claimed it)."""
    now = now or timezone.now()
    counts = {"delivered": 0, "retrying": 0, "failed": 0, "skipped": 0}
    due = list(webhook_due(workspace_id, now).order_by("next_attempt_at", "pk")
               .values_list("pk", "attempts")[:limit])
    owned_session = session is None
    session = session or requests.Session()
    try:
        for delivery_id, attempts in due:
            if not _claim(workspace_id, delivery_id, attempts, now):
                counts["skipped"] += 1
                continue
            delivery = (WebhookDelivery.objects.for_workspace(workspace_id).select_related("subscription")
                        .get(pk=delivery_id))
            counts[_attempt(delivery, session)] += 1
    finally:
        if owned_session:
            session.close()
    return counts


def _claim(workspace_id: int, delivery_id: int, attempts: int, now: datetime) -> bool:
    """The one UPDATE that makes this worker the only sender of the next attempt."""
    return bool(webhook_due(workspace_id, now).filter(pk=delivery_id, attempts=attempts).update(
        attempts=F("attempts") + 1, next_attempt_at=now + LEASE))


def _attempt(delivery: WebhookDelivery, session: requests.Session) -> str:
    """Send one claimed attempt and record it. Returns delivered / retrying / failed."""
    scoped = WebhookDelivery.objects.for_workspace(delivery.workspace_id).filter(
        pk=delivery.pk, attempts=delivery.attempts)
    started = timezone.now()
    if delivery.attempts > MAX_ATTEMPTS:   # the worker of the last attempt stopped mid-way
        entry = {"at": started.isoformat(), "error": "Delivery state unknown: the worker stopped during the last "
                                                     "attempt. Check the receiver, then replay if needed."}
        scoped.update(status=DeliveryStatus.FAILED, next_attempt_at=None, log=_logged(delivery, entry))
        return "failed"
    status_code, error, duration_ms = _post(delivery, session)
    entry = {"at": started.isoformat(), "attempt": delivery.attempts, "status_code": status_code,
             "duration_ms": duration_ms, **({"error": error} if error else {})}
    if status_code is not None and 200 <= status_code < 300:
        scoped.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), next_attempt_at=None,
                      last_status_code=status_code, log=_logged(delivery, entry))
        return "delivered"
    if delivery.attempts >= MAX_ATTEMPTS:
        scoped.update(status=DeliveryStatus.FAILED, next_attempt_at=None, last_status_code=status_code,
                      log=_logged(delivery, entry))
        return "failed"
    retry_at = started + BACKOFF[delivery.attempts - 1]
    entry["retry_at"] = retry_at.isoformat()
    scoped.update(status=DeliveryStatus.RETRYING, next_attempt_at=retry_at, last_status_code=status_code,
                  log=_logged(delivery, entry))
    return "retrying"


def _logged(delivery: WebhookDelivery, entry: dict) -> list:
    return [*(delivery.log or []), entry][-LOG_LIMIT:]


def _post(delivery: WebhookDelivery, session: requests.Session) -> tuple[int | None, str, int]:
    """(status code or None, error text, duration in ms) of one POST."""
    subscription = delivery.subscription
    body = webhook_body(delivery)
    timestamp, delivery_id = str(int(time.time())), str(delivery.pk)
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "X-ABM-Event": delivery.event,
               "X-ABM-Delivery": delivery_id, "X-ABM-Timestamp": timestamp,
               "X-ABM-Signature": webhook_signature(subscription.secret, body, timestamp=timestamp,
                                                    delivery_id=delivery_id)}
    started = time.monotonic()
    refused = _refused_address(subscription.url)
    if refused:
        return None, refused, 0
    try:
        response = session.post(subscription.url, data=body, headers=headers, timeout=TIMEOUT,
                                allow_redirects=False)
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:300], _ms(started)
    error = "" if 200 <= response.status_code < 300 else \
        f"HTTP {response.status_code}: {response.text[:ANSWER_EXCERPT]}".strip()
    response.close()
    return response.status_code, error, _ms(started)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def webhook_url_problem(url: str) -> str:
    """Why a webhook URL cannot be used, whatever it resolves to, or "". The HTTP client (requests,
    through urllib3's parser) must connect to the very host this check reads: anything parsers
    read differently is refused."""
    if not url.isascii() or any(ch in url for ch in "\\ \t\r\n") or any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "a webhook URL may not contain backslashes, spaces, control or non-ASCII characters"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "a webhook URL must be an http(s) URL with a host"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "a webhook URL may not contain a user name or password"
    try:
        client_view = parse_url(url)
        port = parts.port
    except (LocationParseError, ValueError):
        return "the webhook URL cannot be read"
    if (client_view.host or "").lower().strip("[]") != parts.hostname.lower() or client_view.port != port:
        return "the webhook URL's host is ambiguous"
    return ""


def _refused_address(url: str) -> str:
    """A reason to refuse the URL (its form, or a host on a private network), or ""."""
    problem = webhook_url_problem(url)
    if problem:
        return f"refused: {problem}"
    parts = urlsplit(url)
    if getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_NETWORKS", False):
        return ""
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        return f"cannot resolve {parts.hostname}: {exc}"
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            return f"refused: {parts.hostname} resolves to {address}, a non-public address"
    return ""
