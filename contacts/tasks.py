"""Celery tasks of the contacts layer: thin, id-based, reporting into a Job."""
from abm_platform.jobs import job_task
from contacts.services.inference import REINFER_TASK, contacts_reinfer_run
from contacts.services.matching import MATCH_TASK, contacts_match_run


@job_task(REINFER_TASK)
def contacts_reinfer(*, job, progress) -> dict:
    return contacts_reinfer_run(job=job, progress=progress)


@job_task(MATCH_TASK)
def contacts_match_unlinked(*, job, progress) -> dict:
    return contacts_match_run(job=job, progress=progress)
