"""Touches no rule can stop are written in SQL (campaigns/services/clear_touches.py); every other
touch goes through the suppression engine. Planning must come out exactly as if the engine had
decided every touch: each random scenario below is planned both ways from the same database
state and every touch row and every enrolment are compared.

The scenarios mix what the rules look at — opt-outs per channel, erased people, excluded and
customer accounts, open deals and holds with and without the owner's consent, recent touches
near the caps (a tight account cap too), people in and out of their send window (own zone,
country zone, invalid zone, the default), rival plays of higher and lower priority, a sales-task
step and a letter step in the same batch, existing rows for a key — so both kinds of touches
occur in every batch."""
import random
from collections import Counter
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.db import connection, transaction

from accounts.models import Relationship
from campaigns.models import Enrolment, ExitGoal, FrequencySettings, Touch, TouchStatus
from campaigns.services import clear_touches, planning
from campaigns.services.enrolment import play_enrol
from campaigns.services.planning import plan_due
from contacts.models import Contact
from tests.factories import (
    AccountFactory, CampaignFactory, ContactFactory, EnrolmentFactory, HoldFactory, OpportunityFactory,
    OwnerConsentFactory, PlayFactory, StepFactory, TouchFactory,
)

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the SQL path runs on PostgreSQL only")]

# 07:30 UTC: 08:30 in Berlin and 16:30 in Tokyo (open); 02:30 in New York, 23:30 in Los Angeles (closed).
NOW = datetime(2026, 11, 24, 7, 30, tzinfo=dt_timezone.utc)
ZONES = ["Europe/Berlin", "Asia/Tokyo", "America/New_York", "Not/AZone"] + [""] * 6
# 'ß' upper-cases to 'SS' (South Sudan) in Python but not in PostgreSQL: such a person goes to the engine.
COUNTRIES = ["DE"] * 4 + ["JP", "US", "GB", "", "XX", "de", "ß"]
ROLES = ["decision_maker", "economic_buyer", "influencer", "user"]
CONSENT = ["opted_in", "unknown", "unknown", "unknown", "unknown", "opted_out"]


def build(workspace, owner, seed: int):
    rng = random.Random(seed)
    FrequencySettings.objects.for_workspace(workspace).update_or_create(
        defaults={"touches_per_account_7_days": rng.choice([3, 10, 10]), "default_timezone": rng.choice(
            ["Europe/Berlin", "Europe/Berlin", "America/New_York"])})
    accounts = []
    for n in range(18):
        account = AccountFactory(
            workspace=workspace, name=f"Account {seed}-{n}",
            relationship=rng.choice([Relationship.PROSPECT] * 8 + [Relationship.CUSTOMER, Relationship.COMPETITOR]),
            journey_stage=rng.choice(["target"] * 8 + ["customer"]),
            street="1 Main St" if rng.random() < 0.7 else "", postal_code="10115", city="Berlin", country="DE")
        for _ in range(rng.randint(0, 4)):
            ContactFactory(workspace=workspace, account=account, roles=rng.sample(ROLES, rng.randint(0, 2)),
                           seniority=rng.choice(["c_level", "vp", "manager", ""]), time_zone=rng.choice(ZONES),
                           country=rng.choice(COUNTRIES), consent_email=rng.choice(CONSENT),
                           consent_ads=rng.choice(CONSENT), consent_phone=rng.choice(CONSENT),
                           erased_at=NOW - timedelta(days=3) if rng.random() < 0.08 else None)
        if rng.random() < 0.15:
            OpportunityFactory(workspace=workspace, account=account, is_open=True)
        if rng.random() < 0.12:
            HoldFactory(workspace=workspace, account=account)
        accounts.append(account)
    main_campaign = CampaignFactory(workspace=workspace, owner=owner, status="active",
                                    acquisition_only=rng.random() < 0.5)
    main_campaign.accounts.set(accounts)
    plays = []
    for priority, channel in ((3, "email"), (4, "ad_audience"), (2, "sales_task"), (5, "direct_mail"),
                              (6, "event_invite")):
        play = PlayFactory(workspace=workspace, campaign=main_campaign, priority=priority, exit_goal=ExitGoal.NONE)
        StepFactory(workspace=workspace, play=play, order=1, channel=channel,
                    audience_filter=rng.choice([{}, {"roles": ["decision_maker", "economic_buyer"]},
                                                {"seniorities": ["c_level", "vp"]}]))
        StepFactory(workspace=workspace, play=play, order=2, channel="email", delay_hours=48)
        plays.append(play)
        play_enrol(play=play, account_ids=[a.pk for a in accounts if rng.random() < 0.3], reason="test")
    rival = PlayFactory(workspace=workspace, campaign=CampaignFactory(workspace=workspace, owner=owner,
                                                                      status="active"), priority=1)
    for account in accounts:
        if rng.random() < 0.15:
            EnrolmentFactory(workspace=workspace, play=rival, account=account, next_step_at=NOW + timedelta(days=30))
        if rng.random() < 0.2:
            OwnerConsentFactory(workspace=workspace, play=rng.choice(plays), account=account, given_by=owner,
                                expires_at=NOW + timedelta(days=rng.choice([-1, 10])))
    contacts = list(Contact.objects.for_workspace(workspace).order_by("pk"))
    past = Enrolment.objects.for_workspace(workspace).filter(play=plays[0]).first()
    for n, person in enumerate(rng.sample(contacts, len(contacts) // 6)):
        TouchFactory(workspace=workspace, enrolment=past, step=past.play.steps.get(order=2), account_id=person.account_id,
                     contact=person, key=f"history-{seed}-{n}", status=rng.choice([TouchStatus.SENT, TouchStatus.PLANNED,
                                                                                  TouchStatus.BLOCKED]),
                     channel=rng.choice(["email", "ad_audience", "sales_task"]),
                     planned_at=NOW + timedelta(hours=rng.uniform(-9 * 24, 9 * 24)))
    # In every scenario, one touch no rule holds back and one only quiet hours hold back.
    for name, zone in (("Day", "Asia/Tokyo"), ("Night", "America/New_York")):
        plain = AccountFactory(workspace=workspace, name=f"{name} {seed}", relationship=Relationship.PROSPECT,
                               journey_stage="target")
        ContactFactory(workspace=workspace, account=plain, roles=["decision_maker"], seniority="c_level",
                       time_zone=zone, consent_email="opted_in")
        main_campaign.accounts.add(plain)
        play_enrol(play=plays[0], account_ids=[plain.pk], reason="test")
    Enrolment.objects.for_workspace(workspace).filter(play__in=plays).update(next_step_at=NOW - timedelta(minutes=5))


def outcome(workspace, counts) -> dict:
    touches = sorted(Touch.objects.for_workspace(workspace).exclude(key__startswith="history-").values_list(
        "key", "status", "block_rule", "block_code", "block_reason", "planned_at", "attempts", "channel",
        "contact_id", "account_id", "is_operational"))
    enrolments = sorted(Enrolment.objects.for_workspace(workspace).values_list(
        "pk", "status", "next_step_order", "next_step_at", "end_reason"))
    return {"touches": touches, "enrolments": enrolments, "counts": counts}


def plan_both_ways(workspace, monkeypatch) -> tuple[dict, dict, Counter]:
    written = []
    original = clear_touches.write

    def counting_write(*args, **kwargs):
        written.append(original(*args, **kwargs))
        return written[-1]

    monkeypatch.setattr(clear_touches, "write", counting_write)
    results = {}
    for enabled in (False, True):
        monkeypatch.setattr(clear_touches, "ENABLED", enabled)
        with transaction.atomic():
            counts = plan_due(workspace_id=workspace.pk, now=NOW)
            counts_later = plan_due(workspace_id=workspace.pk, now=NOW + timedelta(days=2, hours=1))
            results[enabled] = outcome(workspace, [counts, counts_later])
            transaction.set_rollback(True)
    return results[False], results[True], sum(map(Counter, written), Counter())


@pytest.mark.parametrize("seed", range(6))
def test_planning_with_clear_touches_in_sql_equals_the_engine_alone(workspace, admin, monkeypatch, seed):
    build(workspace, admin, seed)
    engine_only, with_sql, written_in_sql = plan_both_ways(workspace, monkeypatch)
    assert written_in_sql[TouchStatus.PLANNED] > 0, "the scenario has touches no rule stops: the SQL path takes some"
    assert written_in_sql[TouchStatus.DEFERRED] > 0, "… and touches only quiet hours defer"
    statuses = {status for _, status, *_ in with_sql["touches"]}
    assert {TouchStatus.PLANNED, TouchStatus.BLOCKED} <= statuses, statuses
    assert len(with_sql["touches"]) > written_in_sql.total(), "the engine decided the rest"
    assert with_sql["touches"] == engine_only["touches"]
    assert with_sql["enrolments"] == engine_only["enrolments"]
    assert with_sql["counts"] == engine_only["counts"]


def test_rules_send_touches_to_the_engine_and_quiet_hours_defer_in_sql(workspace, admin, monkeypatch):
    """An opted-out person and one with two e-mails this week are left to the engine (blocked with
    its reason); a clear one is written in SQL as planned now, and one in a closed zone as deferred
    to their window start with the engine's reason."""
    FrequencySettings.objects.for_workspace(workspace).update_or_create(defaults={"default_timezone": "UTC"})
    account = AccountFactory(workspace=workspace)
    clear = ContactFactory(workspace=workspace, account=account, time_zone="Europe/Berlin")
    night = ContactFactory(workspace=workspace, account=account, time_zone="America/Los_Angeles")
    out = ContactFactory(workspace=workspace, account=account, time_zone="Europe/Berlin", consent_email="opted_out")
    busy = ContactFactory(workspace=workspace, account=account, time_zone="Europe/Berlin")
    campaign = CampaignFactory(workspace=workspace, owner=admin, status="active")
    play = PlayFactory(workspace=workspace, campaign=campaign, exit_goal=ExitGoal.NONE)
    step = StepFactory(workspace=workspace, play=play, order=1, channel="email")
    campaign.accounts.set([account])
    play_enrol(play=play, account_ids=[account.pk], reason="test")
    enrolment = Enrolment.objects.for_workspace(workspace).get(play=play)
    for days in (1, 3):      # two e-mails in the last 7 days: the 7-day e-mail cap (2) is reached
        TouchFactory(workspace=workspace, enrolment=enrolment, step=step, account=account, contact=busy,
                     key=f"history-{days}", status=TouchStatus.SENT, planned_at=NOW - timedelta(days=days))
    Enrolment.objects.for_workspace(workspace).update(next_step_at=NOW)
    staged = []
    original = clear_touches.stage
    monkeypatch.setattr(clear_touches, "stage", lambda *a, **k: staged.append(original(*a, **k)) or staged[-1])

    plan_due(workspace_id=workspace.pk, now=NOW)

    assert staged[0].clear == 2 and {c for _, _, c in staged[0].unclear} == {out.pk, busy.pk}
    rows = {t.contact_id: t for t in Touch.objects.for_workspace(workspace).exclude(key__startswith="history-")}
    assert (rows[clear.pk].status, rows[clear.pk].planned_at) == (TouchStatus.PLANNED, NOW)
    # 07:30 UTC is 23:30 in Los Angeles: deferred to 08:00 there, 16:00 UTC.
    assert (rows[night.pk].status, rows[night.pk].block_code, rows[night.pk].planned_at) == (
        TouchStatus.DEFERRED, "quiet_hours", datetime(2026, 11, 24, 16, 0, tzinfo=dt_timezone.utc))
    assert rows[night.pk].block_reason == ("outside the send window 08:00–18:00 in America/Los_Angeles; "
                                           "deferred to 2026-11-24 08:00 local time")
    assert rows[out.pk].block_code == "opted_out" and "opted out of e-mail" in rows[out.pk].block_reason
    assert rows[busy.pk].block_code == "frequency_cap"
    assert planning.touch_key(enrolment.pk, step.pk, clear.pk) == rows[clear.pk].key


def test_a_country_python_and_postgresql_upper_case_differently_is_left_to_the_engine(workspace, admin, monkeypatch):
    """'ß'.upper() is 'SS' (South Sudan, Africa/Juba: 09:30, open) in Python, the engine's reading,
    but stays 'ß' in PostgreSQL, which would fall back to the default zone (New York: closed) and
    defer the touch the engine plans now."""
    FrequencySettings.objects.for_workspace(workspace).update_or_create(
        defaults={"default_timezone": "America/New_York"})
    account = AccountFactory(workspace=workspace, relationship=Relationship.PROSPECT, journey_stage="target")
    person = ContactFactory(workspace=workspace, account=account, time_zone="", country="ß", consent_email="opted_in")
    campaign = CampaignFactory(workspace=workspace, owner=admin, status="active")
    campaign.accounts.set([account])
    play = PlayFactory(workspace=workspace, campaign=campaign, exit_goal=ExitGoal.NONE)
    StepFactory(workspace=workspace, play=play, order=1, channel="email")
    play_enrol(play=play, account_ids=[account.pk], reason="test")
    Enrolment.objects.for_workspace(workspace).update(next_step_at=NOW - timedelta(minutes=5))

    engine_only, with_sql, _ = plan_both_ways(workspace, monkeypatch)

    assert with_sql["touches"] == engine_only["touches"]
    (touch,) = with_sql["touches"]
    assert (touch[1], touch[5], touch[8]) == (TouchStatus.PLANNED, NOW, person.pk)
