"""Retrying unresolved signals: after accounts are imported or contacts linked, rows that
matched nothing before are resolved again through the same ingest path. A row that resolves
now is stored (or found already stored) and marked resolved; the others stay, with one more
attempt counted. Batches by id, so any number of rows runs in flat memory; safe to run twice."""
from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from abm_platform.jobs import job_start
from abm_platform.models import Job, Workspace
from insights.signals.engine.rows import KINDS
from insights.signals.models import UnresolvedSignal
from insights.signals.services.ingest import CREATED, DUPLICATE, IngestContext, ingest_batch
from insights.signals.services.notify import campaign_triggers_enqueue

RETRY_TASK = "insights.retry_unresolved"
RETRY_JOB_KIND = "signal_unresolved_retry"
RETRY_BATCH = 2000


def unresolved_signals_retry(*, workspace: Workspace | int, progress=None,
                             context: IngestContext | None = None) -> dict:
    """Resolve every open unresolved signal of the workspace again. Returns counts per kind:
    {"checked": n, "resolved": n, "still_unresolved": n, "rejected": n}."""
    workspace_id = getattr(workspace, "pk", workspace)
    context = context or IngestContext(workspace=workspace_id)
    pending = UnresolvedSignal.objects.for_workspace(workspace_id).filter(resolved_at__isnull=True)
    total = pending.count()
    counts: Counter = Counter()
    done = 0
    for kind in KINDS:
        last_id = 0
        while True:
            batch = list(pending.filter(kind=kind, pk__gt=last_id).order_by("pk").values_list("pk", "payload")[
                         :RETRY_BATCH])
            if not batch:
                break
            last_id = batch[-1][0]
            outcome = ingest_batch(context, kind, [(pk, payload if isinstance(payload, dict) else {})
                                                  for pk, payload in batch])
            stored = [pk for (pk, _), result in zip(batch, outcome.outcomes) if result in (CREATED, DUPLICATE)]
            still = [pk for (pk, _), result in zip(batch, outcome.outcomes) if result not in (CREATED, DUPLICATE)]
            with transaction.atomic():
                if stored:
                    UnresolvedSignal.objects.for_workspace(workspace_id).filter(pk__in=stored).update(
                        resolved_at=timezone.now(), attempts=F("attempts") + 1)
                if still:
                    UnresolvedSignal.objects.for_workspace(workspace_id).filter(pk__in=still).update(
                        attempts=F("attempts") + 1)
            counts["checked"] += len(batch)
            counts["resolved"] += len(stored)
            counts["stored_new"] += outcome.report.created
            counts["still_unresolved"] += outcome.report.unresolved
            counts["rejected"] += outcome.report.rejected
            done += len(batch)
            if progress:
                progress(done, total)
    if counts["stored_new"]:
        campaign_triggers_enqueue(workspace_id=workspace_id)
    return {k: counts.get(k, 0) for k in ("checked", "resolved", "stored_new", "still_unresolved", "rejected")}


def unresolved_signals_retry_start(*, workspace: Workspace, by=None) -> Job:
    """The retry as a background job (the UI's "Retry unresolved" button, the API)."""
    return job_start(workspace=workspace, kind=RETRY_JOB_KIND, task=RETRY_TASK, by=by)


def unresolved_signals_retry_run(*, job: Job, progress) -> dict:
    def report(done: int, total: int) -> None:
        progress.update(done, total=total, message=f"{done:,} of {total:,} unresolved signals checked")

    return unresolved_signals_retry(workspace=job.workspace_id, progress=report)
