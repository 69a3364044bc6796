"""One JSON error shape everywhere: {"message", "code", "extra"}; field errors under extra.fields."""
import pytest
from django.urls import reverse

from tests.conftest import client_for


@pytest.mark.django_db
def test_field_errors_are_listed_per_field(admin):
    response = client_for(admin).post(reverse("api:membership-list"), {"email": "not-an-email", "role": "boss"},
                                      format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Invalid input." and body["code"] == "invalid"
    assert set(body["extra"]["fields"]) == {"email", "role"}


@pytest.mark.django_db
def test_not_found_has_the_same_shape(admin):
    response = client_for(admin).get(reverse("api:job-detail", kwargs={"pk": 999999}))
    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "code": "not_found", "extra": {}}


@pytest.mark.django_db
def test_forbidden_and_unauthenticated_have_the_same_shape(members, client):
    response = client_for(members["viewer"]).get(reverse("api:membership-list"))
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    response = client.get(reverse("api:job-list"))
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_a_service_validation_error_becomes_a_400_not_a_500(admin, workspace):
    response = client_for(admin).patch(reverse("api:workspace"), {"default_currency": "EURO"}, format="json")
    assert response.status_code == 400
    assert "default_currency" in response.json()["extra"]["fields"]


@pytest.mark.django_db
def test_malformed_json_is_a_clear_400(admin):
    response = client_for(admin).generic("POST", reverse("api:apikey-list"), "{not json",
                                         content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["message"]


@pytest.mark.django_db
def test_lists_are_paginated_with_a_bounded_page_size(admin, workspace):
    from tests.factories import JobFactory

    JobFactory.create_batch(3, workspace=workspace)
    body = client_for(admin).get(reverse("api:job-list"), {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    body = client_for(admin).get(reverse("api:job-list"), {"page_size": 100000}).json()
    assert len(body["results"]) == 3


@pytest.mark.django_db
def test_jobs_filter_by_status_and_kind(admin, workspace):
    from tests.factories import JobFactory

    JobFactory(workspace=workspace, kind="import", status="failed")
    JobFactory(workspace=workspace, kind="import", status="succeeded")
    JobFactory(workspace=workspace, kind="workspace_export", status="failed")
    client = client_for(admin)
    body = client.get(reverse("api:job-list"), {"status": "failed", "kind": "import"}).json()
    assert [(r["kind"], r["status"]) for r in body["results"]] == [("import", "failed")]
    response = client.get(reverse("api:job-list"), {"status": "exploded"})
    assert response.status_code == 400 and "status" in response.json()["extra"]["fields"]
