"""What the scorers need about a range of accounts, as of a moment, read with a few set-based
queries (SQL aggregates; no per-account queries). Used by the recompute (as of now) and by
predictive training (as of past snapshot dates: everything is filtered to what was known then).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F, FloatField, Q, Sum, Value
from django.db.models.functions import Power

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
    roles: list[str]
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


def _decay(as_of_day: float):
    return F("minutes") * Power(Value(0.5), (Value(as_of_day) - F("occurred_day")) / F("half_life_days"),
                                output_field=FloatField())


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
    _load_engagement(workspace_id, result, in_range, day)
    _load_people(workspace_id, result, in_range, day)
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


def _load_engagement(workspace_id, result, in_range, day) -> None:
    """One GROUP BY (account, channel) over the account range's last 365 days of events."""
    events = EngagementEvent.objects.for_workspace(workspace_id).filter(
        in_range, occurred_day__gt=day - 365, occurred_day__lte=day)
    recent = Q(occurred_day__gt=day - 90)
    by_channel = events.values("account_id", "channel").annotate(
        decayed=Sum(_decay(day)), events=Count("id"), people=Count("contact_id", distinct=True),
        minutes_90=Sum("minutes", filter=recent), events_90=Count("id", filter=recent),
        high_value_30=Count("id", filter=Q(occurred_day__gt=day - 30, is_high_value=True)))
    for row in by_channel:
        inputs = result.get(row["account_id"])
        if inputs is None:
            continue
        inputs.channels[row["channel"]] = ChannelActivity(row["decayed"] or 0.0, row["events"], row["people"])
        inputs.minutes_90 += row["minutes_90"] or 0.0
        inputs.high_value_30 += row["high_value_30"]
        inputs.any_engagement_90 = inputs.any_engagement_90 or row["events_90"] > 0


def _load_people(workspace_id, result, in_range, day) -> None:
    # Firmographics and the people on file are today's (no history is kept of them); what they
    # did (events), intent, triggers and deals are filtered to what was known at `as_of`.
    contacts = Contact.objects.for_workspace(workspace_id).filter(in_range, erased_at__isnull=True)
    people: dict[int, PersonActivity] = {}
    for pk, account_id, seniority, roles, persona_id, stage in contacts.values_list(
            "pk", "account_id", "seniority", "roles", "persona_id", "lifecycle_stage"):
        if account_id in result:
            person = PersonActivity(pk, seniority or "", list(roles or []), persona_id is not None, stage)
            people[pk] = person
            result[account_id].people.append(person)
    if not people:
        return
    per_person = (EngagementEvent.objects.for_workspace(workspace_id)
                  .filter(in_range, contact_id__isnull=False, occurred_day__gt=day - 365, occurred_day__lte=day)
                  .values("contact_id").annotate(decayed=Sum(_decay(day)),
                                                 decayed_90=Sum(_decay(day), filter=Q(occurred_day__gt=day - 90))))
    for row in per_person:
        person = people.get(row["contact_id"])
        if person:
            person.decayed_365 = row["decayed"] or 0.0
            person.decayed_90 = row["decayed_90"] or 0.0
