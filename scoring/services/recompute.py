"""The recompute: every account scored in chunks any worker can take; the new scores become
visible all at once.

    recompute_start(workspace=…)           → a Job running `scoring.recompute`
    └ recompute_run(job, progress)          create (or resume) the run and its chunks, send helper
                                            tasks, then claim and compute chunks itself
      └ chunk_compute(run, chunk)           one transaction: replace the chunk's snapshot and
                                            contact-score rows, mark the chunk done
      └ run_finish(run)                     one transaction: mark the run finished and copy its
                                            scores onto Account/Contact columns

Crash safety: a chunk is written in one transaction, so a killed worker leaves either the whole
chunk or none of it; an unfinished run's snapshots are invisible (readers look at finished runs
and at the Account columns, which only `run_finish` writes). Starting a recompute while a run is
unfinished resumes that run: done chunks are kept, the others are (re)computed.

Nothing is staged per run: each chunk aggregates its own accounts' events (one index-only range
scan, inputs.ACTIVITY_SQL), so the workers sharing a run share the reading of the events too.
"""
from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

from celery import current_app, current_task
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from abm_platform.bulk import analyze, gc_paused, insert_rows
from abm_platform.jobs import job_start
from abm_platform.models import Job, JobStatus, Workspace
from accounts.models import Account, Tier
from contacts.models import Contact, LifecycleStage
from contacts.services.lifecycle import contacts_promote_to_mql
from insights.signals.models import IntentTopic
from scoring.models import (
    ChunkStatus, ContactScore, PredictiveModel, ModelStatus, RunStatus,
    ScoreSnapshot, ScoringChunk, ScoringRun, StageChange,
)
from scoring.services import predictive
from scoring.services.compute import Previous, Settings, score_account
from scoring.services.config import icp_criteria, tier_thresholds, weights_active
from scoring.services.inputs import load_inputs

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000
# A chunk claimed this long ago without finishing lost its worker: another worker retakes it.
CHUNK_STALE_AFTER = timedelta(minutes=5)
RUN_TASK = "scoring.recompute"
HELPER_TASK = "scoring.recompute_helper"


def recompute_start(*, workspace: Workspace, by=None, reason: str = "") -> Job:
    """Queue a recompute job, or return the one already queued or running."""
    running = Job.objects.for_workspace(workspace).filter(kind="score_recompute",
                                                          status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()
    if running:
        return running
    return job_start(workspace=workspace, kind="score_recompute", task=RUN_TASK, by=by, params={"reason": reason})


def current_run(workspace: Workspace | int) -> ScoringRun | None:
    return (ScoringRun.objects.for_workspace(workspace).filter(status=RunStatus.FINISHED)
            .order_by("-finished_at", "-id").first())


def run_create_or_resume(*, workspace: Workspace, job: Job | None = None, as_of=None) -> ScoringRun:
    """The unfinished run of the workspace (to finish it), else a new run with its chunks."""
    unfinished = ScoringRun.objects.for_workspace(workspace).filter(status=RunStatus.RUNNING).first()
    if unfinished:
        if job:
            ScoringRun.objects.for_workspace(workspace).filter(pk=unfinished.pk).update(job=job)
        return unfinished
    ids = list(Account.objects.for_workspace(workspace).order_by("pk").values_list("pk", flat=True))
    model = PredictiveModel.objects.for_workspace(workspace).filter(status=ModelStatus.ACTIVE).first()
    with transaction.atomic():
        run = ScoringRun.objects.for_workspace(workspace).create(
            job=job, weights=weights_active(workspace=workspace), model=model, previous_run=current_run(workspace),
            as_of=as_of or timezone.now(), account_count=len(ids))
        chunks = [ScoringChunk(run=run, number=n, first_account_id=ids[start],
                               last_account_id=ids[min(start + CHUNK_SIZE, len(ids)) - 1])
                  for n, start in enumerate(range(0, len(ids), CHUNK_SIZE))]
        ScoringChunk.objects.for_workspace(workspace).bulk_create(chunks)
        ScoringRun.objects.for_workspace(workspace).filter(pk=run.pk).update(chunks_total=len(chunks))
        run.chunks_total = len(chunks)
    return run


def recompute_run(*, job: Job, progress) -> dict:
    """The job: create or resume the run, let helper workers join, work through the chunks,
    wait for chunks other workers hold, and finish."""
    workspace = job.workspace
    run = run_create_or_resume(workspace=workspace, job=job)
    progress.set_total(run.chunks_total)
    helpers = getattr(django_settings, "SCORING_HELPER_TASKS", 0)
    if helpers and not django_settings.CELERY_TASK_ALWAYS_EAGER:
        # Helpers go to the queue this job came from, where its workers listen.
        delivery = (current_task.request.delivery_info or {}) if current_task else {}
        for _ in range(min(helpers, max(0, run.chunks_total - 1))):
            current_app.send_task(HELPER_TASK, kwargs={"run_id": run.pk, "workspace_id": workspace.pk},
                                  queue=delivery.get("routing_key") or None)
    while True:
        chunk = chunk_claim(run)
        if chunk is not None:
            chunk_compute(run, chunk)
        done = ScoringChunk.objects.for_workspace(workspace).filter(run=run, status=ChunkStatus.DONE).count()
        progress.update(done, message=f"Scored {done} of {run.chunks_total} chunks")
        if done == run.chunks_total:
            break
        if chunk is None:
            time.sleep(0.5)   # the remaining chunks are held by other workers
    return run_finish(run)


def recompute_inline(*, workspace: Workspace, as_of=None) -> dict:
    """Score every account in this process, without a job (the demo seed back-fills history
    with past `as_of` moments; the schedule and the UI use `recompute_start`)."""
    run = run_create_or_resume(workspace=workspace, as_of=as_of)
    while (chunk := chunk_claim(run)) is not None:
        chunk_compute(run, chunk)
    return run_finish(run)


def recompute_help(*, run_id: int, workspace_id: int) -> int:
    """A helper worker's share: claim and compute chunks until none is left to claim."""
    run = ScoringRun.objects.for_workspace(workspace_id).filter(pk=run_id, status=RunStatus.RUNNING).first()
    computed = 0
    while run is not None and (chunk := chunk_claim(run)) is not None:
        chunk_compute(run, chunk)
        computed += 1
    return computed


def chunk_claim(run: ScoringRun) -> ScoringChunk | None:
    """Take a pending chunk, or one whose worker went silent, with one conditional UPDATE."""
    chunks = ScoringChunk.objects.for_workspace(run.workspace_id).filter(run=run)
    now = timezone.now()
    for status in (ChunkStatus.PENDING, ChunkStatus.RUNNING):
        candidates = chunks.filter(status=status)
        if status == ChunkStatus.RUNNING:
            candidates = candidates.filter(claimed_at__lt=now - CHUNK_STALE_AFTER)
        for chunk in candidates.order_by("number")[:5]:
            claimed = chunks.filter(pk=chunk.pk, status=chunk.status, claimed_at=chunk.claimed_at).update(
                status=ChunkStatus.RUNNING, claimed_at=now, attempts=F("attempts") + 1)
            if claimed:
                chunk.status, chunk.claimed_at = ChunkStatus.RUNNING, now
                return chunk
    return None


def run_settings(run: ScoringRun) -> Settings:
    weights = run.weights
    component_weights = weights.components
    return Settings(
        weights=component_weights, criteria=icp_criteria(workspace=run.workspace_id),
        selected_topic_count=IntentTopic.objects.for_workspace(run.workspace_id).filter(is_selected=True).count(),
        engagement_ref_minutes=weights.engagement_ref_minutes,
        no_decision_maker_penalty=weights.no_decision_maker_penalty, trigger_bonus=weights.trigger_bonus,
        trigger_bonus_max=weights.trigger_bonus_max, mqa_threshold=weights.mqa_threshold,
        mqa_min_fit=weights.mqa_min_fit, mqa_exit_margin=weights.mqa_exit_margin,
        mql_threshold=weights.mql_threshold, tier_thresholds=tier_thresholds(weights),
        contact_weights=(weights.contact_fit, weights.contact_engagement))


def chunk_compute(run: ScoringRun, chunk: ScoringChunk) -> int:
    """Score the chunk's accounts and write their rows, replacing any earlier attempt's rows,
    in one transaction. Returns the number of accounts scored."""
    with gc_paused():
        return _chunk_compute(run, chunk)


def _chunk_compute(run: ScoringRun, chunk: ScoringChunk) -> int:
    workspace_id = run.workspace_id
    settings = run_settings(run)
    inputs = load_inputs(workspace_id, first_id=chunk.first_account_id, last_id=chunk.last_account_id,
                         as_of=run.as_of)
    previous = _previous(run, chunk)
    current = _current_contact_scores(run, chunk)
    predicted = predictive.predict_chunk(run.model, inputs, settings) if run.model_id else {}
    results = [score_account(item, settings, as_of=run.as_of, previous=previous.get(account_id),
                             predicted=predicted.get(account_id))
               for account_id, item in inputs.items()]
    tiers = dict(Tier.objects.for_workspace(workspace_id).values_list("order", "pk"))
    in_chunk = {"account_id__gte": chunk.first_account_id, "account_id__lte": chunk.last_account_id}
    with transaction.atomic():
        ScoreSnapshot.objects.for_workspace(workspace_id).filter(run=run, **in_chunk).delete()
        ContactScore.objects.for_workspace(workspace_id).filter(run=run, **in_chunk).delete()
        StageChange.objects.for_workspace(workspace_id).filter(run=run, **in_chunk).delete()
        insert_rows(ScoreSnapshot, [
            "workspace", "run", "account", "computed_at", "fit", "intent", "engagement", "predictive", "probability",
            "score", "reasons", "component_reasons", "facts", "is_mqa", "below_exit_runs", "journey_stage",
            "tier_suggestion", "contact_rollup"],
            [(workspace_id, run.pk, r.account_id, run.as_of, r.fit if r.fit is not None else 0, r.intent,
              r.engagement, r.predictive, r.probability, r.score, json.dumps([x.as_dict() for x in r.reasons]),
              json.dumps(r.component_reasons), json.dumps(r.facts | {"fit_scored": r.fit is not None}), r.is_mqa,
              r.below_exit_runs, r.journey_stage, tiers.get(r.tier_order), r.contact_rollup) for r in results])
        insert_rows(ContactScore, ["workspace", "run", "contact", "account_id", "fit", "engagement", "score", "reasons",
                                   "reasons_digest"],
                    [(workspace_id, run.pk, contact_id, r.account_id, c.fit, c.engagement, c.score, c.reasons_json,
                      c.digest)
                     for r in results for contact_id, c in r.contacts
                     if current.get(contact_id) != (r.account_id, c.fit, c.engagement, c.score, c.digest)])
        insert_rows(StageChange, ["workspace", "account", "run", "from_stage", "to_stage", "changed_at", "cause"],
                    [(workspace_id, r.account_id, run.pk, r.previous_stage or "", r.journey_stage, run.as_of,
                      r.stage_cause[:255])
                     for r in results if r.journey_stage != (r.previous_stage or "target")])
        ScoringChunk.objects.for_workspace(workspace_id).filter(pk=chunk.pk).update(
            status=ChunkStatus.DONE, done_at=timezone.now())
    return len(results)


def _previous(run: ScoringRun, chunk: ScoringChunk) -> dict[int, Previous]:
    if not run.previous_run_id:
        return {}
    rows = ScoreSnapshot.objects.for_workspace(run.workspace_id).filter(
        run_id=run.previous_run_id, account_id__gte=chunk.first_account_id, account_id__lte=chunk.last_account_id,
    ).values_list("account_id", "score", "is_mqa", "below_exit_runs", "journey_stage")
    return {a: Previous(s, m, b, j) for a, s, m, b, j in rows}


def _current_contact_scores(run: ScoringRun, chunk: ScoringChunk) -> dict[int, tuple]:
    """The chunk's contacts' current score rows (of finished runs), to write only what changed."""
    rows = ContactScore.objects.for_workspace(run.workspace_id).filter(
        account_id__gte=chunk.first_account_id, account_id__lte=chunk.last_account_id,
        run__status=RunStatus.FINISHED).values_list("contact_id", "account_id", "fit", "engagement", "score",
                                                    "reasons_digest")
    return {row[0]: row[1:] for row in rows}


def run_finish(run: ScoringRun) -> dict:
    """Make the run's scores the current ones, in one transaction."""
    workspace_id = run.workspace_id
    with transaction.atomic():
        finished = ScoringRun.objects.for_workspace(workspace_id).filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FINISHED, finished_at=timezone.now())
        if not finished:
            return {"run": run.pk, "message": "already finished by another worker"}
        _copy_scores_to_accounts(run)
        _copy_scores_to_contacts(run)
        _drop_superseded_contact_scores(run)
        mql_ids = list(Contact.objects.for_workspace(workspace_id).filter(
            score__gte=run.weights.mql_threshold, lifecycle_stage=LifecycleStage.LEAD, erased_at__isnull=True,
        ).values_list("pk", flat=True))
        promoted = contacts_promote_to_mql(workspace_id=workspace_id, contact_ids=mql_ids,
                                           reason=f"Contact score ≥ {run.weights.mql_threshold} (recompute {run.pk})")
        # Campaign triggers (became MQA, score crossed, stage changed) read the new run: by task
        # name, campaigns sit above scoring (DESIGN.md §3.1).
        transaction.on_commit(lambda: current_app.signature(
            "campaigns.evaluate_triggers", kwargs={"workspace_id": workspace_id, "run_id": run.pk}).delay())
    analyze(ScoreSnapshot, ContactScore)
    snapshots = ScoreSnapshot.objects.for_workspace(workspace_id).filter(run=run)
    return {"run": run.pk, "accounts": snapshots.count(), "mqa": snapshots.filter(is_mqa=True).count(),
            "new_mqls": promoted, "stage_changes": StageChange.objects.for_workspace(workspace_id).filter(run=run).count()}


def _copy_scores_to_accounts(run: ScoringRun) -> None:
    """UPDATE … FROM the run's snapshots, one statement (PostgreSQL, and SQLite ≥ 3.39), only for
    accounts whose columns change: most rows carry several indexed columns, so every rewritten
    row costs an entry in each index. `scored_at` is when the score columns last changed."""
    account = Account._meta.db_table
    snapshot = ScoreSnapshot._meta.db_table
    change = "CAST(NULL AS INTEGER)"
    if run.previous_run_id:
        change = f"s.score - (SELECT p.score FROM {snapshot} p WHERE p.run_id = %s AND p.account_id = s.account_id)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {account} SET score = s.score, is_mqa = s.is_mqa, journey_stage = s.journey_stage, "
            f"scored_at = s.computed_at, score_change = s.change "
            f"FROM (SELECT account_id, score, is_mqa, journey_stage, computed_at, {change} AS change "
            f"      FROM {snapshot} s WHERE s.run_id = %s) s "
            f"WHERE s.account_id = {account}.id AND {account}.workspace_id = %s "
            f"AND ({account}.score IS DISTINCT FROM s.score OR {account}.is_mqa IS DISTINCT FROM s.is_mqa "
            f"     OR {account}.journey_stage IS DISTINCT FROM s.journey_stage "
            f"     OR {account}.score_change IS DISTINCT FROM s.change OR {account}.scored_at IS NULL)",
            ([run.previous_run_id] if run.previous_run_id else []) + [run.pk, run.workspace_id])


def _drop_superseded_contact_scores(run: ScoringRun) -> None:
    """Delete the earlier rows of the contacts this run wrote a row for, and the rows of contacts
    that are no longer scored (erased or deleted people keep no score)."""
    scores = ContactScore.objects.for_workspace(run.workspace_id)
    rewritten = scores.filter(run=run).values("contact_id")
    scores.exclude(run=run).filter(contact_id__in=rewritten).delete()
    scores.filter(contact__erased_at__isnull=False).delete()


def _copy_scores_to_contacts(run: ScoringRun) -> None:
    """The run's rows are the contacts whose score changed: copy them onto the contacts."""
    contact = Contact._meta.db_table
    scores = ContactScore._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {contact} SET score = s.score, engagement_score = s.engagement "
            f"FROM {scores} s WHERE s.run_id = %s AND s.contact_id = {contact}.id AND {contact}.workspace_id = %s "
            f"AND ({contact}.score IS DISTINCT FROM s.score "
            f"     OR {contact}.engagement_score IS DISTINCT FROM s.engagement)",
            [run.pk, run.workspace_id])
