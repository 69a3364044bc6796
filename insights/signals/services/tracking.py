"""Website tracking of known contacts: the customer's site calls the public tracking endpoint
with the workspace's tracking key, a signed contact token (put into e-mail links by campaigns)
and the page URL. Each call becomes a web visit of that contact, idempotent per contact, page
and minute. Forged tokens, tokens of another workspace and unknown contacts are ignored and
counted on the workspace's settings; nothing about them is stored."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from django.core import signing
from django.db.models import F
from django.utils import timezone

from contacts.models import Contact
from insights.signals.adapters import TrackingAdapter
from insights.signals.models import SignalSettings
from insights.signals.services.ingest import signals_ingest_from

TRACKING_SALT = "insights.tracking"
# A token lives in the visitor's browser (localStorage) after a campaign click; every new click
# brings a fresh one. Older ones stop counting, so a leaked token does not work forever.
TRACKING_TOKEN_MAX_AGE = timedelta(days=180)
MAX_URL_LENGTH = 500
MAX_DURATION_SECONDS = 3600
_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)

STORED, DUPLICATE, IGNORED, UNKNOWN_KEY = "stored", "duplicate", "ignored", "unknown_key"


def contact_tracking_token(contact: Contact) -> str:
    """A token naming the contact (and its workspace), signed and dated so nobody can make one up
    and it expires after TRACKING_TOKEN_MAX_AGE."""
    return signing.TimestampSigner(salt=TRACKING_SALT).sign(f"{contact.workspace_id}.{contact.pk}")


def tracking_token_read(token: str) -> tuple[int, int] | None:
    """(workspace id, contact id) of a genuine token that has not expired; None for anything else."""
    try:
        value = signing.TimestampSigner(salt=TRACKING_SALT).unsign(token or "", max_age=TRACKING_TOKEN_MAX_AGE)
        workspace_id, contact_id = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        return None
    return workspace_id, contact_id


def tracking_settings_for_key(key: str) -> SignalSettings | None:
    """The workspace whose snippet sends this key (the key is public: it only says where a page
    view is counted; the contact token is what cannot be forged)."""
    if not key or len(key) > 64:
        return None
    return SignalSettings.objects.unscoped().filter(tracking_key=key).only("pk", "workspace_id").first()


def tracking_pageview_record(*, settings: SignalSettings, token: str, url: str, duration=None,
                             now: datetime | None = None) -> str:
    """Record one page view. Returns STORED, DUPLICATE (the same contact, page and minute
    again) or IGNORED (forged or foreign token, unknown contact, bad URL — counted)."""
    now = now or timezone.now()
    read = tracking_token_read(token)
    url = (url or "").strip()
    if read is None or read[0] != settings.workspace_id or not _URL.match(url) or len(url) > MAX_URL_LENGTH:
        return _ignored(settings)
    contact_id = read[1]
    if not Contact.objects.for_workspace(settings.workspace_id).filter(pk=contact_id, erased_at__isnull=True).exists():
        return _ignored(settings)
    minute = now.replace(second=0, microsecond=0)
    page = hashlib.sha1(url.encode()).hexdigest()[:16]
    adapter = TrackingAdapter(contact_id=contact_id, url=url, occurred_at=minute.isoformat(),
                              external_id=f"pv:{contact_id}:{minute:%Y%m%d%H%M}:{page}",
                              duration_seconds=_duration(duration))
    report = signals_ingest_from(adapter, workspace=settings.workspace_id, now=now)
    if report.created:
        return STORED
    if report.duplicates:
        return DUPLICATE
    if report.unresolved:  # a known contact not linked to an account yet: kept for the retry
        return STORED
    return _ignored(settings)


def _duration(value) -> int | None:
    try:
        seconds = int(float(value))
    except (TypeError, ValueError):
        return None
    return max(0, min(MAX_DURATION_SECONDS, seconds))


def _ignored(settings: SignalSettings) -> str:
    SignalSettings.objects.unscoped().filter(pk=settings.pk).update(tracking_ignored=F("tracking_ignored") + 1)
    return IGNORED
