"""Reads of the signals layer, workspace first. Each is a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from abm_platform.models import Job, Workspace
from insights.signals.models import (
    EngagementEvent, IntentSignal, IntentTopic, SignalProvider, TriggerEvent, UnresolvedSignal,
)
from insights.signals.services.imports import IMPORT_JOB_KIND
from insights.signals.services.refresh import REFRESH_JOB_KIND
from insights.signals.services.reweigh import REWEIGH_JOB_KIND
from insights.signals.services.unresolved import RETRY_JOB_KIND

SURGE = 60  # DOMAIN.md §1.2: a weekly score of 60 or more is a surge
OVERVIEW_DAYS = 90
SIGNAL_JOB_KINDS = (REFRESH_JOB_KIND, IMPORT_JOB_KIND, REWEIGH_JOB_KIND, RETRY_JOB_KIND)


@dataclass(frozen=True)
class Overview:
    since: date
    intent_rows: int
    intent_accounts: int
    surging_accounts: int
    engagement_events: int
    engagement_minutes: float
    engaged_accounts: int
    known_people: int
    high_value_events: int
    trigger_events: int
    trigger_accounts: int
    unresolved_open: int
    topics: int
    topics_selected: int


def signals_overview(*, workspace: Workspace, now: datetime | None = None) -> Overview:
    """What arrived in the last 90 days, per kind (five aggregate queries)."""
    now = now or timezone.now()
    since = (now - timedelta(days=OVERVIEW_DAYS)).date()
    intent = IntentSignal.objects.for_workspace(workspace).filter(week_start__gte=since).aggregate(
        rows=Count("pk"), accounts=Count("account_id", distinct=True),
        surging=Count("account_id", distinct=True, filter=Q(score__gte=SURGE)))
    engagement = EngagementEvent.objects.for_workspace(workspace).filter(
        occurred_at__gte=now - timedelta(days=OVERVIEW_DAYS)).aggregate(
        events=Count("pk"), minutes=Sum("minutes"), accounts=Count("account_id", distinct=True),
        people=Count("contact_id", distinct=True), high_value=Count("pk", filter=Q(is_high_value=True)))
    triggers = TriggerEvent.objects.for_workspace(workspace).filter(occurred_on__gte=since).aggregate(
        events=Count("pk"), accounts=Count("account_id", distinct=True))
    topics = IntentTopic.objects.for_workspace(workspace).aggregate(
        all=Count("pk"), selected=Count("pk", filter=Q(is_selected=True)))
    return Overview(
        since=since, intent_rows=intent["rows"], intent_accounts=intent["accounts"],
        surging_accounts=intent["surging"], engagement_events=engagement["events"],
        engagement_minutes=round(engagement["minutes"] or 0.0, 1), engaged_accounts=engagement["accounts"],
        known_people=engagement["people"], high_value_events=engagement["high_value"],
        trigger_events=triggers["events"], trigger_accounts=triggers["accounts"],
        unresolved_open=UnresolvedSignal.objects.for_workspace(workspace).filter(resolved_at__isnull=True).count(),
        topics=topics["all"], topics_selected=topics["selected"],
    )


def signal_providers(*, workspace: Workspace):
    return SignalProvider.objects.for_workspace(workspace).order_by("name")


def signal_jobs(*, workspace: Workspace, kinds=SIGNAL_JOB_KINDS):
    return Job.objects.for_workspace(workspace).filter(kind__in=kinds).select_related("created_by")


def account_trigger_events(*, workspace: Workspace, account_id: int, limit: int = 6) -> list[TriggerEvent]:
    return list(TriggerEvent.objects.for_workspace(workspace).filter(account_id=account_id)
                .order_by("-occurred_on", "-id")[:limit])


@dataclass(frozen=True)
class AccountSignals:
    surging_topics: list[dict]  # {"name", "score", "week", "previous"}: selected topics, latest weeks
    events: list[EngagementEvent]  # latest engagement, with the person
    minutes_90d: float
    people_90d: int
    high_value_90d: int


def account_recent_signals(*, workspace: Workspace, account_id: int, now: datetime | None = None,
                           events: int = 8) -> AccountSignals:
    """Intent surging on the workspace's selected topics in the last four weeks, and the
    latest engagement with the people behind it (four queries)."""
    now = now or timezone.now()
    recent_weeks = (now - timedelta(days=28)).date()
    topics = list(
        IntentSignal.objects.for_workspace(workspace)
        .filter(account_id=account_id, week_start__gte=recent_weeks, topic__is_selected=True)
        .values("topic_id", "topic__name").annotate(score=Max("score"), week=Max("week_start"))
        .filter(score__gte=SURGE).order_by("-score", "topic__name")[:6])
    latest = list(EngagementEvent.objects.for_workspace(workspace).filter(account_id=account_id)
                  .select_related("contact").order_by("-occurred_at")[:events])
    summary = EngagementEvent.objects.for_workspace(workspace).filter(
        account_id=account_id, occurred_at__gte=now - timedelta(days=OVERVIEW_DAYS)).aggregate(
        minutes=Sum("minutes"), people=Count("contact_id", distinct=True),
        high_value=Count("pk", filter=Q(is_high_value=True)))
    return AccountSignals(
        surging_topics=[{"name": t["topic__name"], "score": t["score"], "week": t["week"]} for t in topics],
        events=latest, minutes_90d=round(summary["minutes"] or 0.0, 1), people_90d=summary["people"],
        high_value_90d=summary["high_value"])


def contact_recent_engagement(*, workspace: Workspace, contact_id: int, limit: int = 10) -> list[EngagementEvent]:
    return list(EngagementEvent.objects.for_workspace(workspace).filter(contact_id=contact_id)
                .order_by("-occurred_at")[:limit])
