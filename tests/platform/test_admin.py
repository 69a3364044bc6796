"""The Django admin: operators see everything, a workspace admin only their workspaces' configuration."""
import pytest
from django.urls import reverse

from abm_platform.tenancy.roles import Role
from tests.conftest import client_for
from tests.factories import ApiKeyFactory, UserFactory


@pytest.mark.django_db
def test_workspace_admin_sees_only_their_workspace_in_the_admin(admin, workspace, outsider, other_workspace):
    mine = ApiKeyFactory(workspace=workspace, name="Northwind CRM")
    theirs = ApiKeyFactory(workspace=other_workspace, name="Globex CRM")
    client = client_for(admin)
    page = client.get(reverse("admin:abm_platform_apikey_changelist"))
    assert page.status_code == 200
    assert b"Northwind CRM" in page.content and b"Globex CRM" not in page.content
    assert client.get(reverse("admin:abm_platform_apikey_change", args=[theirs.pk])).status_code == 302
    assert client.get(reverse("admin:abm_platform_apikey_change", args=[mine.pk])).status_code == 200


@pytest.mark.django_db
def test_workspace_admins_cannot_reach_operator_models(admin):
    client = client_for(admin)
    assert client.get(reverse("admin:abm_platform_user_changelist")).status_code == 403
    assert client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MARKETING, Role.SALES, Role.EXECUTIVE, Role.VIEWER])
def test_non_admins_are_kept_out_of_the_admin(role, members):
    response = client_for(members[role]).get(reverse("admin:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_operators_see_schedules_and_users(db):
    operator = UserFactory(email="ops@example.com", is_staff=True, is_superuser=True)
    client = client_for(operator)
    assert client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 200
    assert client.get(reverse("admin:abm_platform_user_changelist")).status_code == 200
