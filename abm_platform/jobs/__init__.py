"""Background jobs: create a `Job`, enqueue its task after commit, and run it with progress.

    job = job_start(workspace=ws, kind="workspace_export", task="abm_platform.workspace_export",
                    by=request.user, params={"format": "csv"})

    @job_task("abm_platform.workspace_export")
    def workspace_export(*, job, progress): ...   # returns the job's result (a dict)
"""
from abm_platform.jobs.runner import JobCancelled, JobProgress, job_task
from abm_platform.jobs.services import job_cancel, job_create, job_enqueue, job_start

__all__ = ["JobCancelled", "JobProgress", "job_cancel", "job_create", "job_enqueue", "job_start", "job_task"]
