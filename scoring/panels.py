"""What scoring draws on other apps' pages (registered in ScoringConfig.ready): the account page's
"Score" box — score, components, the reasons that add up to it, MQA, stage, tier suggestion, the
trend over finished recomputes and honest notes on what was left out — and the contact's score.
A fixed handful of queries whatever the history's length."""
from __future__ import annotations

from django.utils import timezone

from scoring.engine.reasons import render
from scoring.models import ContactScore, RunStatus
from scoring.selectors import account_score_current, account_score_trend

COMPONENTS = (("fit", "Fit"), ("intent", "Intent"), ("engagement", "Engagement"), ("predictive", "Predictive"))
FIT_BUCKETS = ((81, "Strong"), (50, "Moderate"), (0, "Weak"))   # 6sense's Profile Fit labels (DOMAIN.md §1.1)


def account_score_panel(request, account) -> dict:
    workspace = request.workspace_context.workspace
    snapshot = account_score_current(workspace=workspace, account=account)
    if snapshot is None:
        return {"account": account, "snapshot": None}
    facts = snapshot.facts or {}
    weights_used = facts.get("weights") or {}
    fit_scored = facts.get("fit_scored", True)
    components = []
    for name, label in COMPONENTS:
        value = getattr(snapshot, name)
        if name == "fit" and not fit_scored:
            value = None
        weight = weights_used.get(name)
        components.append({"name": name, "label": label, "value": value,
                           "weight": round(weight * 100) if weight else None,
                           "points": round(weight * value) if weight and value is not None else None})
    trend = account_score_trend(workspace=workspace, account=account)
    return {
        "account": account,
        "snapshot": snapshot,
        "components": components,
        "reasons": [_reason(r) for r in snapshot.reasons or []],
        "fit_bucket": next(label for floor, label in FIT_BUCKETS if snapshot.fit >= floor) if fit_scored else None,
        "notes": _notes(snapshot, fit_scored),
        "score_change": account.score_change,   # the snapshot is the current run's, as are the columns
        "chart": {"labels": _labels([moment for moment, *_ in trend]),
                  "score": [row[1] for row in trend], "fit": [row[2] for row in trend],
                  "intent": [row[3] for row in trend], "engagement": [row[4] for row in trend]},
        "chart_id": f"score-history-{account.pk}",
        "trend_rows": list(zip(_labels([moment for moment, *_ in trend]), [row[1] for row in trend])),
        "history_count": len(trend),
        "surging_topics": facts.get("surging_topics") or [],
    }


def _labels(moments) -> list[str]:
    """Dates, or dates with the time when two recomputes fell on one day."""
    days = [timezone.localtime(m).date() for m in moments]
    if len(set(days)) == len(days):
        return [d.isoformat() for d in days]
    return [timezone.localtime(m).strftime("%m-%d %H:%M") for m in moments]


def _reason(reason: dict) -> dict:
    points = reason.get("points", 0)
    return {"rendered": render(reason), "text": reason.get("text", ""), "points": points,
            "sign": "plus" if points > 0 else "minus" if points < 0 else "zero",
            "component": reason.get("component", "")}


def _notes(snapshot, fit_scored: bool) -> list[str]:
    facts = snapshot.facts or {}
    notes = []
    if snapshot.predictive is None:
        if snapshot.run.model_id is None:
            notes.append("Predictive left out: no validated model yet; its weight is shared out over the others.")
        else:
            notes.append("Predictive left out: the model only scores accounts without an open or won opportunity.")
    elif snapshot.probability is not None:
        notes.append(f"The model gives a {snapshot.probability:.0%} chance of a new opportunity in 90 days.")
    if not fit_scored:
        notes.append("Fit left out: the workspace has no ICP criteria yet.")
    elif facts.get("disqualified"):
        notes.append("Disqualified by an ICP criterion: the score is 0 whatever the signals.")
    if facts.get("mqa_change") == "entered":
        notes.append("Became marketing-qualified at this recompute.")
    elif facts.get("mqa_change") == "left":
        notes.append("Left MQA at this recompute (two runs below the exit line).")
    elif snapshot.is_mqa and snapshot.below_exit_runs:
        notes.append("Still MQA, but below the exit line once: one more such run and it leaves.")
    return notes


def contact_score_panel(request, contact) -> dict:
    """The contact's score from the current recompute, with its reasons (no history is kept)."""
    workspace = request.workspace_context.workspace
    score = (ContactScore.objects.for_workspace(workspace).filter(contact=contact, run__status=RunStatus.FINISHED)
             .select_related("run").order_by("-run__finished_at").first())
    return {"contact": contact, "score": score,
            "reasons": [_reason(r) for r in score.reasons] if score else []}
