"""The OpenAPI schema and the browsable docs, served offline."""
import re

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_the_schema_lists_the_endpoints(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/jobs/", "/api/v1/jobs/{id}/cancel/", "/api/v1/members/", "/api/v1/api-keys/",
            "/api/v1/workspace/"} <= set(schema["paths"])
    assert "ApiKeyAuth" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_the_docs_pages_load_nothing_from_other_hosts(client, name):
    html = client.get(reverse(name)).content.decode()
    external = [u for u in re.findall(r'(?:src|href)=["\'](https?://[^"\']+)', html)]
    assert external == []
    assert "/static/drf_spectacular_sidecar/" in html
