"""The periodic refresh: due workspaces, one job at a time, the work it does, the scoring
recompute it starts by name, and the command line."""
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from abm_platform.models import Job, JobStatus
from insights import tasks
from insights.signals.models import ProviderKind, SignalKind, SignalSettings, TriggerEvent
from insights.signals.services.ingest import signals_ingest
from insights.signals.services.providers import drop_root, signal_provider_save
from insights.signals.services.refresh import (
    REFRESH_JOB_KIND, due_workspace_ids, signals_refresh_start,
)
from insights.signals.services.settings import signal_settings_get
from tests.factories import JobFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scoring():
    """What leaves this layer by task name (the scoring recompute; campaign triggers too)."""
    with mock.patch("insights.signals.services.notify.current_app") as app:
        yield app


def recompute_calls(app) -> list:
    return [c for c in app.signature.call_args_list if c.args[0] == "scoring.recompute_workspace"]


def test_settings_are_created_on_demand_with_a_14_day_cadence(workspace):
    settings = signal_settings_get(workspace=workspace)
    assert settings.refresh_every_days == 14 and settings.next_refresh_at is None
    assert settings.tracking_key.startswith("tk_") and "/pricing" in settings.high_value_paths
    assert signal_settings_get(workspace=workspace).pk == settings.pk


def test_due_workspaces_are_the_never_refreshed_and_the_overdue(workspace, other_workspace):
    now = timezone.now()
    fresh = WorkspaceFactory()
    SignalSettings.objects.for_workspace(fresh).create(next_refresh_at=now + timedelta(days=3))
    overdue = WorkspaceFactory()
    SignalSettings.objects.for_workspace(overdue).create(next_refresh_at=now - timedelta(minutes=1))
    assert set(due_workspace_ids(now=now)) == {workspace.pk, other_workspace.pk, overdue.pk}


def test_the_beat_task_starts_one_job_per_due_workspace_and_never_a_second(workspace, other_workspace):
    SignalSettings.objects.for_workspace(other_workspace).create(next_refresh_at=timezone.now() + timedelta(days=1))
    with mock.patch("insights.signals.services.refresh.job_enqueue") as enqueue:
        first = tasks.refresh_due_workspaces_task()
        second = tasks.refresh_due_workspaces_task()
    jobs = Job.objects.unscoped().filter(kind=REFRESH_JOB_KIND)
    assert [j.workspace_id for j in jobs] == [workspace.pk]
    assert first == {"started": [jobs[0].pk], "already_running": []}
    assert second == {"started": [], "already_running": [jobs[0].pk]}
    assert enqueue.call_count == 1 and enqueue.call_args.kwargs["task"] == "insights.refresh_signals"


def test_a_finished_refresh_no_longer_blocks_the_next(workspace):
    JobFactory(workspace=workspace, kind=REFRESH_JOB_KIND, status=JobStatus.SUCCEEDED)
    with mock.patch("insights.signals.services.refresh.job_enqueue"):
        job, started = signals_refresh_start(workspace=workspace)
    assert started and job.status == JobStatus.QUEUED


def test_the_refresh_job_pulls_drops_retries_unresolved_moves_the_dates_and_starts_scoring(
        tmp_path, settings, workspace, hanse, admin, scoring, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    provider = signal_provider_save(workspace=workspace, name="news", kind=ProviderKind.FILE_DROP,
                                    signal_kind=SignalKind.TRIGGER, config={"path": "news"})
    (drop_root(workspace.pk) / "news" / "today.csv").write_text(
        "type,occurred_on,summary,external_id,account_domain\n"
        "funding,2026-01-10,Series B,n1,hanse-cargo.de\n"
        "expansion,2026-01-12,New hub,n2,kiwi.example\n")
    signal_provider_save(workspace=workspace, name="paused", kind=ProviderKind.FILE_DROP,
                         signal_kind=SignalKind.TRIGGER, config={"path": "paused"}, is_active=False)
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        job, started = signals_refresh_start(workspace=workspace, by=admin)

    job.refresh_from_db()
    assert started and job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["providers"] == {"news": "1 file · 1 new · 0 duplicates · 1 unresolved · 0 rejected"}
    assert (job.result["files"], job.result["created"], job.result["unresolved"]) == (1, 1, 1)
    assert job.result["unresolved_retried"] == 1 and job.result["unresolved_resolved"] == 0
    current = SignalSettings.objects.for_workspace(workspace).get()
    assert current.last_refresh_at >= before
    assert current.next_refresh_at == current.last_refresh_at + timedelta(days=14)
    assert TriggerEvent.objects.for_workspace(workspace).get().source == provider.name
    (call,) = recompute_calls(scoring)
    assert call.kwargs == {"kwargs": {"workspace_id": workspace.pk, "reason": "signal refresh", "by_id": admin.pk}}
    scoring.signature.return_value.delay.assert_called_once_with()


def test_the_command_refreshes_synchronously_and_prints_the_report(workspace, hanse, scoring, capsys,
                                                                   django_capture_on_commit_callbacks):
    signals_ingest(workspace=workspace, kind="trigger", rows=[(1, {
        "type": "funding", "occurred_on": "2026-01-10", "summary": "Seed", "source": "news", "external_id": "x",
        "account_domain": "later-logistics.com"})])
    from accounts.services.upsert import accounts_upsert
    accounts_upsert(workspace=workspace, records=[{"name": "Later", "domain": "later-logistics.com"}])

    with django_capture_on_commit_callbacks(execute=True):
        call_command("refresh_signals", "--workspace", workspace.slug)

    out = capsys.readouterr().out
    assert "unresolved signals retried: 1, resolved: 1" in out and "scoring recompute queued" in out
    assert TriggerEvent.objects.for_workspace(workspace).count() == 1
    assert SignalSettings.objects.for_workspace(workspace).get().last_refresh_at is not None
    (call,) = recompute_calls(scoring)
    assert call.kwargs["kwargs"]["by_id"] is None


def test_the_command_refuses_an_unknown_workspace_and_a_running_refresh(workspace):
    with pytest.raises(CommandError):
        call_command("refresh_signals", "--workspace", "nope")
    JobFactory(workspace=workspace, kind=REFRESH_JOB_KIND, status=JobStatus.RUNNING)
    with pytest.raises(CommandError) as error:
        call_command("refresh_signals", "--workspace", workspace.slug)
    assert "already running" in str(error.value)


def test_a_misconfigured_file_drop_is_reported_and_the_refresh_goes_on(workspace, scoring, settings, tmp_path,
                                                                        django_capture_on_commit_callbacks):
    from insights.signals.models import SignalProvider

    settings.MEDIA_ROOT = tmp_path
    SignalProvider.objects.for_workspace(workspace).create(name="broken", kind=ProviderKind.FILE_DROP,
                                                           signal_kind=SignalKind.INTENT, config={"path": "/etc"})
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = signals_refresh_start(workspace=workspace)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and "drop folder" in job.result["providers"]["broken"]
    assert len(recompute_calls(scoring)) == 1
