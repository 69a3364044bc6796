"""Send planned touches: a separate, idempotent step after planning (the outbox).

Each touch is claimed with one conditional UPDATE (planned/deferred → sending), delivered by its
channel, and marked sent in its own transaction. So a retry, a re-run or a second worker never
sends a touch twice, and a worker killed between touches leaves every other touch planned for
the next run: nobody is skipped. A touch left in `sending` by a worker killed *during* its own
hand-off is not sent again automatically (that could duplicate it); after `STALE_AFTER` it is
marked failed with "delivery state unknown" for a person to check and replay.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from campaigns.channels.base import DeliveryError
from campaigns.channels.email import EmailChannel
from campaigns.channels.events import EventInviteChannel
from campaigns.channels.exports import AdAudienceChannel, DirectMailChannel
from campaigns.channels.personalisation import WebPersonalisationChannel
from campaigns.channels.sales_task import SalesTaskChannel
from campaigns.channels.webhook import WebhookChannel
from campaigns.models import Channel, Touch, TouchStatus

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=10)
CHANNELS = {
    Channel.EMAIL: EmailChannel(), Channel.EVENT_INVITE: EventInviteChannel(), Channel.SALES_TASK: SalesTaskChannel(),
    Channel.AD_AUDIENCE: AdAudienceChannel(), Channel.DIRECT_MAIL: DirectMailChannel(),
    Channel.WEB_PERSONALISATION: WebPersonalisationChannel(), Channel.WEBHOOK: WebhookChannel(),
}


def due_touches(workspace_id: int, now: datetime):
    return Touch.objects.for_workspace(workspace_id).filter(
        status__in=[TouchStatus.PLANNED, TouchStatus.DEFERRED], planned_at__lte=now)


def touch_claim(workspace_id: int, touch_id: int, now: datetime) -> bool:
    return bool(Touch.objects.for_workspace(workspace_id).filter(
        pk=touch_id, status__in=[TouchStatus.PLANNED, TouchStatus.DEFERRED]).update(
        status=TouchStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1))


def send_due(*, workspace_id: int, now: datetime | None = None, limit: int = 500, on_sent=None) -> dict:
    """Deliver up to `limit` due touches. `on_sent(touch)` runs after each one is recorded (the
    crash tests stop the run there)."""
    now = now or timezone.now()
    _fail_stale(workspace_id, now)
    counts = {"sent": 0, "failed": 0, "retrying": 0}
    for touch_id in list(due_touches(workspace_id, now).order_by("planned_at", "pk").values_list("pk", flat=True)[:limit]):
        if not touch_claim(workspace_id, touch_id, now):
            continue        # another worker took it
        touch = (Touch.objects.for_workspace(workspace_id)
                 .select_related("account", "account__tier", "contact", "contact__persona", "step", "step__template")
                 .get(pk=touch_id))
        outcome = _deliver(touch)
        counts[outcome] += 1
        if on_sent is not None:
            on_sent(touch)
    return counts


def _deliver(touch: Touch) -> str:
    scoped = Touch.objects.for_workspace(touch.workspace_id).filter(pk=touch.pk, status=TouchStatus.SENDING)
    try:
        delivered = CHANNELS[touch.channel].deliver(touch)
    except DeliveryError as error:
        if touch.attempts >= MAX_ATTEMPTS:
            scoped.update(status=TouchStatus.FAILED, error=str(error)[:500])
            return "failed"
        scoped.update(status=TouchStatus.PLANNED, planned_at=timezone.now() + RETRY_AFTER, error=str(error)[:500])
        return "retrying"
    except Exception as error:  # a bad template or a missing address: the touch fails, the run goes on
        logger.warning("touch %s failed: %s", touch.pk, error)
        scoped.update(status=TouchStatus.FAILED, error=f"{type(error).__name__}: {error}"[:500])
        return "failed"
    with transaction.atomic():
        scoped.update(status=TouchStatus.SENT, sent_at=timezone.now(), provider_id=delivered.provider_id[:255],
                      subject=delivered.subject[:255], variant=delivered.variant[:20], error="")
    return "sent"


def _fail_stale(workspace_id: int, now: datetime) -> int:
    return Touch.objects.for_workspace(workspace_id).filter(
        status=TouchStatus.SENDING, claimed_at__lt=now - STALE_AFTER).update(
        status=TouchStatus.FAILED, error="Delivery state unknown: the worker stopped during the hand-off. "
                                         "Check the channel, then replay the touch if it did not arrive.")


def touch_replay(*, touch: Touch) -> Touch:
    """Put a failed touch back in the outbox (a person decided it did not arrive)."""
    Touch.objects.for_workspace(touch.workspace_id).filter(pk=touch.pk, status=TouchStatus.FAILED).update(
        status=TouchStatus.PLANNED, planned_at=timezone.now(), error="")
    touch.refresh_from_db()
    return touch
