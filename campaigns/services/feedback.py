"""What comes back from a sent e-mail: opens and clicks become engagement events (through the
signals ingestion, so they score like any other event), an unsubscribe becomes a consent
change, a hard bounce too. Each is idempotent: the event id is derived from the touch."""
from __future__ import annotations

import hashlib

from django.utils import timezone

from campaigns.models import Touch
from contacts.models import ConsentStatus
from contacts.services.privacy import contact_consent_set
from insights.signals.services.ingest import signals_ingest

SOURCE = "campaigns"


def _event(touch: Touch, kind: str, *, url: str = "", suffix: str = "") -> None:
    signals_ingest(workspace=touch.workspace_id, kind="engagement", source=SOURCE, rows=[(1, {
        "type": kind, "occurred_at": timezone.now().isoformat(), "source": SOURCE,
        "external_id": f"touch-{touch.pk}-{kind}{suffix}", "contact_id": touch.contact_id,
        "account_external_id": "", "url": url,
        "details": {"touch": touch.pk, "campaign": touch.campaign_id, "step": touch.step_id, "variant": touch.variant},
    })])


def touch_opened(touch: Touch) -> None:
    """The first open counts (mail clients load pixels again and again)."""
    if touch.contact_id:
        _event(touch, "email_open")


def touch_clicked(touch: Touch, url: str) -> None:
    """One event per touch and link. The link's part of the id is a digest that is the same in
    every process (Python's own `hash()` of a string changes from process to process, so two web
    workers would each store the same click)."""
    if touch.contact_id:
        _event(touch, "email_click", url=url, suffix=f"-{hashlib.sha256(url.encode()).hexdigest()[:12]}")


def touch_unsubscribed(touch: Touch, *, how: str = "one-click unsubscribe") -> bool:
    """Opt the person out of e-mail. Returns False when they were already out."""
    contact = touch.contact
    if contact is None or contact.consent_email == ConsentStatus.OPTED_OUT:
        return False
    contact_consent_set(contact=contact, channel="email", status=ConsentStatus.OPTED_OUT,
                        how=f"{how} (campaign {touch.campaign_id}, touch {touch.pk})")
    return True


def touch_bounced(touch: Touch, *, detail: str) -> None:
    """A hard bounce: the address is not e-mailed again (recorded as an e-mail opt-out with why)."""
    touch_unsubscribed(touch, how=f"hard bounce: {detail}"[:200])
