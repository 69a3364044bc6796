"""Celery tasks of the accounts app: thin, id-based, reporting into the Job record."""
from celery import shared_task

from abm_platform.jobs import job_task
from accounts.services.imports import ACCOUNT_IMPORT, OPPORTUNITY_IMPORT, import_files_purge, import_run


@job_task(ACCOUNT_IMPORT.task)
def import_accounts(*, job, progress) -> dict:
    return import_run(job=job, progress=progress)


@job_task(OPPORTUNITY_IMPORT.task)
def import_opportunities(*, job, progress) -> dict:
    return import_run(job=job, progress=progress)


@shared_task(name="accounts.import_files_purge")
def import_files_purge_task() -> int:
    return import_files_purge()
