from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from abm_platform.models import Job, JobStatus, Workspace

# A running job whose worker has not reported for this long is presumed dead and may be retaken.
STALE_AFTER = timedelta(minutes=10)


def job_create(*, workspace: Workspace, kind: str, by=None, params: dict | None = None, total: int | None = None) -> Job:
    return Job.objects.for_workspace(workspace).create(
        kind=kind, params=params or {}, created_by=by if getattr(by, "pk", None) else None, progress_total=total
    )


def job_enqueue(*, job: Job, task: str) -> None:
    """Queue the task by name once the surrounding transaction commits (so the worker sees the
    row). By name, so a lower layer can start work that lives above it (DESIGN.md §3.1)."""

    def send() -> None:
        result = current_app.signature(task, kwargs={"job_id": job.pk}).delay()
        Job.objects.for_workspace(job.workspace_id).filter(pk=job.pk, celery_task_id="").update(
            celery_task_id=(result.id or "")[:64]
        )

    transaction.on_commit(send)


def job_start(*, workspace: Workspace, kind: str, task: str, by=None, params: dict | None = None) -> Job:
    """Create a job and queue its task: the one call services use for long work."""
    job = job_create(workspace=workspace, kind=kind, by=by, params=params)
    job_enqueue(job=job, task=task)
    return job


def job_cancel(*, job: Job, by=None) -> bool:
    """Ask a queued or running job to stop. A running task notices at its next progress report."""
    updated = (
        Job.objects.for_workspace(job.workspace_id)
        .filter(pk=job.pk, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .update(status=JobStatus.CANCELLED, finished_at=timezone.now(),
                message=f"Cancelled by {by}" if by else "Cancelled")
    )
    job.refresh_from_db()
    return bool(updated)


def job_claim(*, job_id: int, task_id: str = "") -> Job | None:
    """Take a job for running with one conditional UPDATE: a queued job, or a running one whose
    worker went silent (a redelivered task). Returns None when there is nothing to do — the job
    is gone, finished, cancelled, or alive in another worker — so running a task twice is safe."""
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    rows = Job.objects.unscoped().filter(claimable, pk=job_id)
    claimed = rows.update(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, message="",
                          attempts=F("attempts") + 1, celery_task_id=(task_id or "")[:64])
    if not claimed:
        return None
    return Job.objects.unscoped().select_related("workspace").get(pk=job_id)


# A running job silent for this long has lost its worker for good (a redelivered task would
# have retaken it after STALE_AFTER); a queued job this old was lost by the broker.
ABANDONED_RUNNING_AFTER = timedelta(hours=1)
ABANDONED_QUEUED_AFTER = timedelta(hours=24)


def jobs_fail_abandoned() -> int:
    """Mark jobs whose task vanished as failed, so nobody waits on a progress bar forever.
    Runs on a schedule (CELERY_BEAT_SCHEDULE); one UPDATE per state, across workspaces."""
    now = timezone.now()
    running = Job.objects.unscoped().filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - ABANDONED_RUNNING_AFTER)
    queued = Job.objects.unscoped().filter(status=JobStatus.QUEUED, created_at__lt=now - ABANDONED_QUEUED_AFTER)
    failed = running.update(status=JobStatus.FAILED, finished_at=now, message="Failed",
                            error="The worker stopped reporting progress; start the job again.")
    failed += queued.update(status=JobStatus.FAILED, finished_at=now, message="Failed",
                            error="The job was never picked up by a worker; start it again.")
    return failed
