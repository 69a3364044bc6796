"""Predictive training on the database: rows as of past snapshots (no look-ahead), labels from
opportunities created later, the no-history fallback, and a planted pattern the model learns."""
import random
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.models import Account, Opportunity, StageKind
from insights.signals.models import EngagementEvent
from scoring.models import ModelStatus, ScoreSnapshot
from scoring.services.predictive import model_train, snapshot_dates, training_frame
from scoring.services.recompute import recompute_start
from tests.factories import AccountFactory, EngagementEventFactory, OpportunityFactory, OpportunityStageFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def test_snapshot_dates_have_closed_label_windows():
    dates = snapshot_dates(TODAY)
    assert len(dates) == 24 and dates == sorted(dates)
    assert all(d + timedelta(days=90) <= TODAY for d in dates)
    assert all((d + timedelta(days=1)).day == 1 for d in dates), "month ends"


def test_training_rows_see_only_the_past_and_label_the_next_90_days(workspace):
    account = AccountFactory(workspace=workspace, industry="Logistics", employees=500)
    stage = OpportunityStageFactory(workspace=workspace, kind=StageKind.OPEN)
    opened = date(2026, 5, 20)
    OpportunityFactory(workspace=workspace, account=account, stage=stage, created_date=opened)
    # One event in April (before the 2026-04-30 snapshot) and a big one in May (after it).
    for day, minutes in ((date(2026, 4, 10), 3.0), (date(2026, 5, 10), 500.0)):
        EngagementEventFactory(workspace=workspace, account=account, occurred_at=_at(day),
                               occurred_day=_at(day).timestamp() / 86400, minutes=minutes, half_life_days=1000)
    frame = training_frame(workspace, today=TODAY).set_index("snapshot_date")
    april = frame.loc["2026-04-30"]
    assert april["eng_web"] == pytest.approx(3.0 * 0.5 ** (20.5 / 1000), rel=1e-3), "May's event is invisible in April"
    assert april["label"] == 1, "an opportunity was created within 90 days of 30 April"
    assert frame.loc["2026-01-31"]["label"] == 0, "more than 90 days before the opportunity"
    assert frame.loc["2026-01-31"]["eng_web"] == 0
    assert "2026-05-31" not in frame.index.strftime("%Y-%m-%d"), "accounts with an open deal are not training rows"


def test_too_little_history_is_said_and_scores_leave_predictive_out(workspace, django_capture_on_commit_callbacks):
    AccountFactory(workspace=workspace, industry="Logistics", employees=500)
    record = model_train(workspace=workspace, today=TODAY)
    assert record.status == ModelStatus.INSUFFICIENT and record.artifact is None
    assert "50 are needed" in record.message
    with django_capture_on_commit_callbacks(execute=True):
        recompute_start(workspace=workspace)
    snapshot = ScoreSnapshot.objects.for_workspace(workspace).get()
    assert snapshot.predictive is None and "predictive" not in snapshot.facts["weights"]
    assert sum(snapshot.facts["weights"].values()) == pytest.approx(1.0)


def test_a_planted_pattern_is_learned_validated_and_explained(workspace, django_capture_on_commit_callbacks):
    """300 accounts; 70 open a deal at a random month, after six weeks of rising meetings and
    visits. The model must validate (ROC AUC ≥ 0.55 on later snapshots) and score a currently
    engaged account above a quiet one, with model reasons."""
    rng = random.Random(7)
    stage = OpportunityStageFactory(workspace=workspace, kind=StageKind.LOST)
    accounts = Account.objects.for_workspace(workspace).bulk_create(
        [Account(name=f"Account {n}", industry=rng.choice(["Logistics", "Retail"]), employees=rng.randint(50, 5000))
         for n in range(302)])
    events, opportunities, counter = [], [], 0
    today = timezone.localdate()

    def add(account, day, minutes, channel="meetings"):
        nonlocal counter
        counter += 1
        moment = _at(day)
        events.append(EngagementEvent(account=account, type="meeting", channel=channel, occurred_at=moment,
                                      occurred_day=moment.timestamp() / 86400, source="t", external_id=str(counter),
                                      minutes=minutes, half_life_days=30))

    for account in accounts[:300]:
        for _ in range(3):   # background noise
            add(account, today - timedelta(days=rng.randint(1, 700)), rng.uniform(0.5, 3), "web")
    for account in accounts[:70]:
        created = today - timedelta(days=rng.randint(100, 690))
        for week in range(6):
            add(account, created - timedelta(days=7 * week + rng.randint(0, 5)), 20.0)
        opportunities.append(Opportunity(account=account, stage=stage, name="deal", created_date=created,
                                         closed_date=created + timedelta(days=30), is_open=False))
    hot, quiet = accounts[300], accounts[301]
    for week in range(5):
        add(hot, today - timedelta(days=7 * week + 1), 20.0)
    EngagementEvent.objects.for_workspace(workspace).bulk_create(events)
    Opportunity.objects.for_workspace(workspace).bulk_create(opportunities)
    record = model_train(workspace=workspace)
    assert record.status == ModelStatus.ACTIVE, record.message
    assert record.metrics["roc_auc"] >= 0.55 and record.positives >= 50
    with django_capture_on_commit_callbacks(execute=True):
        recompute_start(workspace=workspace)
    hot_snapshot = ScoreSnapshot.objects.for_workspace(workspace).get(account=hot)
    quiet_snapshot = ScoreSnapshot.objects.for_workspace(workspace).get(account=quiet)
    assert hot_snapshot.predictive > quiet_snapshot.predictive
    assert hot_snapshot.probability > quiet_snapshot.probability
    predictive_reasons = hot_snapshot.component_reasons["predictive"]
    assert sum(r["points"] for r in predictive_reasons) == hot_snapshot.predictive
    assert any("chance of an opportunity in 90 days" in r["text"] for r in predictive_reasons)
