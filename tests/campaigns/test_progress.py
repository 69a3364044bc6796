"""An enrolment's way through its play: waits for "no reply in N days", branches on engagement,
exit goals, leaving the audience, final and passing blocks of the engine — and the checks stay
set-based (the queries do not grow with the enrolments) and move an enrolment exactly once."""
from datetime import timedelta

import pytest
from celery import current_app
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Relationship
from campaigns.models import Enrolment, EnrolmentStatus, ExitGoal, FrequencySettings, Touch, TouchStatus
from campaigns.services import planning
from campaigns.services.enrolment import play_enrol
from campaigns.services.planning import plan_due
from campaigns.services.progress import enrolments_progress
from contacts.models import Contact
from tests.factories import (
    AccountFactory, CampaignFactory, ContactFactory, ContentTemplateFactory, EngagementEventFactory, HoldFactory,
    OpportunityFactory, PlayFactory, StepFactory, TouchFactory,
)

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=30)


@pytest.fixture
def accounts(workspace):
    made = []
    for n in range(3):
        account = AccountFactory(workspace=workspace, name=f"Account {n}")
        ContactFactory(workspace=workspace, account=account, first_name="Ada", roles=["decision_maker"],
                       time_zone="UTC", email=f"ada@a{n}.example")
        made.append(account)
    return made


@pytest.fixture
def play(workspace, admin, accounts):
    campaign = CampaignFactory(workspace=workspace, owner=admin, status="active")
    campaign.accounts.set(accounts)
    return PlayFactory(workspace=workspace, campaign=campaign, exit_goal=ExitGoal.NONE)


def enrol(play, accounts, at=T0):
    play_enrol(play=play, account_ids=[a.pk for a in accounts], reason="test")
    Enrolment.objects.for_workspace(play.workspace_id).filter(play=play, status=EnrolmentStatus.ACTIVE).update(
        started_at=at - timedelta(minutes=1), next_step_at=at)


def enrolment_of(play, account) -> Enrolment:
    return Enrolment.objects.for_workspace(play.workspace_id).filter(play=play, account=account).latest("pk")


def step_orders(play, account) -> list[int]:
    return sorted(Touch.objects.for_workspace(play.workspace_id).filter(enrolment__play=play, account=account)
                  .values_list("step__order", flat=True))


@pytest.fixture
def generous_caps(workspace):
    """Caps out of the way, for tests about the order of steps."""
    FrequencySettings.objects.for_workspace(workspace).create(email_per_day=9, email_per_7_days=9,
                                                              touches_per_contact_7_days=9)


def mark_sent(play, at):
    Touch.objects.for_workspace(play.workspace_id).filter(campaign=play.campaign, status=TouchStatus.PLANNED).update(
        status=TouchStatus.SENT, sent_at=at)


# --- waits -----------------------------------------------------------------------------------

@pytest.fixture
def waiting_play(workspace, play):
    StepFactory(workspace=workspace, play=play, order=1)
    StepFactory(workspace=workspace, play=play, order=2, delay_hours=24, wait_condition={"no_reply_days": 3})
    return play


def test_a_no_reply_step_waits_n_days_after_the_send_then_runs(workspace, waiting_play, accounts):
    enrol(waiting_play, accounts[:1])
    plan_due(workspace_id=workspace.pk, now=T0)
    mark_sent(waiting_play, T0 + timedelta(hours=2))

    counts = plan_due(workspace_id=workspace.pk, now=T0 + timedelta(days=1, hours=1))

    assert counts.get("waiting") == 1 and not counts.get("planned")
    enrolment = enrolment_of(waiting_play, accounts[0])
    assert enrolment.next_step_order == 2 and enrolment.next_step_at == T0 + timedelta(days=3, hours=2)
    assert plan_due(workspace_id=workspace.pk, now=T0 + timedelta(days=2)) == {}          # not due yet
    assert plan_due(workspace_id=workspace.pk, now=T0 + timedelta(days=3, hours=2))["planned"] == 1
    assert step_orders(waiting_play, accounts[0]) == [1, 2]


def test_a_reply_ends_the_enrolment_with_goal_replied_while_it_waits(workspace, waiting_play, accounts):
    enrol(waiting_play, accounts[:2])
    plan_due(workspace_id=workspace.pk, now=T0)
    mark_sent(waiting_play, T0 + timedelta(hours=2))
    ada = Touch.objects.for_workspace(workspace).get(account=accounts[0]).contact
    EngagementEventFactory(workspace=workspace, account=accounts[0], contact=ada, type="email_reply",
                           occurred_at=T0 + timedelta(days=1))
    EngagementEventFactory(workspace=workspace, account=accounts[1], type="email_reply",       # before the send
                           occurred_at=T0 + timedelta(hours=1))

    ended = enrolments_progress(workspace_id=workspace.pk, now=T0 + timedelta(days=1, hours=1))

    assert ended["exited_replied"] == 1
    replied = enrolment_of(waiting_play, accounts[0])
    assert replied.status == EnrolmentStatus.EXITED and replied.end_reason == "Goal reached: replied"
    assert enrolment_of(waiting_play, accounts[1]).status == EnrolmentStatus.ACTIVE
    plan_due(workspace_id=workspace.pk, now=T0 + timedelta(days=4))
    assert step_orders(waiting_play, accounts[0]) == [1] and step_orders(waiting_play, accounts[1]) == [1, 2]


def test_an_email_still_in_the_outbox_keeps_the_step_waiting(workspace, waiting_play, accounts):
    enrol(waiting_play, accounts[:1])
    plan_due(workspace_id=workspace.pk, now=T0)            # planned, never sent

    counts = plan_due(workspace_id=workspace.pk, now=T0 + timedelta(days=5))

    assert counts.get("waiting") == 1 and not counts.get("planned")
    assert enrolment_of(waiting_play, accounts[0]).next_step_at > T0 + timedelta(days=5)


def test_nothing_to_wait_for_when_the_email_was_never_sent(workspace, waiting_play, accounts):
    enrol(waiting_play, accounts[:1])
    plan_due(workspace_id=workspace.pk, now=T0)
    Touch.objects.for_workspace(workspace).update(status=TouchStatus.FAILED)

    assert plan_due(workspace_id=workspace.pk, now=T0 + timedelta(days=1, hours=1))["planned"] == 1


# --- branches --------------------------------------------------------------------------------

def test_a_branch_sends_engaged_accounts_one_way_and_the_others_the_other(workspace, play, accounts, generous_caps):
    StepFactory(workspace=workspace, play=play, order=1)
    StepFactory(workspace=workspace, play=play, order=2, delay_hours=48, branch={"if_engaged_goto": 3, "else_goto": 4})
    StepFactory(workspace=workspace, play=play, order=3, channel="sales_task", task_kind="call",
                branch={"if_engaged_goto": 9, "else_goto": 9})                       # the hot path ends here
    StepFactory(workspace=workspace, play=play, order=4, delay_hours=24)
    enrol(play, accounts[:2])
    plan_due(workspace_id=workspace.pk, now=T0)
    EngagementEventFactory(workspace=workspace, account=accounts[0], type="email_click",
                           occurred_at=T0 + timedelta(hours=5))
    EngagementEventFactory(workspace=workspace, account=accounts[1], type="web_visit",    # before step 1's touch
                           occurred_at=T0 - timedelta(minutes=10))

    for day in (2, 3, 4, 5):
        plan_due(workspace_id=workspace.pk, now=T0 + timedelta(days=day))

    assert step_orders(play, accounts[0]) == [1, 2, 3]
    assert step_orders(play, accounts[1]) == [1, 2, 4]
    assert {enrolment_of(play, a).status for a in accounts[:2]} == {EnrolmentStatus.COMPLETED}


def test_a_branch_that_points_back_ends_the_enrolment(workspace, play, accounts, generous_caps):
    StepFactory(workspace=workspace, play=play, order=1)
    StepFactory(workspace=workspace, play=play, order=2, branch={"else_goto": 1})
    enrol(play, accounts[:1])
    plan_due(workspace_id=workspace.pk, now=T0)
    plan_due(workspace_id=workspace.pk, now=T0 + timedelta(hours=1))

    enrolment = enrolment_of(play, accounts[0])
    assert enrolment.status == EnrolmentStatus.COMPLETED and "points back" in enrolment.end_reason


# --- goals and the audience ------------------------------------------------------------------

@pytest.fixture
def two_step_play(workspace, play):
    StepFactory(workspace=workspace, play=play, order=1)
    StepFactory(workspace=workspace, play=play, order=2, delay_hours=72)
    return play


def test_a_meeting_after_the_enrolment_reaches_the_goal(workspace, two_step_play, accounts):
    two_step_play.exit_goal = ExitGoal.MEETING_BOOKED
    two_step_play.save()
    enrol(two_step_play, accounts[:2])
    plan_due(workspace_id=workspace.pk, now=T0)
    EngagementEventFactory(workspace=workspace, account=accounts[0], type="meeting", occurred_at=T0 + timedelta(days=1))
    EngagementEventFactory(workspace=workspace, account=accounts[1], type="meeting", occurred_at=T0 - timedelta(days=9))

    counts = plan_due(workspace_id=workspace.pk, now=T0 + timedelta(days=3, hours=1))

    assert counts["exited_goal"] == 1 and counts["planned"] == 1
    met = enrolment_of(two_step_play, accounts[0])
    assert met.status == EnrolmentStatus.EXITED and met.end_reason == "Goal reached: meeting booked"
    assert step_orders(two_step_play, accounts[0]) == [1]


def test_a_new_opportunity_reaches_the_goal_an_old_imported_one_does_not(workspace, two_step_play, accounts):
    two_step_play.exit_goal = ExitGoal.OPPORTUNITY_CREATED
    two_step_play.save()
    enrol(two_step_play, accounts[:2])
    new = OpportunityFactory(workspace=workspace, account=accounts[0], created_date=(T0 + timedelta(days=1)).date())
    old = OpportunityFactory(workspace=workspace, account=accounts[1], created_date=(T0 - timedelta(days=200)).date())
    for opportunity in (new, old):     # both reached the database after the enrolment started
        type(opportunity).objects.for_workspace(workspace).filter(pk=opportunity.pk).update(
            created_at=T0 + timedelta(days=1))

    enrolments_progress(workspace_id=workspace.pk, now=T0 + timedelta(days=2))

    assert enrolment_of(two_step_play, accounts[0]).status == EnrolmentStatus.EXITED
    assert enrolment_of(two_step_play, accounts[1]).status == EnrolmentStatus.ACTIVE


def test_reaching_a_journey_stage_reaches_the_goal(workspace, two_step_play, accounts):
    two_step_play.exit_goal, two_step_play.exit_config = ExitGoal.STAGE_REACHED, {"stages": ["opportunity", "customer"]}
    two_step_play.save()
    enrol(two_step_play, accounts)
    type(accounts[0]).objects.for_workspace(workspace).filter(pk=accounts[0].pk).update(journey_stage="opportunity")
    type(accounts[1]).objects.for_workspace(workspace).filter(pk=accounts[1].pk).update(journey_stage="mqa")

    assert enrolments_progress(workspace_id=workspace.pk, now=T0)["exited_goal"] == 1
    assert enrolment_of(two_step_play, accounts[0]).end_reason == "Goal reached: journey stage opportunity / customer"


def test_an_account_that_left_the_audience_leaves_the_play(workspace, two_step_play, accounts):
    enrol(two_step_play, accounts)
    plan_due(workspace_id=workspace.pk, now=T0)
    two_step_play.campaign.accounts.remove(accounts[2])

    counts = plan_due(workspace_id=workspace.pk, now=T0 + timedelta(days=3, hours=1))

    gone = enrolment_of(two_step_play, accounts[2])
    assert gone.status == EnrolmentStatus.LEFT_AUDIENCE and gone.end_reason == "Left the campaign's audience"
    assert counts["left_audience"] == 1 and counts["planned"] == 2
    assert step_orders(two_step_play, accounts[2]) == [1]


# --- what the engine decides -----------------------------------------------------------------

@pytest.mark.parametrize("per_update", [500, 1])   # 1: each blocked enrolment in its own UPDATE
def test_an_excluded_account_or_a_customer_ends_the_enrolment_blocked_a_hold_does_not(workspace, two_step_play,
                                                                                     accounts, monkeypatch,
                                                                                     per_update):
    monkeypatch.setattr(planning, "BLOCKED_PER_UPDATE", per_update)
    competitor, customer, held = accounts
    competitor.relationship = Relationship.COMPETITOR
    competitor.save()
    customer.relationship = Relationship.CUSTOMER
    customer.save()
    HoldFactory(workspace=workspace, account=held)
    enrol(two_step_play, accounts)

    counts = plan_due(workspace_id=workspace.pk, now=T0)

    assert counts["enrolments_blocked"] == 2 and counts["blocked"] == 3
    assert enrolment_of(two_step_play, competitor).status == EnrolmentStatus.BLOCKED
    assert "excluded from campaigns (competitor)" in enrolment_of(two_step_play, competitor).end_reason
    assert "customer" in enrolment_of(two_step_play, customer).end_reason
    on_hold = enrolment_of(two_step_play, held)
    assert on_hold.status == EnrolmentStatus.ACTIVE and on_hold.next_step_order == 2


def test_a_capped_step_is_planned_again_the_next_day(workspace, two_step_play, accounts):
    enrol(two_step_play, accounts[:1])
    ada = accounts[0]
    other = TouchFactory(workspace=workspace, account=ada, status=TouchStatus.SENT, planned_at=T0 - timedelta(hours=1),
                         contact=Contact.objects.for_workspace(workspace).get(account=ada))   # an e-mail today

    first = plan_due(workspace_id=workspace.pk, now=T0)
    assert first.get("retry_later") == 1 and not first.get("planned")
    blocked = Touch.objects.for_workspace(workspace).get(enrolment__play=two_step_play)
    assert blocked.block_code == "frequency_cap" and blocked.attempts == 1
    enrolment = enrolment_of(two_step_play, ada)
    assert enrolment.next_step_order == 1 and enrolment.next_step_at == T0 + timedelta(days=1)

    second = plan_due(workspace_id=workspace.pk, now=T0 + timedelta(days=1))

    assert second["planned"] == 1
    touch = Touch.objects.for_workspace(workspace).get(enrolment__play=two_step_play)
    assert touch.status == TouchStatus.PLANNED and touch.key == blocked.key and other.pk != touch.pk
    assert enrolment_of(two_step_play, ada).next_step_order == 2


def test_a_step_blocked_on_every_try_gives_up_and_moves_on(workspace, two_step_play, accounts, monkeypatch):
    enrol(two_step_play, accounts[:1])
    monkeypatch.setattr(planning, "MAX_PLAN_ATTEMPTS", 3)
    contact = Contact.objects.for_workspace(workspace).get(account=accounts[0])
    for day in range(3):
        TouchFactory(workspace=workspace, account=accounts[0], contact=contact, status=TouchStatus.SENT,
                     planned_at=T0 + timedelta(days=day, hours=-1))
        plan_due(workspace_id=workspace.pk, now=T0 + timedelta(days=day))

    touch = Touch.objects.for_workspace(workspace).get(enrolment__play=two_step_play)
    assert touch.block_code == "frequency_cap" and touch.attempts == 3
    assert enrolment_of(two_step_play, accounts[0]).next_step_order == 2


def test_a_deferred_touch_times_the_next_step_from_the_deferral(workspace, play, accounts):
    StepFactory(workspace=workspace, play=play, order=1)
    StepFactory(workspace=workspace, play=play, order=2, delay_hours=2)
    enrol(play, accounts[:1], at=T0.replace(hour=21))

    plan_due(workspace_id=workspace.pk, now=T0.replace(hour=21))

    touch = Touch.objects.for_workspace(workspace).get()
    assert touch.status == TouchStatus.DEFERRED and touch.planned_at == T0.replace(hour=8) + timedelta(days=1)
    assert enrolment_of(play, accounts[0]).next_step_at == T0.replace(hour=10) + timedelta(days=1)


# --- exactly once, set-based ------------------------------------------------------------------

def test_two_planners_on_the_same_batch_move_an_enrolment_once(workspace, two_step_play, accounts):
    enrol(two_step_play, accounts)
    batch = list(Enrolment.objects.for_workspace(workspace).select_related("play", "play__campaign"))
    policy = planning.frequency_policy(workspace.pk)

    planning._plan_batch(workspace.pk, batch, T0, policy)
    planning._plan_batch(workspace.pk, batch, T0, policy)   # a second worker with the same stale batch

    assert set(Enrolment.objects.for_workspace(workspace).values_list("next_step_order", flat=True)) == {2}
    assert Touch.objects.for_workspace(workspace).count() == 3


def _grow(workspace, play, n):
    for i in range(n):
        account = AccountFactory(workspace=workspace)
        ContactFactory(workspace=workspace, account=account, roles=["user"], time_zone="UTC",
                       email=f"p{i}-{account.pk}@x.example")
        play.campaign.accounts.add(account)
        EngagementEventFactory(workspace=workspace, account=account, type="email_click",
                               occurred_at=T0 + timedelta(hours=1))
    enrol(play, list(play.campaign.accounts.all()))


def test_planning_with_every_check_does_not_grow_in_queries(workspace, play, accounts, generous_caps,
                                                            django_assert_max_num_queries):
    play.exit_goal = ExitGoal.MEETING_BOOKED
    play.save()
    StepFactory(workspace=workspace, play=play, order=1)
    StepFactory(workspace=workspace, play=play, order=2, wait_condition={"no_reply_days": 1},
                branch={"if_engaged_goto": 3})
    StepFactory(workspace=workspace, play=play, order=3)
    _grow(workspace, play, 3)
    with CaptureQueriesContext(connection) as small:
        for day in range(4):
            plan_due(workspace_id=workspace.pk, now=T0 + timedelta(days=day))
            mark_sent(play, T0 + timedelta(days=day, hours=1))
    Enrolment.objects.for_workspace(workspace).update(status=EnrolmentStatus.COMPLETED)
    _grow(workspace, play, 30)
    Touch.objects.for_workspace(workspace).delete()
    with django_assert_max_num_queries(len(small.captured_queries)):
        for day in range(4):
            plan_due(workspace_id=workspace.pk, now=T0 + timedelta(days=day))
            mark_sent(play, T0 + timedelta(days=day, hours=1))
    assert Touch.objects.for_workspace(workspace).filter(step__order=3, status=TouchStatus.SENT).count() == 36


# --- the tasks, in-process (eager mode; tests/campaigns/test_worker.py runs them in real workers) ---

def test_the_beat_task_triggers_plans_and_sends_in_process(workspace, admin, accounts, mailoutbox):
    now = timezone.now()
    offset = 12 - now.hour                          # a zone where it is about noon: no quiet hours
    zone = "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
    Contact.objects.for_workspace(workspace).update(time_zone=zone)
    campaign = CampaignFactory(workspace=workspace, owner=admin, status="active")
    campaign.accounts.set(accounts[:2])
    play = PlayFactory(workspace=workspace, campaign=campaign, trigger="schedule", trigger_config={"every_days": 7})
    StepFactory(workspace=workspace, play=play, order=1,
                template=ContentTemplateFactory(workspace=workspace, subject="For {{ person.first_name }}"))

    current_app.signature("campaigns.plan_and_send_all").delay()

    assert sorted(m.to[0] for m in mailoutbox) == ["ada@a0.example", "ada@a1.example"]
    assert set(Touch.objects.for_workspace(workspace).values_list("status", flat=True)) == {TouchStatus.SENT}
    current_app.signature("campaigns.plan_and_send", kwargs={"workspace_id": workspace.pk}).delay()
    assert len(mailoutbox) == 2                     # the next tick: nothing new to plan or send


def test_an_account_is_enrolled_once_at_a_time_and_again_after_its_enrolment_ended(play, accounts):
    StepFactory(workspace=play.workspace, play=play, order=1, channel="email")
    ids = [a.pk for a in accounts]
    assert play_enrol(play=play, account_ids=ids + ids[:1], reason="first") == 3

    assert play_enrol(play=play, account_ids=ids, reason="again") == 0
    Enrolment.objects.for_workspace(play.workspace_id).filter(play=play, account=accounts[0]).update(
        status=EnrolmentStatus.COMPLETED)
    assert play_enrol(play=play, account_ids=ids, reason="after the end") == 1

    enrolments = Enrolment.objects.for_workspace(play.workspace_id).filter(play=play)
    assert sorted(enrolments.filter(status=EnrolmentStatus.ACTIVE).values_list("account_id", flat=True)) == sorted(ids)
    assert enrolments.get(account=accounts[0], status=EnrolmentStatus.ACTIVE).trigger_reason == "after the end"
