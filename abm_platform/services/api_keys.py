from datetime import timedelta
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from abm_platform.models import ApiKey, ApiKeyScope, User, Workspace

KEY_PREFIX = "abm"
# last_used_at is written at most this often per key, so a busy integration does not turn
# every read into a write.
LAST_USED_RESOLUTION_SECONDS = 60


def _hash(raw_key: str) -> str:
    # API keys carry 256 bits of randomness, so one SHA-256 is enough: nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(*, workspace: Workspace, name: str, scope: str, by=None) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored and never shown again."""
    if scope not in ApiKeyScope.values:
        raise ValidationError({"scope": f"Unknown scope {scope!r}; choose one of {', '.join(ApiKeyScope.values)}."})
    if not name.strip():
        raise ValidationError({"name": "Give the key a name, e.g. the integration that uses it."})
    prefix = secrets.token_hex(6)
    raw_key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        service_user = User(email=f"api-key-{prefix}@{workspace.slug}.keys.invalid",
                            full_name=f"API key “{name.strip()}”")
        service_user.set_unusable_password()
        service_user.save()
        key = ApiKey.objects.for_workspace(workspace).create(
            name=name.strip(), prefix=prefix, key_hash=_hash(raw_key), scope=scope, created_by=by,
            service_user=service_user,
        )
    return key, raw_key


def api_key_revoke(*, key: ApiKey, by=None) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by = by
        key.save(update_fields=["revoked_at", "revoked_by"])
    return key


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    """The active key matching `raw_key`, or None. Records when it was last used."""
    parts = raw_key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = ApiKey.objects.unscoped().select_related("workspace", "service_user").filter(prefix=parts[1], revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, _hash(raw_key.strip())):
        return None
    now = timezone.now()
    stale = now - timedelta(seconds=LAST_USED_RESOLUTION_SECONDS)
    if key.last_used_at is None or key.last_used_at < stale:
        ApiKey.objects.for_workspace(key.workspace_id).filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
