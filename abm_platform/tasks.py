"""Celery tasks of the base layer: thin, id-based, reporting into the Job record."""
from celery import shared_task

from abm_platform.jobs import job_task
from abm_platform.jobs.services import jobs_fail_abandoned
from abm_platform.services.exports import EXPORT_TASK, workspace_export_run


@job_task(EXPORT_TASK)
def workspace_export(*, job, progress) -> dict:
    return workspace_export_run(job=job, progress=progress)


@shared_task(name="abm_platform.jobs_fail_abandoned")
def jobs_fail_abandoned_task() -> int:
    return jobs_fail_abandoned()
