"""Triggers: which accounts enter a play on their own (DOMAIN.md §7.2), evaluated after every
signal ingest and score recompute, and on the campaigns beat (for the triggers nothing else
announces: contacts added, deals closed, schedules).

    triggers_evaluate(workspace_id=…, run_id=…)

For every active play with a trigger other than manual, of a campaign in pilot or active status
(and not past its end date), the trigger yields the accounts it fires for; those in the
campaign's audience (a pilot: only its pilot accounts) are enrolled with `play_enrol` — at most
one active enrolment per play and account — with the trigger as the reason. Every trigger is one
set-based query (a few for intent, grouped by topic), whatever the number of accounts.

Triggers and their `Play.trigger_config`:

  became_mqa          the run's snapshot says `facts.mqa_change == "entered"`
  score_crossed       {"threshold": 70, "direction": "up"|"down", "margin": 10} with hysteresis:
                      up fires when the run's score is ≥ t and the account's latest earlier
                      decisive snapshot (≥ t, or < t − margin) was below t − margin, or there is
                      none; down fires when the score is < t and the latest earlier decisive
                      snapshot (< t, or ≥ t + margin) was ≥ t + margin. So a score wandering
                      around t fires once, and 45 → 55 → 65 crosses 60 even though 55 did not
                      start below 50 in the run just before.
  stage_changed       {"from": "aware" | [...], "to": "engaged" | [...]}, both optional:
                      the run's StageChange rows (and stage changes without a run since then)
  intent_surge        {"topics": ["warehouse automation"], "min_score": 60, "new_this_week": true}:
                      intent received since the last evaluation for the account's latest week
                      on the topic (of the last two weeks), ≥ the minimum; "new" = the topic
                      was not ≥ the minimum in the week before
  engagement_spike    {"pct": 50, "min_minutes": 10, "cooldown_days": 28}: weighted minutes of
                      the last 7 days ≥ (1 + pct/100) × the account's weekly average of the 4
                      weeks before (Terminus-style), and at least `min_minutes`; a spike lasts,
                      so an account enrolled by it in the last `cooldown_days` is not again;
                      the aggregate runs at most every `check_every_minutes` (60) per play
  trigger_event       {"types": ["funding", …], "max_age_days": 90}: received since the last
                      evaluation, occurred in the last `max_age_days`
  contact_added       {"roles": ["decision_maker", …]}: a contact of the account with one of the
                      roles (any, if none given) created since the last evaluation
  opportunity_closed  {"outcome": "won" | "lost" | "any"}: a deal moved to a closed stage since
                      the last evaluation
  schedule            {"every_days": 7}: the whole audience (not already active) every N days

Idempotent by watermarks kept in `trigger_config` (written by this module only, with one
conditional UPDATE, in the same transaction as the enrolments, under a row lock on the play):
`evaluated_at` (the last evaluation), `evaluated_run` (the last scoring run seen; runs of a
workspace are sequential, so every finished run with a larger id is new — a missed call is
caught up by the next one), `scheduled_at` (the last schedule firing), `checked_at` (the last
engagement-spike aggregate). Windows that read rows by
the time they arrived start `OVERLAP` before the watermark, because a row inserted just before
the last evaluation may have committed just after it; an account enrolled by this play since
the start of the window is not enrolled again, so the overlap never enrols twice. A play's first
evaluation looks `FIRST_LOOKBACK` back (and at the latest run finished within it).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import (
    Case, DateField, Exists, ExpressionWrapper, F, FloatField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When,
)
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import OpportunityStageChange, StageKind
from campaigns.models import Campaign, CampaignStatus, Enrolment, Play, TriggerKind
from campaigns.services.audience import campaign_audience
from campaigns.services.enrolment import play_enrol
from contacts.models import Contact
from insights.signals.models import EngagementEvent, IntentSignal, TriggerEvent
from scoring.models import RunStatus, ScoreSnapshot, ScoringRun, StageChange

OVERLAP = timedelta(minutes=15)
FIRST_LOOKBACK = timedelta(days=7)
SURGE_MIN_SCORE = 60            # DOMAIN.md §8 intent surge threshold
SURGE_WEEKS_BACK = 13           # days: "this week's" intent = a week starting within the last two weeks
SPIKE_PCT = 50
SPIKE_MIN_MINUTES = 10.0
SPIKE_COOLDOWN_DAYS = 28
SPIKE_EVERY_MINUTES = 60
TRIGGER_EVENT_MAX_AGE_DAYS = 90
SCORE_MARGIN = 10               # like the MQA exit margin (DOMAIN.md §1.6)
SCHEDULE_EVERY_DAYS = 7
RUN_TRIGGERS = frozenset({TriggerKind.BECAME_MQA, TriggerKind.SCORE_CROSSED, TriggerKind.STAGE_CHANGED})
LIVE_STATUSES = (CampaignStatus.PILOT, CampaignStatus.ACTIVE)


class _Window:
    """What one evaluation of one play looks at."""

    def __init__(self, play: Play, now: datetime, runs: list[ScoringRun]):
        state = play.trigger_config or {}
        evaluated_at = parse_datetime(state["evaluated_at"]) if state.get("evaluated_at") else None
        self.first = evaluated_at is None
        self.since = now - FIRST_LOOKBACK if self.first else evaluated_at - OVERLAP
        self.now = now
        self.runs = runs


def triggers_evaluate(*, workspace_id: int, run_id: int | None = None, now: datetime | None = None) -> dict:
    """Evaluate every triggered play of the workspace; returns {"plays": n, "enrolled": n,
    "by_play": {play id: n}}. `run_id` names the run that just finished (for the report):
    every finished run a play has not seen is evaluated either way."""
    now = now or timezone.now()
    plays = list(Play.objects.for_workspace(workspace_id)
                 .filter(is_active=True, campaign__status__in=LIVE_STATUSES, campaign__end_date__gte=now.date())
                 .exclude(trigger=TriggerKind.MANUAL).order_by("pk").values_list("pk", flat=True))
    by_play = {}
    for play_id in plays:
        by_play[play_id] = _evaluate_play(workspace_id, play_id, now)
    return {"plays": len(plays), "enrolled": sum(by_play.values()), "by_play": by_play, "run": run_id}


@transaction.atomic
def _evaluate_play(workspace_id: int, play_id: int, now: datetime) -> int:
    """One play, under a lock on its row: a second evaluation waits and then sees the new
    watermark, so two evaluations never enrol the same window twice."""
    play = (Play.objects.for_workspace(workspace_id).select_for_update(of=("self",)).select_related("campaign")
            .filter(pk=play_id, is_active=True).first())
    if play is None:
        return 0
    state = dict(play.trigger_config or {})
    runs = _new_runs(workspace_id, state, now) if play.trigger in RUN_TRIGGERS else []
    window = _Window(play, now, runs)
    if play.trigger == TriggerKind.SCHEDULE:
        every = timedelta(days=float(state.get("every_days") or SCHEDULE_EVERY_DAYS))
        last = parse_datetime(state["scheduled_at"]) if state.get("scheduled_at") else None
        fired = {} if last and now < last + every else {f"schedule (every {every.days} days)": None}
        if fired:
            state["scheduled_at"] = now.isoformat()
    elif play.trigger == TriggerKind.ENGAGEMENT_SPIKE:
        # a spike is a 7-day level over 35 days of events, not news: looked at hourly, not per ingest
        every = timedelta(minutes=float(state.get("check_every_minutes") or SPIKE_EVERY_MINUTES))
        last = parse_datetime(state["checked_at"]) if state.get("checked_at") else None
        due = last is None or now >= last + every
        fired = engagement_spike(play, window) if due else {}
        if due:
            state["checked_at"] = now.isoformat()
    else:
        fired = EVALUATORS[play.trigger](play, window)
    enrolled = sum(_enrol(play, window, reason, accounts) for reason, accounts in fired.items())
    state["evaluated_at"] = now.isoformat()
    if play.trigger in RUN_TRIGGERS:
        state["evaluated_run"] = max(run.pk for run in runs) if runs else _latest_run_id(workspace_id, state)
    Play.objects.for_workspace(workspace_id).filter(pk=play.pk).update(trigger_config=state)
    return enrolled


def _new_runs(workspace_id: int, state: dict, now: datetime) -> list[ScoringRun]:
    finished = ScoringRun.objects.for_workspace(workspace_id).filter(status=RunStatus.FINISHED)
    if state.get("evaluated_run") is not None:
        return list(finished.filter(pk__gt=int(state["evaluated_run"])).order_by("pk"))
    latest = finished.filter(finished_at__gte=now - FIRST_LOOKBACK).order_by("-pk").first()
    return [latest] if latest else []


def _latest_run_id(workspace_id: int, state: dict) -> int:
    """With no new run: keep the watermark, or (first evaluation) start after the newest run."""
    if state.get("evaluated_run") is not None:
        return int(state["evaluated_run"])
    latest = ScoringRun.objects.for_workspace(workspace_id).filter(status=RunStatus.FINISHED).order_by("-pk").first()
    return latest.pk if latest else 0


def _enrol(play: Play, window: _Window, reason: str, accounts: QuerySet | Iterable[int] | None) -> int:
    """Enrol the fired accounts (None: the whole audience) that are in the audience and not
    enrolled by this play inside the window already. The fired ids are read first (usually a
    few, at most the run's accounts) and then checked against the audience: a plan driven by
    the small side whatever the statistics of a freshly filled audience say."""
    campaign: Campaign = play.campaign
    candidates = campaign_audience(campaign).order_by()
    if accounts is not None:
        ids = set(accounts)
        if not ids:
            return 0
        candidates = candidates.filter(pk__in=ids)
    is_pilot = campaign.status == CampaignStatus.PILOT
    if is_pilot:
        candidates = candidates.filter(pk__in=campaign.pilot_accounts.values("pk"))
    recent = _recent_enrolment_start(play, window)
    if recent is not None:
        candidates = candidates.exclude(pk__in=Enrolment.objects.for_workspace(play.workspace_id).filter(
            play=play, started_at__gt=recent).values("account_id"))
    ids = list(candidates)
    if not ids:
        return 0
    return play_enrol(play=play, account_ids=ids, reason=f"Trigger: {reason}", is_pilot=is_pilot)


def _recent_enrolment_start(play: Play, window: _Window) -> datetime | None:
    """Enrolments of this play started after this moment block a new one (None: only the
    one-active rule applies)."""
    if play.trigger == TriggerKind.ENGAGEMENT_SPIKE:
        days = float((play.trigger_config or {}).get("cooldown_days", SPIKE_COOLDOWN_DAYS))
        return window.now - timedelta(days=days)
    if play.trigger in (TriggerKind.INTENT_SURGE, TriggerKind.TRIGGER_EVENT, TriggerKind.CONTACT_ADDED,
                        TriggerKind.OPPORTUNITY_CLOSED):
        return window.since
    return None


def _listed(config: dict, plural: str, singular: str) -> list[str]:
    values = config.get(plural) or config.get(singular) or []
    return [values] if isinstance(values, str) else [v for v in values if v]


# --- the triggers ----------------------------------------------------------------------------

def became_mqa(play: Play, window: _Window) -> dict[str, QuerySet]:
    snapshots = ScoreSnapshot.objects.for_workspace(play.workspace_id)
    return {f"became MQA (recompute {run.pk})": snapshots.filter(run=run, is_mqa=True, facts__mqa_change="entered")
            .values_list("account_id", flat=True) for run in window.runs}


def score_crossed(play: Play, window: _Window) -> dict[str, QuerySet]:
    config = play.trigger_config or {}
    if config.get("threshold") in (None, ""):
        return {}
    threshold, margin = int(config["threshold"]), int(config.get("margin", SCORE_MARGIN))
    up = config.get("direction", "up") != "down"
    snapshots = ScoreSnapshot.objects.for_workspace(play.workspace_id)
    if up:      # now ≥ t; the latest earlier snapshot that was ≥ t or < t − margin was the low one (or none)
        now_side = Q(score__gte=threshold)
        decisive = Q(score__gte=threshold) | Q(score__lt=threshold - margin)
        armed = Q(before__isnull=True) | Q(before__lt=threshold - margin)
    else:       # now < t; the latest earlier snapshot that was < t or ≥ t + margin was the high one
        now_side = Q(score__lt=threshold)
        decisive = Q(score__lt=threshold) | Q(score__gte=threshold + margin)
        armed = Q(before__gte=threshold + margin)
    fired = {}
    for run in window.runs:
        before = (snapshots.filter(decisive, account_id=OuterRef("account_id"), computed_at__lt=run.as_of,
                                   run__status=RunStatus.FINISHED)
                  .exclude(run=run).order_by("-computed_at").values("score")[:1])
        word = "above" if up else "below"
        fired[f"score crossed {word} {threshold} (recompute {run.pk})"] = (
            snapshots.filter(now_side, run=run).annotate(before=Subquery(before)).filter(armed)
            .values_list("account_id", flat=True))
    return fired


def stage_changed(play: Play, window: _Window) -> dict[str, QuerySet]:
    config = play.trigger_config or {}
    changes = StageChange.objects.for_workspace(play.workspace_id).filter(
        Q(run__in=window.runs) | Q(run__isnull=True, changed_at__gt=window.since, changed_at__lte=window.now))
    sources, targets = _listed(config, "from", "from_stage"), _listed(config, "to", "to_stage")
    if sources:
        changes = changes.filter(from_stage__in=sources)
    if targets:
        changes = changes.filter(to_stage__in=targets)
    label = "stage changed" + (f" from {'/'.join(sources)}" if sources else "") + (
        f" to {'/'.join(targets)}" if targets else "")
    return {label: changes.values_list("account_id", flat=True)}


def intent_surge(play: Play, window: _Window) -> dict[str, list[int]]:
    config = play.trigger_config or {}
    minimum = int(config.get("min_score", SURGE_MIN_SCORE))
    topics = _listed(config, "topics", "topic")
    signals = IntentSignal.objects.for_workspace(play.workspace_id).filter(
        score__gte=minimum, received_at__gt=window.since, received_at__lte=window.now,
        week_start__gte=window.now.date() - timedelta(days=SURGE_WEEKS_BACK))
    if topics:
        signals = signals.filter(topic__name__in=topics)
    # the account's latest week on the topic only (a re-delivered older week is not news)
    signals = signals.exclude(Exists(IntentSignal.objects.for_workspace(play.workspace_id).filter(
        account_id=OuterRef("account_id"), topic_id=OuterRef("topic_id"), week_start__gt=OuterRef("week_start"))))
    if config.get("new_this_week", True):
        week_before = ExpressionWrapper(OuterRef("week_start") - timedelta(days=7), output_field=DateField())
        signals = signals.exclude(Exists(IntentSignal.objects.for_workspace(play.workspace_id).filter(
            account_id=OuterRef("account_id"), topic_id=OuterRef("topic_id"), score__gte=minimum,
            week_start__gte=week_before, week_start__lt=OuterRef("week_start"))))
    fired: dict[str, list[int]] = defaultdict(list)
    for account_id, topic in signals.values_list("account_id", "topic__name").distinct():
        fired[f"intent surge on “{topic}” (≥ {minimum})"].append(account_id)
    return fired


def engagement_spike(play: Play, window: _Window) -> dict[str, QuerySet]:
    """One aggregate over the last 35 days of events (the (workspace, -occurred_at) index)."""
    config = play.trigger_config or {}
    pct = float(config.get("pct", SPIKE_PCT))
    minimum = float(config.get("min_minutes", SPIKE_MIN_MINUTES))
    week_ago = window.now - timedelta(days=7)
    spiking = (EngagementEvent.objects.for_workspace(play.workspace_id)
               .filter(occurred_at__gt=window.now - timedelta(days=35), occurred_at__lte=window.now)
               .values("account_id")
               .annotate(recent=Sum(_minutes_if(Q(occurred_at__gt=week_ago))),
                         before=Sum(_minutes_if(Q(occurred_at__lte=week_ago))))
               # recent ≥ (1 + pct/100) × (before / 4 weeks): in the HAVING clause
               .filter(recent__gte=minimum)
               .filter(recent__gte=F("before") * ((1 + pct / 100) / 4))
               .values_list("account_id", flat=True))
    return {f"engagement spike (≥ {pct:g} % over the 4-week average)": spiking}


def _minutes_if(condition: Q) -> Case:
    return Case(When(condition, then=F("minutes")), default=Value(0.0), output_field=FloatField())


def trigger_event(play: Play, window: _Window) -> dict[str, QuerySet]:
    config = play.trigger_config or {}
    types = _listed(config, "types", "type")
    events = TriggerEvent.objects.for_workspace(play.workspace_id).filter(
        received_at__gt=window.since, received_at__lte=window.now,
        occurred_on__gte=window.now.date() - timedelta(days=int(config.get("max_age_days",
                                                                           TRIGGER_EVENT_MAX_AGE_DAYS))))
    if types:
        events = events.filter(type__in=types)
    return {f"trigger event ({', '.join(types) if types else 'any'})": events.values_list("account_id", flat=True)}


def contact_added(play: Play, window: _Window) -> dict[str, QuerySet | list[int]]:
    roles = _listed(play.trigger_config or {}, "roles", "role")
    contacts = Contact.objects.for_workspace(play.workspace_id).filter(
        created_at__gt=window.since, created_at__lte=window.now, account__isnull=False, erased_at__isnull=True)
    label = f"contact added ({', '.join(roles) if roles else 'any role'})"
    if not roles:
        return {label: contacts.values_list("account_id", flat=True)}
    if connection.vendor == "postgresql":      # JSON containment, in the database
        has_role = Q()
        for role in roles:
            has_role |= Q(roles__contains=[role])
        return {label: contacts.filter(has_role).values_list("account_id", flat=True)}
    wanted = set(roles)                        # SQLite has no JSON containment: filter the new contacts here
    return {label: [a for a, r in contacts.values_list("account_id", "roles") if wanted & set(r or ())]}


def opportunity_closed(play: Play, window: _Window) -> dict[str, QuerySet]:
    outcome = (play.trigger_config or {}).get("outcome", "any")
    kinds = {"won": [StageKind.WON], "lost": [StageKind.LOST]}.get(outcome, [StageKind.WON, StageKind.LOST])
    changes = OpportunityStageChange.objects.for_workspace(play.workspace_id).filter(
        changed_at__gt=window.since, changed_at__lte=window.now, to_stage__kind__in=kinds)
    return {f"opportunity closed ({outcome})": changes.values_list("opportunity__account_id", flat=True)}


EVALUATORS = {
    TriggerKind.BECAME_MQA: became_mqa, TriggerKind.SCORE_CROSSED: score_crossed,
    TriggerKind.STAGE_CHANGED: stage_changed, TriggerKind.INTENT_SURGE: intent_surge,
    TriggerKind.ENGAGEMENT_SPIKE: engagement_spike, TriggerKind.TRIGGER_EVENT: trigger_event,
    TriggerKind.CONTACT_ADDED: contact_added, TriggerKind.OPPORTUNITY_CLOSED: opportunity_closed,
}
