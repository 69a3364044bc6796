"""Reweighing stored engagement: when a workspace changes its engagement rules (or people's
seniority changed), every stored event's `minutes`, `half_life_days` and `is_high_value` are
derived again — in SQL, one UPDATE per engagement type whose CASE expressions are the rule
clauses of insights/signals/engine/rules.py (page rules as LIKE on the URL, the person's
seniority through a subquery on the contact), writing only the rows whose values change. Rule
changes apply retroactively (DOMAIN.md §1.3); no event is read into Python. Safe to run twice:
the result depends only on the rules and the people's seniority."""
from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import BooleanField, Case, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Least

from abm_platform.jobs import job_start
from abm_platform.models import Job, Workspace
from contacts.models import Contact
from insights.signals.engine.rules import (
    ANONYMOUS_WEIGHT, MAX_MEETING_MINUTES, SENIORITY_WEIGHTS, TYPES, UNKNOWN_PERSON_WEIGHT, Clause, RuleSet,
)
from insights.signals.models import EngagementEvent
from insights.signals.services.notify import scoring_recompute_enqueue
from insights.signals.services.settings import signal_settings_get, workspace_rule_set

REWEIGH_TASK = "insights.reweigh_engagement"
REWEIGH_JOB_KIND = "signal_reweigh"


def _condition(clause: Clause) -> Q:
    condition = Q()
    if clause.variant is not None:
        condition &= Q(variant=clause.variant)
    if clause.url_any:
        any_page = Q()
        for fragment in clause.url_any:
            any_page |= Q(url__icontains=fragment)
        condition &= any_page
    return condition


def _activity(clause: Clause):
    if clause.per_duration:
        return Case(When(duration_seconds__isnull=False,
                         then=Least(Cast("duration_seconds", FloatField()) / Value(60.0),
                                    Value(MAX_MEETING_MINUTES))),
                    default=Value(clause.minutes), output_field=FloatField())
    return Value(clause.minutes, output_field=FloatField())


def _case(clauses: tuple[Clause, ...], value, output_field):
    *special, default = clauses
    return Case(*[When(_condition(c), then=value(c)) for c in special], default=value(default),
                output_field=output_field)


def _seniority_weight(workspace_id: int):
    weight = Case(*[When(seniority=code, then=Value(w)) for code, w in SENIORITY_WEIGHTS.items()],
                  default=Value(UNKNOWN_PERSON_WEIGHT), output_field=FloatField())
    person = Contact.objects.for_workspace(workspace_id).filter(pk=OuterRef("contact_id")).annotate(
        weight=weight).values("weight")[:1]
    # No person on the event (anonymous, or the contact was deleted): full weight.
    return Coalesce(Subquery(person, output_field=FloatField()), Value(ANONYMOUS_WEIGHT), output_field=FloatField())


def engagement_reweigh(*, workspace: Workspace | int, rules: RuleSet | None = None, progress=None,
                       since: datetime | None = None) -> dict:
    """Re-derive the weights of the workspace's stored events (those since `since`, if given).
    Only rows whose values change are written, so a reweigh after nothing changed reads the
    events once and writes nothing. Returns {"events": rows updated, "types": types touched}."""
    workspace_id = getattr(workspace, "pk", workspace)
    rules = rules or workspace_rule_set(signal_settings_get(workspace=workspace_id))
    events = EngagementEvent.objects.for_workspace(workspace_id)
    if since is not None:
        events = events.filter(occurred_day__gte=since.timestamp() / 86400.0)
    weight = _seniority_weight(workspace_id)
    updated = 0
    for done, event_type in enumerate(TYPES, start=1):
        clauses = rules.for_type(event_type)
        minutes = _case(clauses, _activity, FloatField()) * weight
        half_life = _case(clauses, lambda c: Value(c.half_life_days), FloatField())
        high_value = _case(clauses, lambda c: Value(c.high_value), BooleanField())
        changed = ~Q(minutes=minutes) | ~Q(half_life_days=half_life) | ~Q(is_high_value=high_value)
        with transaction.atomic():
            updated += events.filter(changed, type=event_type).update(
                minutes=minutes, half_life_days=half_life, is_high_value=high_value)
        if progress:
            progress(done, len(TYPES))
    return {"events": updated, "types": len(TYPES)}


def engagement_reweigh_start(*, workspace: Workspace, by=None, reason: str = "") -> Job:
    return job_start(workspace=workspace, kind=REWEIGH_JOB_KIND, task=REWEIGH_TASK, by=by,
                     params={"reason": reason} if reason else None)


def engagement_reweigh_run(*, job: Job, progress) -> dict:
    def report(done: int, total: int) -> None:
        progress.update(done, total=total, message=f"{done} of {total} engagement types reweighed")

    result = engagement_reweigh(workspace=job.workspace_id, progress=report)
    # Minutes changed, so scores must follow.
    scoring_recompute_enqueue(workspace_id=job.workspace_id, reason="engagement rules changed",
                              by_id=job.created_by_id)
    return result
