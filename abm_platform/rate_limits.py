"""Rate limits of the public endpoints (tracking, personalisation) and of sign-in: counts kept in
the cache (Redis in production, shared by every web process), and the address a request came
from.

Behind a reverse proxy (docker-compose puts one in front) every request arrives from the
proxy's address, so a limit keyed on `REMOTE_ADDR` would be one bucket for the whole internet.
With `TRUSTED_PROXIES=N` (the number of proxies in front of the app), the address is taken from
`X-Forwarded-For`: the N-th entry from the right, the one the outermost trusted proxy saw.
Entries further left were written by the client and are never trusted. With the default 0 the
header is ignored (a client could otherwise pick its own bucket).
"""
from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote   # not sent through all the proxies we were told about: keep what we know
    return forwarded[-proxies][:64]


def count_hit(key: str, *, window_seconds: int) -> int:
    """One more for `key`, whose count starts at its first hit and lasts `window_seconds`; the
    count so far."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1


def within_rate(key: str, per_minute: int) -> bool:
    """Count a hit for `key` in this clock minute; False once more than `per_minute` came."""
    return count_hit(f"{key}:{timezone.now():%Y%m%d%H%M}", window_seconds=120) <= per_minute
