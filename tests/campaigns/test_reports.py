"""The pilot report, computed from data made here: each pilot account against its own 4-week
baseline, meetings and opportunities since enrolment only, blocks by reason, and A/B results
from opens and clicks that came back through the feedback service."""
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Enrolment, TouchStatus
from campaigns.services.feedback import touch_clicked, touch_opened
from campaigns.services.reports import BASELINE_WEEKS, REPLY_WINDOW, ab_results, pilot_report, variant_results
from insights.signals.models import EngagementType
from tests.factories import (
    AccountFactory, CampaignFactory, ContactFactory, ContentTemplateFactory, EngagementEventFactory, EnrolmentFactory,
    OpportunityFactory, PlayFactory, StepFactory, TouchFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(workspace):
    """A campaign whose pilot enrolled two accounts three weeks ago (one play, one step)."""
    now = timezone.now()
    campaign = CampaignFactory(workspace=workspace, status="pilot")
    play = PlayFactory(workspace=workspace, campaign=campaign)
    step = StepFactory(workspace=workspace, play=play, order=1)
    started = now - timedelta(weeks=3)
    enrolments = []
    for name in ("Alpha", "Beta"):
        enrolment = EnrolmentFactory(workspace=workspace, play=play, is_pilot=True,
                                     account=AccountFactory(workspace=workspace, name=name))
        enrolments.append(enrolment)
    Enrolment.objects.for_workspace(workspace).filter(play=play).update(started_at=started)
    return {"campaign": campaign, "play": play, "step": step, "enrolments": enrolments, "started": started,
            "now": now}


def _events(workspace, account, *, at, minutes, n=1, kind=EngagementType.WEB_VISIT):
    for _ in range(n):
        EngagementEventFactory(workspace=workspace, account=account, occurred_at=at, minutes=minutes, type=kind)


def test_each_pilot_account_is_compared_with_its_own_four_weeks_before(workspace, pilot):
    alpha, beta = (e.account for e in pilot["enrolments"])
    started = pilot["started"]
    # Alpha: 8 minutes in the 4 weeks before (2/week) and 18 in the 3 weeks since (6/week): +200 %.
    _events(workspace, alpha, at=started - timedelta(weeks=2), minutes=4.0, n=2)
    _events(workspace, alpha, at=started + timedelta(days=4), minutes=9.0, n=2)
    # Older than the baseline window: not counted.
    _events(workspace, alpha, at=started - timedelta(weeks=BASELINE_WEEKS + 1), minutes=100.0)
    # Beta: nothing before, 3 minutes since → no baseline to compare with.
    _events(workspace, beta, at=started + timedelta(days=1), minutes=3.0)
    report = pilot_report(campaign=pilot["campaign"], now=pilot["now"])
    rows = {a.name: a for a in report.accounts}
    assert rows["Alpha"].baseline_per_week == 2.0 and rows["Alpha"].since_per_week == 6.0
    assert rows["Alpha"].lift_percent == 200
    assert rows["Beta"].baseline_per_week == 0 and rows["Beta"].since_per_week == 1.0
    assert rows["Beta"].lift is None
    assert report.chart == {"labels": ["Alpha", "Beta"], "baseline": [2.0, 0.0], "since": [6.0, 1.0]}


def test_a_pilot_shorter_than_a_week_is_read_over_one_week(workspace, pilot):
    alpha = pilot["enrolments"][0].account
    Enrolment.objects.for_workspace(workspace).filter(pk=pilot["enrolments"][0].pk).update(
        started_at=pilot["now"] - timedelta(days=2))
    _events(workspace, alpha, at=pilot["now"] - timedelta(days=1), minutes=5.0)
    row = next(a for a in pilot_report(campaign=pilot["campaign"], now=pilot["now"]).accounts if a.name == "Alpha")
    assert row.since_per_week == 5.0 and row.weeks_since == 1.0


def test_meetings_and_opportunities_count_only_since_enrolment(workspace, pilot):
    alpha, beta = (e.account for e in pilot["enrolments"])
    started = pilot["started"]
    _events(workspace, alpha, at=started + timedelta(days=5), minutes=30, kind=EngagementType.MEETING)
    _events(workspace, alpha, at=started - timedelta(days=5), minutes=30, kind=EngagementType.MEETING)
    OpportunityFactory(workspace=workspace, account=alpha, created_date=(started + timedelta(days=8)).date())
    OpportunityFactory(workspace=workspace, account=beta, created_date=(started - timedelta(days=30)).date())
    OpportunityFactory(workspace=workspace, created_date=(started + timedelta(days=8)).date())   # not a pilot account
    report = pilot_report(campaign=pilot["campaign"], now=pilot["now"])
    rows = {a.name: a for a in report.accounts}
    assert (rows["Alpha"].meetings, rows["Alpha"].opportunities) == (1, 1)
    assert (rows["Beta"].meetings, rows["Beta"].opportunities) == (0, 0)
    assert (report.meetings, report.opportunities) == (1, 1)


def test_touches_sent_and_blocked_by_reason(workspace, pilot):
    first, second = pilot["enrolments"]
    step = pilot["step"]
    for enrolment, status, code, reason in [
        (first, TouchStatus.SENT, "", ""), (first, TouchStatus.SENT, "", ""),
        (first, TouchStatus.BLOCKED, "opted_out", "Ada opted out of e-mail"),
        (second, TouchStatus.BLOCKED, "sales_active", "Beta has an open opportunity"),
        (second, TouchStatus.BLOCKED, "sales_active", "Beta has an open opportunity"),
        (second, TouchStatus.BLOCKED, "no_one_fits", "Nobody fits"),
        (second, TouchStatus.PLANNED, "", ""),
    ]:
        TouchFactory(workspace=workspace, enrolment=enrolment, step=step, status=status, block_code=code,
                     block_reason=reason)
    other = EnrolmentFactory(workspace=workspace, play=pilot["play"], is_pilot=False)   # expanded, not the pilot
    TouchFactory(workspace=workspace, enrolment=other, step=step, status=TouchStatus.SENT)
    report = pilot_report(campaign=pilot["campaign"], now=pilot["now"])
    assert (report.sent, report.blocked, report.waiting) == (2, 4, 1)
    assert [(b.code, b.count) for b in report.blocked_by_reason] == [
        ("sales_active", 2), ("no_one_fits", 1), ("opted_out", 1)]
    assert report.blocked_by_reason[0].label.startswith("Sales is working")
    rows = {a.name: a for a in report.accounts}
    assert (rows["Alpha"].sent, rows["Alpha"].blocked, rows["Beta"].sent, rows["Beta"].blocked) == (2, 1, 0, 3)


def test_ab_results_per_variant_from_opens_and_clicks(workspace, pilot):
    first = pilot["enrolments"][0]
    touches = []
    for variant in ("A", "A", "B", "B/D"):
        contact = ContactFactory(workspace=workspace, account=first.account)
        touches.append(TouchFactory(workspace=workspace, enrolment=first, step=pilot["step"], contact=contact,
                                    status=TouchStatus.SENT, variant=variant))
    touch_opened(touches[0])
    touch_opened(touches[0])                # a second open of one e-mail is one open
    touch_clicked(touches[0], "https://example.com/a")
    touch_clicked(touches[0], "https://example.com/b")     # two links, one clicked e-mail
    touch_opened(touches[2])
    touch_clicked(touches[2], "https://example.com/a")
    touch_opened(touches[3])
    results = {v.variant: v for v in variant_results(campaign=pilot["campaign"])}
    assert {k: (v.sent, v.opened, v.clicked) for k, v in results.items()} == {
        "A": (2, 1, 1), "B": (1, 1, 1), "B/D": (1, 1, 0)}
    assert results["A"].open_rate == 0.5


def test_a_campaign_without_a_pilot_has_an_empty_report(workspace):
    report = pilot_report(campaign=CampaignFactory(workspace=workspace))
    assert not report.has_data and report.sent == 0 and report.variants == []


# --- A/B results per arm, per DISC variant and per label --------------------------------------

SPLIT = [  # (label the content service gave the touch, opened, clicked) — a fixed split of 8 e-mails
    ("A", True, True), ("A/D", True, False), ("A/D", False, False), ("A/S", True, True),
    ("B", True, False), ("B/D", True, True), ("B/S", False, False), ("B/S", False, False),
]


@pytest.fixture
def split(workspace, pilot):
    """Eight e-mails of the campaign sent yesterday with a fixed split over arms and DISC variants;
    opens and clicks came back through the feedback service."""
    sent_at = pilot["now"] - timedelta(days=1)
    touches = []
    for variant, opened, clicked in SPLIT:
        contact = ContactFactory(workspace=workspace, account=pilot["enrolments"][0].account)
        touch = TouchFactory(workspace=workspace, enrolment=pilot["enrolments"][0], step=pilot["step"],
                             contact=contact, status=TouchStatus.SENT, variant=variant, sent_at=sent_at)
        if opened:
            touch_opened(touch)
        if clicked:
            touch_clicked(touch, "https://example.com/case")
        touches.append(touch)
    return touches


def _reply(workspace, touch, at):
    EngagementEventFactory(workspace=workspace, account=touch.account, contact=touch.contact, occurred_at=at,
                           type=EngagementType.EMAIL_REPLY, minutes=1.0)


def _counts(results):
    return {r.variant: (r.sent, r.opened, r.clicked, r.replied) for r in results}


def test_ab_results_add_the_disc_variants_up_per_arm(workspace, pilot, split):
    for touch in (split[0], split[5], split[6]):          # replies to A, B/D and B/S
        _reply(workspace, touch, touch.sent_at + timedelta(hours=3))
    ab = ab_results(campaign=pilot["campaign"])
    assert _counts(ab.arms) == {"A": (4, 3, 2, 1), "B": (4, 2, 1, 2)}
    assert _counts(ab.disc_styles) == {"D": (3, 2, 1, 1), "S": (3, 1, 1, 1), "main text": (2, 2, 1, 1)}
    assert [r.variant for r in ab.disc_styles] == ["D", "S", "main text"]
    assert _counts(ab.labels) == {"A": (1, 1, 1, 1), "A/D": (2, 1, 0, 0), "A/S": (1, 1, 1, 0), "B": (1, 1, 0, 0),
                                  "B/D": (1, 1, 1, 1), "B/S": (2, 0, 0, 1)}
    arm_a, arm_b = ab.arms
    assert (arm_a.open_rate, arm_a.click_rate, arm_a.reply_rate, arm_a.share) == (0.75, 0.5, 0.25, 0.5)
    assert (arm_b.open_rate, arm_b.reply_rate, arm_b.share_percent) == (0.5, 0.5, 50)
    report = pilot_report(campaign=pilot["campaign"], now=pilot["now"])
    assert (report.arms, report.disc_styles, report.variants) == (ab.arms, ab.disc_styles, ab.labels)


def test_a_reply_counts_once_for_the_latest_e_mail_before_it_within_30_days(workspace, pilot, split):
    first = split[0]                                       # arm A, sent yesterday
    second = TouchFactory(workspace=workspace, enrolment=first.enrolment, step=pilot["step"], contact=first.contact,
                          status=TouchStatus.SENT, variant="B", sent_at=first.sent_at + timedelta(hours=2))
    _reply(workspace, first, first.sent_at + timedelta(hours=5))            # after both: answers the B e-mail
    late = split[1]
    _reply(workspace, late, late.sent_at + REPLY_WINDOW + timedelta(hours=1))  # too late to be about it
    early = split[3]
    _reply(workspace, early, early.sent_at - timedelta(hours=1))            # before the e-mail: not an answer
    EngagementEventFactory(workspace=workspace, account=second.account, occurred_at=second.sent_at + timedelta(hours=1),
                           type=EngagementType.EMAIL_REPLY)                 # nobody known: no e-mail to credit
    ab = ab_results(campaign=pilot["campaign"])
    assert {r.variant: r.replied for r in ab.labels} == {"A": 0, "A/D": 0, "A/S": 0, "B": 1, "B/D": 0, "B/S": 0}
    assert {r.variant: (r.sent, r.replied) for r in ab.arms} == {"A": (4, 0), "B": (5, 1)}


def test_only_e_mails_with_a_variant_are_in_the_ab_results(workspace, pilot, split):
    enrolment = pilot["enrolments"][1]
    TouchFactory(workspace=workspace, enrolment=enrolment, step=pilot["step"], status=TouchStatus.SENT,
                 channel="direct_mail", variant="A")                  # a letter: no opens, not in the e-mail test
    TouchFactory(workspace=workspace, enrolment=enrolment, step=pilot["step"], status=TouchStatus.BLOCKED,
                 variant="B")                                         # never sent
    TouchFactory(workspace=workspace, enrolment=enrolment, step=pilot["step"], status=TouchStatus.SENT,
                 channel="sales_task", variant="")
    assert {r.variant: r.sent for r in ab_results(campaign=pilot["campaign"]).arms} == {"A": 4, "B": 4}


def test_the_report_page_and_api_show_the_arms(workspace, pilot, split, admin):
    from django.urls import reverse

    from tests.conftest import client_for

    client = client_for(admin)
    body = client.get(reverse("api:campaign-report", kwargs={"pk": pilot["campaign"].pk})).json()
    assert [(a["variant"], a["sent"], a["opened"], a["clicked"], a["share"]) for a in body["arms"]] == [
        ("A", 4, 3, 2, 0.5), ("B", 4, 2, 1, 0.5)]
    assert [d["variant"] for d in body["disc_styles"]] == ["D", "S", "main text"]
    assert len(body["variants"]) == 6 and body["arms"][0]["open_rate"] == 0.75
    page = client.get(reverse("campaigns:report", kwargs={"pk": pilot["campaign"].pk})).content.decode()
    arms = page[page.index('id="ab-results"'):page.index('id="disc-results"')]
    assert arms.count("<tr data-arm=") == 2 and 'data-arm="A/D"' not in arms
    assert '<td class="num" data-col="sent">4</td>' in arms and "75 %" in arms


def test_an_arm_of_the_split_nobody_got_yet_shows_with_zeros(workspace, pilot):
    template = ContentTemplateFactory(workspace=workspace, ab_variants={"B": {"body": "B"}}, ab_split={"A": 90, "B": 10})
    pilot["step"].template = template
    pilot["step"].save()
    TouchFactory(workspace=workspace, enrolment=pilot["enrolments"][0], step=pilot["step"], status=TouchStatus.SENT,
                 variant="A/D", contact=ContactFactory(workspace=workspace))
    ab = ab_results(campaign=pilot["campaign"])
    assert _counts(ab.arms) == {"A": (1, 0, 0, 0), "B": (0, 0, 0, 0)}
    assert [a.share for a in ab.arms] == [1.0, 0.0]
    assert _counts(ab.disc_styles) == {"D": (1, 0, 0, 0)} and _counts(ab.labels) == {"A/D": (1, 0, 0, 0)}
    assert ab_results(campaign=CampaignFactory(workspace=workspace)).arms == []     # nothing sent: no table
