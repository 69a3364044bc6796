"""Background jobs through a real Celery worker (tests/fixtures/worker.py): the task is sent to
Redis, run in another process on the PostgreSQL test database, and reports into the Job row.
Skipped on SQLite or without a Redis broker; `.ci/run` runs them."""
import csv
import io
import re
import time
import zipfile

import pytest

from abm_platform.jobs import job_cancel, job_create, job_enqueue, job_start
from abm_platform.models import Job, JobStatus
from abm_platform.services.exports import BATCH_SIZE, EXPORT_TASK, export_path, workspace_export_start

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DEADLINE = 60.0
SEEDED_JOBS = 2 * BATCH_SIZE + 500  # enough rows for two intermediate progress reports


def wait_until_finished(job: Job, worker, *, timeout: float = DEADLINE) -> Job:
    """Poll the job row until the worker has finished it (or fail, showing the worker's log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = Job.objects.for_workspace(job.workspace_id).get(pk=job.pk)
        if current.is_finished:
            return current
        time.sleep(0.1)
    pytest.fail(f"job {job.pk} still {current.status} after {timeout:.0f}s; worker log tail:\n{worker.log()[-3000:]}")


def refused_pattern(job: Job) -> str:
    """The worker's log line for a delivery whose job could not be claimed (abm_platform/jobs/runner.py)."""
    return rf"\bjob {job.pk}: nothing to do\b"


def test_it_exports_a_workspace_in_the_worker_reporting_progress(celery_worker, workspace, admin, members):
    # Given a workspace with more rows than one progress batch
    Job.objects.for_workspace(workspace).bulk_create(
        [Job(kind="seed", status=JobStatus.SUCCEEDED) for _ in range(SEEDED_JOBS)]
    )

    # When an admin starts an export
    job = workspace_export_start(workspace=workspace, by=admin, fmt="csv")
    job = wait_until_finished(job, celery_worker)

    # Then the worker ran it once, to the end, and the job says what it wrote
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.attempts == 1
    assert job.celery_task_id
    celery_worker.wait_for_log(re.escape(f"[{job.celery_task_id}] succeeded"))
    assert job.started_at is not None and job.finished_at is not None
    assert job.started_at <= job.finished_at
    exported_jobs = SEEDED_JOBS + 1  # the export's own job row is workspace data too
    assert job.result["rows"]["abm_platform.Job"] == exported_jobs
    assert job.result["rows"]["abm_platform.Membership"] == len(members)
    assert job.result["total_rows"] == sum(job.result["rows"].values())
    assert job.progress_done == job.progress_total == job.result["total_rows"] > BATCH_SIZE
    assert job.percent == 100

    # And the zip holds every job row under a header
    path = export_path(job)
    assert path.is_file()
    assert job.result["file"] == str(path.relative_to(celery_worker.media_root))
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        rows = list(csv.reader(io.TextIOWrapper(archive.open("abm_platform__job.csv"), encoding="utf-8")))
    assert "kind" in rows[0]
    assert len(rows) == 1 + exported_jobs


def test_it_fails_a_job_with_an_unknown_format_saying_so(celery_worker, workspace, admin):
    job = job_start(workspace=workspace, kind="workspace_export", task=EXPORT_TASK, by=admin,
                    params={"format": "xml"})

    job = wait_until_finished(job, celery_worker)

    assert job.status == JobStatus.FAILED
    assert job.error.startswith("ValueError:")
    assert "format" in job.error and "'xml'" in job.error
    assert "Traceback" in job.result["traceback"]
    assert job.attempts == 1
    assert job.finished_at is not None
    assert not export_path(job).exists()


def test_it_does_not_run_a_finished_job_again_when_its_task_comes_twice(celery_worker, workspace, admin):
    # Given an export the worker has finished
    job = wait_until_finished(workspace_export_start(workspace=workspace, by=admin), celery_worker)
    assert job.status == JobStatus.SUCCEEDED, job.error

    # When its task is delivered a second time
    job_enqueue(job=job, task=EXPORT_TASK)
    celery_worker.wait_for_log(refused_pattern(job))

    # Then the worker refused it and the job is as it was
    again = Job.objects.for_workspace(workspace).get(pk=job.pk)
    assert again.status == JobStatus.SUCCEEDED
    assert again.attempts == 1
    assert (again.started_at, again.finished_at, again.result) == (job.started_at, job.finished_at, job.result)


def test_it_does_not_run_a_job_cancelled_while_queued(celery_worker, workspace, admin):
    # Given an export waiting in the queue while the worker is busy elsewhere
    with celery_worker.paused():
        job = workspace_export_start(workspace=workspace, by=admin)
        assert Job.objects.for_workspace(workspace).get(pk=job.pk).status == JobStatus.QUEUED

        # When the admin cancels it before the worker takes it
        assert job_cancel(job=job, by=admin)

    # Then the worker, taking the task, leaves it alone
    celery_worker.wait_for_log(refused_pattern(job))
    job = Job.objects.for_workspace(workspace).get(pk=job.pk)
    assert job.status == JobStatus.CANCELLED
    assert job.attempts == 0
    assert job.started_at is None
    assert not export_path(job).exists()


def test_it_runs_a_job_that_waited_in_the_queue(celery_worker, workspace, admin):
    """Control for the test above: the same steps without the cancel do run the job, so the
    refusal there is the cancel's doing and not a paused worker that never resumed."""
    with celery_worker.paused():
        job = workspace_export_start(workspace=workspace, by=admin)

    job = wait_until_finished(job, celery_worker)

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert export_path(job).is_file()
