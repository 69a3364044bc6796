"""Campaigns end to end in headless Chromium: a marketer builds a play step by step (channel,
wait, audience by role, seniority and DISC style) and previews a template for a real person; the
owner reads the pilot report (chart, blocks by reason, A/B) and expands with a comment; a sales
rep works "My tasks" with each person's DISC guidance and completes a call; the account page
shows the timeline of touches and blocks. Screenshots: test-artifacts/screenshots/campaigns-*.png."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import CampaignStatus, Enrolment, SalesTask, Step, TaskStatus, Touch
from campaigns.services.enrolment import campaign_start_pilot
from campaigns.services.feedback import touch_clicked, touch_opened
from campaigns.services.planning import plan_due
from campaigns.services.sending import send_due
from tests.factories import (
    AccountFactory, CampaignFactory, ContactFactory, ContentTemplateFactory, EngagementEventFactory, HoldFactory,
    PlayFactory, StepFactory,
)
from tests.fixtures.browser import MOBILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pilot(workspace, members, settings):
    """A pilot planned for the next 10:00 UTC: three accounts (one on hold), an intro e-mail with a D
    variant and A/B arms to decision makers, then a call task for the account owner."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    rep, owner = members["sales"], members["marketing"]
    accounts = [AccountFactory(workspace=workspace, name=name, owner=rep, country="DE")
                for name in ("Acme Logistics", "Borealis Freight", "Cobalt Retail")]
    HoldFactory(workspace=workspace, account=accounts[2], placed_by=rep)
    people = {}
    for account, (first, last, style) in zip(accounts, [("Dora", "Decker", "D"), ("Sven", "Sanders", "S"),
                                                         ("Cara", "Cole", "C")]):
        people[first] = ContactFactory(workspace=workspace, account=account, first_name=first, last_name=last,
                                       email=f"{first.lower()}@{account.domain}", roles=["decision_maker"],
                                       seniority="c_level", disc_style=style, time_zone="UTC",
                                       job_title="Chief Operating Officer", phone="+49 30 1234567")
        ContactFactory(workspace=workspace, account=account, first_name="Ivo", last_name=f"IT {account.pk}",
                       roles=["technical_evaluator"], seniority="director", time_zone="UTC")
    campaign = CampaignFactory(workspace=workspace, owner=owner, name="Warehouse automation pilot",
                               hypothesis="Decision makers who get a personal note book 2 meetings in 3 weeks.")
    campaign.accounts.set(accounts)
    play = PlayFactory(workspace=workspace, campaign=campaign, name="Decision makers first")
    template = ContentTemplateFactory(
        workspace=workspace, name="Warehouse intro", subject="{{ account.name }}: a note for {{ person.first_name }}",
        body="Hi {{ person.first_name }},\n\nteams like yours cut cost per parcel by 12 %.\n\nBest regards",
        disc_variants={"D": {"body": "{{ person.first_name }}, one number: −12 % cost per parcel. 15 minutes?"}},
        ab_variants={"B": {"subject": "A question for {{ account.name }}", "body": "Hi {{ person.first_name }}, how "
                                                                                  "was peak season?"}},
        ab_split={"A": 50, "B": 50})
    StepFactory(workspace=workspace, play=play, order=1, template=template,
                audience_filter={"roles": ["decision_maker"], "seniorities": ["c_level", "vp"]})
    StepFactory(workspace=workspace, play=play, order=2, channel="sales_task", task_kind="call",
                audience_filter={"roles": ["decision_maker"]})
    campaign_start_pilot(campaign=campaign, by=owner, account_ids=[a.pk for a in accounts])
    now = timezone.now()
    for account in accounts[:2]:     # engagement in the four weeks before the pilot
        EngagementEventFactory(workspace=workspace, account=account, minutes=4.0,
                               occurred_at=now - timedelta(days=12))
    # Planned and sent at 10:00 UTC, inside everyone's send window (the people are in UTC).
    # Planning at 10:00 UTC when the enrolments were made after 10:00 would find nothing due (and
    # this fixture then made a pilot without touches): take the next 10:00 from now.
    morning = now.replace(hour=10, minute=0, second=0, microsecond=0)
    if morning < now:
        morning += timedelta(days=1)
    for _ in range(2):
        plan_due(workspace_id=workspace.pk, now=morning)
        send_due(workspace_id=workspace.pk, now=morning + timedelta(minutes=1))
    for touch in Touch.objects.for_workspace(workspace).filter(status="sent", channel="email"):
        touch_opened(touch)
        touch_clicked(touch, "https://example.com/case")
    return {"campaign": campaign, "play": play, "template": template, "accounts": accounts, "people": people}


def test_a_marketer_builds_a_play_and_previews_content(as_person, live_url, members, pilot, shot, workspace):
    page = as_person(members["marketing"].email)
    page.goto(live_url("/campaigns/"))
    expect(page.locator("table", has_text="Warehouse automation pilot")).to_be_visible()
    shot(page, "campaigns-00-list")
    page.get_by_role("link", name="Warehouse automation pilot").first.click()
    expect(page.get_by_role("heading", name=re.compile("Warehouse automation pilot"), level=1)).to_be_visible()
    shot(page, "campaigns-00-detail")
    page.get_by_role("link", name="Edit steps →").click()
    expect(page.get_by_role("heading", name="Decision makers first", level=1)).to_be_visible()
    steps = page.locator("#steps ol.steps > li[data-step]")
    expect(steps).to_have_count(2)

    # Add step 3: a LinkedIn touch two days later, for economic buyers and VPs with a D or i style.
    add = page.locator("#add-step")
    add.get_by_label("Channel", exact=True).select_option("sales_task")
    add.get_by_label("Wait", exact=True).fill("2")
    add.get_by_label("Unit", exact=True).select_option("days")
    add.get_by_label("Task", exact=True).select_option("linkedin")
    add.get_by_label("Economic buyer").check()
    add.get_by_label("VP", exact=True).check()
    add.get_by_label("D — Dominance").check()
    add.get_by_label("i — Influence").check()
    add.get_by_role("button", name="Add step").click()
    expect(steps).to_have_count(3)
    third = page.locator("#steps li[data-step='3']")
    expect(third).to_contain_text("Sales task — LinkedIn touch")
    expect(third).to_contain_text("after 2 days")
    expect(third.locator(".a-chip")).to_have_text(["Economic buyer", "VP", "DISC D", "DISC i"])
    step = Step.objects.for_workspace(workspace).get(play=pilot["play"], order=3)
    assert step.audience_filter == {"roles": ["economic_buyer"], "seniorities": ["vp"], "disc_styles": ["D", "I"]}
    shot(page, "campaigns-01-play-editor")

    # Edit it in place: also champions, assigned to the SDR; then move it before the call.
    third.get_by_role("button", name="Edit step 3").click()
    editing = page.locator("#steps .step-card.editing")
    expect(editing).to_be_visible()
    editing.get_by_label("Champion").check()
    editing.get_by_label("Assign to").select_option("sdr")     # a sales task's own field, not folded away
    shot(page, "campaigns-02-step-editing")
    editing.get_by_role("button", name="Save step").click()
    expect(page.locator("#steps .step-card.editing")).to_have_count(0)
    expect(page.locator("#steps li[data-step='3'] .a-chip", has_text="Champion")).to_be_visible()
    step.refresh_from_db()
    assert step.assignee_rule == "sdr" and "champion" in step.audience_filter["roles"]
    # Moving a step is refused while accounts are between the play's steps (it would skip or
    # repeat steps for them), and done once they are through.
    mid_play = Enrolment.objects.for_workspace(workspace).filter(play=pilot["play"], status="active").exists()
    page.get_by_role("button", name="Move step 3 up").click()
    if mid_play:
        expect(page.locator("#steps .form-errors")).to_contain_text("Accounts are in the middle of this play")
    else:
        expect(page.locator("#steps li[data-step='2']")).to_contain_text("LinkedIn touch")
    step.refresh_from_db()
    assert step.order == (3 if mid_play else 2)

    # The template editor previews the intro for a real person: Dora (a D) gets the short variant.
    page.goto(live_url(f"/campaigns/templates/{pilot['template'].pk}/"))
    page.get_by_label("Account", exact=True).select_option(label="Acme Logistics")
    page.get_by_label("Person", exact=True).select_option(str(pilot["people"]["Dora"].pk))
    preview = page.locator("#preview")
    expect(preview.locator("[data-preview=subject]")).to_have_text("Acme Logistics: a note for Dora")
    expect(preview.frame_locator("iframe").locator("body")).to_contain_text("Dora, one number: −12 % cost per parcel")
    expect(preview.locator(".variant-tag")).to_have_text("A/D")
    shot(page, "campaigns-03-template-preview")

    # A typo in a variable shows up with its line before anyone saves.
    page.locator("#id_body").fill("Hi {{ person.first_name }},\n\n{{ acount.name }} is growing.")
    expect(preview.locator(".tpl-problems")).to_contain_text("line 3")
    expect(preview.locator(".tpl-problems")).to_contain_text("'acount' is undefined")
    page.get_by_role("button", name="Save template").click()
    expect(page.locator(".form-errors")).to_contain_text("Not saved")
    expect(page.locator(".field-error").first).to_contain_text("line 3: 'acount' is undefined")
    shot(page, "campaigns-04-template-error")


def test_the_owner_reads_the_pilot_report_and_expands(as_person, live_url, members, pilot, shot, workspace):
    campaign = pilot["campaign"]
    page = as_person(members["marketing"].email)
    page.goto(live_url(f"/campaigns/{campaign.pk}/report/"))
    expect(page.locator("canvas#lift-chart[data-drawn='1']")).to_be_visible()
    expect(page.locator("[data-stat=sent]")).to_have_text("4")          # 2 e-mails + 2 call tasks
    expect(page.locator(".bar-line", has_text="Sales is working the account")).to_contain_text("2")
    expect(page.locator("#pilot-accounts tbody tr")).to_have_count(3)
    expect(page.locator("#ab-results tbody tr").first).to_be_visible()
    shot(page, "campaigns-05-pilot-report")

    expand = page.locator("#expand")
    expand.get_by_role("button", name="Expand campaign").click()       # no comment: the browser refuses
    expect(page).to_have_url(re.compile(r"/report/$"))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PILOT
    expand.get_by_label("Why expand?").fill("Both reachable pilot accounts opened and clicked; one call booked.")
    expand.get_by_role("button", name="Expand campaign").click()
    expect(page.locator(".flash-success")).to_contain_text("Campaign expanded")
    expect(page.locator(".expanded-note")).to_contain_text("one call booked")
    expect(page.locator("canvas#lift-chart[data-drawn='1']")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE and campaign.expanded_by_id == members["marketing"].pk
    shot(page, "campaigns-06-expanded")

    # Blocks are listed with their reason; the owner of the held account is asked for consent.
    page.get_by_role("link", name="Touches & blocks").click()
    page.get_by_label("Status").select_option("blocked")
    expect(page.locator("#touch-table tbody tr")).to_have_count(2)
    expect(page.locator("#touch-table")).to_contain_text("Ask the owner for consent")
    shot(page, "campaigns-07-touches-blocked")


def test_a_rep_completes_a_call_from_my_tasks(as_person, live_url, members, pilot, shot, workspace, screenshot_dir):
    page = as_person(members["sales"].email)
    page.goto(live_url("/campaigns/"))
    expect(page.locator(".cmp-banner")).to_contain_text("2 open tasks")
    page.get_by_role("button", name="Open my tasks").click()
    expect(page.get_by_role("heading", name="My tasks", level=1)).to_be_visible()
    tasks = page.locator("article.task")
    expect(tasks).to_have_count(2)
    dora = tasks.filter(has_text="Dora Decker")
    expect(dora.locator(".guide")).to_contain_text("Brief, direct, results first")
    expect(dora.locator(".guide .disc-badge")).to_have_text("D")
    sven = tasks.filter(has_text="Sven Sanders")
    expect(sven.locator(".guide")).to_contain_text("Sincere and patient")
    shot(page, "campaigns-08-my-tasks")

    dora.get_by_label("Outcome").fill("Booked a 20-minute demo for Tuesday")
    dora.get_by_role("button", name="Done").click()
    done = page.locator("article.task", has_text="Dora Decker")
    expect(done.locator(".outcome")).to_contain_text("Booked a 20-minute demo for Tuesday")
    task = SalesTask.objects.for_workspace(workspace).get(contact=pilot["people"]["Dora"])
    assert task.status == TaskStatus.DONE and task.outcome == "Booked a 20-minute demo for Tuesday"
    shot(page, "campaigns-09-task-done")

    # On a phone the list stays usable.
    phone = as_person(members["sales"].email, viewport=MOBILE)
    phone.goto(live_url("/campaigns/tasks/"))
    expect(phone.locator("article.task")).to_have_count(1)
    shot(phone, "campaigns-10-my-tasks-mobile")

    # The account page tells the story: what was sent, and what was blocked and why.
    page.goto(live_url(f"/accounts/{pilot['accounts'][2].pk}/"))
    panel = page.locator("section#touches")
    expect(panel).to_contain_text("Sales is working the account")
    page.goto(live_url(f"/accounts/{pilot['accounts'][0].pk}/"))
    panel = page.locator("section#touches")
    expect(panel.locator("li.sent").first).to_be_visible()
    expect(panel).to_contain_text("Dora Decker")
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(screenshot_dir / "campaigns-11-account-touches.png"))
