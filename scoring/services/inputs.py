"""What the scorers need about a range of accounts, as of a moment, read with a few set-based
queries (SQL aggregates; no per-account queries). Used by the recompute (as of now) and by
predictive training (as of past snapshot dates: everything is filtered to what was known then).
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Q, TextField
from django.db.models.functions import Cast

from abm_platform.bulk import cursor_without_jit
from accounts.models import Account, AccountTechnology, Opportunity, StageKind, Tier
from contacts.models import Contact
from insights.signals.models import EngagementEvent, IntentSignal, IntentTopic, TriggerEvent
from scoring.engine.engagement import ChannelActivity
from scoring.engine.fit import Firmographics
from scoring.engine.intent import TopicScore

SENIOR = {"c_level", "vp"}
DECISION_ROLES = {"decision_maker", "economic_buyer"}


def epoch_day(moment: datetime) -> float:
    return moment.timestamp() / 86400.0


@dataclass
class PersonActivity:
    contact_id: int
    seniority: str
    roles: tuple[str, ...]
    has_persona: bool
    lifecycle_stage: str
    decayed_365: float = 0.0
    decayed_90: float = 0.0


@dataclass
class AccountInputs:
    account_id: int
    firmographics: Firmographics
    tier_order: int | None
    expected_roles: list[str]
    has_open_opportunity: bool
    has_won: bool = False
    intent_latest: list[TopicScore] = field(default_factory=list)
    intent_max_30: int = 0
    intent_weeks_surging_12: int = 0
    channels: dict[str, ChannelActivity] = field(default_factory=dict)
    minutes_90: float = 0.0
    high_value_30: int = 0
    any_engagement_90: bool = False
    people: list[PersonActivity] = field(default_factory=list)
    triggers_90: Counter = field(default_factory=Counter)

    @property
    def engaged_people_90(self) -> list[PersonActivity]:
        return [p for p in self.people if p.decayed_90 >= 1.0]

    def decayed_by_channel(self, channel: str) -> float:
        activity = self.channels.get(channel)
        return activity.decayed_minutes if activity else 0.0


def load_inputs(workspace_id: int, *, first_id: int, last_id: int, as_of: datetime,
                historical: bool = False) -> dict[int, AccountInputs]:
    """Everything the scorers read about accounts with ids in [first_id, last_id], as of `as_of`.
    `historical` (training) also reconstructs open/won opportunities at that date; otherwise
    the current flags are used."""
    in_range = Q(account_id__gte=first_id, account_id__lte=last_id)
    today = as_of.date()
    day = epoch_day(as_of)
    tiers = {t.pk: t for t in Tier.objects.for_workspace(workspace_id)}
    rows = (Account.objects.for_workspace(workspace_id).filter(pk__gte=first_id, pk__lte=last_id)
            .values_list("pk", "industry", "employees", "annual_revenue", "country", "region", "attributes",
                         "tier_id", "has_open_opportunity"))
    technologies = defaultdict(set)
    for account_id, name in AccountTechnology.objects.for_workspace(workspace_id).filter(in_range).values_list(
            "account_id", "name"):
        technologies[account_id].add(name.upper())
    result: dict[int, AccountInputs] = {}
    for pk, industry, employees, revenue, country, region, attributes, tier_id, has_open in rows:
        tier = tiers.get(tier_id)
        result[pk] = AccountInputs(
            account_id=pk,
            firmographics=Firmographics(industry=industry or "", employees=employees,
                                        revenue=float(revenue) if revenue is not None else None,
                                        country=country or "", region=region or "",
                                        technologies=frozenset(technologies.get(pk, ())), attributes=attributes or {}),
            tier_order=tier.order if tier else None, expected_roles=list(tier.expected_roles) if tier else [],
            has_open_opportunity=bool(has_open) and not historical)
    if not result:
        return result
    _load_opportunities(workspace_id, result, in_range, today, historical)
    _load_intent(workspace_id, result, in_range, today)
    people = _load_people(workspace_id, result, in_range)
    _load_activity(workspace_id, result, people, first_id=first_id, last_id=last_id, day=day)
    for account_id, kind in TriggerEvent.objects.for_workspace(workspace_id).filter(
            in_range, occurred_on__gt=today - timedelta(days=90), occurred_on__lte=today).values_list("account_id", "type"):
        if account_id in result:
            result[account_id].triggers_90[kind] += 1
    return result


def _load_opportunities(workspace_id, result, in_range, today, historical) -> None:
    opportunities = Opportunity.objects.for_workspace(workspace_id).filter(in_range)
    won = opportunities.filter(stage__kind=StageKind.WON)
    if historical:
        won = won.filter(closed_date__lte=today)
        open_then = opportunities.filter(created_date__lte=today).filter(Q(closed_date__isnull=True) |
                                                                          Q(closed_date__gt=today))
        for account_id in open_then.values_list("account_id", flat=True).distinct():
            if account_id in result:
                result[account_id].has_open_opportunity = True
    for account_id in won.values_list("account_id", flat=True).distinct():
        if account_id in result:
            result[account_id].has_won = True


def _load_intent(workspace_id, result, in_range, today) -> None:
    topics = {t.pk: t for t in IntentTopic.objects.for_workspace(workspace_id).filter(is_selected=True)}
    if not topics:
        return
    signals = IntentSignal.objects.for_workspace(workspace_id).filter(
        in_range, topic_id__in=list(topics), week_start__lte=today)
    latest: dict[tuple[int, int], tuple] = {}
    for account_id, topic_id, week, score in signals.filter(week_start__gt=today - timedelta(days=35)).values_list(
            "account_id", "topic_id", "week_start", "score"):
        key = (account_id, topic_id)
        if key not in latest or latest[key][0] < week:
            latest[key] = (week, score)
    for (account_id, topic_id), (week, score) in latest.items():
        inputs = result.get(account_id)
        if inputs is None:
            continue
        topic = topics[topic_id]
        inputs.intent_latest.append(TopicScore(topic.name, topic.weight, score, week))
        if (today - week).days <= 30:
            inputs.intent_max_30 = max(inputs.intent_max_30, score)
    surging_weeks = (signals.filter(week_start__gt=today - timedelta(days=84), score__gte=60)
                     .values("account_id").annotate(weeks=Count("week_start", distinct=True)))
    for row in surging_weeks:
        if row["account_id"] in result:
            result[row["account_id"]].intent_weeks_surging_12 = row["weeks"]


def _load_people(workspace_id, result, in_range) -> dict[int, PersonActivity]:
    # Firmographics and the people on file are today's (no history is kept of them); what they
    # did (events), intent, triggers and deals are filtered to what was known at `as_of`.
    # A chunk reads ~50k people: plain cursor rows, and each distinct roles list decoded once.
    contacts = Contact.objects.for_workspace(workspace_id).filter(in_range, erased_at__isnull=True)
    query, params = contacts.annotate(roles_text=Cast("roles", TextField())).values_list(
        "pk", "account_id", "seniority", "roles_text", "persona_id", "lifecycle_stage").query.sql_with_params()
    people: dict[int, PersonActivity] = {}
    decoded: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for pk, account_id, seniority, roles, persona_id, stage in cursor.fetchall():
            inputs = result.get(account_id)
            if inputs is None:
                continue
            role_list = decoded.get(roles)
            if role_list is None:
                role_list = decoded[roles] = tuple(json.loads(roles) or ()) if roles else ()
            person = PersonActivity(pk, seniority or "", role_list, persona_id is not None, stage)
            people[pk] = person
            inputs.people.append(person)
    return people


# One statement per range of accounts: the last 365 days of their events grouped by (account,
# channel, person), then rolled up per account and channel (kind 'c') and per known person (kind
# 'p'). The covering index on (workspace, account, occurred_day) holds every column read here, so
# PostgreSQL answers from the index alone: a range of accounts is a range of the index, however
# the events are spread over the time-ordered table, and each chunk of a recompute reads only its
# own accounts' events (several workers share the reading).
ACTIVITY_SQL = """
    WITH activity AS (
        SELECT account_id, channel, contact_id,
               SUM(minutes * POWER(0.5, (%(day)s - occurred_day) / half_life_days)) AS decayed,
               SUM(CASE WHEN occurred_day > %(day_90)s
                        THEN minutes * POWER(0.5, (%(day)s - occurred_day) / half_life_days) ELSE 0 END) AS decayed_90,
               COUNT(*) AS events,
               SUM(CASE WHEN occurred_day > %(day_90)s THEN minutes ELSE 0 END) AS minutes_90,
               SUM(CASE WHEN occurred_day > %(day_90)s THEN 1 ELSE 0 END) AS events_90,
               SUM(CASE WHEN occurred_day > %(day_30)s AND is_high_value THEN 1 ELSE 0 END) AS high_value_30
          FROM {events}
         WHERE workspace_id = %(workspace)s AND account_id >= %(first)s AND account_id <= %(last)s
           AND occurred_day > %(day_365)s AND occurred_day <= %(day)s
      GROUP BY account_id, channel, contact_id)
    SELECT 'c', account_id, channel, NULL, CAST(SUM(decayed) AS DOUBLE PRECISION), CAST(SUM(events) AS BIGINT),
           CAST(COUNT(contact_id) AS BIGINT), CAST(SUM(minutes_90) AS DOUBLE PRECISION),
           CAST(SUM(events_90) AS BIGINT), CAST(SUM(high_value_30) AS BIGINT)
      FROM activity GROUP BY account_id, channel
    UNION ALL
    SELECT 'p', account_id, NULL, contact_id, CAST(SUM(decayed) AS DOUBLE PRECISION), 0, 0,
           CAST(SUM(decayed_90) AS DOUBLE PRECISION), 0, 0
      FROM activity WHERE contact_id IS NOT NULL GROUP BY account_id, contact_id"""


def _load_activity(workspace_id: int, result: dict[int, AccountInputs], people: dict[int, PersonActivity], *,
                   first_id: int, last_id: int, day: float) -> None:
    """Engagement of the accounts in [first_id, last_id] as of `day`, with one statement
    (ACTIVITY_SQL): per account and channel the decayed minutes, events, distinct people, 90-day
    minutes and events and 30-day high-value events; per known person the decayed minutes over
    365 and 90 days."""
    params = {"workspace": workspace_id, "first": first_id, "last": last_id, "day": day, "day_365": day - 365,
              "day_90": day - 90, "day_30": day - 30}
    with cursor_without_jit() as cursor:   # compiling costs more than it saves at one chunk's size
        cursor.execute(ACTIVITY_SQL.format(events=EngagementEvent._meta.db_table), params)
        rows = cursor.fetchall()
    for kind, account_id, channel, contact_id, decayed, events, distinct, minutes_90, events_90, high_value in rows:
        if kind == "p":   # decayed = 365 days, minutes_90 = the 90-day decayed minutes
            person = people.get(contact_id)
            if person:   # an erased person's events still count for the account, not for them
                person.decayed_365 += decayed or 0.0
                person.decayed_90 += minutes_90 or 0.0
            continue
        inputs = result.get(account_id)
        if inputs is None:
            continue
        inputs.channels[channel] = ChannelActivity(decayed or 0.0, events, distinct)
        inputs.minutes_90 += minutes_90 or 0.0
        inputs.high_value_30 += high_value
        inputs.any_engagement_90 = inputs.any_engagement_90 or events_90 > 0
