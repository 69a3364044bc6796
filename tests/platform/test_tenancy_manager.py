"""The tenant-owned models' manager fails closed."""
import pytest

from abm_platform.models import Job
from abm_platform.tenancy.models import UnscopedQueryError
from tests.factories import JobFactory


@pytest.mark.django_db
def test_it_refuses_a_query_without_a_workspace():
    with pytest.raises(UnscopedQueryError):
        list(Job.objects.all())
    with pytest.raises(UnscopedQueryError):
        Job.objects.filter(kind="x")
    with pytest.raises(UnscopedQueryError):
        Job.objects.create(kind="x")


@pytest.mark.django_db
def test_for_workspace_returns_only_that_workspaces_rows(workspace, other_workspace):
    mine, theirs = JobFactory(workspace=workspace), JobFactory(workspace=other_workspace)
    assert list(Job.objects.for_workspace(workspace)) == [mine]
    assert list(Job.objects.for_workspace(other_workspace.pk)) == [theirs]


@pytest.mark.django_db
def test_create_through_a_scoped_queryset_stamps_the_workspace(workspace):
    job = Job.objects.for_workspace(workspace).create(kind="import")
    assert job.workspace_id == workspace.pk
    created = Job.objects.for_workspace(workspace).bulk_create([Job(kind="a"), Job(kind="b")])
    assert {j.workspace_id for j in created} == {workspace.pk}


@pytest.mark.django_db
def test_writing_another_workspaces_row_through_a_scoped_queryset_fails(workspace, other_workspace):
    with pytest.raises(UnscopedQueryError):
        Job.objects.for_workspace(workspace).create(kind="x", workspace=other_workspace)
    with pytest.raises(UnscopedQueryError):
        Job.objects.for_workspace(workspace).bulk_create([Job(kind="x", workspace=other_workspace)])
    assert Job.objects.for_workspace(other_workspace).count() == 0


@pytest.mark.django_db
def test_get_or_create_is_scoped(workspace, other_workspace):
    JobFactory(workspace=other_workspace, kind="sync")
    job, created = Job.objects.for_workspace(workspace).get_or_create(kind="sync")
    assert created and job.workspace_id == workspace.pk


def test_for_workspace_without_a_workspace_fails():
    with pytest.raises(UnscopedQueryError):
        Job.objects.for_workspace(None)


def test_a_viewset_may_not_override_get_queryset():
    from abm_platform.api.viewsets import WorkspaceViewSet

    with pytest.raises(TypeError, match="scope_queryset"):
        type("Sneaky", (WorkspaceViewSet,), {"get_queryset": lambda self: None})
