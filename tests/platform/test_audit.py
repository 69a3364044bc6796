"""Who changed what and when, for configuration records."""
import pytest
from django.urls import reverse

from abm_platform.models import Membership
from abm_platform.selectors import audit_entries
from tests.conftest import client_for


@pytest.mark.django_db
def test_role_changes_are_recorded_with_who_and_what(admin, members, workspace):
    membership = Membership.objects.for_workspace(workspace).get(user=members["sales"])
    client = client_for(admin)
    client.patch(reverse("api:membership-detail", kwargs={"pk": membership.pk}), {"role": "marketing"},
                 format="json")
    client.patch(reverse("api:workspace"), {"name": "Northwind Robotics"}, format="json")
    entries = audit_entries(workspace=workspace)
    role_change = next(e for e in entries if e.model == "membership" and e.action == "changed")
    assert role_change.who == str(admin)
    assert role_change.changes == ["role: sales → marketing"]
    rename = next(e for e in entries if e.model == "workspace" and e.action == "changed")
    assert rename.changes == ["name: Northwind → Northwind Robotics"]


@pytest.mark.django_db
def test_api_key_creation_and_revocation_are_audited_without_the_secret(admin, workspace):
    client = client_for(admin)
    key_id = client.post(reverse("api:apikey-list"), {"name": "CRM", "scope": "read"}, format="json").json()["id"]
    client.delete(reverse("api:apikey-detail", kwargs={"pk": key_id}))
    entries = [e for e in audit_entries(workspace=workspace) if e.model == "api key"]
    assert [e.action for e in entries] == ["changed", "created"]
    assert any(c.startswith("revoked at: – → 20") for c in entries[0].changes)
    assert f"revoked by: – → {admin}" in entries[0].changes  # people by name, not by id
    assert not any("key_hash" in c for e in entries for c in e.changes)


@pytest.mark.django_db
def test_the_audit_log_never_shows_another_workspace(admin, outsider, other_workspace, workspace):
    client_for(outsider).patch(reverse("api:workspace"), {"name": "Globex Secret Plans"}, format="json")
    page = client_for(admin).get(reverse("settings:audit"))
    assert page.status_code == 200
    assert b"Globex Secret Plans" not in page.content
    assert all("Globex" not in e.summary for e in audit_entries(workspace=workspace))

