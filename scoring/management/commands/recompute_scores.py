from django.core.management.base import BaseCommand, CommandError

from abm_platform.jobs import job_create
from abm_platform.models import Job, JobStatus, Workspace
from scoring.tasks import recompute, train_model


class Command(BaseCommand):
    help = ("Recompute every account's and contact's scores now, in this process (the same job the "
            "schedule runs). --train retrains the predictive model first. Resumes an unfinished run.")

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="Workspace slug.")
        parser.add_argument("--train", action="store_true", help="Retrain the predictive model first.")

    def handle(self, *args, workspace, train, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.", returncode=2)
        if train:
            job = self._run(ws, "model_train", train_model)
            self.stdout.write(f"model: {job.result.get('status')} — {job.result.get('message')}")
        job = self._run(ws, "score_recompute", recompute, params={"reason": "manage.py recompute_scores"})
        self.stdout.write(f"scores: {job.result}")

    def _run(self, ws, kind, task, params=None) -> Job:
        job = job_create(workspace=ws, kind=kind, params=params or {})
        task.apply(args=[job.pk])                 # runs here, whatever the broker
        job.refresh_from_db()
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"{kind} failed: {job.error}", returncode=1)
        return job
