"""Telling the layers above that signals changed. Scoring and campaigns sit above signals
(DESIGN.md §3.1), so their work is started by task name, never by import, and only once the
signals are committed.

- `scoring.recompute_workspace` after a refresh or a reweigh (scores must follow the signals);
- `campaigns.evaluate_triggers` after an ingest stored something new (DOMAIN.md §7.2: triggers
  such as `trigger_event` or `form_submitted` are evaluated after every ingest). Pushes arrive
  in bursts, so one evaluation is queued per workspace and TRIGGER_DELAY window: the first new
  signal of a window schedules it TRIGGER_DELAY seconds later, and it sees everything stored
  meanwhile.
"""
from __future__ import annotations

from celery import current_app
from django.core.cache import cache
from django.db import transaction

SCORING_RECOMPUTE_TASK = "scoring.recompute_workspace"
CAMPAIGN_TRIGGERS_TASK = "campaigns.evaluate_triggers"
TRIGGER_DELAY = 60  # seconds


def scoring_recompute_enqueue(*, workspace_id: int, reason: str, by_id: int | None = None) -> None:
    """Queue `scoring.recompute_workspace` after the current transaction commits.

    `signature(name).delay()` rather than `send_task`: it runs the registered task in eager
    mode (no broker configured) like any other task, and falls back to sending by name when the
    task is not known in this process (TOOLCHAIN.md)."""
    kwargs = {"workspace_id": workspace_id, "reason": reason, "by_id": by_id}
    transaction.on_commit(lambda: current_app.signature(SCORING_RECOMPUTE_TASK, kwargs=kwargs).delay())


def campaign_triggers_enqueue(*, workspace_id: int) -> bool:
    """Queue one trigger evaluation for the workspace unless one is already scheduled in this
    window. Returns whether one was queued."""
    if not cache.add(f"signals:campaign-triggers:{workspace_id}", 1, timeout=TRIGGER_DELAY):
        return False
    kwargs = {"workspace_id": workspace_id, "run_id": None}
    transaction.on_commit(lambda: current_app.signature(CAMPAIGN_TRIGGERS_TASK, kwargs=kwargs).apply_async(
        countdown=TRIGGER_DELAY))
    return True
