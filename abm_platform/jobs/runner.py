import logging
import traceback

from celery import shared_task
from django.utils import timezone

from abm_platform.jobs.services import job_claim
from abm_platform.models import Job, JobStatus

logger = logging.getLogger(__name__)


class JobCancelled(Exception):
    """Raised inside a task when its job was cancelled from the UI or API."""


class JobProgress:
    """What a task uses to report progress. Each report is one conditional UPDATE that also
    tells the task whether its job was cancelled meanwhile."""

    def __init__(self, job: Job):
        self.job = job

    def set_total(self, total: int) -> None:
        self._write(progress_total=total)

    def update(self, done: int, *, total: int | None = None, message: str | None = None) -> None:
        fields = {"progress_done": done}
        if total is not None:
            fields["progress_total"] = total
        if message is not None:
            fields["message"] = message[:255]
        self._write(**fields)

    def _write(self, **fields) -> None:
        fields["heartbeat_at"] = timezone.now()
        running = Job.objects.for_workspace(self.job.workspace_id).filter(pk=self.job.pk, status=JobStatus.RUNNING)
        if not running.update(**fields):
            raise JobCancelled(f"job {self.job.pk} is no longer running")
        for name, value in fields.items():
            setattr(self.job, name, value)


def _finish(job: Job, **fields) -> None:
    fields.setdefault("finished_at", timezone.now())
    Job.objects.for_workspace(job.workspace_id).filter(pk=job.pk, status=JobStatus.RUNNING).update(**fields)


def job_task(name: str, **task_options):
    """Turn `fn(*, job, progress) -> dict` into a Celery task that takes a job id.

    The task claims the job (so a second delivery does nothing), marks it succeeded with the
    returned result, or failed with the error and traceback when `fn` raises. `fn` must be
    idempotent: a job whose worker died is retaken and runs again from the start.
    """
    task_options.setdefault("acks_late", True)

    def decorator(fn):
        @shared_task(name=name, bind=True, **task_options)
        def task(self, job_id: int):
            job = job_claim(job_id=job_id, task_id=self.request.id or "")
            if job is None:
                logger.info("job %s: nothing to do (gone, finished or running elsewhere)", job_id)
                return None
            progress = JobProgress(job)
            try:
                result = fn(job=job, progress=progress) or {}
            except JobCancelled:
                logger.info("job %s cancelled", job_id)
                return None
            except Exception as exc:  # the job record is the report: keep the worker alive
                logger.exception("job %s (%s) failed", job_id, name)
                _finish(job, status=JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}",
                        message="Failed", result={"traceback": traceback.format_exc(limit=8)})
                return None
            # A finished job shows its full total, whatever the last report was.
            _finish(job, status=JobStatus.SUCCEEDED, result=result, message="Done",
                    progress_done=job.progress_total or job.progress_done)
            return None

        task.job_function = fn
        return task

    return decorator
