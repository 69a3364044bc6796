"""Where an active enrolment goes next (DOMAIN.md §7.3): it ends when its play's goal is reached,
when the person replied to the e-mail a step waits on, or when its account left the campaign's
audience; a step waits for "no reply in N days"; a step branches on the account's engagement.

    enrolments_progress(workspace_id=…)          end the enrolments that are done (one UPDATE
                                                 per rule, whatever the number of enrolments)
    waits_resolve(workspace_id, enrolments, …)   for a batch about to be planned: which wait,
                                                 which exit because the person replied
    branch_targets(workspace_id, enrolments, …)  for a batch being planned: where each
                                                 branching step leads

Rules, as implemented (the DOMAIN leaves them open):

* **Goals** (`Play.exit_goal`) count what happened *after* the enrolment started:
  meeting booked = a `meeting` engagement event of the account; opportunity created = an
  opportunity of the account inserted after the start whose `created_date` is not before the
  start's day (an old deal imported later is not a new one); stage reached = the account's
  journey stage is in `exit_config["stages"]` (or `exit_config["stage"]`).
* **Wait** `Step.wait_condition = {"no_reply_days": N}`: the step is planned only once the
  last e-mail step before it (e-mail or event invitation) was sent N days ago and nobody it
  went to replied (`email_reply` event of the account from one of its recipients, or from an
  unknown person of the account, after the send). A reply ends the enrolment at once, goal
  "replied" — also while the N days run. An e-mail still in the outbox keeps the step waiting;
  one that was never sent (blocked, failed) or no e-mail step at all → nothing to wait for.
* **Branch** `Step.branch = {"if_engaged_goto": order, "else_goto": order}`: the step runs,
  then the enrolment continues at `if_engaged_goto` when the account had any engagement event
  since the previous step's touches (or since the enrolment started, on a first step), else at
  `else_goto`; a missing key means the next step. Targets must lie ahead: a branch that points
  back (a loop that would re-plan nothing, the touch keys being unique) ends the enrolment.
* **Leaving the audience**: an active enrolment whose account is no longer in the campaign's
  audience (the tier, segment, list or hand-picked accounts of today) ends `left_audience`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db.models import Case, DateTimeField, Exists, ExpressionWrapper, Max, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Opportunity
from campaigns.models import (
    CampaignStatus, Enrolment, EnrolmentStatus, ExitGoal, Play, Step, Touch, TouchStatus,
)
from campaigns.services.audience import campaign_audience
from insights.signals.models import EngagementEvent, EngagementType

EMAIL_STEPS = ("email", "event_invite")
PENDING = (TouchStatus.PLANNED, TouchStatus.DEFERRED, TouchStatus.SENDING)
# An e-mail still in the outbox whose expected wait is over: look again after this long.
RECHECK_AFTER = timedelta(hours=1)

REPLIED = "Goal reached: replied"
GOAL_REASONS = {
    ExitGoal.MEETING_BOOKED: "Goal reached: meeting booked",
    ExitGoal.OPPORTUNITY_CREATED: "Goal reached: opportunity created",
    ExitGoal.STAGE_REACHED: "Goal reached: journey stage {stages}",
}
LEFT_AUDIENCE = "Left the campaign's audience"


def no_reply_days(step: Step | None) -> int | None:
    """The step's "no reply in N days" wait, or None."""
    days = (step.wait_condition or {}).get("no_reply_days") if step is not None else None
    return int(days) if days not in (None, "") else None


def exit_stages(play: Play) -> list[str]:
    config = play.exit_config or {}
    stages = config.get("stages") or config.get("stage") or []
    return [stages] if isinstance(stages, str) else list(stages)


# --- ending enrolments, set-based ------------------------------------------------------------

def enrolments_progress(*, workspace_id: int, now: datetime | None = None, enrolment_ids: list[int] | None = None,
                        plays: list[Play] | None = None) -> dict[str, int]:
    """End the active enrolments (all of the workspace, or the given ones) whose goal was
    reached, whose person replied to an e-mail a step waits on, or whose account left the
    audience. Returns how many ended, by reason. One UPDATE per rule in use (per play for stage
    goals, per campaign for audiences): the work grows with plays, not with enrolments.
    `plays`: the plays of those enrolments, when the caller has them (with their steps)."""
    now = now or timezone.now()
    active = Enrolment.objects.for_workspace(workspace_id).filter(status=EnrolmentStatus.ACTIVE)
    if enrolment_ids is not None:
        active = active.filter(pk__any=enrolment_ids)
    if plays is None:
        plays = list(Play.objects.for_workspace(workspace_id).filter(pk__in=active.values("play_id"))
                     .select_related("campaign").prefetch_related("steps"))
    counts = {"exited_replied": 0, "exited_goal": 0, "left_audience": 0}
    waiting = [p.pk for p in plays if any(no_reply_days(step) is not None for step in p.steps.all())]
    if waiting:
        counts["exited_replied"] = enrolments_end(_replied(workspace_id, active.filter(play_id__in=waiting)),
                                                  EnrolmentStatus.EXITED, REPLIED, now)
    counts["exited_goal"] = _end_goals(workspace_id, active, plays, now)
    counts["left_audience"] = _end_left_audience(active, plays, now)
    return counts


def enrolments_end(enrolments: QuerySet, status: str, reason: str | Case, now: datetime) -> int:
    """End the active ones among `enrolments` with one UPDATE; `reason` may be a `Case` giving
    each its own."""
    return enrolments.filter(status=EnrolmentStatus.ACTIVE).update(
        status=status, ended_at=now, next_step_at=None, end_reason=reason[:255] if isinstance(reason, str) else reason)


def _replied(workspace_id: int, active: QuerySet) -> QuerySet:
    """Active enrolments waiting on a "no reply" step whose e-mail got a reply."""
    waiting = Step.objects.for_workspace(workspace_id).filter(
        play_id=OuterRef("play_id"), order=OuterRef("next_step_order"), wait_condition__has_key="no_reply_days")
    reply = EngagementEvent.objects.for_workspace(workspace_id).filter(
        Q(contact_id=OuterRef("contact_id")) | Q(contact_id__isnull=True),
        account_id=OuterRef("account_id"), type=EngagementType.EMAIL_REPLY, occurred_at__gte=OuterRef("sent_at"))
    # account_id narrows the touches through their (workspace, account) index.
    answered = Touch.objects.for_workspace(workspace_id).filter(
        Exists(reply), enrolment_id=OuterRef("pk"), account_id=OuterRef("account_id"), channel__in=EMAIL_STEPS,
        status=TouchStatus.SENT)
    return active.filter(Exists(waiting), Exists(answered))


def _end_goals(workspace_id: int, active: QuerySet, plays: list[Play], now: datetime) -> int:
    goals: dict[str, list[Play]] = defaultdict(list)
    for play in plays:
        goals[play.exit_goal].append(play)
    ended = 0
    if goals[ExitGoal.MEETING_BOOKED]:
        meetings = EngagementEvent.objects.for_workspace(workspace_id).filter(
            account_id=OuterRef("account_id"), type=EngagementType.MEETING, occurred_at__gte=OuterRef("started_at"))
        ended += enrolments_end(
            active.filter(Exists(meetings), play_id__in=[p.pk for p in goals[ExitGoal.MEETING_BOOKED]]),
            EnrolmentStatus.EXITED, GOAL_REASONS[ExitGoal.MEETING_BOOKED], now)
    if goals[ExitGoal.OPPORTUNITY_CREATED]:
        started_day = TruncDate(ExpressionWrapper(OuterRef("started_at"), output_field=DateTimeField()))
        opportunities = Opportunity.objects.for_workspace(workspace_id).filter(
            account_id=OuterRef("account_id"), created_at__gte=OuterRef("started_at"), created_date__gte=started_day)
        ended += enrolments_end(
            active.filter(Exists(opportunities), play_id__in=[p.pk for p in goals[ExitGoal.OPPORTUNITY_CREATED]]),
            EnrolmentStatus.EXITED, GOAL_REASONS[ExitGoal.OPPORTUNITY_CREATED], now)
    for play in goals[ExitGoal.STAGE_REACHED]:
        stages = exit_stages(play)
        if stages:
            reason = GOAL_REASONS[ExitGoal.STAGE_REACHED].format(stages=" / ".join(stages))
            ended += enrolments_end(active.filter(play_id=play.pk, account__journey_stage__in=stages),
                                    EnrolmentStatus.EXITED, reason, now)
    return ended


def _end_left_audience(active: QuerySet, plays: list[Play], now: datetime) -> int:
    campaigns: dict[int, list[int]] = defaultdict(list)
    by_id = {}
    for play in plays:
        if play.campaign.status in (CampaignStatus.PILOT, CampaignStatus.ACTIVE, CampaignStatus.PAUSED):
            campaigns[play.campaign_id].append(play.pk)
            by_id[play.campaign_id] = play.campaign
    ended = 0
    for campaign_id, play_ids in campaigns.items():
        outside = active.filter(play_id__in=play_ids).exclude(account_id__in=campaign_audience(by_id[campaign_id]))
        ended += enrolments_end(outside, EnrolmentStatus.LEFT_AUDIENCE, LEFT_AUDIENCE, now)
    return ended


# --- waits, for a batch about to be planned --------------------------------------------------

@dataclass
class Waits:
    """What the waits decided for a batch: enrolments that wait (until when) and the ones
    whose person replied (they end)."""

    until: dict[int, datetime] = field(default_factory=dict)
    replied: list[int] = field(default_factory=list)


class EmailTouch(NamedTuple):
    contact_id: int | None
    status: str
    sent_at: datetime | None
    planned_at: datetime


def waits_resolve(workspace_id: int, enrolments: list, steps: dict[int, Step], now: datetime) -> Waits:
    """`enrolments`: Enrolment rows or planning's `Due` (pk, account_id); `steps`: enrolment id
    → the step it is about to run. Three queries at most per batch."""
    days = {e.pk: d for e in enrolments if (d := no_reply_days(steps.get(e.pk))) is not None}
    result = Waits()
    if not days:
        return result
    waiting = [e for e in enrolments if e.pk in days]
    touches = _previous_email_touches(workspace_id, waiting, steps)
    replies = _replies(workspace_id, {e.account_id for e in waiting}, touches)
    for enrolment in waiting:
        rows = touches.get(enrolment.pk)
        if not rows:
            continue                                   # no e-mail before this step: nothing to wait for
        wait = timedelta(days=days[enrolment.pk])
        pending = [r for r in rows if r.status in PENDING]
        sent = [r for r in rows if r.status == TouchStatus.SENT]
        recipients = {r.contact_id for r in sent}
        first_sent = min((r.sent_at for r in sent), default=None)
        if first_sent and any(at >= first_sent and (contact is None or contact in recipients)
                              for contact, at in replies.get(enrolment.account_id, ())):
            result.replied.append(enrolment.pk)
        elif pending:
            result.until[enrolment.pk] = max(max(r.planned_at for r in pending) + wait, now + RECHECK_AFTER)
        elif sent and now < max(r.sent_at for r in sent) + wait:
            result.until[enrolment.pk] = max(r.sent_at for r in sent) + wait
    return result


def _previous_email_touches(workspace_id, enrolments, steps) -> dict[int, list[EmailTouch]]:
    """Per enrolment, the touches of its last e-mail step before the current one."""
    rows = (Touch.objects.for_workspace(workspace_id)
            .filter(account_id__any={e.account_id for e in enrolments}, enrolment_id__any=[e.pk for e in enrolments],
                    channel__in=EMAIL_STEPS)
            .values_list("enrolment_id", "step__order", "contact_id", "status", "sent_at", "planned_at"))
    by_step: dict[int, dict[int, list[EmailTouch]]] = defaultdict(lambda: defaultdict(list))
    for enrolment_id, order, *touch in rows:
        if order < steps[enrolment_id].order:
            by_step[enrolment_id][order].append(EmailTouch(*touch))
    return {pk: orders[max(orders)] for pk, orders in by_step.items()}


def _replies(workspace_id, account_ids: set[int], touches: dict[int, list[EmailTouch]]) -> dict[int, list[tuple]]:
    """E-mail replies at the accounts since the earliest of the e-mails: account → (contact, at)."""
    sent = [r.sent_at for rows in touches.values() for r in rows if r.sent_at is not None]
    replies: dict[int, list[tuple]] = defaultdict(list)
    if not sent:
        return replies
    for account_id, contact_id, at in (EngagementEvent.objects.for_workspace(workspace_id)
                                       .filter(type=EngagementType.EMAIL_REPLY, occurred_at__gte=min(sent),
                                               account_id__any=account_ids)
                                       .values_list("account_id", "contact_id", "occurred_at")):
        replies[account_id].append((contact_id, at))
    return replies


# --- branches, for a batch being planned -----------------------------------------------------

def branch_targets(workspace_id: int, enrolments: list, steps: dict[int, Step], now: datetime) -> dict[int, int | None]:
    """Enrolment id → the step order it continues at, for the enrolments (Enrolment rows or
    planning's `Due`) whose current step branches (None: the branch has no key for this
    outcome, take the next step). Two queries per batch."""
    branching = [e for e in enrolments if (steps[e.pk].branch or {})]
    if not branching:
        return {}
    since = {e.pk: e.started_at for e in branching}
    for enrolment_id, order, at in (Touch.objects.for_workspace(workspace_id)
                                    .filter(account_id__any={e.account_id for e in branching},
                                            enrolment_id__any=list(since))
                                    .values_list("enrolment_id", "step__order", "planned_at")):
        if order < steps[enrolment_id].order and at > since[enrolment_id]:
            since[enrolment_id] = at                   # the previous step's latest touch
    last = dict(EngagementEvent.objects.for_workspace(workspace_id)
                .filter(account_id__any={e.account_id for e in branching}, occurred_at__gte=min(since.values()),
                        occurred_at__lte=now)
                .values("account_id").annotate(last=Max("occurred_at")).values_list("account_id", "last"))
    targets = {}
    for enrolment in branching:
        engaged = last.get(enrolment.account_id) is not None and last[enrolment.account_id] >= since[enrolment.pk]
        target = steps[enrolment.pk].branch.get("if_engaged_goto" if engaged else "else_goto")
        targets[enrolment.pk] = int(target) if target not in (None, "") else None
    return targets
