"""What-if previews: proposed weights recompose the current run's scores without saving anything;
the weights the run used reproduce it exactly; intent weight lifts the intent-heavy account."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Account
from scoring.engine.fit import Criterion
from scoring.models import ScoreSnapshot, ScoringWeights
from scoring.services.config import weights_active
from scoring.services.recompute import current_run, recompute_start
from scoring.services.whatif import whatif_preview
from tests.factories import (
    AccountFactory, ContactFactory, EngagementEventFactory, IcpCriterionFactory, IntentSignalFactory,
    IntentTopicFactory, TierFactory, TriggerEventFactory,
)

pytestmark = pytest.mark.django_db


def event(account, days_ago, *, contact=None, minutes=5.0, channel="web", type="web_visit", half_life=14.0):
    moment = timezone.now() - timedelta(days=days_ago)
    return EngagementEventFactory(workspace=account.workspace, account=account, contact=contact, minutes=minutes,
                                  channel=channel, type=type, occurred_at=moment,
                                  occurred_day=moment.timestamp() / 86400, half_life_days=half_life)


def recompute(workspace, capture):
    """Run a recompute to the end (Celery is eager in tests) and return the finished run."""
    with capture(execute=True):
        recompute_start(workspace=workspace, reason="test")
    return current_run(workspace)


@pytest.fixture
def scored_world(workspace, django_capture_on_commit_callbacks):
    """Twelve logistics-ish accounts with varied fit, intent, engagement and triggers, scored once.
    'Surge Freight' lives on intent alone; 'Busy Parcel' on engagement alone."""
    for order, name in ((1, "Tier 1 — Strategic"), (2, "Tier 2 — Cluster"), (3, "Tier 3 — Programmatic")):
        TierFactory(workspace=workspace, order=order, name=name)
    IcpCriterionFactory(workspace=workspace, kind="industry", label="Logistics",
                        config={"values": ["Logistics"], "adjacent": ["Retail"]}, weight=2)
    IcpCriterionFactory(workspace=workspace, kind="employees", label="200–5,000 staff",
                        config={"min": 200, "max": 5000})
    topics = [IntentTopicFactory(workspace=workspace, name=n) for n in
              ("warehouse automation", "parcel tracking", "fleet telematics")]
    accounts = {}
    for n, (name, industry, employees) in enumerate([
            ("Surge Freight", "Logistics", 1500), ("Busy Parcel", "Logistics", 900), ("Hot Freight", "Logistics", 1200),
            ("Retail Roads", "Retail", 400), ("Quiet Haulage", "Logistics", 300), ("Tiny Couriers", "Logistics", 30),
            ("Cold Bakery", "Food", 15), ("Mid Movers", "Logistics", 7000), ("Dock Data", "Retail", 2500),
            ("Cargo Cloud", "Logistics", 250), ("Pallet Pros", "Logistics", 600), ("Crate Co", "Food", 800)]):
        accounts[name] = AccountFactory(workspace=workspace, name=name, industry=industry, employees=employees)
    for topic in topics:
        IntentSignalFactory(workspace=workspace, account=accounts["Surge Freight"], topic=topic, score=95)
    IntentSignalFactory(workspace=workspace, account=accounts["Hot Freight"], topic=topics[0], score=85)
    IntentSignalFactory(workspace=workspace, account=accounts["Dock Data"], topic=topics[1], score=75)
    IntentSignalFactory(workspace=workspace, account=accounts["Pallet Pros"], topic=topics[2], score=70)
    for name, people in (("Busy Parcel", 3), ("Hot Freight", 2), ("Retail Roads", 1), ("Mid Movers", 2),
                         ("Cargo Cloud", 1), ("Pallet Pros", 1)):
        account = accounts[name]
        for p in range(people):
            person = ContactFactory(workspace=workspace, account=account, seniority=("c_level", "manager", "vp")[p],
                                    roles=[("decision_maker", "user", "influencer")[p]])
            for days in (1, 4, 9):
                event(account, days, contact=person, minutes=12 if name == "Busy Parcel" else 4)
    event(accounts["Busy Parcel"], 2, minutes=30, channel="meetings", type="meeting", half_life=90)
    TriggerEventFactory(workspace=workspace, account=accounts["Hot Freight"], type="funding")
    TriggerEventFactory(workspace=workspace, account=accounts["Cargo Cloud"], type="expansion")
    recompute(workspace, django_capture_on_commit_callbacks)
    return {name: Account.objects.for_workspace(workspace).get(pk=a.pk) for name, a in accounts.items()}


def current_values(workspace, **changes):
    weights = weights_active(workspace=workspace)
    values = {name: getattr(weights, name) for name in ("fit", "intent", "engagement", "predictive")}
    values.update(changes)
    return values


def test_preview_of_the_current_weights_changes_nothing(workspace, scored_world):
    preview = whatif_preview(workspace=workspace, values=current_values(workspace))
    assert preview.accounts == 12
    assert preview.changed == 0 and preview.new_mqa == preview.lost_mqa == 0
    assert preview.up_10_ranks == preview.down_10_ranks == 0
    assert preview.tier_moves == [] and preview.risers == [] and preview.fallers == []
    assert preview.spearman == 1.0
    mqa = Account.objects.for_workspace(workspace).filter(is_mqa=True).count()
    assert preview.mqa_before == preview.mqa_after == mqa


def test_preview_saves_nothing(workspace, scored_world):
    before = list(ScoreSnapshot.objects.for_workspace(workspace).values_list("account_id", "score"))
    whatif_preview(workspace=workspace,
                   values=current_values(workspace, fit=0.1, intent=0.6, engagement=0.3, predictive=0))
    assert list(ScoreSnapshot.objects.for_workspace(workspace).values_list("account_id", "score")) == before
    assert ScoringWeights.objects.for_workspace(workspace).count() == 1


def test_raising_intent_weight_moves_the_intent_heavy_account_up(workspace, scored_world):
    surge = scored_world["Surge Freight"]
    preview = whatif_preview(workspace=workspace,
                             values=current_values(workspace, fit=0.2, intent=0.6, engagement=0.2, predictive=0))
    riser = next(m for m in preview.risers if m.account_id == surge.pk)
    assert riser.old_score == surge.score and riser.new_score > surge.score
    assert riser.new_rank < riser.old_rank and riser.name == "Surge Freight"
    assert preview.changed >= 1 and preview.spearman is not None and preview.spearman < 1
    busy = scored_world["Busy Parcel"]
    assert any(m.account_id == busy.pk for m in preview.fallers), "the engagement-only account loses"


def test_preview_matches_a_real_recompute_with_the_proposed_weights(workspace, scored_world,
                                                                    django_capture_on_commit_callbacks):
    """The what-if arithmetic is the engine's: activate the proposal, recompute, compare."""
    values = current_values(workspace, fit=0.25, intent=0.45, engagement=0.3, predictive=0)
    preview = whatif_preview(workspace=workspace, values=values | {"mqa_threshold": 40})
    old = dict(ScoreSnapshot.objects.for_workspace(workspace).values_list("account_id", "score"))
    weights = weights_active(workspace=workspace)
    ScoringWeights.objects.for_workspace(workspace).filter(pk=weights.pk).update(
        fit=0.25, intent=0.45, engagement=0.3, predictive=0, mqa_threshold=40)
    run = recompute(workspace, django_capture_on_commit_callbacks)
    new = dict(ScoreSnapshot.objects.for_workspace(workspace).filter(run=run).values_list("account_id", "score"))
    assert preview.changed == sum(1 for a in old if old[a] != new[a])
    for mover in preview.risers + preview.fallers:
        assert new[mover.account_id] == mover.new_score
    assert preview.mqa_after == ScoreSnapshot.objects.for_workspace(workspace).filter(run=run, is_mqa=True).count()


def test_changed_penalty_and_bonus_are_recomputed(workspace, scored_world):
    preview = whatif_preview(workspace=workspace, values=current_values(workspace) | {
        "no_decision_maker_penalty": 0, "trigger_bonus": 10, "trigger_bonus_max": 10})
    assert preview.changed >= 1 and preview.fallers == [], "no penalty and a bigger bonus lower nobody"
    changes = {m.account_id: m.change for m in preview.risers}
    assert changes[scored_world["Cargo Cloud"].pk] == 5, "expansion bonus 5 → 10 (its decision maker is known)"
    assert changes[scored_world["Dock Data"].pk] == 10, "nobody known there: the −10 penalty is dropped"


def test_a_stricter_icp_lowers_fit_and_scores(workspace, scored_world):
    criteria = [Criterion("industry", "Logistics only", 1.0, {"values": ["Logistics"]}),
                Criterion("employees", "1,000+", 1.0, {"min": 1000})]
    preview = whatif_preview(workspace=workspace, values=current_values(workspace), criteria=criteria)
    fallers = {m.account_id for m in preview.fallers}
    assert scored_world["Retail Roads"].pk in fallers
    assert any("ICP" in note for note in preview.notes)


def test_tier_suggestions_and_mqa_follow_the_proposed_thresholds(workspace, scored_world):
    preview = whatif_preview(workspace=workspace, values=current_values(workspace) | {
        "mqa_threshold": 1, "mqa_min_fit": 0, "tier_thresholds": {"1": 1, "2": 0, "3": 0}})
    scored = ScoreSnapshot.objects.for_workspace(workspace).filter(score__gte=1)
    assert preview.mqa_after == scored.count() >= preview.mqa_before
    assert preview.new_mqa == preview.mqa_after - preview.mqa_before
    assert preview.tier_moves and all(move.after in ("Tier 1 — Strategic", "Tier 2 — Cluster")
                                      for move in preview.tier_moves)


def test_weights_that_do_not_add_up_are_refused(workspace, scored_world):
    with pytest.raises(ValidationError) as error:
        whatif_preview(workspace=workspace, values=current_values(workspace, fit=0.9))
    assert "add up to 1" in str(error.value)


def test_without_a_finished_run_the_preview_says_so(workspace):
    preview = whatif_preview(workspace=workspace, values=current_values(workspace))
    assert preview.run_id is None and preview.accounts == 0
    assert "recompute" in preview.notes[0]
