"""The recompute through a real Celery worker (PostgreSQL + Redis; `.ci/run`): the worker
resumes a run whose chunks were planned elsewhere, computes them, and swaps the scores in."""
import pytest

from abm_platform.models import JobStatus
from accounts.models import Account
from scoring.models import ChunkStatus, RunStatus, ScoreSnapshot, ScoringChunk
from scoring.services import recompute as recompute_service
from tests.factories import AccountFactory, EngagementEventFactory, IcpCriterionFactory
from tests.platform.test_worker_jobs import wait_until_finished

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_finishes_a_chunked_run_and_scores_become_visible(celery_worker, workspace, admin, monkeypatch):
    IcpCriterionFactory(workspace=workspace, kind="industry", config={"values": ["Logistics"]})
    accounts = [AccountFactory(workspace=workspace, industry="Logistics" if n % 2 else "Food") for n in range(25)]
    for account in accounts[:5]:
        EngagementEventFactory(workspace=workspace, account=account, minutes=40)
    monkeypatch.setattr(recompute_service, "CHUNK_SIZE", 10)
    run = recompute_service.run_create_or_resume(workspace=workspace)   # planned here, 3 chunks
    assert run.chunks_total == 3

    job = wait_until_finished(recompute_service.recompute_start(workspace=workspace, by=admin), celery_worker)

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["run"] == run.pk and job.result["accounts"] == 25
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    assert set(ScoringChunk.objects.for_workspace(workspace).filter(run=run).values_list("status", flat=True)) == {ChunkStatus.DONE}
    assert ScoreSnapshot.objects.for_workspace(workspace).filter(run=run).count() == 25
    assert not Account.objects.for_workspace(workspace).filter(score__isnull=True).exists()
    busy = Account.objects.for_workspace(workspace).get(pk=accounts[1].pk)
    quiet = Account.objects.for_workspace(workspace).get(pk=accounts[7].pk)
    assert busy.score > quiet.score
