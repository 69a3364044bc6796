"""The address a request came from, for per-visitor rate limits of the public endpoints
(tracking, personalisation).

Behind a reverse proxy (docker-compose puts one in front) every request arrives from the
proxy's address, so a limit keyed on `REMOTE_ADDR` would be one bucket for the whole internet.
With `TRUSTED_PROXIES=N` (the number of proxies in front of the app), the address is taken from
`X-Forwarded-For`: the N-th entry from the right, the one the outermost trusted proxy saw.
Entries further left were written by the client and are never trusted. With the default 0 the
header is ignored (a client could otherwise pick its own bucket).
"""
from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote   # not sent through all the proxies we were told about: keep what we know
    return forwarded[-proxies][:64]
