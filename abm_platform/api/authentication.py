from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from abm_platform.services.api_keys import api_key_authenticate


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>` (or `Bearer <key>`)."""

    keywords = ("api-key", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").strip()
        if not header:
            return None
        keyword, _, raw_key = header.partition(" ")
        if keyword.lower() not in self.keywords:
            return None
        if not raw_key.strip():
            raise exceptions.AuthenticationFailed("The Authorization header has no key after its keyword.")
        key = api_key_authenticate(raw_key)
        if key is None or key.service_user is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        # The key's service user: what the integration changes is recorded under the key's name.
        return key.service_user, key

    def authenticate_header(self, request):
        return "Api-Key"


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "`Api-Key <key>`"}
