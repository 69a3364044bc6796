"""The campaigns API: who may do what, the pilot and the owner-only expand, templates refused at
save time with their line, steps and their audience, the preview of any step for any person, the
touch outbox with its filters, owner consents, webhooks (secret shown once), sales tasks, and
lists that cost the same number of queries for 2 rows as for 12."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from abm_platform.tenancy.roles import Role
from campaigns.models import Campaign, CampaignStatus, ContentTemplate, SalesTask, Step, TaskStatus
from tests.conftest import client_for
from tests.factories import (
    AccountFactory, CampaignFactory, ContactFactory, ContentTemplateFactory, OwnerConsentFactory, PersonaFactory,
    PlayFactory, SalesTaskFactory, StepFactory, TierFactory, TouchFactory, WebhookSubscriptionFactory,
)

pytestmark = pytest.mark.django_db
ALL = list(Role.values)


def _campaign_body(**extra):
    return {"name": "Q3 logistics pilot", "objective": "Book meetings", "success_metric": "meetings",
            "hypothesis": "Personalised e-mail to decision makers books 2 meetings in 4 weeks.",
            "end_date": (timezone.localdate() + timedelta(days=40)).isoformat(), **extra}


@pytest.fixture
def ready(workspace, members):
    """A hand-picked campaign owned by marketing with three accounts, a play and an e-mail step."""
    accounts = [AccountFactory(workspace=workspace, name=f"Pilot {n}") for n in range(3)]
    campaign = CampaignFactory(workspace=workspace, owner=members[Role.MARKETING])
    campaign.accounts.set(accounts)
    play = PlayFactory(workspace=workspace, campaign=campaign)
    template = ContentTemplateFactory(workspace=workspace)
    step = StepFactory(workspace=workspace, play=play, order=1, template=template)
    return {"campaign": campaign, "accounts": accounts, "play": play, "step": step, "template": template}


# --- campaigns -------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ALL)
def test_only_marketers_create_campaigns_and_everyone_reads_them(role, members, workspace):
    client = client_for(members[role])
    tier = TierFactory(workspace=workspace)
    response = client.post(reverse("api:campaign-list"), _campaign_body(audience_kind="tier", tier=tier.pk))
    allowed = role in (Role.ADMIN, Role.MARKETING)
    assert response.status_code == (201 if allowed else 403), response.content
    if allowed:
        body = response.json()
        assert body["status"] == "draft" and body["owner"]["id"] == members[role].pk and body["tier"]["id"] == tier.pk
    assert client.get(reverse("api:campaign-list")).status_code == 200


def test_a_campaign_names_the_audience_its_kind_needs_and_an_owner_of_the_workspace(admin, workspace, outsider):
    client = client_for(admin)
    response = client.post(reverse("api:campaign-list"), _campaign_body(audience_kind="tier"))
    assert response.status_code == 400 and "tier" in response.json()["extra"]["fields"]
    response = client.post(reverse("api:campaign-list"), _campaign_body(audience_kind="accounts", accounts=[]))
    assert response.status_code == 400 and "accounts" in response.json()["extra"]["fields"]
    # someone outside the workspace reads like nobody: the answer tells no user ids of other workspaces
    outside = client.post(reverse("api:campaign-list"), _campaign_body(owner=outsider.pk))
    nobody = client.post(reverse("api:campaign-list"), _campaign_body(owner=outsider.pk + 10_000))
    assert outside.status_code == nobody.status_code == 400
    assert outside.json()["extra"]["fields"]["owner"] == [
        m.replace(str(outsider.pk + 10_000), str(outsider.pk)) for m in nobody.json()["extra"]["fields"]["owner"]]
    foreign = AccountFactory()
    response = client.post(reverse("api:campaign-list"), _campaign_body(audience_kind="accounts",
                                                                        accounts=[foreign.pk]))
    assert response.status_code == 400 and "No such account" in str(response.json())
    assert Campaign.objects.for_workspace(workspace).count() == 0


def test_the_pilot_starts_on_two_or_three_accounts_of_the_audience(ready, members):
    client = client_for(members[Role.MARKETING])
    url = reverse("api:campaign-start-pilot", kwargs={"pk": ready["campaign"].pk})
    outsider_account = AccountFactory(workspace=ready["campaign"].workspace)
    assert client.post(url, {"accounts": [ready["accounts"][0].pk]}).status_code == 400
    response = client.post(url, {"accounts": [ready["accounts"][0].pk, outsider_account.pk]})
    assert response.status_code == 400 and "audience" in response.json()["message"] + str(response.json())
    response = client.post(url, {"accounts": [a.pk for a in ready["accounts"][:2]]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "pilot" and sorted(body["pilot_accounts"]) == sorted(a.pk for a in ready["accounts"][:2])
    assert body["pilot_size"] == 2 and body["audience_size"] == 3


def test_only_the_owner_expands_and_only_with_a_comment(ready, members, admin):
    campaign = ready["campaign"]
    client_for(admin).post(reverse("api:campaign-start-pilot", kwargs={"pk": campaign.pk}),
                           {"accounts": [a.pk for a in ready["accounts"][:2]]})
    url = reverse("api:campaign-expand", kwargs={"pk": campaign.pk})
    assert client_for(admin).post(url, {"comment": "Looks great"}).status_code == 403      # not the owner
    assert client_for(members[Role.VIEWER]).post(url, {"comment": "x"}).status_code == 403
    owner = client_for(members[Role.MARKETING])
    response = owner.post(url, {"comment": "   "})
    assert response.status_code == 400 and "comment" in response.json()["extra"]["fields"]
    response = owner.post(url, {"comment": "2 meetings from 2 pilot accounts"})
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert response.json()["expand_comment"] == "2 meetings from 2 pilot accounts"
    assert response.json()["expanded_by"]["id"] == members[Role.MARKETING].pk


def test_pause_resume_and_stop(ready, admin):
    client = client_for(admin)
    campaign = ready["campaign"]
    client.post(reverse("api:campaign-start-pilot", kwargs={"pk": campaign.pk}),
                {"accounts": [a.pk for a in ready["accounts"][:2]]})
    assert client.post(reverse("api:campaign-resume", kwargs={"pk": campaign.pk})).status_code == 400
    assert client.post(reverse("api:campaign-pause", kwargs={"pk": campaign.pk})).json()["status"] == "paused"
    assert client.post(reverse("api:campaign-resume", kwargs={"pk": campaign.pk})).json()["status"] == "pilot"
    assert client.post(reverse("api:campaign-stop", kwargs={"pk": campaign.pk})).json()["status"] == "stopped"
    assert client.delete(reverse("api:campaign-detail", kwargs={"pk": campaign.pk})).status_code == 400


def test_a_draft_is_edited_and_deleted(ready, admin):
    client = client_for(admin)
    url = reverse("api:campaign-detail", kwargs={"pk": ready["campaign"].pk})
    response = client.patch(url, {"name": "Renamed", "accounts": [ready["accounts"][0].pk]})
    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    assert response.json()["accounts"] == [ready["accounts"][0].pk]
    assert client.delete(url).status_code == 204


# --- templates -------------------------------------------------------------------------------

def test_a_template_with_an_unknown_variable_is_refused_with_its_line(admin, workspace):
    client = client_for(admin)
    body = {"name": "Intro", "channel": "email", "subject": "Hi {{ person.first_name }}",
            "body": "Hello {{ person.first_name }},\n\nabout {{ acount.name }} …"}
    response = client.post(reverse("api:contenttemplate-list"), body)
    assert response.status_code == 400
    errors = response.json()["extra"]["fields"]["body"]
    assert errors == ["line 3: 'acount' is undefined"]
    assert ContentTemplate.objects.for_workspace(workspace).count() == 0


def test_a_syntax_error_names_its_field_variant_and_line(admin):
    client = client_for(admin)
    response = client.post(reverse("api:contenttemplate-list"), {
        "name": "Intro", "subject": "{{ account.name }", "body": "Fine {{ account.name }}",
        "disc_variants": {"D": {"body": "Short.\n{% if person %}no end"}}})
    fields = response.json()["extra"]["fields"]
    assert response.status_code == 400
    assert fields["subject"][0].startswith("line 1:")
    assert fields["disc_variants"][0].startswith("DISC D body, line 2:")


def test_ab_arms_need_a_split_that_sums_to_100(admin):
    client = client_for(admin)
    response = client.post(reverse("api:contenttemplate-list"), {
        "name": "AB", "subject": "A", "body": "A {{ account.name }}",
        "ab_variants": {"B": {"subject": "B", "body": "B {{ account.name }}"}}, "ab_split": {"A": 50, "B": 40}})
    assert response.status_code == 400 and "100" in str(response.json()["extra"]["fields"]["ab_split"])
    response = client.post(reverse("api:contenttemplate-list"), {
        "name": "AB", "subject": "A", "body": "A {{ account.name }}",
        "ab_variants": {"B": {"subject": "B", "body": "B {{ account.name }}"}}, "ab_split": {"A": 50, "B": 50}})
    assert response.status_code == 201, response.content


def test_a_good_template_saves_and_a_bad_change_leaves_it_as_it_was(admin, workspace):
    client = client_for(admin)
    created = client.post(reverse("api:contenttemplate-list"), {
        "name": "Intro", "subject": "{{ account.name }}: a note", "body": "Hi {{ person.first_name }}"})
    assert created.status_code == 201, created.content
    url = reverse("api:contenttemplate-detail", kwargs={"pk": created.json()["id"]})
    assert client.patch(url, {"body": "Hi {{ person.first_name }\n"}).status_code == 400
    assert ContentTemplate.objects.for_workspace(workspace).get().body == "Hi {{ person.first_name }}"
    assert client_for_role(workspace, Role.SALES).patch(url, {"name": "x"}).status_code == 403


def client_for_role(workspace, role):
    from abm_platform.models import Membership

    return client_for(Membership.objects.for_workspace(workspace).get(role=role).user)


def test_a_template_in_use_is_not_deleted(ready, admin):
    url = reverse("api:contenttemplate-detail", kwargs={"pk": ready["template"].pk})
    response = client_for(admin).delete(url)
    assert response.status_code == 400 and "step 1" in response.json()["message"]


# --- plays and steps -------------------------------------------------------------------------

def test_a_step_picks_its_audience_from_known_values(ready, admin, workspace):
    client = client_for(admin)
    url = reverse("api:step-list")
    persona = PersonaFactory(workspace=workspace)
    foreign_persona = PersonaFactory()
    base = {"play": ready["play"].pk, "channel": "email", "template": ready["template"].pk, "delay_hours": 48}
    response = client.post(url, {**base, "audience_filter": {"roles": ["decision_maker", "wizard"]}})
    assert response.status_code == 400 and "wizard" in str(response.json()["extra"]["fields"]["audience_filter"])
    response = client.post(url, {**base, "audience_filter": {"personas": [foreign_persona.pk]}})
    assert response.status_code == 400 and "No such persona" in str(response.json())
    response = client.post(url, {**base, "template": None})
    assert response.status_code == 400 and "template" in response.json()["extra"]["fields"]
    response = client.post(url, {**base, "audience_filter": {
        "roles": ["decision_maker"], "seniorities": ["c_level", "vp"], "personas": [persona.pk], "disc_styles": ["D"]}})
    assert response.status_code == 201, response.content
    assert response.json()["order"] == 2
    response = client.post(url, {"play": ready["play"].pk, "channel": "sales_task", "task_kind": "fax"})
    assert response.status_code == 400 and "task_kind" in response.json()["extra"]["fields"]


def test_a_step_written_through_the_api_keeps_only_its_channels_settings(ready, admin, workspace):
    client = client_for(admin)
    response = client.post(reverse("api:step-list"), {
        "play": ready["play"].pk, "channel": "sales_task", "task_kind": "call", "assignee_rule": "sdr",
        "template": ready["template"].pk, "config": {"event": "x"}, "is_operational": True,
        "audience_filter": {"roles": ["decision_maker"]}})
    assert response.status_code == 201, response.content
    body = response.json()
    kept = ("template", "config", "is_operational", "assignee_rule", "audience_filter")
    assert tuple(body[k] for k in kept) == (None, {}, False, "sdr", {"roles": ["decision_maker"]})
    changed = client.patch(reverse("api:step-detail", kwargs={"pk": body["id"]}),
                           {"channel": "webhook", "config": {"event": "play.step"}}).json()
    assert (changed["task_kind"], changed["assignee_rule"], changed["audience_filter"], changed["config"]) == (
        "", "owner", {}, {"event": "play.step"})


def test_ids_past_any_id_are_a_400_not_a_500(ready, admin):
    """Account and step ids are bounded like the database's: SQLite cannot compare 2**64."""
    client = client_for(admin)
    response = client.post(reverse("api:campaign-start-pilot", kwargs={"pk": ready["campaign"].pk}),
                           {"accounts": [ready["accounts"][0].pk, 2**64]})
    assert response.status_code == 400 and "accounts" in response.json()["extra"]["fields"]
    response = client.post(reverse("api:play-reorder", kwargs={"pk": ready["play"].pk}), {"steps": [2**64]})
    assert response.status_code == 400 and "steps" in response.json()["extra"]["fields"]
    response = client.get(reverse("api:touch-list"), {"play": str(2**64)})
    assert response.status_code == 400 and "play" in response.json()["extra"]["fields"]
    response = client.get(reverse("api:salestask-list"), {"campaign": str(2**64)})
    assert response.status_code == 400 and "campaign" in response.json()["extra"]["fields"]


def test_steps_are_reordered_and_deleted_with_the_play_renumbered(ready, admin, workspace):
    client = client_for(admin)
    play = ready["play"]
    second = StepFactory(workspace=workspace, play=play, order=2, channel="sales_task", task_kind="call")
    third = StepFactory(workspace=workspace, play=play, order=3, channel="ad_audience")
    url = reverse("api:play-reorder", kwargs={"pk": play.pk})
    assert client.post(url, {"steps": [third.pk, second.pk]}).status_code == 400
    response = client.post(url, {"steps": [third.pk, ready["step"].pk, second.pk]})
    assert response.status_code == 200
    assert [s["id"] for s in response.json()["steps"]] == [third.pk, ready["step"].pk, second.pk]
    assert client.delete(reverse("api:step-detail", kwargs={"pk": third.pk})).status_code == 204
    orders = dict(Step.objects.for_workspace(workspace).filter(play=play).values_list("pk", "order"))
    assert orders == {ready["step"].pk: 1, second.pk: 2}


def test_a_step_with_touches_is_kept(ready, admin, workspace):
    TouchFactory(workspace=workspace, step=ready["step"], enrolment__play=ready["play"])
    response = client_for(admin).delete(reverse("api:step-detail", kwargs={"pk": ready["step"].pk}))
    assert response.status_code == 400 and "touch" in response.json()["message"]


# --- preview ---------------------------------------------------------------------------------

def test_preview_renders_a_step_for_one_person_with_their_disc_variant(ready, workspace, members):
    template = ready["template"]
    template.subject = "{{ account.name }} for {{ person.first_name }}"
    template.body = "Long text for {{ person.first_name }}"
    template.disc_variants = {"D": {"body": "Short, {{ person.first_name }}."}}
    template.save()
    account = ready["accounts"][0]
    dora = ContactFactory(workspace=workspace, account=account, first_name="Dora", disc_style="D")
    sam = ContactFactory(workspace=workspace, account=account, first_name="Sam", disc_style="S")
    client = client_for(members[Role.VIEWER])
    url = reverse("api:campaign-preview", kwargs={"pk": ready["campaign"].pk})
    body = client.get(url, {"step": ready["step"].pk, "contact": dora.pk}).json()
    assert body["ok"] and body["subject"] == "Pilot 0 for Dora" and body["body_text"] == "Short, Dora."
    assert body["variant"] == "A/D"
    body = client.get(url, {"step": ready["step"].pk, "account": account.pk, "contact": sam.pk}).json()
    assert body["body_text"] == "Long text for Sam" and body["variant"] == "A"
    elsewhere = ContactFactory(workspace=workspace, account=ready["accounts"][1])
    response = client.get(url, {"step": ready["step"].pk, "account": account.pk, "contact": elsewhere.pk})
    assert response.status_code == 400
    other_step = StepFactory(workspace=workspace)
    assert client.get(url, {"step": other_step.pk, "contact": dora.pk}).status_code == 400


def test_template_preview_with_sample_data_and_for_a_person(ready, workspace, admin):
    client = client_for(admin)
    url = reverse("api:contenttemplate-preview", kwargs={"pk": ready["template"].pk})
    assert client.get(url).json()["subject"] == "Hello Anna"
    person = ContactFactory(workspace=workspace, account=ready["accounts"][0], first_name="Zoe")
    assert client.get(url, {"contact": person.pk}).json()["subject"] == "Hello Zoe"


# --- touches ---------------------------------------------------------------------------------

def test_touches_filter_by_status_reason_channel_account_and_dates(ready, workspace, admin):
    play, step = ready["play"], ready["step"]
    now = timezone.now()
    sent = TouchFactory(workspace=workspace, step=step, enrolment__play=play, status="sent", planned_at=now)
    blocked = TouchFactory(workspace=workspace, step=step, enrolment__play=play, status="blocked",
                           block_code="opted_out", block_reason="Ada opted out of e-mail",
                           planned_at=now - timedelta(days=10))
    task = TouchFactory(workspace=workspace, step=StepFactory(workspace=workspace, play=play, channel="sales_task"),
                        enrolment__play=play, channel="sales_task", status="blocked", block_code="sales_active",
                        planned_at=now - timedelta(days=3))
    client = client_for(admin)
    url = reverse("api:touch-list")

    def ids(**params):
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {sent.pk, blocked.pk, task.pk}
    assert ids(status="blocked") == {blocked.pk, task.pk}
    assert ids(block_code="opted_out") == {blocked.pk}
    assert ids(channel="sales_task") == {task.pk}
    assert ids(account=sent.account_id) == {sent.pk}
    assert ids(planned_after=(now - timedelta(days=5)).date().isoformat()) == {sent.pk, task.pk}
    assert ids(planned_before=(now - timedelta(days=5)).date().isoformat()) == {blocked.pk}
    assert ids(campaign=ready["campaign"].pk, status=["sent", "blocked"]) == {sent.pk, blocked.pk, task.pk}
    blocks = client.get(reverse("api:touch-blocks"), {"block_code": "sales_active"}).json()
    assert [row["id"] for row in blocks["results"]] == [task.pk]
    assert blocks["results"][0]["block_code"] == "sales_active"
    assert client.get(url, {"account": AccountFactory().pk}).status_code == 400     # another workspace's


# --- owner consents --------------------------------------------------------------------------

def test_the_account_owner_gives_consent_with_an_expiry(ready, workspace, members):
    rep = members[Role.SALES]
    account = ready["accounts"][0]
    account.owner = rep
    account.save()
    url = reverse("api:ownerconsent-list")
    body = {"account": account.pk, "play": ready["play"].pk, "comment": "Champion asked for it",
            "expires_at": (timezone.now() + timedelta(days=20)).isoformat()}
    assert client_for(members[Role.MARKETING]).post(url, body).status_code == 403
    response = client_for(rep).post(url, {**body, "expires_at": (timezone.now() - timedelta(days=1)).isoformat()})
    assert response.status_code == 400 and "expires_at" in response.json()["extra"]["fields"]
    given = client_for(rep).post(url, body)
    assert given.status_code == 201, given.content
    assert given.json()["is_active"] and given.json()["given_by"]["id"] == rep.pk
    not_owned = ready["accounts"][1]
    response = client_for(rep).post(url, {**body, "account": not_owned.pk})
    assert response.status_code == 403 and "owner" in response.json()["message"]
    assert client_for(members[Role.ADMIN]).post(url, {**body, "account": not_owned.pk}).status_code == 201
    old = OwnerConsentFactory(workspace=workspace, expires_at=timezone.now() - timedelta(days=2))
    active = client_for(members[Role.VIEWER]).get(url, {"active": "true"}).json()["results"]
    assert old.pk not in {row["id"] for row in active} and len(active) == 2
    revoke = reverse("api:ownerconsent-revoke", kwargs={"pk": given.json()["id"]})
    assert client_for(rep).post(revoke).json()["is_active"] is False


# --- webhooks --------------------------------------------------------------------------------

def test_a_webhook_secret_is_shown_once_and_only_admins_manage_webhooks(admin, members):
    client = client_for(admin)
    response = client.post(reverse("api:webhooksubscription-list"),
                           {"name": "CRM", "url": "https://crm.example.com/hook", "events": ["touch.sent"]})
    assert response.status_code == 201 and len(response.json()["secret"]) >= 32
    url = reverse("api:webhooksubscription-detail", kwargs={"pk": response.json()["id"]})
    assert "secret" not in client.get(url).json()
    assert client.patch(url, {"events": []}).status_code == 400
    rotated = client.post(reverse("api:webhooksubscription-rotate-secret", kwargs={"pk": response.json()["id"]}))
    assert rotated.json()["secret"] != response.json()["secret"]
    for role in (Role.MARKETING, Role.SALES, Role.VIEWER):
        assert client_for(members[role]).get(reverse("api:webhooksubscription-list")).status_code == 403


# --- sales tasks -----------------------------------------------------------------------------

def test_reps_list_their_tasks_with_disc_guidance_and_complete_them(workspace, members):
    rep = members[Role.SALES]
    contact = ContactFactory(workspace=workspace, disc_style="C", first_name="Carl")
    mine = SalesTaskFactory(workspace=workspace, assignee=rep, contact=contact,
                            due_at=timezone.now() + timedelta(days=1))
    urgent = SalesTaskFactory(workspace=workspace, assignee=rep, due_at=timezone.now() - timedelta(days=1))
    theirs = SalesTaskFactory(workspace=workspace, assignee=members[Role.ADMIN])
    client = client_for(rep)
    rows = client.get(reverse("api:salestask-list"), {"assignee": "me", "status": "open"}).json()["results"]
    assert [r["id"] for r in rows] == [urgent.pk, mine.pk]
    guidance = rows[1]["disc_guidance"]
    assert guidance["style"] == "C" and guidance["summary"].startswith("Prepared")
    url = reverse("api:salestask-complete", kwargs={"pk": mine.pk})
    assert client.post(url, {"outcome": ""}).status_code == 400
    response = client.post(url, {"outcome": "Booked a demo for Tuesday"})
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert client.post(url, {"outcome": "again"}).status_code == 400
    assert client.post(reverse("api:salestask-skip", kwargs={"pk": theirs.pk}), {"outcome": "x"}).status_code == 403
    assert client_for(members[Role.MARKETING]).post(
        reverse("api:salestask-skip", kwargs={"pk": urgent.pk}), {"outcome": "x"}).status_code == 403
    assert client_for(members[Role.ADMIN]).post(
        reverse("api:salestask-skip", kwargs={"pk": urgent.pk}), {"outcome": "Account churned"}).status_code == 200
    assert SalesTask.objects.for_workspace(workspace).get(pk=urgent.pk).status == TaskStatus.SKIPPED


# --- the report ------------------------------------------------------------------------------

def test_the_report_endpoint_answers_for_a_draft_and_a_pilot(ready, admin):
    client = client_for(admin)
    url = reverse("api:campaign-report", kwargs={"pk": ready["campaign"].pk})
    assert client.get(url).json()["accounts"] == []
    client.post(reverse("api:campaign-start-pilot", kwargs={"pk": ready["campaign"].pk}),
                {"accounts": [a.pk for a in ready["accounts"][:2]]})
    body = client.get(url).json()
    assert {a["name"] for a in body["accounts"]} == {"Pilot 0", "Pilot 1"} and body["sent"] == 0


# --- lists: paginated, and no query per row --------------------------------------------------

def _rows(workspace, name, n):
    for _ in range(n):
        if name == "campaign":
            CampaignFactory(workspace=workspace).accounts.set([AccountFactory(workspace=workspace)])
        elif name == "play":
            StepFactory(workspace=workspace)
        elif name == "step":
            StepFactory(workspace=workspace, template=ContentTemplateFactory(workspace=workspace))
        elif name == "contenttemplate":
            ContentTemplateFactory(workspace=workspace)
        elif name == "touch":
            TouchFactory(workspace=workspace, contact=ContactFactory(workspace=workspace))
        elif name == "ownerconsent":
            OwnerConsentFactory(workspace=workspace)
        elif name == "salestask":
            SalesTaskFactory(workspace=workspace, contact=ContactFactory(workspace=workspace, disc_style="D"))
        elif name == "webhooksubscription":
            WebhookSubscriptionFactory(workspace=workspace)


LISTS = ["campaign", "play", "step", "contenttemplate", "touch", "ownerconsent", "salestask", "webhooksubscription"]


@pytest.mark.parametrize("name", LISTS)
def test_lists_are_paginated_and_their_queries_do_not_grow_with_rows(name, admin, workspace):
    client = client_for(admin)
    url = reverse(f"api:{name}-list")

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": 50})
        assert response.status_code == 200
        return len(queries)

    _rows(workspace, name, 2)
    few = count()
    _rows(workspace, name, 10)
    assert count() == few
    body = client.get(url, {"page_size": 5}).json()
    assert body["count"] >= 12 and len(body["results"]) == 5 and body["next"]


def test_another_workspace_cannot_act_on_a_campaign(ready, outsider):
    client = client_for(outsider)
    campaign = ready["campaign"]
    for name in ("campaign-start-pilot", "campaign-expand", "campaign-pause", "campaign-stop"):
        assert client.post(reverse(f"api:{name}", kwargs={"pk": campaign.pk}), {}).status_code == 404
    assert client.get(reverse("api:campaign-preview", kwargs={"pk": campaign.pk}),
                      {"step": ready["step"].pk}).status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
