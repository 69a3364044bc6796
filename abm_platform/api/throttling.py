from rest_framework.throttling import SimpleRateThrottle

from abm_platform.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Per-key request budget (API_KEY_THROTTLE_RATE, default 600/min). Browser sessions are
    not throttled here: people do not click 600 times a minute."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
