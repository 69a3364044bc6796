"""The predictive component: build leakage-free training rows from the workspace's own history,
train and validate (scoring/engine/predictive.py), keep the model only if it validates, and
score a chunk's accounts with it.

Training rows (DOMAIN.md §1.4): one per (account, month-end snapshot) over the last 24 months,
skipping accounts that were customers or had an open opportunity at the snapshot. Features are
read by the same `load_inputs` as the recompute, **as of the snapshot** (events, intent,
triggers and deals after it are invisible); label = an opportunity was created in the 90 days
after it. Firmographics and the people on file have no history, so today's values are used.
"""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import pandas as pd
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from abm_platform.jobs import job_start
from abm_platform.models import Job, Workspace
from accounts.models import Account, Opportunity
from scoring.engine import predictive as engine
from scoring.engine.fit import fit_score
from scoring.models import ModelStatus, PredictiveModel
from scoring.services.compute import Predicted, predictive_reasons
from scoring.services.config import icp_criteria
from scoring.services.inputs import SENIOR, AccountInputs, load_inputs

HISTORY_MONTHS = 24
LABEL_DAYS = 90
TRAINING_CHUNK = 5000
_loaded: dict[int, object] = {}     # model id → fitted model, per process


def features_frame(inputs: dict[int, AccountInputs], criteria) -> pd.DataFrame:
    rows = []
    for account_id, item in inputs.items():
        fit = fit_score(item.firmographics, criteria).value
        engaged = item.engaged_people_90
        roles = {role for person in item.people for role in person.roles}
        expected = set(item.expected_roles)
        rows.append({
            "account_id": account_id,
            "fit": fit if fit is not None else float("nan"),
            "log_employees": math.log1p(item.firmographics.employees) if item.firmographics.employees else float("nan"),
            "log_revenue": math.log1p(item.firmographics.revenue) if item.firmographics.revenue else float("nan"),
            "intent_max": max((t.score for t in item.intent_latest), default=0),
            "intent_topics_surging": sum(1 for t in item.intent_latest if t.score >= 60),
            "intent_weeks_surging_12": item.intent_weeks_surging_12,
            **{f"eng_{channel}": item.decayed_by_channel(channel)
               for channel in ("web", "email", "ads", "content", "events", "meetings", "calls")},
            "breadth_30": sum(1 for p in item.people if p.decayed_90 >= 1.0 and p.decayed_365 > 0),
            "breadth_90": len(engaged),
            "senior_engaged_90": sum(1 for p in engaged if p.seniority in SENIOR),
            "high_value_30": item.high_value_30,
            "coverage": (len(expected & roles) / len(expected)) if expected else 1.0,
            "decision_maker_known": int(bool({"decision_maker", "economic_buyer"} & roles)),
            "trigger_funding_90": int(item.triggers_90.get("funding", 0) > 0),
            "trigger_leadership_90": int(item.triggers_90.get("leadership_change", 0) > 0),
            "trigger_acquisition_90": int(item.triggers_90.get("acquisition", 0) > 0),
            "trigger_expansion_90": int(item.triggers_90.get("expansion", 0) > 0),
            "industry": item.firmographics.industry or "",
            "region": item.firmographics.region or item.firmographics.country or "",
        })
    return pd.DataFrame(rows)


def _model(record: PredictiveModel):
    if record.pk not in _loaded:
        _loaded[record.pk] = engine.loads(bytes(record.artifact))
    return _loaded[record.pk]


def predict_chunk(record: PredictiveModel | None, inputs: dict[int, AccountInputs], settings) -> dict[int, Predicted]:
    """Percentile, calibrated chance and reasons per account. Accounts that are customers or in
    an open deal are not scored (the model predicts new opportunities)."""
    if record is None or record.status != ModelStatus.ACTIVE or not record.artifact:
        return {}
    eligible = {k: v for k, v in inputs.items() if not v.has_open_opportunity and not v.has_won}
    if not eligible:
        return {}
    frame = features_frame(eligible, settings.criteria)
    model = _model(record)
    probabilities = engine.predict(model, frame)
    percentiles = engine.percentile(model, probabilities)
    explanations = engine.explain(model, frame)
    return {int(account_id): Predicted(int(pct), float(p), predictive_reasons(int(pct), float(p), contributions))
            for account_id, p, pct, contributions in zip(frame["account_id"], probabilities, percentiles, explanations)}


def snapshot_dates(today: date, months: int = HISTORY_MONTHS) -> list[date]:
    """Month ends from `months` ago up to the last one whose 90-day label window is complete."""
    dates, cursor = [], date(today.year, today.month, 1) - timedelta(days=1)
    while len(dates) < months:
        if cursor + timedelta(days=LABEL_DAYS) <= today:
            dates.append(cursor)
        cursor = date(cursor.year, cursor.month, 1) - timedelta(days=1)
    return sorted(dates)


def training_frame(workspace: Workspace, *, today: date | None = None, progress=None) -> pd.DataFrame:
    today = today or timezone.localdate()
    criteria = icp_criteria(workspace=workspace)
    created = pd.DataFrame(list(Opportunity.objects.for_workspace(workspace).values("account_id", "created_date")),
                           columns=["account_id", "created_date"])
    ids = list(Account.objects.for_workspace(workspace).order_by("pk").values_list("pk", flat=True))
    dates = snapshot_dates(today)
    frames = []
    ranges = [(ids[i], ids[min(i + TRAINING_CHUNK, len(ids)) - 1]) for i in range(0, len(ids), TRAINING_CHUNK)]
    total = len(dates) * len(ranges)
    for n, snapshot in enumerate(dates):
        as_of = timezone.make_aware(datetime.combine(snapshot, time(23, 59)))
        for m, (first, last) in enumerate(ranges):
            inputs = load_inputs(workspace.pk, first_id=first, last_id=last, as_of=as_of, historical=True)
            eligible = {k: v for k, v in inputs.items() if not v.has_open_opportunity and not v.has_won}
            if eligible:
                frame = features_frame(eligible, criteria)
                frame["snapshot_date"] = pd.Timestamp(snapshot)
                frames.append(frame)
            if progress:
                progress.update(n * len(ranges) + m + 1, total=total + 1, message=f"Features as of {snapshot}")
    if not frames:
        return pd.DataFrame()
    rows = pd.concat(frames, ignore_index=True)
    if created.empty:
        rows["label"] = 0
        return rows
    created["created_date"] = pd.to_datetime(created["created_date"])
    merged = rows[["account_id", "snapshot_date"]].reset_index().merge(created, on="account_id", how="left")
    hit = (merged["created_date"] > merged["snapshot_date"]) & \
          (merged["created_date"] <= merged["snapshot_date"] + pd.Timedelta(days=LABEL_DAYS))
    labels = hit.groupby(merged["index"]).any()
    rows["label"] = labels.reindex(rows.index, fill_value=False).astype(int).values
    return rows


def model_train_start(*, workspace: Workspace, by=None, then_recompute: str = "") -> Job:
    """Queue training; with `then_recompute`, the job starts a recompute when it ends."""
    return job_start(workspace=workspace, kind="model_train", task="scoring.train_model", by=by,
                     params={"then_recompute": then_recompute} if then_recompute else {})


def model_train(*, workspace: Workspace, by=None, progress=None, today: date | None = None) -> PredictiveModel:
    """Train, validate and store a model. A model that validates replaces the active one; one
    that does not (or too little history) is stored with the reason and changes nothing."""
    frame = training_frame(workspace, today=today, progress=progress)
    result = engine.train(frame) if not frame.empty else engine.TrainingResult(
        status="insufficient", message="No accounts to learn from yet.", positives=0, negatives=0, rows=0,
        metrics={}, model=None)
    scoped = PredictiveModel.objects.for_workspace(workspace)
    with transaction.atomic():
        version = (scoped.aggregate(v=Max("version"))["v"] or 0) + 1
        if result.status == ModelStatus.ACTIVE:
            scoped.filter(status=ModelStatus.ACTIVE).update(status=ModelStatus.RETIRED)
        return scoped.create(
            version=version, status=result.status, message=result.message[:500], positives=result.positives,
            negatives=result.negatives, rows=result.rows, metrics=result.metrics,
            features=list(engine.NUMERIC_FEATURES + engine.CATEGORICAL_FEATURES),
            artifact=engine.dumps(result.model) if result.model is not None else None, trained_by=by)


def model_train_run(*, job: Job, progress) -> dict:
    record = model_train(workspace=job.workspace, by=job.created_by, progress=progress)
    if job.params.get("then_recompute"):
        from scoring.services.recompute import recompute_start   # same layer; avoids an import cycle

        recompute_start(workspace=job.workspace, by=job.created_by, reason=job.params["then_recompute"])
    return {"model": record.pk, "version": record.version, "status": record.status, "message": record.message,
            "metrics": {k: v for k, v in record.metrics.items() if k != "calibration"}}
