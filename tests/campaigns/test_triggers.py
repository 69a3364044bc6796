"""Triggers enrol the accounts they fire for — only inside the campaign's audience (a pilot:
only its pilot accounts), once per window however often they are evaluated, and with a number
of queries that does not grow with the accounts."""
from datetime import timedelta

import pytest
from celery import current_app
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import CampaignStatus, Enrolment, EnrolmentStatus, Play, TriggerKind
from campaigns.services.triggers import OVERLAP, triggers_evaluate
from insights.signals.models import IntentSignal, TriggerEvent
from tests.factories import (
    AccountFactory, CampaignFactory, ContactFactory, EngagementEventFactory, IntentSignalFactory, IntentTopicFactory,
    OpportunityFactory, OpportunityStageChangeFactory, OpportunityStageFactory, PlayFactory, ScoreSnapshotFactory,
    ScoringRunFactory, StageChangeFactory, StepFactory, TriggerEventFactory,
)

pytestmark = pytest.mark.django_db

# An hour ago: rows the tests create are stamped with the real time (received_at, created_at),
# which must lie after the evaluations the tests date at NOW.
NOW = timezone.now() - timedelta(hours=1)


@pytest.fixture
def accounts(workspace):
    return [AccountFactory(workspace=workspace, name=f"Account {n}") for n in range(6)]


@pytest.fixture
def make_play(workspace, admin, accounts):
    """A play with the trigger in an active campaign whose audience is the first five accounts
    (the sixth is outside it)."""

    def make(trigger: str, config: dict | None = None, *, status: str = CampaignStatus.ACTIVE) -> Play:
        campaign = CampaignFactory(workspace=workspace, owner=admin, status=status)
        campaign.accounts.set(accounts[:5])
        play = PlayFactory(workspace=workspace, campaign=campaign, trigger=trigger, trigger_config=config or {})
        StepFactory(workspace=workspace, play=play, order=1)
        return play

    return make


def enrolled(play: Play) -> set[int]:
    enrolments = Enrolment.objects.for_workspace(play.workspace_id).filter(play=play)
    return set(enrolments.values_list("account_id", flat=True))


def finished_run(workspace, at=NOW, **kwargs):
    return ScoringRunFactory(workspace=workspace, as_of=at, finished_at=at, **kwargs)


def snapshot(workspace, run, account, score=50, **kwargs):
    return ScoreSnapshotFactory(workspace=workspace, run=run, account=account, computed_at=run.as_of, score=score,
                                **kwargs)


def test_became_mqa_enrols_the_accounts_that_entered_mqa_in_the_audience_once(workspace, accounts, make_play):
    play = make_play(TriggerKind.BECAME_MQA)
    run = finished_run(workspace)
    snapshot(workspace, run, accounts[0], 80, is_mqa=True, facts={"mqa_change": "entered"})
    snapshot(workspace, run, accounts[1], 80, is_mqa=True, facts={"mqa_change": None})        # was MQA already
    snapshot(workspace, run, accounts[2], 40, facts={"mqa_change": "left"})
    snapshot(workspace, run, accounts[5], 90, is_mqa=True, facts={"mqa_change": "entered"})   # outside the audience

    result = triggers_evaluate(workspace_id=workspace.pk, run_id=run.pk, now=NOW)

    assert enrolled(play) == {accounts[0].pk}
    assert result["enrolled"] == 1 and result["by_play"] == {play.pk: 1}
    enrolment = Enrolment.objects.for_workspace(workspace).get(play=play)
    assert enrolment.trigger_reason == f"Trigger: became MQA (recompute {run.pk})"
    assert enrolment.status == EnrolmentStatus.ACTIVE and not enrolment.is_pilot

    # the same run evaluated again, even after the enrolment ended, enrols nobody
    Enrolment.objects.for_workspace(workspace).update(status=EnrolmentStatus.COMPLETED)
    assert triggers_evaluate(workspace_id=workspace.pk, run_id=run.pk, now=NOW + timedelta(minutes=5))["enrolled"] == 0
    play.refresh_from_db()
    assert play.trigger_config["evaluated_run"] == run.pk

    # a later run in which the account enters again does
    later = finished_run(workspace, NOW + timedelta(days=14))
    snapshot(workspace, later, accounts[0], 85, is_mqa=True, facts={"mqa_change": "entered"})
    assert triggers_evaluate(workspace_id=workspace.pk, now=NOW + timedelta(days=14))["enrolled"] == 1


def test_a_run_the_evaluation_missed_is_caught_up_by_the_next_one(workspace, accounts, make_play):
    play = make_play(TriggerKind.BECAME_MQA)
    triggers_evaluate(workspace_id=workspace.pk, now=NOW - timedelta(days=1))      # sets the watermark
    first, second = finished_run(workspace, NOW - timedelta(hours=2)), finished_run(workspace, NOW)
    snapshot(workspace, first, accounts[0], 80, is_mqa=True, facts={"mqa_change": "entered"})
    snapshot(workspace, second, accounts[1], 80, is_mqa=True, facts={"mqa_change": "entered"})

    triggers_evaluate(workspace_id=workspace.pk, run_id=second.pk, now=NOW)

    assert enrolled(play) == {accounts[0].pk, accounts[1].pk}


@pytest.mark.parametrize("history, fires", [
    ([45, 65], True),          # from below the margin to above the threshold
    ([55, 65], True),          # never above before: the first crossing counts
    ([65, 55, 65], False),     # dipped into the margin band only: no new crossing
    ([65, 45, 65], True),      # fell below the margin, then crossed again
    ([45, 55, 65], True),      # armed two runs ago, crossed now
    ([65, 65], False),         # stayed above
    ([45, 59], False),         # did not reach the threshold
])
def test_score_crossed_up_has_hysteresis(workspace, accounts, make_play, history, fires):
    play = make_play(TriggerKind.SCORE_CROSSED, {"threshold": 60, "direction": "up", "margin": 10})
    runs = [finished_run(workspace, NOW - timedelta(days=14 * (len(history) - 1 - n))) for n in range(len(history))]
    for run, score in zip(runs, history):
        snapshot(workspace, run, accounts[0], score)

    triggers_evaluate(workspace_id=workspace.pk, run_id=runs[-1].pk, now=NOW)

    assert enrolled(play) == ({accounts[0].pk} if fires else set())


def test_score_crossed_down_needs_to_come_from_above_the_margin(workspace, accounts, make_play):
    play = make_play(TriggerKind.SCORE_CROSSED, {"threshold": 60, "direction": "down"})
    before, run = finished_run(workspace, NOW - timedelta(days=14)), finished_run(workspace, NOW)
    for account, was, now in ((accounts[0], 75, 55), (accounts[1], 65, 55), (accounts[2], 75, 62)):
        snapshot(workspace, before, account, was)
        snapshot(workspace, run, account, now)

    triggers_evaluate(workspace_id=workspace.pk, run_id=run.pk, now=NOW)

    assert enrolled(play) == {accounts[0].pk}
    assert "score crossed below 60" in Enrolment.objects.for_workspace(workspace).get().trigger_reason


def test_stage_changed_filters_on_from_and_to(workspace, accounts, make_play):
    play = make_play(TriggerKind.STAGE_CHANGED, {"to": ["engaged"], "from": "aware"})
    run = finished_run(workspace)
    StageChangeFactory(workspace=workspace, run=run, account=accounts[0], from_stage="aware", to_stage="engaged")
    StageChangeFactory(workspace=workspace, run=run, account=accounts[1], from_stage="target", to_stage="engaged")
    StageChangeFactory(workspace=workspace, run=run, account=accounts[2], from_stage="aware", to_stage="mqa")

    triggers_evaluate(workspace_id=workspace.pk, run_id=run.pk, now=NOW)

    assert enrolled(play) == {accounts[0].pk}


def _received(model, obj, at):
    model.objects.for_workspace(obj.workspace_id).filter(pk=obj.pk).update(received_at=at)


def test_intent_surge_enrols_new_surges_on_the_topic_only(workspace, accounts, make_play):
    topic, other = IntentTopicFactory(workspace=workspace, name="warehouse automation"), \
        IntentTopicFactory(workspace=workspace, name="payroll")
    play = make_play(TriggerKind.INTENT_SURGE, {"topics": ["warehouse automation"]})
    this_week = NOW.date() - timedelta(days=NOW.weekday())
    last_week = this_week - timedelta(days=7)
    IntentSignalFactory(workspace=workspace, account=accounts[0], topic=topic, week_start=this_week, score=72)
    IntentSignalFactory(workspace=workspace, account=accounts[1], topic=topic, week_start=this_week, score=75)
    IntentSignalFactory(workspace=workspace, account=accounts[1], topic=topic, week_start=last_week, score=70)
    IntentSignalFactory(workspace=workspace, account=accounts[2], topic=topic, week_start=this_week, score=55)
    IntentSignalFactory(workspace=workspace, account=accounts[3], topic=other, week_start=this_week, score=90)

    triggers_evaluate(workspace_id=workspace.pk, now=timezone.now())

    assert enrolled(play) == {accounts[0].pk}          # 1 already surged last week, 2 is below 60, 3 other topic
    assert "“warehouse automation”" in Enrolment.objects.for_workspace(workspace).get().trigger_reason


def test_engagement_spike_compares_the_last_week_with_the_4_week_average(workspace, accounts, make_play):
    play = make_play(TriggerKind.ENGAGEMENT_SPIKE, {"pct": 50})

    def minutes(account, days_ago, value):
        EngagementEventFactory(workspace=workspace, account=account, minutes=value,
                               occurred_at=NOW - timedelta(days=days_ago))

    for account, last_week in ((accounts[0], 16), (accounts[1], 14)):   # baseline 40 / 4 = 10 a week
        for week in range(1, 5):
            minutes(account, 7 * week + 2, 10)
        minutes(account, 2, last_week)
    minutes(accounts[2], 1, 12)                 # no baseline, above the minimum
    minutes(accounts[3], 1, 5)                  # no baseline, below the minimum
    minutes(accounts[4], 40, 500)               # long ago only

    triggers_evaluate(workspace_id=workspace.pk, now=NOW)

    assert enrolled(play) == {accounts[0].pk, accounts[2].pk}       # +60 % and new; +40 % is no spike

    # the aggregate runs hourly: a spike that starts 10 minutes later is seen at the next hour
    minutes(accounts[3], 0, 20)
    assert triggers_evaluate(workspace_id=workspace.pk, now=NOW + timedelta(minutes=10))["enrolled"] == 0
    # the spike lasts: evaluated again after the enrolments ended, nobody is enrolled twice
    Enrolment.objects.for_workspace(workspace).update(status=EnrolmentStatus.COMPLETED)
    assert triggers_evaluate(workspace_id=workspace.pk, now=NOW + timedelta(hours=1))["enrolled"] == 1
    assert enrolled(play) == {accounts[0].pk, accounts[2].pk, accounts[3].pk}


def test_trigger_events_count_once_also_when_they_commit_after_the_watermark(workspace, accounts, make_play):
    play = make_play(TriggerKind.TRIGGER_EVENT, {"types": ["funding"]})
    triggers_evaluate(workspace_id=workspace.pk, now=NOW)
    late = TriggerEventFactory(workspace=workspace, account=accounts[0], type="funding", occurred_on=NOW.date())
    _received(TriggerEvent, late, NOW - OVERLAP / 3)      # inserted before the evaluation, committed after it
    TriggerEventFactory(workspace=workspace, account=accounts[1], type="acquisition", occurred_on=NOW.date())
    old = TriggerEventFactory(workspace=workspace, account=accounts[2], type="funding",
                              occurred_on=NOW.date() - timedelta(days=400))

    triggers_evaluate(workspace_id=workspace.pk, now=NOW + timedelta(minutes=5))
    assert enrolled(play) == {accounts[0].pk}
    assert old.account_id not in enrolled(play)

    # (the enrolment started at the time this test calls NOW + 5 minutes, and has ended)
    Enrolment.objects.for_workspace(workspace).update(status=EnrolmentStatus.COMPLETED,
                                                      started_at=NOW + timedelta(minutes=5))
    assert triggers_evaluate(workspace_id=workspace.pk, now=NOW + timedelta(minutes=10))["enrolled"] == 0
    # a new event, once the enrolment lies before the window, enrols the account again
    triggers_evaluate(workspace_id=workspace.pk, now=NOW + timedelta(minutes=30))
    TriggerEventFactory(workspace=workspace, account=accounts[0], type="funding", occurred_on=NOW.date())
    assert triggers_evaluate(workspace_id=workspace.pk, now=timezone.now() + timedelta(hours=1))["enrolled"] == 1


def test_contact_added_with_a_role(workspace, accounts, make_play):
    play = make_play(TriggerKind.CONTACT_ADDED, {"roles": ["decision_maker"]})
    triggers_evaluate(workspace_id=workspace.pk, now=timezone.now() - timedelta(hours=1))
    ContactFactory(workspace=workspace, account=accounts[0], roles=["decision_maker", "champion"])
    ContactFactory(workspace=workspace, account=accounts[1], roles=["user"])
    ContactFactory(workspace=workspace, account=accounts[5], roles=["decision_maker"])   # outside the audience

    triggers_evaluate(workspace_id=workspace.pk, now=timezone.now())

    assert enrolled(play) == {accounts[0].pk}


def test_opportunity_closed_won(workspace, accounts, make_play):
    play = make_play(TriggerKind.OPPORTUNITY_CLOSED, {"outcome": "won"})
    won = OpportunityStageFactory(workspace=workspace, name="Won", order=8, kind="won")
    lost = OpportunityStageFactory(workspace=workspace, name="Lost", order=9, kind="lost")
    triggers_evaluate(workspace_id=workspace.pk, now=NOW - timedelta(hours=1))
    for account, stage in ((accounts[0], won), (accounts[1], lost)):
        opportunity = OpportunityFactory(workspace=workspace, account=account, stage=stage, is_open=False)
        OpportunityStageChangeFactory(workspace=workspace, opportunity=opportunity, to_stage=stage,
                                      changed_at=NOW - timedelta(minutes=30))

    triggers_evaluate(workspace_id=workspace.pk, now=NOW)

    assert enrolled(play) == {accounts[0].pk}


def test_a_schedule_enrols_the_audience_every_n_days(workspace, accounts, make_play):
    play = make_play(TriggerKind.SCHEDULE, {"every_days": 7})

    assert triggers_evaluate(workspace_id=workspace.pk, now=NOW)["enrolled"] == 5
    Enrolment.objects.for_workspace(workspace).filter(account=accounts[0]).update(status=EnrolmentStatus.COMPLETED)
    assert triggers_evaluate(workspace_id=workspace.pk, now=NOW + timedelta(days=3))["enrolled"] == 0
    # a week later only the account whose enrolment ended comes in again: the others are still active
    assert triggers_evaluate(workspace_id=workspace.pk, now=NOW + timedelta(days=7))["enrolled"] == 1
    assert len(enrolled(play)) == 5


def test_a_pilot_enrols_only_its_pilot_accounts(workspace, accounts, make_play):
    play = make_play(TriggerKind.SCHEDULE, status=CampaignStatus.PILOT)
    play.campaign.pilot_accounts.set(accounts[1:3])

    triggers_evaluate(workspace_id=workspace.pk, now=NOW)

    assert enrolled(play) == {accounts[1].pk, accounts[2].pk}
    assert set(Enrolment.objects.for_workspace(workspace).values_list("is_pilot", flat=True)) == {True}


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.PAUSED, CampaignStatus.STOPPED])
def test_campaigns_not_running_enrol_nobody(workspace, make_play, status):
    play = make_play(TriggerKind.SCHEDULE, status=status)
    assert triggers_evaluate(workspace_id=workspace.pk, now=NOW)["enrolled"] == 0
    assert not enrolled(play)


def test_manual_plays_and_ended_campaigns_are_not_evaluated(workspace, make_play):
    manual = make_play(TriggerKind.MANUAL)
    ended = make_play(TriggerKind.SCHEDULE)
    ended.campaign.end_date = NOW.date() - timedelta(days=1)
    ended.campaign.save()
    assert triggers_evaluate(workspace_id=workspace.pk, now=NOW) == {"plays": 0, "enrolled": 0, "by_play": {},
                                                                     "run": None}
    assert not enrolled(manual) and not enrolled(ended)


def test_another_workspace_is_untouched(workspace, other_workspace, accounts, make_play):
    play = make_play(TriggerKind.SCHEDULE)
    stranger = AccountFactory(workspace=other_workspace)
    triggers_evaluate(workspace_id=other_workspace.pk, now=NOW)
    assert not enrolled(play)
    triggers_evaluate(workspace_id=workspace.pk, now=NOW)
    assert stranger.pk not in enrolled(play)


def test_the_task_runs_by_name(workspace, make_play):
    play = make_play(TriggerKind.SCHEDULE)
    current_app.signature("campaigns.evaluate_triggers", kwargs={"workspace_id": workspace.pk, "run_id": None}).delay()
    assert len(enrolled(play)) == 5


def _bigger_audience(workspace, play, n):
    extra = [AccountFactory(workspace=workspace) for _ in range(n)]
    play.campaign.accounts.add(*extra)
    run = finished_run(workspace, NOW + timedelta(days=n))
    topic = IntentTopicFactory(workspace=workspace, name=f"topic {n}")
    for account in extra:
        snapshot(workspace, run, account, 80, is_mqa=True, facts={"mqa_change": "entered"})
        EngagementEventFactory(workspace=workspace, account=account, minutes=30, occurred_at=NOW + timedelta(days=n))
        IntentSignalFactory(workspace=workspace, account=account, topic=topic, score=80,
                            week_start=(NOW + timedelta(days=n)).date())
        TriggerEventFactory(workspace=workspace, account=account, type="funding", occurred_on=NOW.date())
    at = NOW + timedelta(days=n, minutes=1)
    for model in (IntentSignal, TriggerEvent):
        model.objects.for_workspace(workspace).filter(account__in=extra).update(received_at=at - timedelta(minutes=1))
    return at


def test_the_number_of_queries_does_not_grow_with_the_accounts(workspace, make_play, django_assert_max_num_queries):
    plays = [make_play(kind, {"threshold": 70} if kind == TriggerKind.SCORE_CROSSED else {}) for kind in (
        TriggerKind.BECAME_MQA, TriggerKind.SCORE_CROSSED, TriggerKind.ENGAGEMENT_SPIKE, TriggerKind.INTENT_SURGE,
        TriggerKind.TRIGGER_EVENT, TriggerKind.STAGE_CHANGED)]
    # both rounds enrol in every play, so the queries compared do the same work
    campaign = plays[0].campaign
    for play in plays[1:]:
        Play.objects.for_workspace(workspace).filter(pk=play.pk).update(campaign=campaign)
    small = _bigger_audience(workspace, plays[0], 3)
    with CaptureQueriesContext(connection) as few:
        first = triggers_evaluate(workspace_id=workspace.pk, now=small)
    big = _bigger_audience(workspace, plays[0], 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        second = triggers_evaluate(workspace_id=workspace.pk, now=big)
    assert first["enrolled"] == 3 * 5 and second["enrolled"] == 40 * 5, (first, second)
