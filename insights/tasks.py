"""Celery tasks of the signals layer: thin, id-based, reporting into the Job record."""
from celery import shared_task

from abm_platform.jobs import job_task
from insights.signals.services.imports import IMPORT_TASK, signal_import_run
from insights.signals.services.refresh import REFRESH_TASK, refresh_due_workspaces, signals_refresh_run
from insights.signals.services.reweigh import REWEIGH_TASK, engagement_reweigh_run
from insights.signals.services.unresolved import RETRY_TASK, unresolved_signals_retry_run


@job_task(REFRESH_TASK)
def refresh_signals(*, job, progress) -> dict:
    return signals_refresh_run(job=job, progress=progress)


@job_task(IMPORT_TASK)
def import_signals(*, job, progress) -> dict:
    return signal_import_run(job=job, progress=progress)


@job_task(REWEIGH_TASK)
def reweigh_engagement(*, job, progress) -> dict:
    return engagement_reweigh_run(job=job, progress=progress)


@job_task(RETRY_TASK)
def retry_unresolved(*, job, progress) -> dict:
    return unresolved_signals_retry_run(job=job, progress=progress)


@shared_task(name="insights.refresh_due_workspaces")
def refresh_due_workspaces_task() -> dict:
    """Hourly (CELERY_BEAT_SCHEDULE): a refresh job for each workspace whose refresh is due."""
    return refresh_due_workspaces()
