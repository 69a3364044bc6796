"""Signed links in campaign e-mails: one-click unsubscribe, open pixel, click redirect. A token
names the touch; the signature (Django's signing, salted per purpose) makes it unforgeable."""
from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALTS = {"unsubscribe": "campaigns.unsubscribe", "open": "campaigns.open", "click": "campaigns.click"}


def touch_token(touch_id: int, purpose: str, **extra) -> str:
    return signing.dumps({"t": touch_id, **extra}, salt=SALTS[purpose], compress=True)


def touch_from_token(token: str, purpose: str) -> dict | None:
    """The token's payload, or None when it was tampered with."""
    try:
        return signing.loads(token, salt=SALTS[purpose])
    except signing.BadSignature:
        return None


def unsubscribe_url(touch_id: int) -> str:
    return settings.PUBLIC_BASE_URL + reverse("campaign-tracking:unsubscribe", args=[touch_token(touch_id, "unsubscribe")])


def open_pixel_url(touch_id: int) -> str:
    return settings.PUBLIC_BASE_URL + reverse("campaign-tracking:open", args=[touch_token(touch_id, "open")])


def click_url(touch_id: int, target: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("campaign-tracking:click", args=[touch_token(touch_id, "click", u=target)])
