"""Celery tasks of the scoring layer: thin, id-based; long work reports into a Job."""
from datetime import timedelta

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

from abm_platform.jobs import job_task
from abm_platform.models import Workspace
from scoring.models import PredictiveModel
from scoring.services.predictive import model_train_run, model_train_start
from scoring.services.recompute import HELPER_TASK, RUN_TASK, recompute_help, recompute_run, recompute_start

RETRAIN_AFTER = timedelta(days=90)   # quarterly (DOMAIN.md §1.4)


@job_task(RUN_TASK)
def recompute(*, job, progress) -> dict:
    return recompute_run(job=job, progress=progress)


@shared_task(name=HELPER_TASK, acks_late=True)
def recompute_helper(*, run_id: int, workspace_id: int) -> int:
    return recompute_help(run_id=run_id, workspace_id=workspace_id)


@job_task("scoring.train_model")
def train_model(*, job, progress) -> dict:
    return model_train_run(job=job, progress=progress)


@shared_task(name="scoring.recompute_workspace")
def recompute_workspace(*, workspace_id: int, reason: str = "", by_id: int | None = None) -> int:
    """Sent by name from the signals refresh (a lower layer): recompute the workspace's scores,
    and retrain its predictive model first when the last training is older than a quarter."""
    workspace = Workspace.objects.get(pk=workspace_id)
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    latest = PredictiveModel.objects.for_workspace(workspace).order_by("-trained_at").first()
    if latest is None or latest.trained_at < timezone.now() - RETRAIN_AFTER:
        # The training job starts the recompute when it ends, so the new model is used.
        return model_train_start(workspace=workspace, by=by, then_recompute=reason or "after retraining").pk
    return recompute_start(workspace=workspace, by=by, reason=reason).pk
