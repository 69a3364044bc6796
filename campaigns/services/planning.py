"""Plan the due steps of active enrolments: pick the people, pass every touch through the one
suppression engine, and write the touches as outbox rows (planned, deferred or blocked with the
rule and reason). Planning the same step twice plans it once: the touch key is unique.

Set-based per batch of enrolments: a handful of queries for people, accounts, holds, owner
consents, the last 7 days of touches and other plays' enrolments, then one `check_batch` and
one bulk insert.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import pytz
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Account, Relationship
from accounts.services.holds import account_contact_blocks
from campaigns.engine import suppression as engine
from campaigns.models import (
    CampaignStatus, Enrolment, EnrolmentStatus, FrequencySettings, OwnerConsent, Step, Touch, TouchStatus,
)
from campaigns.services.audience import CONTACT_CHANNELS, Person, step_people

BATCH = 2000
# A touch reaches a person (or the account) at most once per step of an enrolment.
ENGINE_CHANNEL = {"event_invite": engine.EVENT_INVITE}


def touch_key(enrolment_id: int, step_id: int, contact_id: int | None) -> str:
    return f"{enrolment_id}:{step_id}:{contact_id if contact_id is not None else 'account'}"


def frequency_policy(workspace_id: int) -> engine.Policy:
    settings, _ = FrequencySettings.objects.for_workspace(workspace_id).get_or_create()
    return engine.Policy(
        caps=engine.Caps(email_per_day=settings.email_per_day, email_per_7_days=settings.email_per_7_days,
                         contact_per_7_days=settings.touches_per_contact_7_days,
                         account_per_7_days=settings.touches_per_account_7_days),
        send_window_start=datetime.min.time().replace(hour=settings.window_start_hour),
        send_window_end=datetime.min.time().replace(hour=settings.window_end_hour),
        default_timezone=settings.default_timezone)


def plan_due(*, workspace_id: int, now: datetime | None = None) -> dict:
    """Plan every step that is due now, batch by batch. Returns counts by outcome."""
    now = now or timezone.now()
    counts: dict[str, int] = defaultdict(int)
    policy = frequency_policy(workspace_id)
    due = (Enrolment.objects.for_workspace(workspace_id)
           .filter(status=EnrolmentStatus.ACTIVE, next_step_at__lte=now,
                   play__is_active=True, play__campaign__status__in=[CampaignStatus.PILOT, CampaignStatus.ACTIVE])
           .select_related("play", "play__campaign").order_by("pk"))
    last_id = 0
    while True:
        batch = list(due.filter(pk__gt=last_id)[:BATCH])
        if not batch:
            break
        last_id = batch[-1].pk
        for outcome, n in _plan_batch(workspace_id, batch, now, policy).items():
            counts[outcome] += n
    return dict(counts)


def _plan_batch(workspace_id: int, enrolments: list[Enrolment], now: datetime, policy: engine.Policy) -> dict:
    steps = defaultdict(dict)
    for step in Step.objects.for_workspace(workspace_id).filter(play_id__in={e.play_id for e in enrolments}):
        steps[step.play_id][step.order] = step
    counts: dict[str, int] = defaultdict(int)
    planned: list[tuple[Enrolment, Step, Person | None]] = []
    finished: list[int] = []
    by_step: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        step = steps[enrolment.play_id].get(enrolment.next_step_order)
        if step is None:
            finished.append(enrolment.pk)
        else:
            by_step[step.pk].append(enrolment)
    step_by_id = {s.pk: s for play_steps in steps.values() for s in play_steps.values()}
    for step_id, group in by_step.items():
        step = step_by_id[step_id]
        if step.channel in CONTACT_CHANNELS:
            people, gaps = step_people(step, [e.account_id for e in group])
            for enrolment in group:
                for person in people[enrolment.account_id]:
                    planned.append((enrolment, step, person))
                if enrolment.account_id in gaps:
                    planned.append((enrolment, step, None))   # recorded as a coverage gap
        else:
            planned.extend((enrolment, step, None) for enrolment in group)
    rows = _decide(workspace_id, planned, now, policy, counts)
    with transaction.atomic():
        Touch.objects.for_workspace(workspace_id).bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        _advance(workspace_id, enrolments, steps, now, finished)
    counts["enrolments_completed"] += len(finished)
    return counts


def _decide(workspace_id, planned, now, policy, counts) -> list[Touch]:
    account_ids = {e.account_id for e, _, _ in planned}
    contact_ids = {p.contact_id for _, _, p in planned if p is not None}
    accounts = _account_states(workspace_id, account_ids, {e.play_id for e, _, _ in planned}, now)
    people = _people_states(workspace_id, [p for _, _, p in planned if p is not None], policy)
    recent = _recent_touches(workspace_id, account_ids, contact_ids, now)
    touches, rows = [], []
    for enrolment, step, person in planned:
        campaign = enrolment.play.campaign
        row = Touch(key=touch_key(enrolment.pk, step.pk, person.contact_id if person else None), enrolment=enrolment,
                    step=step, campaign_id=campaign.pk, account_id=enrolment.account_id,
                    contact_id=person.contact_id if person else None, channel=step.channel,
                    is_operational=step.is_operational, planned_at=now)
        rows.append(row)
        if person is None and step.channel in CONTACT_CHANNELS:
            row.status, row.block_code = TouchStatus.BLOCKED, "no_one_fits"
            row.block_reason = "Nobody in this account fits the step's audience (coverage gap)."
            touches.append(None)
            continue
        touches.append(engine.Touch(
            channel=ENGINE_CHANNEL.get(step.channel, step.channel),
            kind=engine.OPERATIONAL if step.is_operational else engine.SALES if step.channel == "sales_task"
            else engine.MARKETING,
            planned_at=now, account_id=enrolment.account_id, contact_id=person.contact_id if person else None,
            task_type=(step.task_kind or "call") if step.channel == "sales_task" else None,
            play_id=enrolment.play_id, play_priority=-enrolment.play.priority, play_name=enrolment.play.name,
            acquisition_only=campaign.acquisition_only))
    checked = [t for t in touches if t is not None]
    decisions = iter(engine.check_batch(checked, people=people, accounts=accounts, recent_touches=recent,
                                        policy=policy) if checked else [])
    for row, touch in zip(rows, touches):
        if touch is None:
            counts["blocked"] += 1
            continue
        decision = next(decisions)
        if decision.action == engine.BLOCK:
            row.status, row.block_rule, row.block_code = TouchStatus.BLOCKED, decision.rule, decision.code or ""
            row.block_reason = decision.reason[:255]
            counts["blocked"] += 1
        elif decision.action == engine.DEFER:
            row.status, row.planned_at = TouchStatus.DEFERRED, decision.until
            row.block_code, row.block_reason = decision.code or "", decision.reason[:255]
            counts["deferred"] += 1
        else:
            counts["planned"] += 1
    return rows


def _account_states(workspace_id, account_ids, play_ids, now) -> dict[int, engine.AccountState]:
    blocks = account_contact_blocks(workspace=workspace_id, account_ids=account_ids)
    consents = defaultdict(list)
    for account_id, play_id, expires_at, by in (OwnerConsent.objects.for_workspace(workspace_id)
                                                .filter(account_id__in=account_ids, play_id__in=play_ids,
                                                        expires_at__gt=now)
                                                .values_list("account_id", "play_id", "expires_at", "given_by__email")):
        consents[account_id].append(engine.OwnerConsent(play_id=play_id, account_id=account_id, expires_at=expires_at,
                                                        given_by=by))
    states = {}
    for pk, name, relationship, journey_stage in Account.objects.for_workspace(workspace_id).filter(
            pk__in=account_ids).values_list("pk", "name", "relationship", "journey_stage"):
        reasons = {b.reason for b in blocks.get(pk, [])}
        states[pk] = engine.AccountState(
            account_id=pk, name=name,
            exclusion=relationship if relationship in (Relationship.COMPETITOR, Relationship.PARTNER,
                                                       Relationship.VENDOR, Relationship.DISQUALIFIED) else None,
            open_opportunity="open_opportunity" in reasons, sales_hold="hold" in reasons,
            customer=relationship == Relationship.CUSTOMER or journey_stage == "customer",
            owner_consents=tuple(consents.get(pk, ())))
    return states


def _people_states(workspace_id, people: list[Person], policy) -> dict[int, engine.Person]:
    contact_ids = {p.contact_id for p in people}
    enrolments = defaultdict(list)
    if contact_ids:
        accounts = {p.account_id for p in people}
        for account_id, play_id, priority, name in (Enrolment.objects.for_workspace(workspace_id)
                                                    .filter(account_id__in=accounts, status=EnrolmentStatus.ACTIVE)
                                                    .values_list("account_id", "play_id", "play__priority", "play__name")):
            enrolments[account_id].append(engine.Enrolment(play_id=play_id, priority=-priority, play_name=name))
    states = {}
    for person in people:
        tz = person.time_zone or _country_timezone(person.country) or policy.default_timezone
        states[person.contact_id] = engine.Person(
            contact_id=person.contact_id, name=person.name, consent=person.consent, legal_hold=person.erased,
            timezone=tz, enrolments=tuple(enrolments.get(person.account_id, ())))
    return states


def _country_timezone(country: str) -> str | None:
    zones = pytz.country_timezones.get(country.upper()) if country else None
    return zones[0] if zones else None


def _recent_touches(workspace_id, account_ids, contact_ids, now) -> list[engine.PastTouch]:
    since = now - timedelta(days=7)
    rows = (Touch.objects.for_workspace(workspace_id)
            .filter(Q(account_id__in=account_ids) | Q(contact_id__in=contact_ids),
                    status__in=[TouchStatus.SENT, TouchStatus.SENDING, TouchStatus.PLANNED, TouchStatus.DEFERRED],
                    planned_at__gt=since, planned_at__lte=now + timedelta(days=7))
            .values_list("channel", "is_operational", "planned_at", "account_id", "contact_id", "step__task_kind"))
    return [engine.PastTouch(channel=ENGINE_CHANNEL.get(channel, channel),
                             kind=engine.OPERATIONAL if operational else engine.SALES if channel == "sales_task"
                             else engine.MARKETING,
                             at=at, account_id=account_id, contact_id=contact_id,
                             task_type=(task_kind or "call") if channel == "sales_task" else None)
            for channel, operational, at, account_id, contact_id, task_kind in rows]


def _advance(workspace_id, enrolments, steps, now, finished) -> None:
    """Move each planned enrolment to its next step (timed by that step's delay); complete the
    ones past their last step."""
    scoped = Enrolment.objects.for_workspace(workspace_id)
    if finished:
        scoped.filter(pk__in=finished).update(status=EnrolmentStatus.COMPLETED, ended_at=now,
                                              end_reason="All steps done", next_step_at=None)
    by_next: dict[tuple[int, int], list[int]] = defaultdict(list)
    for enrolment in enrolments:
        if enrolment.pk not in finished:
            by_next[(enrolment.play_id, enrolment.next_step_order + 1)].append(enrolment.pk)
    for (play_id, order), ids in by_next.items():
        following = steps[play_id].get(order)
        at = now + timedelta(hours=following.delay_hours) if following else now
        scoped.filter(pk__in=ids).update(next_step_order=F("next_step_order") + 1, next_step_at=at)
