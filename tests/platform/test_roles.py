"""Each role's permissions on the endpoints and pages of the base layer."""
import pytest
from django.urls import reverse

from abm_platform.models import ApiKey, Membership
from abm_platform.tenancy.roles import Role
from tests.conftest import client_for
from tests.factories import JobFactory

ALL = list(Role.values)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL)
def test_only_admins_list_members_and_api_keys(role, members):
    client = client_for(members[role])
    expected = 200 if role == Role.ADMIN else 403
    assert client.get(reverse("api:membership-list")).status_code == expected
    assert client.get(reverse("api:apikey-list")).status_code == expected
    assert client.get(reverse("settings:members")).status_code == expected
    assert client.get(reverse("settings:api_keys")).status_code == expected
    assert client.get(reverse("settings:audit")).status_code == expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL)
def test_every_member_reads_jobs_and_the_workspace(role, members, workspace):
    client = client_for(members[role])
    job = JobFactory(workspace=workspace)
    assert client.get(reverse("api:job-list")).status_code == 200
    assert client.get(reverse("api:job-detail", kwargs={"pk": job.pk})).status_code == 200
    assert client.get(reverse("jobs:detail", kwargs={"pk": job.pk})).status_code == 200
    response = client.get(reverse("api:workspace"))
    assert response.status_code == 200 and response.json()["role"] == role
    for section in ["dashboard", "accounts:index", "contacts:index", "scoring:index", "campaigns:index",
                    "insights:index", "jobs:list", "settings:workspace"]:
        assert client.get(reverse(section)).status_code == 200, section


@pytest.mark.django_db
@pytest.mark.parametrize("role,allowed", [(Role.ADMIN, True), (Role.MARKETING, True), (Role.SALES, True),
                                          (Role.EXECUTIVE, False), (Role.VIEWER, False)])
def test_cancelling_a_job_needs_an_editor(role, allowed, members, workspace):
    job = JobFactory(workspace=workspace)
    response = client_for(members[role]).post(reverse("api:job-cancel", kwargs={"pk": job.pk}))
    assert response.status_code == (200 if allowed else 403)
    job.refresh_from_db()
    assert (job.status == "cancelled") is allowed


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in ALL if r != Role.ADMIN])
def test_non_admins_cannot_change_settings_members_or_keys(role, members, workspace):
    client = client_for(members[role])
    assert client.patch(reverse("api:workspace"), {"name": "Hacked"}, format="json").status_code == 403
    assert client.post(reverse("settings:workspace"), {"name": "Hacked", "default_currency": "USD",
                                                       "timezone": "UTC"}, format="multipart").status_code == 403
    assert client.post(reverse("api:membership-list"), {"email": "x@y.test", "role": "admin"},
                       format="json").status_code == 403
    assert client.post(reverse("api:apikey-list"), {"name": "k", "scope": "read_write"},
                       format="json").status_code == 403
    assert client.post(reverse("api:workspace-export"), {"format": "csv"}, format="json").status_code == 403
    workspace.refresh_from_db()
    assert workspace.name == "Northwind"
    assert ApiKey.objects.for_workspace(workspace).count() == 0
    assert not Membership.objects.for_workspace(workspace).filter(user__email="x@y.test").exists()


@pytest.mark.django_db
def test_admin_manages_members(admin, workspace):
    client = client_for(admin)
    response = client.post(reverse("api:membership-list"), {"email": "New.Person@Example.com", "role": "sales"},
                           format="json")
    assert response.status_code == 201
    member_id = response.json()["id"]
    assert response.json()["user"]["email"] == "new.person@example.com"
    response = client.patch(reverse("api:membership-detail", kwargs={"pk": member_id}), {"role": "marketing"},
                            format="json")
    assert response.status_code == 200 and response.json()["role"] == "marketing"
    assert client.delete(reverse("api:membership-detail", kwargs={"pk": member_id})).status_code == 204
    assert not Membership.objects.for_workspace(workspace).filter(pk=member_id).exists()


@pytest.mark.django_db
def test_new_members_get_a_set_password_email(admin, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin).post(reverse("api:membership-list"), {"email": "fresh@example.com", "role": "viewer"},
                               format="json")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["fresh@example.com"]
    assert "/reset/" in mailoutbox[0].body


@pytest.mark.django_db
def test_the_last_admin_cannot_be_demoted_or_removed(admin, workspace):
    membership = Membership.objects.for_workspace(workspace).get(user=admin)
    client = client_for(admin)
    response = client.patch(reverse("api:membership-detail", kwargs={"pk": membership.pk}), {"role": "viewer"},
                            format="json")
    assert response.status_code == 400
    assert "at least one admin" in response.json()["extra"]["fields"]["role"][0]
    assert client.delete(reverse("api:membership-detail", kwargs={"pk": membership.pk})).status_code == 400
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


@pytest.mark.django_db
def test_adding_an_existing_member_twice_is_a_clear_error(admin, members):
    response = client_for(admin).post(reverse("api:membership-list"),
                                      {"email": members[Role.SALES].email, "role": "viewer"}, format="json")
    assert response.status_code == 400
    assert "already a member" in response.json()["extra"]["fields"]["email"][0]


@pytest.mark.django_db
def test_viewer_sees_settings_read_only(members):
    response = client_for(members[Role.VIEWER]).get(reverse("settings:workspace"))
    assert response.status_code == 200
    assert b"read only" in response.content
    assert b"<fieldset disabled>" in response.content


@pytest.mark.django_db
def test_a_user_without_workspace_lands_on_the_no_workspace_page(db):
    from tests.factories import UserFactory

    client = client_for(UserFactory(email="lonely@example.com"))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("no_workspace")
    assert client.get(reverse("api:job-list")).status_code == 403


@pytest.mark.django_db
def test_switching_workspace_changes_what_the_user_sees(admin, workspace, other_workspace):
    from tests.factories import MembershipFactory

    MembershipFactory(workspace=other_workspace, user=admin, role=Role.VIEWER)
    client = client_for(admin)
    assert client.get(reverse("api:workspace")).json()["slug"] == "globex"  # first by name
    response = client.post(reverse("workspace_switch"), {"workspace": workspace.pk, "next": "/jobs/"},
                           format="multipart")
    assert response.status_code == 302 and response["Location"] == "/jobs/"
    body = client.get(reverse("api:workspace")).json()
    assert body["slug"] == "northwind" and body["role"] == "admin"
