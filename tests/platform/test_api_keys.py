"""API keys: created by admins, stored hashed, shown once, scoped, revocable, last use recorded."""
import hashlib

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from abm_platform.api.throttling import ApiKeyRateThrottle
from abm_platform.models import ApiKey
from abm_platform.services.api_keys import api_key_create
from tests.conftest import client_for
from tests.factories import JobFactory


@pytest.mark.django_db
def test_the_key_is_shown_once_and_only_its_hash_is_stored(admin, workspace):
    response = client_for(admin).post(reverse("api:apikey-list"), {"name": "HubSpot sync", "scope": "read"},
                                      format="json")
    assert response.status_code == 201
    raw_key = response.json()["key"]
    stored = ApiKey.objects.for_workspace(workspace).get(pk=response.json()["id"])
    assert raw_key.startswith(f"abm_{stored.prefix}_") and len(raw_key) > 50
    assert stored.key_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    assert raw_key not in str(ApiKey.objects.for_workspace(workspace).values().get(pk=stored.pk))
    listed = client_for(admin).get(reverse("api:apikey-detail", kwargs={"pk": stored.pk})).json()
    assert "key" not in listed and "key_hash" not in listed


@pytest.mark.django_db
def test_a_read_only_key_reads_but_cannot_write(api_key_client, workspace):
    job = JobFactory(workspace=workspace)
    client = api_key_client("read")
    assert client.get(reverse("api:job-list")).status_code == 200
    assert client.post(reverse("api:job-cancel", kwargs={"pk": job.pk})).status_code == 403
    job.refresh_from_db()
    assert job.status == "queued"


@pytest.mark.django_db
def test_a_read_write_key_writes_data_but_never_administers(api_key_client, workspace):
    job = JobFactory(workspace=workspace)
    client = api_key_client("read_write")
    assert client.post(reverse("api:job-cancel", kwargs={"pk": job.pk})).status_code == 200
    assert client.get(reverse("api:membership-list")).status_code == 403
    assert client.post(reverse("api:apikey-list"), {"name": "escalate", "scope": "read_write"}).status_code == 403
    assert client.patch(reverse("api:workspace"), {"name": "x"}).status_code == 403


@pytest.mark.django_db
def test_a_revoked_key_stops_working_at_once(admin, workspace):
    key, raw_key = api_key_create(workspace=workspace, name="CRM", scope="read", by=admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    assert client.get(reverse("api:job-list")).status_code == 200
    assert client_for(admin).delete(reverse("api:apikey-detail", kwargs={"pk": key.pk})).status_code == 204
    response = client.get(reverse("api:job-list"))
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid or revoked API key."
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == admin


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Api-Key abm_nothex_secret", "Api-Key ", "Bearer abm_000000000000_wrong",
                                    "Api-Key not-even-close"])
def test_bad_keys_are_refused_with_401(header, workspace):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(reverse("api:job-list"))
    assert response.status_code == 401
    assert set(response.json()) == {"message", "code", "extra"}


@pytest.mark.django_db
def test_a_key_with_the_right_prefix_but_wrong_secret_fails(admin, workspace):
    key, raw_key = api_key_create(workspace=workspace, name="CRM", scope="read", by=admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key[:-4]}AAAA")
    assert client.get(reverse("api:job-list")).status_code == 401


@pytest.mark.django_db
def test_last_use_is_recorded(admin, workspace):
    key, raw_key = api_key_create(workspace=workspace, name="CRM", scope="read", by=admin)
    assert key.last_used_at is None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    client.get(reverse("api:workspace"))
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.django_db
def test_keys_are_throttled_per_key(admin, workspace):
    cache.clear()
    original = ApiKeyRateThrottle.THROTTLE_RATES
    ApiKeyRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "api_key": "3/min"}
    try:
        busy, quiet = (api_key_create(workspace=workspace, name=n, scope="read", by=admin)[1] for n in ("a", "b"))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {busy}")
        codes = [client.get(reverse("api:workspace")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        throttled = client.get(reverse("api:workspace")).json()
        assert throttled["code"] == "throttled" and throttled["extra"]["retry_after_seconds"] > 0
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {quiet}")
        assert client.get(reverse("api:workspace")).status_code == 200
    finally:
        ApiKeyRateThrottle.THROTTLE_RATES = original


@pytest.mark.django_db
def test_the_settings_page_shows_a_new_key_once(admin, workspace):
    client = client_for(admin)
    response = client.post(reverse("settings:api_keys"), {"name": "Salesforce", "scope": "read_write"},
                           format="multipart")
    assert response.status_code == 200
    key = ApiKey.objects.for_workspace(workspace).get(name="Salesforce")
    assert f"abm_{key.prefix}_".encode() in response.content and b"will not be shown again" in response.content
    again = client.get(reverse("settings:api_keys"))
    assert b"will not be shown again" not in again.content
    assert f"abm_{key.prefix}_".encode() in again.content  # the prefix stays visible, to tell keys apart
