"""Sign-in with a limit on guessing: after LIMIT_PER_ACCOUNT failed attempts for one e-mail
address from one client address within WINDOW, or LIMIT_PER_ADDRESS failed attempts from one
client address for any e-mail, further attempts are refused until the window has passed, with
a message that says so. The counts live in the cache (abm_platform/rate_limits.py); a successful
sign-in clears that account's count."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

from abm_platform.rate_limits import client_address, count_hit

WINDOW = timedelta(minutes=15)
LIMIT_PER_ACCOUNT = 5
LIMIT_PER_ADDRESS = 50


def failure_keys(username: str, address: str) -> tuple[str, str]:
    who = hashlib.sha256(f"{username.strip().lower()}|{address}".encode()).hexdigest()[:32]
    return f"login-failures:account:{who}", f"login-failures:address:{address}"


def _count(key: str) -> int:
    return cache.get(key, 0)


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed sign-ins. Wait %(minutes)d minutes, then try again "
                     "(or reset your password).",
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request is not None else ""
        account_key, address_key = failure_keys(username, address)
        if _count(account_key) >= LIMIT_PER_ACCOUNT or _count(address_key) >= LIMIT_PER_ADDRESS:
            raise ValidationError(self.error_messages["throttled"], code="throttled",
                                  params={"minutes": int(WINDOW.total_seconds() // 60)})
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if any(e.code == "invalid_login" for e in error.error_list):
                count_hit(account_key, window_seconds=int(WINDOW.total_seconds()))
                count_hit(address_key, window_seconds=int(WINDOW.total_seconds()))
            raise
        cache.delete(account_key)
        return cleaned
