"""The refresh job through a real Celery worker (PostgreSQL + Redis; skipped on SQLite, saying
why): queued by name, run in another process, reporting into its Job, then sending the scoring
recompute by task name to the broker."""
import re
import time

import pytest

from abm_platform.models import Job, JobStatus
from accounts.services.upsert import accounts_upsert
from insights.signals.models import ProviderKind, SignalKind, SignalSettings, TriggerEvent, UnresolvedSignal
from insights.signals.services.ingest import signals_ingest
from insights.signals.services.providers import drop_root, signal_provider_save
from insights.signals.services.refresh import signals_refresh_start

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def take_sent_task(name: str, *, workspace_id: int, timeout: float = 20.0) -> dict:
    """Take the message the worker sent for task `name` about this workspace off the broker's
    default queue (where the worker, which knows nothing of this test's queue, sends follow-up
    tasks) and return its kwargs. Other messages are put back."""
    from django.conf import settings

    from abm_platform.celery import app

    deadline = time.monotonic() + timeout
    with app.connection_for_read() as connection:
        queue = connection.SimpleQueue(settings.CELERY_TASK_DEFAULT_QUEUE)
        try:
            while time.monotonic() < deadline:
                try:
                    message = queue.get(block=True, timeout=0.5)
                except queue.Empty:
                    continue
                _, kwargs, _ = message.decode()
                if message.headers.get("task") == name and kwargs.get("workspace_id") == workspace_id:
                    message.ack()
                    return kwargs
                message.requeue()
        finally:
            queue.close()
    pytest.fail(f"no {name} message for workspace {workspace_id} reached the broker within {timeout:.0f}s")


def _finished(job: Job, worker, timeout: float = 60.0) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = Job.objects.for_workspace(job.workspace_id).get(pk=job.pk)
        if current.is_finished:
            return current
        time.sleep(0.1)
    pytest.fail(f"job {job.pk} still {current.status}; worker log:\n{worker.log()[-3000:]}")


def test_a_refresh_runs_in_the_worker_and_sends_the_scoring_recompute(celery_worker, workspace, admin):
    # Given a file drop with one new trigger event, and a row kept unresolved until its account exists
    accounts_upsert(workspace=workspace, records=[{"name": "Hanse Cargo", "domain": "hanse-cargo.de"}])
    provider = signal_provider_save(workspace=workspace, name="news", kind=ProviderKind.FILE_DROP,
                                    signal_kind=SignalKind.TRIGGER, config={"path": "news"})
    (drop_root(workspace.pk) / "news" / "week.csv").write_text(
        "type,occurred_on,summary,external_id,account_domain\nfunding,2026-01-10,Series B,n1,hanse-cargo.de\n")
    signals_ingest(workspace=workspace, kind="trigger", rows=[(1, {
        "type": "expansion", "occurred_on": "2026-01-12", "summary": "New hub", "source": "news",
        "external_id": "n2", "account_domain": "kiwi-parcel.co.nz"})])
    accounts_upsert(workspace=workspace, records=[{"name": "Kiwi Parcel", "domain": "kiwi-parcel.co.nz"}])

    # When an admin refreshes now
    job, started = signals_refresh_start(workspace=workspace, by=admin)
    job = _finished(job, celery_worker)

    # Then the worker pulled the drop, resolved the kept row, moved the dates and sent scoring its task
    assert started and job.status == JobStatus.SUCCEEDED, job.error
    assert job.attempts == 1 and job.result["created"] == 1
    assert job.result["unresolved_resolved"] == 1
    assert TriggerEvent.objects.for_workspace(workspace).count() == 2
    assert not UnresolvedSignal.objects.for_workspace(workspace).filter(resolved_at__isnull=True).exists()
    settings = SignalSettings.objects.for_workspace(workspace).get()
    assert settings.last_refresh_at is not None and settings.next_refresh_at > settings.last_refresh_at
    assert (drop_root(workspace.pk) / "news" / "processed").is_dir() and provider.pk
    celery_worker.wait_for_log(re.escape(f"[{job.celery_task_id}] succeeded"))
    assert take_sent_task("scoring.recompute_workspace", workspace_id=workspace.pk) == {
        "workspace_id": workspace.pk, "reason": "signal refresh", "by_id": admin.pk}
    # New signals were stored: campaign triggers are evaluated too (a minute later, by name).
    assert take_sent_task("campaigns.evaluate_triggers", workspace_id=workspace.pk) == {
        "workspace_id": workspace.pk, "run_id": None}
