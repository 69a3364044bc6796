"""Celery tasks of the campaigns layer: thin, id-based, safe to run twice.

    campaigns.plan_and_send_all                  beat, every few minutes: one plan_and_send per
                                                 workspace with a campaign in pilot or active
    campaigns.plan_and_send(workspace_id)        triggers → progress checks → plan_due, then
                                                 CAMPAIGNS_SEND_WORKERS × campaigns.send_due
    campaigns.send_due(workspace_id, slot)       deliver due touches batch by batch; after a time
                                                 budget it queues its own continuation
    campaigns.evaluate_triggers(workspace_id, run_id=None)
                                                 sent by name by the signals ingest and by the
                                                 scoring recompute when it finishes

Running twice is harmless by construction: triggers keep watermarks (under a row lock per
play), touch keys are unique, advancing an enrolment is conditional on its step, and every send
is a claim with one conditional UPDATE. On PostgreSQL a session advisory lock per workspace for
planning (and per send slot) also keeps a beat tick that overlaps a slow previous one from
doing the same work twice; the lock goes with the connection, so a killed worker never leaves it
held. Settings (defaults when absent): CAMPAIGNS_SEND_WORKERS = 2 senders per workspace and
tick, CAMPAIGNS_SEND_BATCH = 200 touches per batch, CAMPAIGNS_SEND_SECONDS = 120 before a sender
hands over to its continuation.
"""
from __future__ import annotations

import logging
import time
import zlib
from contextlib import contextmanager
from typing import Iterator

from celery import current_app, current_task, shared_task
from django.conf import settings
from django.db import connection

from abm_platform.models import Workspace
from campaigns.models import Campaign, CampaignStatus
from campaigns.services import sending
from campaigns.services.planning import plan_due
from campaigns.services.progress import enrolments_progress
from campaigns.services.triggers import triggers_evaluate
from campaigns.services.webhooks import webhook_due_workspace_ids, webhooks_deliver_due

logger = logging.getLogger(__name__)

PLAN_AND_SEND_TASK = "campaigns.plan_and_send"
SEND_DUE_TASK = "campaigns.send_due"
EVALUATE_TRIGGERS_TASK = "campaigns.evaluate_triggers"
# Defaults when settings do not say (CAMPAIGNS_SEND_WORKERS, CAMPAIGNS_SEND_BATCH, CAMPAIGNS_SEND_SECONDS).
SEND_WORKERS = 2
SEND_BATCH = 200
SEND_SECONDS = 120.0


def _setting(name: str, default):
    return getattr(settings, name, default)


@contextmanager
def workspace_lock(name: str, workspace_id: int) -> Iterator[bool]:
    """A PostgreSQL session advisory lock for (name, workspace); yields whether it was taken.
    Elsewhere (SQLite, one process) it is always taken."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = zlib.crc32(f"campaigns.{name}".encode()) - 2**31      # a signed 32-bit key
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [key, workspace_id])
        taken = cursor.fetchone()[0]
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [key, workspace_id])


def _enqueue(task: str, **kwargs) -> None:
    """Queue one of our tasks by name, on the queue the running task came from (where its
    workers listen); in eager mode it runs here and now."""
    delivery = (current_task.request.delivery_info or {}) if current_task and current_task.request else {}
    queue = delivery.get("routing_key")
    signature = current_app.signature(task, kwargs=kwargs)
    if queue:
        signature.apply_async(queue=queue)
    else:
        signature.delay()


@shared_task(name=EVALUATE_TRIGGERS_TASK)
def evaluate_triggers(workspace_id: int, run_id: int | None = None) -> dict | None:
    """After an ingest or a recompute. Two at once are safe: each play is evaluated under a lock
    on its row, the second one after the first, from the first one's watermark."""
    if not Workspace.objects.filter(pk=workspace_id).exists():
        return None
    result = triggers_evaluate(workspace_id=workspace_id, run_id=run_id)
    logger.info("campaigns: triggers of workspace %s enrolled %s (run %s)", workspace_id, result["enrolled"], run_id)
    return result


@shared_task(name="campaigns.plan_and_send_all")
def plan_and_send_all() -> int:
    """Beat: one plan_and_send per workspace that has a campaign in pilot or active status."""
    workspaces = list(Campaign.objects.unscoped().filter(status__in=[CampaignStatus.PILOT, CampaignStatus.ACTIVE])
                      .values_list("workspace_id", flat=True).distinct())
    for workspace_id in workspaces:
        _enqueue(PLAN_AND_SEND_TASK, workspace_id=workspace_id)
    return len(workspaces)


@shared_task(name=PLAN_AND_SEND_TASK)
def plan_and_send(workspace_id: int, send_workers: int | None = None, send_batch: int | None = None,
                  max_batches: int | None = None) -> dict | None:
    """Triggers, progress checks and planning for one workspace, then the senders."""
    if not Workspace.objects.filter(pk=workspace_id).exists():
        return None
    with workspace_lock("plan", workspace_id) as taken:
        if not taken:
            logger.info("campaigns: plan_and_send of workspace %s already running", workspace_id)
            return {"skipped": "already running"}
        triggered = triggers_evaluate(workspace_id=workspace_id)
        ended = enrolments_progress(workspace_id=workspace_id)
        planned = plan_due(workspace_id=workspace_id)
    logger.info("campaigns: workspace %s enrolled %s, ended %s, planned %s", workspace_id, triggered["enrolled"],
                ended, planned)
    workers = send_workers if send_workers is not None else _setting("CAMPAIGNS_SEND_WORKERS", SEND_WORKERS)
    for slot in range(max(1, int(workers))):
        _enqueue(SEND_DUE_TASK, workspace_id=workspace_id, slot=slot, batch_size=send_batch, max_batches=max_batches)
    return {"enrolled": triggered["enrolled"], "ended": ended, "planned": planned, "senders": workers}


@shared_task(name=SEND_DUE_TASK)
def send_due(workspace_id: int, slot: int = 0, batch_size: int | None = None,
             max_batches: int | None = None) -> dict | None:
    """One sender: deliver due touches batch by batch until none is left to claim. Senders run
    in parallel (each touch is claimed with one conditional UPDATE); `slot` keeps at most
    CAMPAIGNS_SEND_WORKERS of them per workspace. After `max_batches` batches or the time
    budget it queues its own continuation and stops, so a worker is never held for hours and
    a crash loses at most the batch in hand (the next beat tick picks the rest up anyway)."""
    if not Workspace.objects.filter(pk=workspace_id).exists():
        return None
    batch = int(batch_size or _setting("CAMPAIGNS_SEND_BATCH", SEND_BATCH))
    budget = float(_setting("CAMPAIGNS_SEND_SECONDS", SEND_SECONDS))
    eager = bool(current_app.conf.task_always_eager)
    totals = {"sent": 0, "failed": 0, "retrying": 0, "batches": 0}
    with workspace_lock(f"send:{slot}", workspace_id) as taken:
        if not taken:
            return {"skipped": f"sender {slot} already running"}
        started = time.monotonic()
        while True:
            counts = sending.send_due(workspace_id=workspace_id, limit=batch)
            totals["batches"] += 1
            for outcome, n in counts.items():
                totals[outcome] += n
            if not any(counts.values()):
                break                                  # nothing left to claim (or the others hold it)
            logger.info("campaigns: sender %s of workspace %s finished batch %s: %s", slot, workspace_id,
                        totals["batches"], counts)
            out_of_budget = (max_batches is not None and totals["batches"] >= max_batches) or \
                time.monotonic() - started > budget
            if out_of_budget and not eager:
                totals["continued"] = True
                break
    if totals.get("continued"):        # queued once the slot is free, so the continuation can take it
        _enqueue(SEND_DUE_TASK, workspace_id=workspace_id, slot=slot, batch_size=batch_size, max_batches=max_batches)
    logger.info("campaigns: sender %s of workspace %s done: %s", slot, workspace_id, totals)
    return totals


WEBHOOKS_DELIVER_TASK = "campaigns.webhooks_deliver"


@shared_task(name="campaigns.webhooks_deliver_all")
def webhooks_deliver_all() -> int:
    """Beat, every minute: one delivery task per workspace with webhook deliveries due."""
    workspaces = webhook_due_workspace_ids()
    for workspace_id in workspaces:
        _enqueue(WEBHOOKS_DELIVER_TASK, workspace_id=workspace_id)
    return len(workspaces)


@shared_task(name=WEBHOOKS_DELIVER_TASK)
def webhooks_deliver(workspace_id: int) -> dict | None:
    if not Workspace.objects.filter(pk=workspace_id).exists():
        return None
    return webhooks_deliver_due(workspace_id=workspace_id)
