"""Webhook steps: the touch is handed to the webhook outbox — one signed delivery per
subscription (campaigns/services/webhooks.py) — and counts as sent once it is queued. The
POSTs, their retries and back-off are the outbox's work (`webhooks_deliver_due`), so a slow
receiver never holds up the other touches of a send run."""
from __future__ import annotations

from campaigns.channels.base import Delivered
from campaigns.services.webhooks import webhook_touch_deliveries_create


class WebhookChannel:
    def deliver(self, touch) -> Delivered:
        # A misconfigured step (no event, nobody listening) raises ValueError: the touch fails
        # with that message instead of being marked sent with no delivery behind it.
        count = webhook_touch_deliveries_create(touch=touch)
        return Delivered(provider_id=f"webhook:touch:{touch.pk}:{count} deliveries")
