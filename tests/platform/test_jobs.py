"""Jobs run in-process here (eager Celery); tests/platform/test_worker_jobs.py runs them through a real worker."""
import os
import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from abm_platform.jobs import JobCancelled, JobProgress, job_cancel
from abm_platform.jobs.services import job_claim
from abm_platform.models import Job
from abm_platform.services.exports import export_path, workspace_export_start
from abm_platform.tasks import workspace_export
from tests.conftest import client_for
from tests.factories import JobFactory


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_an_export_job_succeeds_with_full_progress_and_a_report(admin, workspace, other_workspace,
                                                                django_capture_on_commit_callbacks):
    JobFactory.create_batch(3, workspace=other_workspace)
    with django_capture_on_commit_callbacks(execute=True):
        job = workspace_export_start(workspace=workspace, by=admin, fmt="csv")
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.progress_total == job.progress_done == job.result["total_rows"]
    assert job.result["rows"]["abm_platform.Membership"] == 5  # the cast's five members, not Globex's
    assert job.started_at and job.finished_at and job.attempts == 1
    with zipfile.ZipFile(export_path(job)) as archive:
        memberships = archive.read("abm_platform__membership.csv").decode()
        keys = archive.read("abm_platform__apikey.csv").decode()
    assert memberships.count("\n") == 6  # header + 5 rows
    assert "key_hash" not in keys


@pytest.mark.django_db
def test_a_crashing_task_marks_its_job_failed_with_the_error(workspace):
    job = JobFactory(workspace=workspace, params={"format": "xml"})
    workspace_export.delay(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "ValueError: Unsupported export format 'xml'; use one of csv, json"
    assert "Traceback" in job.result["traceback"] and job.finished_at


@pytest.mark.django_db
def test_running_a_task_twice_does_the_work_once(workspace):
    job = JobFactory(workspace=workspace)
    workspace_export.delay(job_id=job.pk)
    job.refresh_from_db()
    first_finished = job.finished_at
    workspace_export.delay(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 1 and job.finished_at == first_finished


@pytest.mark.django_db
def test_a_task_for_a_deleted_job_exits_quietly(workspace):
    job = JobFactory(workspace=workspace)
    job_id = job.pk
    job.delete()
    assert workspace_export.delay(job_id=job_id).result is None


@pytest.mark.django_db
def test_a_running_job_whose_worker_died_is_retaken(workspace):
    job = JobFactory(workspace=workspace, status="running", attempts=1,
                     heartbeat_at=timezone.now() - timedelta(hours=1))
    workspace_export.delay(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2


@pytest.mark.django_db
def test_a_live_running_job_is_not_claimed_twice(workspace):
    job = JobFactory(workspace=workspace, status="running", heartbeat_at=timezone.now())
    assert job_claim(job_id=job.pk) is None


@pytest.mark.django_db
def test_cancelling_stops_a_running_task_at_its_next_progress_report(workspace, admin):
    job = job_claim(job_id=JobFactory(workspace=workspace).pk)
    progress = JobProgress(job)
    progress.update(10, total=100)
    assert job_cancel(job=job, by=admin)
    with pytest.raises(JobCancelled):
        progress.update(20)
    job.refresh_from_db()
    assert job.status == "cancelled" and job.progress_done == 10


@pytest.mark.django_db
def test_a_finished_job_cannot_be_cancelled(admin, workspace):
    job = JobFactory(workspace=workspace, status="succeeded")
    response = client_for(admin).post(reverse("api:job-cancel", kwargs={"pk": job.pk}))
    assert response.status_code == 409 and "already succeeded" in response.json()["message"]


@pytest.mark.django_db
def test_export_through_the_api_answers_202_with_the_job(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(reverse("api:workspace-export"), {"format": "json"}, format="json")
    assert response.status_code == 202
    job = client_for(admin).get(reverse("api:job-detail", kwargs={"pk": response.json()["id"]})).json()
    assert job["status"] == "succeeded" and job["percent"] == 100


@pytest.mark.django_db
def test_the_job_page_shows_progress_and_the_report(admin, workspace):
    running = JobFactory(workspace=workspace, status="running", progress_done=40, progress_total=160)
    page = client_for(admin).get(reverse("jobs:detail", kwargs={"pk": running.pk}))
    assert b'value="25"' in page.content and b"40 / 160" in page.content
    assert b'hx-trigger="every 1s"' in page.content  # polls while running
    failed = JobFactory(workspace=workspace, status="failed", error="ValueError: bad row",
                        error_report=[{"line": 7, "reason": "domain missing"}])
    page = client_for(admin).get(reverse("jobs:detail", kwargs={"pk": failed.pk}))
    assert b"ValueError: bad row" in page.content and b"domain missing" in page.content
    assert b"hx-trigger" not in page.content  # finished: no polling


@pytest.mark.django_db
def test_only_admins_download_exports(admin, members, workspace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = workspace_export_start(workspace=workspace, by=admin)
    url = reverse("jobs:download", kwargs={"pk": job.pk})
    response = client_for(admin).get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert client_for(members["marketing"]).get(url).status_code == 403



@pytest.mark.django_db
def test_abandoned_jobs_are_marked_failed_by_the_scheduled_sweep(workspace):
    from abm_platform.celery import app
    from abm_platform.tasks import jobs_fail_abandoned_task

    now = timezone.now()
    lost_worker = JobFactory(workspace=workspace, status="running", heartbeat_at=now - timedelta(hours=2))
    alive = JobFactory(workspace=workspace, status="running", heartbeat_at=now - timedelta(minutes=5))
    never_started = JobFactory(workspace=workspace)
    Job.objects.for_workspace(workspace).filter(pk=never_started.pk).update(created_at=now - timedelta(days=2))
    fresh = JobFactory(workspace=workspace)
    assert jobs_fail_abandoned_task.delay().result == 2
    statuses = {j.pk: (j.status, j.error) for j in Job.objects.for_workspace(workspace)}
    assert statuses[lost_worker.pk][0] == "failed" and "stopped reporting" in statuses[lost_worker.pk][1]
    assert statuses[never_started.pk][0] == "failed"
    assert statuses[alive.pk][0] == "running" and statuses[fresh.pk][0] == "queued"
    assert app.conf.beat_schedule["fail-abandoned-jobs"]["task"] == jobs_fail_abandoned_task.name


def test_every_apps_tasks_are_registered_outside_a_worker():
    """A web process (no worker, eager Celery) must know every task by name."""
    code = ("import django; django.setup(); from abm_platform.celery import app; "
            "print(sorted(n for n in app.tasks if not n.startswith('celery.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "abm_platform.settings"}).stdout
    assert "abm_platform.workspace_export" in out and "abm_platform.jobs_fail_abandoned" in out
