"""Celery tasks of the contacts layer: thin, id-based, reporting into a Job."""
from abm_platform.jobs import job_task
from contacts.services.inference import REINFER_TASK, contacts_reinfer_run


@job_task(REINFER_TASK)
def contacts_reinfer(*, job, progress) -> dict:
    return contacts_reinfer_run(job=job, progress=progress)
