"""Signed links in campaign e-mails: one-click unsubscribe, open pixel, click redirect. A token
names the touch; the signature (Django's signing, salted per purpose) makes it unforgeable."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse

from accounts.domains import normalise_domain
from insights.signals.services.settings import signal_settings_get
from insights.signals.services.tracking import contact_tracking_token

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


def click_destination(touch, target: str) -> str:
    """Where a click leads: the signed target, plus the person's contact token (`abm_c`) when the
    target is on one of the workspace's own website domains, so the tracking snippet there can
    report the pages this person views. Other sites never see the token."""
    if not touch.contact_id:
        return target
    domains = set(signal_settings_get(workspace=touch.workspace_id).website_domains or [])
    parts = urlsplit(target)
    if not domains or normalise_domain(parts.hostname or "") not in domains:
        return target
    token = contact_tracking_token(touch.contact)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "abm_c"] + [("abm_c", token)]
    return urlunsplit(parts._replace(query=urlencode(query)))
