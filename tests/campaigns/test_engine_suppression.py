"""The suppression engine (DOMAIN.md §7.4): every rule, their order, the caps across channels,
days, time zones and batches, quiet hours across DST. Pure: no database."""
import random
import time as clock
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

import pytest

from campaigns.engine.suppression import (
    BLOCK, DEFER, SEND, AccountState, Caps, Context, Decision, Enrolment, OwnerConsent, PastTouch, Person, Policy,
    Touch, check, check_batch,
)

UTC = timezone.utc
# Monday 2026-05-04 10:00 UTC = 12:00 in Berlin (CEST), inside the send window.
NOON_BERLIN = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def a_person(**overrides):
    values = {"contact_id": 1, "name": "Anna Weber", "timezone": "Europe/Berlin"}
    return Person(**{**values, **overrides})


def an_account(**overrides):
    return AccountState(**{"account_id": 10, "name": "Acme GmbH", **overrides})


def a_touch(**overrides):
    values = {"channel": "email", "kind": "marketing", "planned_at": NOON_BERLIN, "account_id": 10, "contact_id": 1,
              "play_id": 7, "play_priority": 1, "play_name": "Warehouse automation"}
    values.update(overrides)
    if values["channel"] == "sales_task":
        values.setdefault("task_type", "call")
        values["kind"] = "sales"
    return Touch(**values)


def past(at, channel="email", kind="marketing", contact_id=1, account_id=10, task_type=None):
    return PastTouch(channel=channel, kind=kind, at=at, contact_id=contact_id, account_id=account_id,
                     task_type=task_type)


def decide(touch=None, *, person=None, account=None, recent=(), policy=None):
    touch = touch or a_touch()
    if person is None and touch.contact_id is not None:
        person = a_person(contact_id=touch.contact_id)
    context = Context(account=account or an_account(), person=person, recent_touches=tuple(recent),
                      policy=policy or Policy())
    return check(touch, context)


# --- the plain case ----------------------------------------------------------------------------

def test_a_touch_that_breaks_no_rule_is_sent():
    decision = decide()
    assert decision == Decision(action=SEND) and decision.allowed and decision.rule is None


# --- rule 1: the person ------------------------------------------------------------------------

@pytest.mark.parametrize("channel,task_type,consent", [
    ("email", None, "email"), ("event_invite", None, "email"), ("webinar_invite", None, "email"),
    ("ad_audience", None, "ads"), ("direct_mail", None, "direct_mail"),
    ("sales_task", "call", "phone"), ("sales_task", "email", "email"),
])
def test_an_opt_out_of_the_touchs_consent_channel_blocks_it(channel, task_type, consent):
    touch = a_touch(channel=channel, task_type=task_type)

    blocked = decide(touch, person=a_person(consent={consent: "opted_out"}))
    others = decide(touch, person=a_person(consent={c: "opted_out" for c in {"email", "phone", "ads", "direct_mail"}
                                                    - {consent}}))

    assert (blocked.action, blocked.rule, blocked.code) == (BLOCK, 1, "opted_out")
    assert blocked.detail["channel"] == consent
    assert others.action != BLOCK


def test_the_reason_names_the_person_the_channel_and_the_day():
    person = a_person(consent={"email": "opted_out"}, consent_changed_on={"email": date(2026, 10, 2)})

    assert decide(person=person).reason == "Anna Weber opted out of e-mail on 2026-10-02"


@pytest.mark.parametrize("status", ["opted_in", "unknown"])
def test_consent_that_is_not_an_opt_out_does_not_block(status):
    assert decide(person=a_person(consent={"email": status})).allowed


def test_a_linkedin_touch_needs_no_consent():
    everything_out = {c: "opted_out" for c in ("email", "phone", "ads", "direct_mail")}

    assert decide(a_touch(channel="sales_task", task_type="linkedin"), person=a_person(consent=everything_out)).allowed


def test_unsubscribed_from_all_blocks_every_channel():
    touch = a_touch(channel="ad_audience")

    decision = decide(touch, person=a_person(unsubscribed=True))

    assert (decision.rule, decision.code) == (1, "opted_out")


def test_a_bounced_address_blocks_e_mail_even_operational_but_not_a_call():
    person = a_person(bounced=True, bounced_on=date(2026, 4, 30))

    marketing = decide(person=person)
    operational = decide(a_touch(kind="operational", play_id=None), person=person)
    call = decide(a_touch(channel="sales_task", task_type="call"), person=person)

    assert (marketing.code, operational.code) == ("bounced", "bounced")
    assert marketing.reason == "Anna Weber's e-mail address bounced on 2026-04-30"
    assert call.allowed


@pytest.mark.parametrize("touch", [
    a_touch(), a_touch(kind="operational"), a_touch(channel="sales_task", task_type="linkedin"),
    a_touch(channel="webhook"),
])
def test_a_legal_hold_blocks_everything(touch):
    decision = decide(touch, person=a_person(legal_hold=True))

    assert (decision.action, decision.rule, decision.code) == (BLOCK, 1, "legal_hold")


def test_operational_messages_ignore_opt_outs():
    decision = decide(a_touch(kind="operational"), person=a_person(consent={"email": "opted_out"}, unsubscribed=True))

    assert decision.allowed


# --- rule 2: excluded accounts -----------------------------------------------------------------

@pytest.mark.parametrize("exclusion", ["competitor", "partner", "vendor", "disqualified"])
def test_excluded_accounts_are_blocked(exclusion):
    decision = decide(account=an_account(exclusion=exclusion))

    assert (decision.action, decision.rule, decision.code) == (BLOCK, 2, "excluded_account")
    assert exclusion in decision.reason and "Acme GmbH" in decision.reason


def test_operational_messages_reach_excluded_accounts():
    assert decide(a_touch(kind="operational"), account=an_account(exclusion="competitor")).allowed


# --- rule 3: sales is active -------------------------------------------------------------------

def consent_for(play_id=7, account_id=10, expires_at=NOON_BERLIN + timedelta(days=30)):
    return OwnerConsent(play_id=play_id, account_id=account_id, expires_at=expires_at, given_by="Sam Rivera")


@pytest.mark.parametrize("state", [{"open_opportunity": True}, {"sales_hold": True},
                                   {"sales_hold": True, "sales_hold_until": NOON_BERLIN + timedelta(days=1)}])
def test_an_open_opportunity_or_a_hold_blocks_marketing(state):
    decision = decide(account=an_account(**state))

    assert (decision.action, decision.rule, decision.code) == (BLOCK, 3, "sales_active")
    assert decision.reason.endswith("the owner has not approved this play")


def test_a_hold_that_ended_before_the_touch_does_not_block():
    account = an_account(sales_hold=True, sales_hold_until=NOON_BERLIN - timedelta(minutes=1))

    assert decide(account=account).allowed


def test_the_owners_valid_approval_for_this_play_and_account_lets_it_through():
    account = an_account(open_opportunity=True, sales_hold=True, owner_consents=(consent_for(),))

    assert decide(account=account).allowed


def test_an_expired_approval_does_not_count():
    expired = consent_for(expires_at=datetime(2026, 5, 1, tzinfo=UTC))
    account = an_account(open_opportunity=True, owner_consents=(expired,))

    decision = decide(account=account)

    assert (decision.rule, decision.code) == (3, "sales_active")
    assert "expired on 2026-05-01" in decision.reason


def test_an_approval_that_expires_before_the_planned_time_does_not_count():
    account = an_account(open_opportunity=True, owner_consents=(consent_for(expires_at=NOON_BERLIN),))

    assert decide(account=account).code == "sales_active"
    assert decide(a_touch(planned_at=NOON_BERLIN - timedelta(hours=1)), account=account).allowed


@pytest.mark.parametrize("approval", [consent_for(play_id=8), consent_for(account_id=11)])
def test_an_approval_for_another_play_or_account_does_not_count(approval):
    assert decide(account=an_account(open_opportunity=True, owner_consents=(approval,))).code == "sales_active"


def test_a_plays_sales_task_is_blocked_by_an_open_deal_too():
    assert decide(a_touch(channel="sales_task"), account=an_account(open_opportunity=True)).code == "sales_active"


def test_operational_messages_are_never_blocked_by_an_open_deal():
    assert decide(a_touch(kind="operational"), account=an_account(open_opportunity=True, sales_hold=True)).allowed


# --- rule 4: customers -------------------------------------------------------------------------

def test_customers_are_blocked_from_acquisition_only_plays():
    decision = decide(a_touch(acquisition_only=True), account=an_account(customer=True))

    assert (decision.action, decision.rule, decision.code) == (BLOCK, 4, "customer")


@pytest.mark.parametrize("customer,acquisition_only", [(True, False), (False, True)])
def test_customers_get_other_plays_and_prospects_get_acquisition(customer, acquisition_only):
    assert decide(a_touch(acquisition_only=acquisition_only), account=an_account(customer=customer)).allowed


# --- rule 5: frequency caps --------------------------------------------------------------------

def test_one_marketing_email_per_calendar_day():
    decision = decide(recent=[past(NOON_BERLIN - timedelta(hours=3))])

    assert (decision.action, decision.rule, decision.code) == (BLOCK, 5, "frequency_cap")
    assert decision.detail == {"cap": "email_per_day", "limit": 1, "count": 1}
    assert "2026-05-04" in decision.reason


def test_two_emails_per_rolling_7_days():
    recent = [past(NOON_BERLIN - timedelta(days=2)), past(NOON_BERLIN - timedelta(days=6, hours=23))]

    decision = decide(recent=recent)

    assert decision.detail["cap"] == "email_per_7_days" and decision.detail["count"] == 2


def test_an_email_exactly_7_days_ago_has_left_the_window():
    recent = [past(NOON_BERLIN - timedelta(days=2)), past(NOON_BERLIN - timedelta(days=7))]

    assert decide(recent=recent).allowed


def test_the_calendar_day_is_the_persons_own_day():
    # 23:30 UTC on 4 May is 08:30 on 5 May in Tokyo but 16:30 on 4 May in Los Angeles.
    sent = past(datetime(2026, 5, 4, 23, 30, tzinfo=UTC))
    tokyo_morning = a_touch(planned_at=datetime(2026, 5, 5, 1, 0, tzinfo=UTC))      # 10:00 JST, 5 May
    la_next_morning = a_touch(planned_at=datetime(2026, 5, 5, 16, 0, tzinfo=UTC))   # 09:00 PDT, 5 May

    tokyo = decide(tokyo_morning, person=a_person(timezone="Asia/Tokyo"), recent=[sent])
    los_angeles = decide(la_next_morning, person=a_person(timezone="America/Los_Angeles"), recent=[sent])

    assert tokyo.detail["cap"] == "email_per_day"
    assert los_angeles.allowed


def test_touches_of_every_channel_count_toward_the_contact_cap():
    recent = [past(NOON_BERLIN - timedelta(days=1), channel="direct_mail"),
              past(NOON_BERLIN - timedelta(days=2), channel="ad_audience"),
              past(NOON_BERLIN - timedelta(days=3), channel="sales_task", kind="sales", task_type="call")]

    decision = decide(a_touch(channel="direct_mail"), recent=recent)

    assert decision.detail == {"cap": "contact_per_7_days", "limit": 3, "count": 3}


def test_sales_tasks_count_toward_the_contact_caps_and_sales_emails_toward_the_email_caps():
    recent = [past(NOON_BERLIN - timedelta(hours=2), channel="sales_task", kind="sales", task_type="email")]

    assert decide(recent=recent).detail["cap"] == "email_per_day"


def test_webhooks_and_web_personalisation_are_not_counted():
    recent = [past(NOON_BERLIN - timedelta(hours=h), channel=c)
              for h in (1, 2) for c in ("webhook", "web_personalisation")]

    assert decide(a_touch(channel="direct_mail"), recent=recent * 3).allowed


def test_ten_touches_per_account_per_rolling_7_days():
    others = [past(NOON_BERLIN - timedelta(hours=10 * i), channel="direct_mail", contact_id=100 + i) for i in range(10)]

    contact_touch = decide(a_touch(channel="direct_mail"), recent=others)
    account_touch = decide(a_touch(channel="ad_audience", contact_id=None), recent=others)
    nine = decide(a_touch(channel="direct_mail"), recent=others[:9])

    assert contact_touch.detail == {"cap": "account_per_7_days", "limit": 10, "count": 10}
    assert account_touch.detail["cap"] == "account_per_7_days"
    assert nine.allowed


def test_operational_messages_are_exempt_but_counted():
    recent = [past(NOON_BERLIN - timedelta(hours=2), kind="operational")]
    full = [past(NOON_BERLIN - timedelta(hours=h)) for h in (1, 30)]

    assert decide(recent=recent).detail["cap"] == "email_per_day"
    assert decide(a_touch(kind="operational"), recent=full).allowed


def test_workspace_caps_replace_the_defaults():
    recent = [past(NOON_BERLIN - timedelta(hours=2))]

    assert decide(recent=recent, policy=Policy(caps=Caps(email_per_day=2, email_per_7_days=5))).allowed
    assert decide(recent=recent, policy=Policy(caps=Caps(email_per_day=None))).allowed
    assert decide(recent=[], policy=Policy(caps=Caps(contact_per_7_days=0))).detail["cap"] == "contact_per_7_days"


# --- the batch ---------------------------------------------------------------------------------

def batch(touches, people=None, accounts=None, recent=(), policy=None):
    people = people or {t.contact_id: a_person(contact_id=t.contact_id) for t in touches if t.contact_id is not None}
    accounts = accounts or {t.account_id: an_account(account_id=t.account_id) for t in touches}
    return check_batch(touches, people=people, accounts=accounts, recent_touches=recent, policy=policy)


def test_the_second_email_of_the_day_in_the_same_batch_is_capped():
    first, second = a_touch(), a_touch(planned_at=NOON_BERLIN + timedelta(hours=2))

    decisions = batch([first, second])

    assert [d.action for d in decisions] == [SEND, BLOCK]
    assert decisions[1].detail["cap"] == "email_per_day"


def test_a_blocked_touch_does_not_use_up_a_cap():
    opted_out = a_person(contact_id=1, consent={"ads": "opted_out"})
    touches = [a_touch(channel="ad_audience"),
               a_touch(channel="ad_audience", planned_at=NOON_BERLIN + timedelta(hours=1)),
               a_touch(channel="direct_mail"),
               a_touch(channel="direct_mail", planned_at=NOON_BERLIN + timedelta(days=1)),
               a_touch(channel="sales_task", planned_at=NOON_BERLIN + timedelta(days=2))]

    decisions = batch(touches, people={1: opted_out})

    assert [d.code for d in decisions] == ["opted_out", "opted_out", None, None, None]


def test_caps_count_across_channels_in_a_batch():
    touches = [a_touch(channel="email"), a_touch(channel="direct_mail"), a_touch(channel="sales_task"),
               a_touch(channel="ad_audience")]

    decisions = batch(touches)

    assert [d.action for d in decisions] == [SEND, SEND, SEND, BLOCK]
    assert decisions[3].detail["cap"] == "contact_per_7_days"


def test_people_do_not_share_their_caps_but_the_account_does():
    touches = [a_touch(contact_id=c, channel="direct_mail") for c in range(12)]

    decisions = batch(touches)

    assert [d.action for d in decisions] == [SEND] * 10 + [BLOCK] * 2
    assert {d.detail["cap"] for d in decisions[10:]} == {"account_per_7_days"}


def test_an_operational_message_in_the_batch_counts_for_the_touches_after_it():
    decisions = batch([a_touch(kind="operational", play_id=None), a_touch(planned_at=NOON_BERLIN + timedelta(hours=1))])

    assert [d.action for d in decisions] == [SEND, BLOCK]


def test_windows_that_reach_into_later_planned_touches_are_respected():
    # Friday, Thursday and Wednesday are allowed first; Monday would make four in Mon–Fri.
    days = [NOON_BERLIN + timedelta(days=d) for d in (4, 3, 2, 0)]
    touches = [a_touch(channel="direct_mail", planned_at=at) for at in days]

    decisions = batch(touches)

    assert [d.action for d in decisions] == [SEND, SEND, SEND, BLOCK]
    assert decisions[3].detail == {"cap": "contact_per_7_days", "limit": 3, "count": 3}
    assert batch([touches[0], touches[1], a_touch(channel="direct_mail", planned_at=NOON_BERLIN - timedelta(days=3)),
                  touches[3]])[2].allowed  # Friday (−3 d) is 7 days before Friday (+4 d)


def test_a_random_batch_never_breaks_a_cap_in_any_window():
    rng = random.Random(20260504)
    zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", None]
    people = {c: a_person(contact_id=c, timezone=zones[c % len(zones)]) for c in range(40)}
    accounts = {a: an_account(account_id=a) for a in range(20)}
    channels = ["email", "email", "email", "ad_audience", "direct_mail", "sales_task", "event_invite"]
    touches = []
    for _ in range(2500):
        c = rng.randrange(40)
        channel = rng.choice(channels)
        touches.append(a_touch(contact_id=c, account_id=c % 20, channel=channel,
                               task_type=rng.choice(["call", "email", "linkedin"]) if channel == "sales_task" else None,
                               planned_at=NOON_BERLIN + timedelta(minutes=rng.randrange(21 * 24 * 60))))

    decisions = check_batch(touches, people=people, accounts=accounts)

    counted = defaultdict(list)
    for touch, decision in zip(touches, decisions):
        if decision.action == BLOCK:
            continue
        at = decision.until or touch.planned_at
        is_email = touch.channel in ("email", "event_invite") or touch.task_type == "email"
        counted[("account", touch.account_id)].append(at)
        counted[("contact", touch.contact_id)].append(at)
        if is_email:
            counted[("email", touch.contact_id)].append(at)
            zone = people[touch.contact_id].timezone or "UTC"
            counted[("day", touch.contact_id, at.astimezone(_zone(zone)).date())].append(at)
    limits = {"account": 10, "contact": 3, "email": 2, "day": 1}
    for key, times in counted.items():
        for end in times:
            in_window = [t for t in times if end - timedelta(days=7) < t <= end] if key[0] != "day" else times
            assert len(in_window) <= limits[key[0]], key
    assert sum(d.action != BLOCK for d in decisions) > 150 and sum(d.code == "frequency_cap" for d in decisions) > 1000


def _zone(name):
    from zoneinfo import ZoneInfo
    return ZoneInfo(name)


def test_a_batch_of_100k_touches_takes_seconds_not_minutes():
    rng = random.Random(7)
    people = {c: a_person(contact_id=c, timezone=("Europe/Berlin", "America/Chicago", "Asia/Kolkata")[c % 3])
              for c in range(25_000)}
    accounts = {a: an_account(account_id=a) for a in range(2_500)}
    history = [past(NOON_BERLIN - timedelta(hours=rng.randrange(1, 160)), contact_id=c, account_id=c % 2_500)
               for c in range(0, 25_000, 2)]
    touches = []
    for _ in range(100_000):
        c = rng.randrange(25_000)
        touches.append(a_touch(contact_id=c, account_id=c % 2_500, channel=rng.choice(("email", "direct_mail")),
                               planned_at=NOON_BERLIN + timedelta(minutes=rng.randrange(5 * 24 * 60))))

    started = clock.perf_counter()
    decisions = check_batch(touches, people=people, accounts=accounts, recent_touches=history)
    elapsed = clock.perf_counter() - started

    assert len(decisions) == 100_000
    assert elapsed < 30, f"100k checks took {elapsed:.1f} s"


# --- rule 6: quiet hours -----------------------------------------------------------------------

@pytest.mark.parametrize("zone,planned,until", [
    # Berlin, summer (UTC+2): 07:00 local → 08:00 the same day; 19:00 local → 08:00 the next day.
    ("Europe/Berlin", datetime(2026, 5, 4, 5, 0), datetime(2026, 5, 4, 6, 0)),
    ("Europe/Berlin", datetime(2026, 5, 4, 17, 0), datetime(2026, 5, 5, 6, 0)),
    # New York (UTC−4): 06:00 local → 08:00 = 12:00 UTC.
    ("America/New_York", datetime(2026, 5, 4, 10, 0), datetime(2026, 5, 4, 12, 0)),
    # Tokyo (UTC+9): 19:00 local on 4 May → 08:00 on 5 May = 23:00 UTC on 4 May.
    ("Asia/Tokyo", datetime(2026, 5, 4, 10, 0), datetime(2026, 5, 4, 23, 0)),
    # Berlin, the night clocks go forward: 21:00 CET → 08:00 CEST = 06:00 UTC, not 07:00.
    ("Europe/Berlin", datetime(2026, 3, 28, 20, 0), datetime(2026, 3, 29, 6, 0)),
    # New York, the night clocks go back: 22:00 EDT on 31 Oct → 08:00 EST = 13:00 UTC, not 12:00.
    ("America/New_York", datetime(2026, 11, 1, 2, 0), datetime(2026, 11, 1, 13, 0)),
])
def test_outside_the_send_window_an_email_is_deferred_to_the_next_local_08_00(zone, planned, until):
    decision = decide(a_touch(planned_at=planned.replace(tzinfo=UTC)), person=a_person(timezone=zone))

    assert (decision.action, decision.rule, decision.code) == (DEFER, 6, "quiet_hours")
    assert decision.until == until.replace(tzinfo=UTC) and decision.until.utcoffset() == timedelta(0)
    assert zone in decision.reason


@pytest.mark.parametrize("local,action", [(time(7, 59), DEFER), (time(8, 0), SEND), (time(17, 59), SEND),
                                          (time(18, 0), DEFER)])
def test_the_window_is_08_00_inclusive_to_18_00_exclusive(local, action):
    planned = datetime.combine(date(2026, 5, 4), local, tzinfo=_zone("Europe/Berlin"))

    assert decide(a_touch(planned_at=planned)).action == action


def test_an_unknown_or_missing_time_zone_falls_back_to_the_workspace_default():
    planned = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)  # 07:00 in Chicago (CDT), 14:00 in Berlin
    policy = Policy(default_timezone="America/Chicago")

    for zone in (None, "Mars/Olympus_Mons", ""):
        decision = decide(a_touch(planned_at=planned), person=a_person(timezone=zone), policy=policy)
        assert decision.until == datetime(2026, 5, 4, 13, 0, tzinfo=UTC) and "America/Chicago" in decision.reason


def test_the_workspace_can_move_the_window():
    policy = Policy(send_window_start=time(9, 30), send_window_end=time(17, 0))
    planned = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)  # 09:00 in Berlin

    assert decide(a_touch(planned_at=planned), policy=policy).until == datetime(2026, 5, 4, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize("channel", ["ad_audience", "direct_mail", "web_personalisation", "webhook"])
def test_channels_that_are_not_delivered_at_a_moment_ignore_quiet_hours(channel):
    assert decide(a_touch(channel=channel, planned_at=datetime(2026, 5, 4, 1, 0, tzinfo=UTC))).allowed


def test_a_sales_tasks_due_time_moves_into_the_window():
    decision = decide(a_touch(channel="sales_task", planned_at=datetime(2026, 5, 4, 1, 0, tzinfo=UTC)))

    assert decision.action == DEFER and decision.until == datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def test_operational_messages_go_out_at_night():
    assert decide(a_touch(kind="operational", planned_at=datetime(2026, 5, 4, 1, 0, tzinfo=UTC))).allowed


def test_caps_apply_to_the_day_the_deferred_email_goes_out():
    # Sent at noon on Monday; planned at 22:00 Monday → goes out Tuesday 08:00: Tuesday has none yet.
    monday_email = past(NOON_BERLIN)
    late = a_touch(planned_at=datetime(2026, 5, 4, 20, 0, tzinfo=UTC))

    decision = decide(late, recent=[monday_email])

    assert decision.action == DEFER and decision.until == datetime(2026, 5, 5, 6, 0, tzinfo=UTC)


def test_a_deferred_email_counts_on_the_day_it_goes_out():
    late = a_touch(planned_at=datetime(2026, 5, 4, 20, 0, tzinfo=UTC))
    tuesday = a_touch(planned_at=datetime(2026, 5, 5, 9, 0, tzinfo=UTC))

    decisions = batch([late, tuesday])

    assert [d.action for d in decisions] == [DEFER, BLOCK] and decisions[1].detail["cap"] == "email_per_day"


# --- rule 7: conflicting plays -----------------------------------------------------------------

def test_a_higher_priority_play_makes_this_one_wait():
    person = a_person(enrolments=(Enrolment(play_id=9, priority=5, play_name="Renewal rescue"),
                                  Enrolment(play_id=7, priority=1)))

    decision = decide(a_touch(play_priority=1), person=person)

    assert (decision.action, decision.rule, decision.code) == (BLOCK, 7, "conflicting_play")
    assert decision.detail == {"play_id": 9, "priority": 5} and decision.retryable
    assert '"Renewal rescue"' in decision.reason


@pytest.mark.parametrize("priority", [1, 0])
def test_equal_or_lower_priority_plays_do_not_conflict(priority):
    person = a_person(enrolments=(Enrolment(play_id=9, priority=priority),))

    assert decide(a_touch(play_priority=1), person=person).allowed


def test_operational_messages_ignore_play_conflicts():
    person = a_person(enrolments=(Enrolment(play_id=9, priority=5),))

    assert decide(a_touch(kind="operational"), person=person).allowed


# --- the order of the rules --------------------------------------------------------------------

def test_the_first_failing_rule_decides():
    # Everything is wrong at once; fix one thing at a time and the next rule reports.
    touch = a_touch(acquisition_only=True, planned_at=datetime(2026, 5, 4, 20, 0, tzinfo=UTC))  # 22:00 Berlin
    person = dict(consent={"email": "opted_out"}, enrolments=(Enrolment(play_id=9, priority=5),))
    account = dict(exclusion="competitor", open_opportunity=True, customer=True)
    recent = [past(datetime(2026, 5, 5, 6, 30, tzinfo=UTC))]  # an e-mail on the day it would go out
    fixes = [
        (1, lambda: person.pop("consent")), (2, lambda: account.pop("exclusion")),
        (3, lambda: account.pop("open_opportunity")), (4, lambda: account.pop("customer")),
        (5, lambda: recent.clear()), (7, lambda: person.pop("enrolments")), (6, lambda: None),
    ]

    reported = []
    for _, fix in fixes:
        reported.append(decide(touch, person=a_person(**person), account=an_account(**account), recent=recent).rule)
        fix()

    assert reported == [rule for rule, _ in fixes]
    assert decide(a_touch(acquisition_only=True)).allowed


def test_an_opted_out_person_over_the_cap_reports_rule_1():
    decision = decide(person=a_person(consent={"email": "opted_out"}),
                      recent=[past(NOON_BERLIN - timedelta(hours=h)) for h in (1, 2, 3)])

    assert (decision.rule, decision.code) == (1, "opted_out")


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("overrides", [
    {"planned_at": datetime(2026, 5, 4, 10, 0)}, {"channel": "fax"}, {"kind": "spam"},
    {"channel": "email", "contact_id": None}, {"channel": "email", "task_type": "call"},
])
def test_malformed_touches_are_refused(overrides):
    with pytest.raises(ValueError):
        a_touch(**overrides)


def test_a_sales_task_needs_its_type():
    with pytest.raises(ValueError):
        Touch(channel="sales_task", kind="sales", planned_at=NOON_BERLIN, account_id=10, contact_id=1)


def test_bad_policies_are_refused():
    with pytest.raises(ValueError):
        Caps(email_per_day=-1)
    with pytest.raises(ValueError):
        Policy(send_window_start=time(18), send_window_end=time(8))
    with pytest.raises(ValueError):
        Policy(default_timezone="Nowhere/Special")


def test_a_context_for_someone_else_is_refused():
    with pytest.raises(ValueError):
        check(a_touch(contact_id=1), Context(account=an_account(), person=a_person(contact_id=2)))


def test_a_batch_without_the_persons_facts_is_refused():
    with pytest.raises(ValueError):
        check_batch([a_touch()], people={}, accounts={10: an_account()})
