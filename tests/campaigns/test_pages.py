"""Campaign pages for each role: the list, the campaign page with its pilot, the play editor
(with and without htmx), the template editor and its preview, the pilot report and the owner's
Expand, touches and blocks, the rep's task list, owner consents, webhooks, and the Touches panel
on the account page."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from abm_platform.tenancy.roles import Role
from campaigns.models import Campaign, CampaignStatus, ContentTemplate, OwnerConsent, SalesTask, Step, TaskStatus
from tests.factories import (
    AccountFactory, CampaignFactory, ContactFactory, ContentTemplateFactory, EnrolmentFactory, OpportunityFactory,
    PersonaFactory, PlayFactory, SalesTaskFactory, StepFactory, TierFactory, TouchFactory, WebhookSubscriptionFactory,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    """A signed-in browser: forms post as forms."""
    client = Client()
    client.force_login(user)
    return client

ALL = list(Role.values)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def campaign(workspace, members):
    accounts = [AccountFactory(workspace=workspace, name=f"Acme {n}") for n in range(3)]
    campaign = CampaignFactory(workspace=workspace, owner=members[Role.MARKETING], name="Warehouse pilot")
    campaign.accounts.set(accounts)
    play = PlayFactory(workspace=workspace, campaign=campaign, name="Decision makers first")
    template = ContentTemplateFactory(workspace=workspace, name="Intro")
    step = StepFactory(workspace=workspace, play=play, order=1, template=template,
                       audience_filter={"roles": ["decision_maker"]})
    return {"campaign": campaign, "accounts": accounts, "play": play, "template": template, "step": step}


def _page(client, name, **kwargs):
    return client.get(reverse(name, kwargs=kwargs or None))


@pytest.mark.parametrize("role", ALL)
def test_every_member_reads_the_campaign_pages(role, members, campaign, workspace):
    client = client_for(members[role])
    pk = campaign["campaign"].pk
    for name, kwargs in [("campaigns:index", {}), ("campaigns:detail", {"pk": pk}), ("campaigns:report", {"pk": pk}),
                         ("campaigns:touches", {"pk": pk}), ("campaigns:play", {"pk": campaign["play"].pk}),
                         ("campaigns:templates", {}), ("campaigns:template", {"pk": campaign["template"].pk}),
                         ("campaigns:tasks", {}), ("campaigns:consents", {})]:
        response = _page(client, name, **kwargs)
        assert response.status_code == 200, (name, response.status_code)
    assert b"Warehouse pilot" in _page(client, "campaigns:index").content
    writes = role in (Role.ADMIN, Role.MARKETING)
    assert _page(client, "campaigns:create").status_code == (200 if writes else 403)
    assert (b"Add a step" in _page(client, "campaigns:play", pk=campaign["play"].pk).content) is writes
    assert _page(client, "campaigns:webhooks").status_code == (200 if role == Role.ADMIN else 403)


def test_the_list_shows_status_audience_phase_and_touch_counts(campaign, workspace, admin):
    TouchFactory(workspace=workspace, step=campaign["step"], enrolment__play=campaign["play"], status="sent")
    TouchFactory(workspace=workspace, step=campaign["step"], enrolment__play=campaign["play"], status="blocked",
                 block_code="opted_out")
    page = _page(client_for(admin), "campaigns:index").content.decode()
    assert "Warehouse pilot" in page and "Not started" in page and "hand-picked" in page
    row = page[page.index("Warehouse pilot"):]
    assert ">3<" in row.replace(" ", "").replace("\n", "")         # audience of three accounts
    assert "?status=blocked" in row


def test_the_list_costs_the_same_queries_for_2_and_12_campaigns(workspace, admin):
    client = client_for(admin)
    tier = TierFactory(workspace=workspace)

    def add(n):
        for i in range(n):
            c = CampaignFactory(workspace=workspace, audience_kind="tier" if i % 2 else "accounts",
                                tier=tier if i % 2 else None)
            c.accounts.set([AccountFactory(workspace=workspace)])

    def count():
        client.get(reverse("campaigns:index"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("campaigns:index")).status_code == 200
        return len(queries)

    add(2)
    few = count()
    add(10)
    assert count() == few


def test_marketing_creates_a_campaign_from_the_form(members, workspace):
    client = client_for(members[Role.MARKETING])
    tier = TierFactory(workspace=workspace, name="Tier 1 — Strategic")
    data = {"name": "Tier 1 outreach", "objective": "Meetings", "hypothesis": "Books 2 meetings in 4 weeks.",
            "success_metric": "meetings", "end_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "owner": members[Role.MARKETING].pk, "audience_kind": "tier", "tier": "", "acquisition_only": "on"}
    response = client.post(reverse("campaigns:create"), data)
    assert response.status_code == 400 and "Choose the tier" in response.content.decode()
    response = client.post(reverse("campaigns:create"), {**data, "tier": tier.pk})
    campaign = Campaign.objects.for_workspace(workspace).get()
    assert response.status_code == 302 and response["Location"] == reverse("campaigns:detail", args=[campaign.pk])
    assert campaign.tier == tier and campaign.status == CampaignStatus.DRAFT
    assert client_for(members[Role.SALES]).post(reverse("campaigns:create"), data).status_code == 403


def test_hand_picked_accounts_are_typed_by_domain(members, workspace):
    client = client_for(members[Role.MARKETING])
    acme = AccountFactory(workspace=workspace, domain="acme.example")
    data = {"name": "Picked", "objective": "x", "hypothesis": "y", "success_metric": "z",
            "end_date": (timezone.localdate() + timedelta(days=30)).isoformat(), "owner": members[Role.MARKETING].pk,
            "audience_kind": "accounts", "accounts": "acme.example\nnowhere.example"}
    response = client.post(reverse("campaigns:create"), data)
    assert response.status_code == 400 and "nowhere.example" in response.content.decode()
    client.post(reverse("campaigns:create"), {**data, "accounts": "acme.example"})
    assert list(Campaign.objects.for_workspace(workspace).get().accounts.all()) == [acme]


def test_the_pilot_starts_from_the_campaign_page(campaign, members):
    client = client_for(members[Role.MARKETING])
    pk = campaign["campaign"].pk
    page = _page(client, "campaigns:detail", pk=pk).content.decode()
    assert "Start pilot" in page and "Acme 0" in page
    response = client.post(reverse("campaigns:status", args=[pk]), {"action": "start_pilot",
                                                                    "accounts": [campaign["accounts"][0].pk]})
    assert response.status_code == 302
    campaign["campaign"].refresh_from_db()
    assert campaign["campaign"].status == CampaignStatus.DRAFT        # one account is not a pilot
    client.post(reverse("campaigns:status", args=[pk]), {"action": "start_pilot",
                                                         "accounts": [a.pk for a in campaign["accounts"][:2]]})
    campaign["campaign"].refresh_from_db()
    assert campaign["campaign"].status == CampaignStatus.PILOT
    client.post(reverse("campaigns:status", args=[pk]), {"action": "pause"})
    campaign["campaign"].refresh_from_db()
    assert campaign["campaign"].status == CampaignStatus.PAUSED
    assert client_for(members[Role.SALES]).post(reverse("campaigns:status", args=[pk]),
                                                {"action": "resume"}).status_code == 403


def test_coverage_gaps_say_how_many_accounts_have_nobody_for_a_step(campaign, workspace, admin):
    for account in campaign["accounts"][:2]:
        TouchFactory(workspace=workspace, step=campaign["step"], status="blocked", block_code="no_one_fits",
                     enrolment=EnrolmentFactory(workspace=workspace, play=campaign["play"], account=account))
    page = _page(client_for(admin), "campaigns:detail", pk=campaign["campaign"].pk).content.decode()
    assert "2 accounts</span> have nobody who fits <b>step 1</b>" in page


# --- the play editor -------------------------------------------------------------------------

def test_the_play_editor_adds_a_step_with_its_audience_through_htmx(campaign, workspace, members):
    client = client_for(members[Role.MARKETING])
    play = campaign["play"]
    persona = PersonaFactory(workspace=workspace, name="Operations leader")
    data = {"new-channel": "email", "new-delay": "3", "new-delay_unit": "days", "new-template": campaign["template"].pk,
            "new-roles": ["economic_buyer", "champion"], "new-seniorities": ["c_level"],
            "new-personas": [persona.pk], "new-disc_styles": ["D", "I"], "new-assignee_rule": "owner"}
    response = client.post(reverse("campaigns:step_add", args=[play.pk]), data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="steps">') and "after 3 days" in html and "Economic buyer" in html
    step = Step.objects.for_workspace(workspace).get(play=play, order=2)
    assert step.delay_hours == 72
    assert step.audience_filter == {"roles": ["economic_buyer", "champion"], "seniorities": ["c_level"],
                                    "disc_styles": ["D", "I"], "personas": [persona.pk]}


def test_a_refused_step_comes_back_with_its_errors(campaign, workspace, members):
    client = client_for(members[Role.MARKETING])
    response = client.post(reverse("campaigns:step_add", args=[campaign["play"].pk]),
                           {"new-channel": "email", "new-delay": "0", "new-delay_unit": "days",
                            "new-assignee_rule": "owner"}, **HTMX)
    assert response.status_code == 200 and "An e-mail step needs a template." in response.content.decode()
    response = client.post(reverse("campaigns:step_add", args=[campaign["play"].pk]),
                           {"new-channel": "sales_task", "new-delay": "1", "new-delay_unit": "days",
                            "new-task_kind": "fax", "new-assignee_rule": "owner"})
    assert response.status_code == 400 and "Select a valid choice. fax is not one" in response.content.decode()
    assert Step.objects.for_workspace(workspace).filter(play=campaign["play"]).count() == 1


def test_a_step_is_edited_moved_and_deleted(campaign, workspace, members):
    client = client_for(members[Role.MARKETING])
    play, first = campaign["play"], campaign["step"]
    second = StepFactory(workspace=workspace, play=play, order=2, channel="sales_task", task_kind="call")
    form = client.get(reverse("campaigns:step", args=[second.pk]), **HTMX).content.decode()
    assert f'name="s{second.pk}-task_kind"' in form and "Save step" in form
    response = client.post(reverse("campaigns:step", args=[second.pk]), {
        f"s{second.pk}-channel": "sales_task", f"s{second.pk}-task_kind": "linkedin", f"s{second.pk}-delay": "5",
        f"s{second.pk}-delay_unit": "hours", f"s{second.pk}-assignee_rule": "sdr",
        f"s{second.pk}-seniorities": ["vp"]}, **HTMX)
    assert response.status_code == 200 and "after 5 hours" in response.content.decode()
    second.refresh_from_db()
    assert (second.task_kind, second.delay_hours, second.assignee_rule) == ("linkedin", 5, "sdr")
    client.post(reverse("campaigns:step_move", args=[second.pk]), {"direction": "up"}, **HTMX)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.order, first.order) == (1, 2)
    response = client.post(reverse("campaigns:step_delete", args=[first.pk]))
    assert response.status_code == 302
    assert list(Step.objects.for_workspace(workspace).filter(play=play).values_list("pk", "order")) == [(second.pk, 1)]


def test_a_step_keeps_only_the_fields_of_its_channel(campaign, workspace, members):
    """What the editor hid (another channel's template, task, audience, half-typed JSON) is
    ignored, errors included, and never stored."""
    client = client_for(members[Role.MARKETING])
    play = campaign["play"]
    leftovers = {"new-delay": "0", "new-delay_unit": "days", "new-template": campaign["template"].pk,
                 "new-task_kind": "linkedin", "new-assignee_rule": "sdr", "new-roles": ["champion"],
                 "new-is_operational": "on"}
    response = client.post(reverse("campaigns:step_add", args=[play.pk]),
                           {**leftovers, "new-channel": "webhook", "new-config": '{"event": "play.step"}'}, **HTMX)
    assert response.status_code == 200, response.content.decode()
    webhook = Step.objects.for_workspace(workspace).get(play=play, order=2)
    assert (webhook.channel, webhook.template_id, webhook.task_kind, webhook.assignee_rule, webhook.audience_filter,
            webhook.is_operational, webhook.config) == ("webhook", None, "", "owner", {}, False, {"event": "play.step"})

    response = client.post(reverse("campaigns:step_add", args=[play.pk]),
                           {**leftovers, "new-channel": "email", "new-config": "{not json"}, **HTMX)
    assert "Not valid JSON" not in response.content.decode()
    email = Step.objects.for_workspace(workspace).get(play=play, order=3)
    assert (email.template_id, email.task_kind, email.assignee_rule, email.audience_filter, email.is_operational,
            email.config) == (campaign["template"].pk, "", "owner", {"roles": ["champion"]}, True, {})

    response = client.post(reverse("campaigns:step_add", args=[play.pk]),
                           {**leftovers, "new-channel": "sales_task", "new-config": "{not json"}, **HTMX)
    task = Step.objects.for_workspace(workspace).get(play=play, order=4)
    assert (task.template_id, task.task_kind, task.assignee_rule, task.audience_filter, task.is_operational) == (
        None, "linkedin", "sdr", {"roles": ["champion"]}, False)


def test_the_step_form_tells_the_script_which_fields_each_channel_has(campaign, members):
    import json
    import re

    from campaigns.services.editing import CHANNEL_SETTINGS

    page = client_for(members[Role.MARKETING]).get(reverse("campaigns:play", args=[campaign["play"].pk])).content
    html = page.decode()
    assert 'src="/static/js/campaigns.js"' in html
    add_form = html[html.index('id="add-step"'):]
    attribute = re.search(r'data-channel-settings="([^"]+)"', add_form).group(1)
    settings = json.loads(attribute.replace("&quot;", '"'))
    assert settings == {str(channel): list(fields) for channel, fields in CHANNEL_SETTINGS.items()}
    assert settings["sales_task"] == ["task_kind", "assignee_rule", "audience_filter"]
    assert "template" not in settings["ad_audience"] and settings["webhook"] == ["config"]
    for setting in ("template", "task_kind", "assignee_rule", "audience_filter", "config", "is_operational"):
        assert f'data-setting="{setting}"' in add_form, setting


def test_a_step_with_touches_is_not_deleted(campaign, workspace, members):
    TouchFactory(workspace=workspace, step=campaign["step"], enrolment__play=campaign["play"])
    response = client_for(members[Role.MARKETING]).post(reverse("campaigns:step_delete", args=[campaign["step"].pk]),
                                                        **HTMX)
    assert "cannot be deleted" in response.content.decode()
    assert Step.objects.for_workspace(workspace).filter(pk=campaign["step"].pk).exists()


def test_viewers_cannot_change_steps(campaign, members):
    client = client_for(members[Role.VIEWER])
    assert client.post(reverse("campaigns:step_delete", args=[campaign["step"].pk])).status_code == 403
    assert client.post(reverse("campaigns:step_add", args=[campaign["play"].pk]), {}).status_code == 403


# --- templates -------------------------------------------------------------------------------

def _template_data(**extra):
    return {"name": "Intro", "channel": "email", "subject": "{{ account.name }}: hello",
            "body": "Hi {{ person.first_name }},\n\nbest", **extra}


def test_the_template_editor_refuses_an_unknown_variable_with_its_line(members, workspace):
    client = client_for(members[Role.MARKETING])
    response = client.post(reverse("campaigns:template_create"),
                           _template_data(body="Hi {{ person.first_name }},\n{{ acount.name }}"))
    assert response.status_code == 400
    assert "line 2: &#x27;acount&#x27; is undefined" in response.content.decode()
    response = client.post(reverse("campaigns:template_create"),
                           _template_data(disc_D_body="Short.\n\n{{ person.nme }}"))
    assert response.status_code == 400 and "DISC D body, line 3" in response.content.decode()
    response = client.post(reverse("campaigns:template_create"),
                           _template_data(disc_D_body="Short, {{ person.first_name }}.", b_body="B {{ account.name }}",
                                          b_share="30"))
    template = ContentTemplate.objects.for_workspace(workspace).get()
    assert response.status_code == 302
    assert template.disc_variants == {"D": {"body": "Short, {{ person.first_name }}."}}
    assert template.ab_split == {"A": 70, "B": 30} and template.ab_variants["B"]["subject"] == template.subject


def test_the_preview_renders_the_typed_text_for_the_chosen_person(campaign, workspace, members):
    account = campaign["accounts"][0]
    dora = ContactFactory(workspace=workspace, account=account, first_name="Dora", disc_style="D")
    client = client_for(members[Role.MARKETING])
    response = client.post(reverse("campaigns:template_preview", args=[campaign["template"].pk]),
                           {**_template_data(disc_D_body="Short one for {{ person.first_name }}."),
                            "preview_account": account.pk, "preview_person": dora.pk}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "Acme 0: hello" in html and "Short one for Dora." in html
    assert "A/D" in html
    response = client.post(reverse("campaigns:template_preview_new"),
                           {**_template_data(body="Hi {{ persn.first_name }}"), "preview_account": account.pk,
                            "preview_person": dora.pk}, **HTMX)
    assert "line 1:" in response.content.decode() and "persn" in response.content.decode()
    options = client.get(reverse("campaigns:template_people"), {"preview_account": account.pk}).content.decode()
    assert "Dora" in options and "DISC D" in options


# --- the pilot report and Expand -------------------------------------------------------------

def test_the_report_shows_the_pilot_and_only_the_owner_can_expand(campaign, workspace, members, admin):
    from campaigns.services.enrolment import campaign_start_pilot

    campaign_start_pilot(campaign=campaign["campaign"], by=admin, account_ids=[a.pk for a in campaign["accounts"][:2]])
    url = reverse("campaigns:report", args=[campaign["campaign"].pk])
    page = client_for(admin).get(url).content.decode()
    assert 'id="lift-chart"' in page and "Acme 0" in page and "Only the campaign" in page
    owner_page = client_for(members[Role.MARKETING]).get(url).content.decode()
    assert "Expand campaign" in owner_page
    assert client_for(admin).post(url, {"comment": "Looks good"}).status_code == 403
    assert client_for(members[Role.VIEWER]).post(url, {"comment": "Looks good"}).status_code == 403
    response = client_for(members[Role.MARKETING]).post(url, {"comment": ""})
    assert response.status_code == 400
    response = client_for(members[Role.MARKETING]).post(url, {"comment": "Both pilot accounts booked a meeting"})
    assert response.status_code == 302
    campaign["campaign"].refresh_from_db()
    assert campaign["campaign"].status == CampaignStatus.ACTIVE
    assert "Both pilot accounts booked a meeting" in client_for(admin).get(url).content.decode()


def test_touches_and_blocks_filter_by_reason(campaign, workspace, admin):
    TouchFactory(workspace=workspace, step=campaign["step"], enrolment__play=campaign["play"], status="sent",
                 subject="Hello Ada")
    TouchFactory(workspace=workspace, step=campaign["step"], enrolment__play=campaign["play"], status="blocked",
                 block_code="sales_active", block_reason="Acme has an open opportunity")
    client = client_for(admin)
    url = reverse("campaigns:touches", args=[campaign["campaign"].pk])
    page = client.get(url).content.decode()
    assert "Hello Ada" in page and "Acme has an open opportunity" in page and "Ask the owner for consent" in page
    page = client.get(url, {"block_code": "sales_active"}).content.decode()
    assert "Hello Ada" not in page and "Acme has an open opportunity" in page
    partial = client.get(url, {"status": "sent"}, **HTMX).content.decode()
    assert partial.startswith('\n<div id="touch-table">') and "Hello Ada" in partial


# --- the rep's tasks -------------------------------------------------------------------------

def test_my_tasks_show_the_person_and_their_disc_guidance_due_first(workspace, members):
    rep = members[Role.SALES]
    account = AccountFactory(workspace=workspace, name="Globex Freight")
    dana = ContactFactory(workspace=workspace, account=account, first_name="Dana", last_name="Dee", disc_style="D")
    SalesTaskFactory(workspace=workspace, assignee=rep, account=account, contact=dana, title="Call Dana Dee",
                     due_at=timezone.now() + timedelta(days=2))
    SalesTaskFactory(workspace=workspace, assignee=rep, title="Call the CFO first", due_at=timezone.now())
    SalesTaskFactory(workspace=workspace, assignee=members[Role.ADMIN], title="Someone else's call")
    page = client_for(rep).get(reverse("campaigns:tasks")).content.decode()
    assert page.index("Call the CFO first") < page.index("Call Dana Dee")
    assert "Someone else" not in page and "Globex Freight" in page
    assert "Brief, direct, results first" in page                 # Dana's DISC guidance
    everyone = client_for(rep).get(reverse("campaigns:tasks"), {"who": "all"}).content.decode()
    assert "Someone else" in everyone


def test_a_rep_completes_their_task_with_an_outcome(workspace, members):
    rep = members[Role.SALES]
    task = SalesTaskFactory(workspace=workspace, assignee=rep, title="Call Dana")
    theirs = SalesTaskFactory(workspace=workspace, assignee=members[Role.ADMIN])
    client = client_for(rep)
    url = reverse("campaigns:task_finish", args=[task.pk])
    response = client.post(url, {"status": "done", "outcome": ""}, **HTMX)
    assert "Say what happened" in response.content.decode()
    response = client.post(url, {"status": "done", "outcome": "Booked a demo"}, **HTMX)
    assert response.status_code == 200 and "Booked a demo" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.outcome == "Booked a demo"
    assert client.post(reverse("campaigns:task_finish", args=[theirs.pk]),
                       {"status": "done", "outcome": "x"}).status_code == 403
    assert client_for(members[Role.MARKETING]).post(url, {"status": "done", "outcome": "x"}).status_code == 403
    assert SalesTask.objects.for_workspace(workspace).get(pk=theirs.pk).status == TaskStatus.OPEN


# --- consents, webhooks, panels --------------------------------------------------------------

def test_an_owner_gives_consent_for_an_account_sales_is_working(campaign, workspace, members):
    rep = members[Role.SALES]
    closing = AccountFactory(workspace=workspace, name="Closing Corp", owner=rep)
    OpportunityFactory(workspace=workspace, account=closing)
    closing.has_open_opportunity = True
    closing.save()
    client = client_for(rep)
    page = client.get(reverse("campaigns:consents")).content.decode()
    assert "Closing Corp" in page
    response = client.post(reverse("campaigns:consents"), {
        "account": closing.pk, "play": campaign["play"].pk, "comment": "Go ahead",
        "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat()})
    assert response.status_code == 302
    consent = OwnerConsent.objects.for_workspace(workspace).get()
    assert consent.given_by == rep and consent.account == closing
    assert client_for(members[Role.MARKETING]).post(reverse("campaigns:consents"), {}).status_code == 403


def test_an_admin_creates_a_webhook_and_sees_its_secret_once(admin, workspace):
    client = client_for(admin)
    response = client.post(reverse("campaigns:webhooks"), {"name": "CRM", "url": "https://crm.example.com/h",
                                                           "events": "touch.sent, account.mqa", "is_active": "on"})
    assert response.status_code == 201
    subscription = workspace_subscription(workspace)
    assert subscription.secret in response.content.decode()
    assert subscription.events == ["touch.sent", "account.mqa"]
    assert subscription.secret not in client.get(reverse("campaigns:webhook", args=[subscription.pk])).content.decode()
    assert subscription.secret not in client.get(reverse("campaigns:webhooks")).content.decode()


def workspace_subscription(workspace):
    from campaigns.models import WebhookSubscription

    return WebhookSubscription.objects.for_workspace(workspace).get()


def test_the_account_page_shows_its_touches_and_blocks_with_reasons(campaign, workspace, members):
    account = campaign["accounts"][0]
    ada = ContactFactory(workspace=workspace, account=account, first_name="Ada", last_name="Lovelace")
    enrolment = EnrolmentFactory(workspace=workspace, play=campaign["play"], account=account)
    TouchFactory(workspace=workspace, step=campaign["step"], enrolment=enrolment, contact=ada, status="sent",
                 subject="A note for Ada")
    TouchFactory(workspace=workspace, step=campaign["step"], enrolment=enrolment, status="blocked",
                 block_code="sales_active",
                 block_reason="Acme 0 has an open opportunity; the owner has not approved this play")
    page = client_for(members[Role.VIEWER]).get(reverse("accounts:detail", args=[account.pk])).content.decode()
    panel = page[page.index('id="touches"'):]
    assert "A note for Ada" in panel and "Ada Lovelace" in panel
    assert "Sales is working the account" in panel and "the owner has not approved this play" in panel


def test_webhook_pages_belong_to_admins(members):
    subscription = WebhookSubscriptionFactory(workspace=members[Role.ADMIN].memberships.first().workspace)
    for role in (Role.MARKETING, Role.SALES, Role.VIEWER):
        assert client_for(members[role]).get(reverse("campaigns:webhook", args=[subscription.pk])).status_code == 403
