"""The periodic signal refresh (DESIGN.md §1.3: every 14 days by default, per workspace, and
on demand).

- `signals_refresh_start` queues one refresh job for a workspace — never a second while one is
  queued or running.
- `signals_refresh_run` (the job): pulls the active file-drop providers, retries unresolved
  signals, reweighs stored engagement (so changed seniorities are picked up), moves the
  workspace's last/next refresh, then starts the scoring recompute by task name.
- `refresh_due_workspaces` (the hourly beat task): starts a refresh for every workspace whose
  next refresh is due or that was never refreshed.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from abm_platform.jobs import job_create, job_enqueue
from abm_platform.models import Job, JobStatus, Workspace
from insights.signals.models import ProviderKind, SignalProvider, SignalSettings
from insights.signals.services.ingest import IngestContext
from insights.signals.services.providers import file_drop_pull
from insights.signals.services.reweigh import engagement_reweigh
from insights.signals.services.notify import scoring_recompute_enqueue
from insights.signals.services.settings import signal_settings_get, workspace_rule_set
from insights.signals.services.unresolved import unresolved_signals_retry

REFRESH_TASK = "insights.refresh_signals"
REFRESH_JOB_KIND = "signal_refresh"
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
REWEIGH_WINDOW = timedelta(days=365)


def active_refresh(*, workspace: Workspace | int) -> Job | None:
    return Job.objects.for_workspace(workspace).filter(kind=REFRESH_JOB_KIND, status__in=ACTIVE).first()


def signals_refresh_start(*, workspace: Workspace, by=None, trigger: str = "manual",
                          queue: bool = True) -> tuple[Job, bool]:
    """Queue a refresh of the workspace's signals. Returns (job, started): when a refresh is
    already queued or running, that job and False. The settings row is locked while deciding,
    so two callers (the beat and an admin's click) cannot both start one."""
    with transaction.atomic():
        current = signal_settings_get(workspace=workspace)
        SignalSettings.objects.for_workspace(workspace).select_for_update().filter(pk=current.pk).first()
        running = active_refresh(workspace=workspace)
        if running is not None:
            return running, False
        job = job_create(workspace=workspace, kind=REFRESH_JOB_KIND, by=by, params={"trigger": trigger})
        if queue:
            job_enqueue(job=job, task=REFRESH_TASK)
    return job, True


def signals_refresh_run(*, job: Job, progress) -> dict:
    """The refresh job's work. Safe to run twice: pulled files are gone from the drop folder,
    retried rows are marked, the reweigh depends only on the rules."""
    workspace_id = job.workspace_id
    settings = signal_settings_get(workspace=workspace_id)
    rules = workspace_rule_set(settings)
    providers = list(SignalProvider.objects.for_workspace(workspace_id).filter(
        kind=ProviderKind.FILE_DROP, is_active=True).order_by("name"))
    steps = len(providers) + 2
    progress.set_total(steps)
    result: dict = {"providers": {}}
    totals = {"files": 0, "created": 0, "duplicates": 0, "unresolved": 0, "rejected": 0}
    for done, provider in enumerate(providers, start=1):
        progress.update(done - 1, message=f"Pulling {provider.name}")
        try:
            pulled = file_drop_pull(provider=provider, context=IngestContext(workspace=workspace_id,
                                                                            source=provider.name, rules=rules))
        except ValidationError as error:  # a misconfigured folder: say so, refresh the rest
            result["providers"][provider.name] = "not pulled: " + " ".join(error.messages)[:300]
            continue
        result["providers"][provider.name] = _pulled_text(pulled)
        for key in totals:
            totals[key] += pulled[key]
    if not providers:
        result.pop("providers")
    result.update(totals)
    progress.update(len(providers), message="Retrying unresolved signals")
    retried = unresolved_signals_retry(workspace=workspace_id, context=IngestContext(workspace=workspace_id,
                                                                                     rules=rules))
    result["unresolved_retried"] = retried["checked"]
    result["unresolved_resolved"] = retried["resolved"]
    progress.update(len(providers) + 1, message="Reweighing engagement")
    # Changed seniorities: the events scoring reads (the last year, DOMAIN.md §1.3) follow them.
    result["events_reweighed"] = engagement_reweigh(workspace=workspace_id, rules=rules,
                                                    since=timezone.now() - REWEIGH_WINDOW)["events"]
    finished = timezone.now()
    next_at = finished + timedelta(days=settings.refresh_every_days)
    SignalSettings.objects.for_workspace(workspace_id).filter(pk=settings.pk).update(
        last_refresh_at=finished, next_refresh_at=next_at)
    result["next_refresh_at"] = next_at.isoformat(timespec="minutes")
    scoring_recompute_enqueue(workspace_id=workspace_id, reason="signal refresh", by_id=job.created_by_id)
    progress.update(steps, message="Done")
    return result


def _pulled_text(pulled: dict) -> str:
    """One line per provider for the job's report: "2 files · 1,200 new · 3 duplicates …"."""
    parts = [f"{pulled['files']} file{'s' if pulled['files'] != 1 else ''}"]
    parts += [f"{pulled[k]:,} {label}" for k, label in (("created", "new"), ("duplicates", "duplicates"),
                                                         ("unresolved", "unresolved"), ("rejected", "rejected"))]
    if pulled["failed_files"]:
        parts.append(f"{len(pulled['failed_files'])} unreadable file(s) moved to failed/")
    return " · ".join(parts)


def due_workspace_ids(*, now: datetime | None = None) -> list[int]:
    """Workspaces whose next refresh is due, or that were never refreshed (no settings yet, or
    no next refresh set). Across workspaces: one query."""
    now = now or timezone.now()
    not_due = SignalSettings.objects.unscoped().filter(next_refresh_at__gt=now).values("workspace_id")
    return list(Workspace.objects.exclude(pk__in=not_due).order_by("pk").values_list("pk", flat=True))


def refresh_due_workspaces(*, now: datetime | None = None) -> dict:
    """The beat task's work: one refresh job per due workspace, none where one is on its way."""
    started, skipped = [], []
    for workspace in Workspace.objects.filter(pk__in=due_workspace_ids(now=now)).order_by("pk"):
        job, new = signals_refresh_start(workspace=workspace, trigger="schedule")
        (started if new else skipped).append(job.pk)
    return {"started": started, "already_running": skipped}
