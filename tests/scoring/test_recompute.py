"""The recompute end to end on the database: inputs read as of the run, scores with reasons
that add up, columns swapped in at the end, chunks that survive a crash, MQL promotion."""
from datetime import timedelta

import pytest
from django.utils import timezone

from abm_platform.models import JobStatus
from accounts.models import Account, JourneyStage
from contacts.models import Contact, LifecycleStage
from scoring.models import ChunkStatus, ContactScore, RunStatus, ScoreSnapshot, ScoringChunk, ScoringRun, StageChange
from scoring.services import recompute as recompute_service
from scoring.services.recompute import current_run, recompute_start
from tests.factories import (
    AccountFactory, ContactFactory, EngagementEventFactory, IcpCriterionFactory, IntentSignalFactory,
    IntentTopicFactory, TriggerEventFactory,
)

pytestmark = pytest.mark.django_db


def _event(account, days_ago, *, contact=None, minutes=5.0, channel="web", type="web_visit", half_life=14.0, **extra):
    moment = timezone.now() - timedelta(days=days_ago)
    return EngagementEventFactory(workspace=account.workspace, account=account, contact=contact, minutes=minutes,
                                  channel=channel, type=type, occurred_at=moment, occurred_day=moment.timestamp() / 86400,
                                  half_life_days=half_life, **extra)


@pytest.fixture
def scored_world(workspace):
    IcpCriterionFactory(workspace=workspace, kind="industry", label="Logistics",
                        config={"values": ["Logistics"], "adjacent": ["Retail"]}, weight=2)
    IcpCriterionFactory(workspace=workspace, kind="employees", label="200–5,000 staff",
                        config={"min": 200, "max": 5000})
    hot = AccountFactory(workspace=workspace, name="Hot Freight", industry="Logistics", employees=1200)
    cold = AccountFactory(workspace=workspace, name="Cold Bakery", industry="Food", employees=15)
    topic = IntentTopicFactory(workspace=workspace, name="warehouse automation")
    IntentTopicFactory(workspace=workspace, name="parcel tracking")
    IntentSignalFactory(workspace=workspace, account=hot, topic=topic, score=85)
    buyer = ContactFactory(workspace=workspace, account=hot, seniority="c_level", roles=["decision_maker"])
    user = ContactFactory(workspace=workspace, account=hot, seniority="manager", roles=["user"])
    for days in (1, 3, 8, 20):
        _event(hot, days, contact=buyer, minutes=10)
        _event(hot, days, contact=user, minutes=4, channel="events", type="webinar_attendance", half_life=60)
    _event(hot, 2, minutes=2)  # anonymous
    TriggerEventFactory(workspace=workspace, account=hot, type="funding")
    return {"hot": hot, "cold": cold, "buyer": buyer, "user": user}


def _recompute(workspace):
    job = recompute_start(workspace=workspace, reason="test")
    job.refresh_from_db()
    return job


def test_recompute_scores_every_account_with_reasons_that_add_up(workspace, scored_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _recompute(workspace)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    hot, cold = (Account.objects.for_workspace(workspace).get(pk=a.pk) for a in (scored_world["hot"], scored_world["cold"]))
    assert hot.score > cold.score
    assert hot.scored_at is not None and hot.is_mqa and hot.journey_stage == JourneyStage.MQA
    assert not cold.is_mqa and cold.journey_stage == JourneyStage.TARGET
    for snapshot in ScoreSnapshot.objects.for_workspace(workspace):
        assert snapshot.reasons, "a score without reasons is a bug"
        assert sum(r["points"] for r in snapshot.reasons) == snapshot.score
        for name in ("fit", "intent", "engagement"):
            parts = snapshot.component_reasons[name]
            assert sum(r["points"] for r in parts) == getattr(snapshot, name)
    texts = " | ".join(r["text"] for r in ScoreSnapshot.objects.for_workspace(workspace).get(account=hot).reasons)
    assert "intent surge on 'warehouse automation'" in texts
    assert "funding round" in texts
    cold_texts = [r["text"] for r in ScoreSnapshot.objects.for_workspace(workspace).get(account=cold).reasons]
    assert "no decision maker or economic buyer known" in cold_texts


def test_contact_scores_roll_up_and_make_mqls(workspace, scored_world, django_capture_on_commit_callbacks):
    from scoring.services.config import weights_active

    weights = weights_active(workspace=workspace)
    weights.mql_threshold = 50
    weights.save()
    with django_capture_on_commit_callbacks(execute=True):
        _recompute(workspace)
    buyer = Contact.objects.for_workspace(workspace).get(pk=scored_world["buyer"].pk)
    user = Contact.objects.for_workspace(workspace).get(pk=scored_world["user"].pk)
    assert buyer.score > user.score and buyer.engagement_score > 0
    assert buyer.lifecycle_stage == LifecycleStage.MQL
    assert buyer.lifecycle_transitions.get().reason.startswith("Contact score ≥ 50")
    assert user.score < 50 and user.lifecycle_stage == LifecycleStage.LEAD
    score = ContactScore.objects.for_workspace(workspace).get(contact=buyer)
    assert sum(r["points"] for r in score.reasons) == score.score == buyer.score
    snapshot = ScoreSnapshot.objects.for_workspace(workspace).get(account=scored_world["hot"])
    assert snapshot.contact_rollup == round((buyer.score + 0.5 * user.score) / 1.75)


def test_second_run_records_change_and_stage_moves_once(workspace, scored_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _recompute(workspace)
    assert StageChange.objects.for_workspace(workspace).filter(account=scored_world["hot"], to_stage="mqa").count() == 1
    for days in (0, 1):
        _event(scored_world["hot"], days, contact=scored_world["buyer"], minutes=30, channel="meetings", type="meeting",
               half_life=90)
    with django_capture_on_commit_callbacks(execute=True):
        _recompute(workspace)
    hot = Account.objects.for_workspace(workspace).get(pk=scored_world["hot"].pk)
    first, second = ScoreSnapshot.objects.for_workspace(workspace).filter(account=hot).order_by("computed_at")
    assert hot.score_change == second.score - first.score > 0
    assert StageChange.objects.for_workspace(workspace).filter(account=hot, to_stage="mqa").count() == 1


def test_crash_at_a_chunk_boundary_leaves_previous_scores_and_rerun_finishes(
        workspace, scored_world, monkeypatch, django_capture_on_commit_callbacks):
    for n in range(7):
        AccountFactory(workspace=workspace, name=f"Filler {n}", industry="Logistics", employees=300)
    monkeypatch.setattr(recompute_service, "CHUNK_SIZE", 3)
    with django_capture_on_commit_callbacks(execute=True):
        _recompute(workspace)
    before = dict(Account.objects.for_workspace(workspace).values_list("pk", "score"))
    first_run = current_run(workspace)
    # New engagement, then a run whose worker dies after two chunks.
    _event(scored_world["cold"], 0, minutes=80)
    real_compute, computed = recompute_service.chunk_compute, []

    def dying_compute(run, chunk):
        if len(computed) == 2:
            raise SystemExit("worker killed")
        computed.append(chunk.number)
        return real_compute(run, chunk)

    monkeypatch.setattr(recompute_service, "chunk_compute", dying_compute)
    with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True):
        _recompute(workspace)
    crashed = ScoringRun.objects.for_workspace(workspace).get(status=RunStatus.RUNNING)
    assert ScoringChunk.objects.for_workspace(workspace).filter(run=crashed, status=ChunkStatus.DONE).count() == 2
    assert current_run(workspace) == first_run, "the unfinished run is invisible"
    assert dict(Account.objects.for_workspace(workspace).values_list("pk", "score")) == before
    # The job is presumed dead; a new recompute resumes the same run and only computes the rest.
    from abm_platform.models import Job
    Job.objects.for_workspace(workspace).filter(status=JobStatus.RUNNING).update(status=JobStatus.FAILED)
    ScoringChunk.objects.for_workspace(workspace).filter(run=crashed, status=ChunkStatus.RUNNING).update(
        claimed_at=timezone.now() - timedelta(minutes=10))
    computed.clear()
    monkeypatch.setattr(recompute_service, "chunk_compute", lambda run, chunk: computed.append(chunk.number) or real_compute(run, chunk))
    with django_capture_on_commit_callbacks(execute=True):
        job = _recompute(workspace)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert crashed.chunks_total == 3 and computed == [2], "done chunks are kept, the dead one is retaken"
    crashed.refresh_from_db()
    assert crashed.status == RunStatus.FINISHED and current_run(workspace) == crashed
    assert ScoreSnapshot.objects.for_workspace(workspace).filter(run=crashed).count() == Account.objects.for_workspace(workspace).count()
    cold = Account.objects.for_workspace(workspace).get(pk=scored_world["cold"].pk)
    assert cold.score_change is not None and cold.scored_at == crashed.as_of


def test_a_chunk_computed_twice_keeps_one_row_per_account(workspace, scored_world):
    run = recompute_service.run_create_or_resume(workspace=workspace)
    chunk = ScoringChunk.objects.for_workspace(workspace).get(run=run)
    recompute_service.chunk_compute(run, chunk)
    recompute_service.chunk_compute(run, chunk)
    assert ScoreSnapshot.objects.for_workspace(workspace).filter(run=run).count() == 2


def test_chunk_claims_are_exclusive_until_stale(workspace, scored_world):
    run = recompute_service.run_create_or_resume(workspace=workspace)
    assert recompute_service.chunk_claim(run) is not None
    assert recompute_service.chunk_claim(run) is None
    ScoringChunk.objects.for_workspace(workspace).filter(run=run).update(claimed_at=timezone.now() - timedelta(minutes=6))
    retaken = recompute_service.chunk_claim(run)
    assert retaken is not None and ScoringChunk.objects.for_workspace(workspace).get(pk=retaken.pk).attempts == 2


def test_scores_do_not_cross_workspaces(workspace, other_workspace, scored_world, django_capture_on_commit_callbacks):
    foreign = AccountFactory(workspace=other_workspace, industry="Logistics", employees=1000)
    with django_capture_on_commit_callbacks(execute=True):
        _recompute(workspace)
    foreign.refresh_from_db()
    assert foreign.score is None
    assert not ScoreSnapshot.objects.for_workspace(other_workspace).exists()


def test_recompute_scores_command(workspace, scored_world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("recompute_scores", "--workspace", workspace.slug, "--train", stdout=out)
    assert "model: insufficient" in out.getvalue()
    assert "'accounts': 2" in out.getvalue()
    assert not Account.objects.for_workspace(workspace).filter(score__isnull=True).exists()


def test_recompute_workspace_task_is_what_the_signal_refresh_sends(workspace, scored_world, django_capture_on_commit_callbacks):
    from celery import current_app

    from abm_platform.models import Job
    with django_capture_on_commit_callbacks(execute=True):
        current_app.signature("scoring.recompute_workspace", kwargs={"workspace_id": workspace.pk,
                                                                     "reason": "refresh"}).delay()
    kinds = list(Job.objects.for_workspace(workspace).order_by("pk").values_list("kind", "status"))
    # No model trained yet: it trains first, and the training job starts the recompute.
    assert kinds == [("model_train", JobStatus.SUCCEEDED), ("score_recompute", JobStatus.SUCCEEDED)]
    assert current_run(workspace) is not None


def test_contact_page_shows_the_registered_score_panel(workspace, scored_world, admin, django_capture_on_commit_callbacks):
    from django.test import Client
    from django.urls import reverse

    with django_capture_on_commit_callbacks(execute=True):
        _recompute(workspace)
    buyer = Contact.objects.for_workspace(workspace).get(pk=scored_world["buyer"].pk)
    client = Client()
    client.force_login(admin)
    html = client.get(reverse("contacts:detail", kwargs={"pk": buyer.pk})).content.decode()
    assert "persona fit: C-level, decision maker" in html


def test_inputs_aggregate_the_events_as_the_definitions_say(workspace, scored_world):
    """The chunk's one aggregate statement (inputs.ACTIVITY_SQL) against the definitions written
    out in Python, event by event: decayed minutes 0.5^(age / half-life) over 365 days, events,
    distinct people and 90-day minutes per channel, 30-day high-value events, and each person's
    decayed minutes over 365 and 90 days. An erased person's events count for the account only."""
    from insights.signals.models import EngagementEvent
    from scoring.services.inputs import epoch_day, load_inputs

    hot, buyer, user = scored_world["hot"], scored_world["buyer"], scored_world["user"]
    _event(hot, 200, contact=user, minutes=3, channel="email", type="email_click", is_high_value=False)
    _event(hot, 5, contact=buyer, minutes=6, channel="forms", type="form_fill", is_high_value=True)
    _event(hot, 45, contact=buyer, minutes=7, channel="forms", type="form_fill", is_high_value=True)
    _event(hot, 100, contact=buyer, minutes=9, channel="web", half_life=30)
    _event(hot, 400, contact=buyer, minutes=50)   # older than 365 days: not counted
    erased = ContactFactory(workspace=workspace, account=hot, erased_at=timezone.now())
    _event(hot, 10, contact=erased, minutes=8)
    as_of = timezone.now()
    inputs = load_inputs(workspace.pk, first_id=hot.pk, last_id=hot.pk, as_of=as_of)[hot.pk]

    day = epoch_day(as_of)
    expected_channels, people, expected_people = {}, {}, {}
    minutes_90 = high_value_30 = 0
    for e in EngagementEvent.objects.for_workspace(workspace).filter(account=hot):
        age = day - e.occurred_day
        if not 0 <= age < 365:
            continue
        decayed = e.minutes * 0.5 ** (age / e.half_life_days)
        decayed_sum, events = expected_channels.get(e.channel, (0.0, 0))
        expected_channels[e.channel] = (decayed_sum + decayed, events + 1)
        if e.contact_id:
            people.setdefault(e.channel, set()).add(e.contact_id)
            d365, d90 = expected_people.get(e.contact_id, (0.0, 0.0))
            expected_people[e.contact_id] = (d365 + decayed, d90 + (decayed if age < 90 else 0.0))
        minutes_90 += e.minutes if age < 90 else 0
        high_value_30 += 1 if age < 30 and e.is_high_value else 0

    assert set(inputs.channels) == set(expected_channels) == {"web", "events", "email", "forms"}
    for channel, (decayed_sum, events) in expected_channels.items():
        got = inputs.channels[channel]
        assert got.decayed_minutes == pytest.approx(decayed_sum)
        assert (got.events, got.people) == (events, len(people.get(channel, ())))
    assert inputs.channels["web"].people == 2   # the buyer and the erased person; anonymous visits are no one
    assert inputs.minutes_90 == pytest.approx(minutes_90)
    assert inputs.high_value_30 == high_value_30 == 1 and inputs.any_engagement_90
    got_people = {p.contact_id: (p.decayed_365, p.decayed_90) for p in inputs.people}
    assert set(got_people) == {buyer.pk, user.pk}   # the erased person is not scored
    for contact_id, (d365, d90) in got_people.items():
        assert (d365, d90) == pytest.approx(expected_people[contact_id])
    assert got_people[buyer.pk][0] > got_people[buyer.pk][1] > 0   # the 100-day-old visit counts for 365 only


def test_unchanged_contact_scores_are_not_rewritten_and_each_contact_keeps_one_row(
        workspace, scored_world, django_capture_on_commit_callbacks):
    quiet = ContactFactory(workspace=workspace, account=scored_world["cold"], seniority="manager")
    with django_capture_on_commit_callbacks(execute=True):
        _recompute(workspace)
    first = current_run(workspace)
    assert ContactScore.objects.for_workspace(workspace).filter(run=first).count() == 3
    # Only the buyer does something new: only the buyer's score row is rewritten.
    _event(scored_world["hot"], 0, contact=scored_world["buyer"], minutes=60, channel="meetings", type="meeting",
           half_life=90)
    with django_capture_on_commit_callbacks(execute=True):
        _recompute(workspace)
    second = current_run(workspace)
    assert second != first
    rewritten = ContactScore.objects.for_workspace(workspace).filter(run=second)
    assert list(rewritten.values_list("contact_id", flat=True)) == [scored_world["buyer"].pk]
    current = dict(ContactScore.objects.for_workspace(workspace).values_list("contact_id", "run_id"))
    assert current == {scored_world["buyer"].pk: second.pk, scored_world["user"].pk: first.pk, quiet.pk: first.pk}
    buyer = Contact.objects.for_workspace(workspace).get(pk=scored_world["buyer"].pk)
    assert buyer.engagement_score == rewritten.get().engagement
    # The API lists each contact once, with its current score and reasons.
    from scoring.selectors import contact_scores
    listed = list(contact_scores(workspace=workspace))
    assert sorted(s.contact_id for s in listed) == sorted(current)
    assert all(s.reasons and sum(r["points"] for r in s.reasons) == s.score for s in listed)


def test_an_erased_contact_loses_its_score_row(workspace, scored_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _recompute(workspace)
    Contact.objects.for_workspace(workspace).filter(pk=scored_world["user"].pk).update(erased_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        _recompute(workspace)
    assert not ContactScore.objects.for_workspace(workspace).filter(contact=scored_world["user"]).exists()
    assert ContactScore.objects.for_workspace(workspace).filter(contact=scored_world["buyer"]).count() == 1
