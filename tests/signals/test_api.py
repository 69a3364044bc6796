"""The signals API as integrations and the team use it: batch pushes (idempotent, with a
report), lists with filters, topics, unresolved, settings and an on-demand refresh."""
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from abm_platform.models import Job
from abm_platform.tenancy.roles import Role
from insights.signals.models import EngagementEvent, TriggerEvent
from tests.conftest import client_for
from tests.factories import (
    EngagementEventFactory, IntentSignalFactory, IntentTopicFactory, TriggerEventFactory, UnresolvedSignalFactory,
)

pytestmark = pytest.mark.django_db

YESTERDAY = (timezone.now() - timedelta(days=1)).isoformat()
ROWS = [
    {"type": "web_visit", "occurred_at": YESTERDAY, "external_id": "v1", "email": "ceo@hanse-cargo.de",
     "url": "https://northwind.example/pricing"},
    {"type": "email_open", "occurred_at": YESTERDAY, "external_id": "v2", "account_domain": "polar-freight.se"},
    {"type": "email_open", "occurred_at": YESTERDAY, "external_id": "v3", "email": "who@unknown-co.example"},
    {"type": "fax", "occurred_at": YESTERDAY, "external_id": "v4", "email": "ceo@hanse-cargo.de"},
]


def test_a_crm_pushes_engagement_and_gets_a_report_and_pushing_again_stores_nothing(api_key_client, workspace,
                                                                                    hanse):
    client = api_key_client("read_write")
    url = reverse("api:signal-engagement-list")

    first = client.post(url, ROWS, format="json")
    second = client.post(url, ROWS, format="json")

    assert first.status_code == 200, first.content
    body = first.json()
    assert {k: body[k] for k in ("total", "created", "duplicates", "unresolved", "rejected")} == {
        "total": 4, "created": 2, "duplicates": 0, "unresolved": 1, "rejected": 1}
    assert body["errors"] == [{"line": 4, "column": "type", "value": "fax",
                               "reason": "Unknown type 'fax'; use one of web_visit, email_open, email_click, "
                                         "email_reply, ad_impression, ad_click, form_fill, content_download, "
                                         "webinar_registration, webinar_attendance, event_registration, "
                                         "event_attendance, meeting, call."}]
    assert second.json()["duplicates"] == 2 and second.json()["created"] == 0
    assert set(EngagementEvent.objects.for_workspace(workspace).values_list("source", flat=True)) == {"api"}


def test_read_only_keys_and_read_only_roles_cannot_push(api_key_client, members, hanse):
    url = reverse("api:signal-intent-list")
    row = [{"provider": "bombora", "week_start": "2026-01-05", "domain": "hanse-cargo.de", "topic": "X",
            "score": 70}]
    assert api_key_client("read").post(url, row, format="json").status_code == 403
    for role, allowed in [(Role.ADMIN, True), (Role.MARKETING, True), (Role.SALES, True), (Role.EXECUTIVE, False),
                          (Role.VIEWER, False)]:
        assert client_for(members[role]).post(url, row, format="json").status_code == (200 if allowed else 403)
    assert api_key_client("read").get(url).status_code == 200


def test_a_push_must_be_a_list_of_at_most_5000_rows(admin, hanse):
    client = client_for(admin)
    url = reverse("api:signal-trigger-list")
    not_a_list = client.post(url, {"type": "funding"}, format="json")
    too_many = client.post(url, [{}] * 5001, format="json")
    assert not_a_list.status_code == 400 and "JSON list" in not_a_list.json()["message"]
    assert too_many.status_code == 400 and "At most 5,000" in too_many.json()["message"]


def test_triggers_are_pushed_by_crm_id_or_domain(admin, hanse, workspace):
    client = client_for(admin)
    response = client.post(reverse("api:signal-trigger-list"), [
        {"type": "acquisition", "occurred_on": "2026-02-01", "summary": "Buys a carrier", "source": "news",
         "external_id": "n1", "account_external_id": "P-1", "source_url": "https://news.example/1"},
        {"type": "Leadership Change", "occurred_on": "2026-02-03", "summary": "New COO", "source": "news",
         "external_id": "n2", "account_domain": "hanse-cargo.de"},
    ], format="json").json()
    assert response["created"] == 2
    assert set(TriggerEvent.objects.for_workspace(workspace).values_list("account_id", "type")) == {
        (hanse["polar"], "acquisition"), (hanse["hanse"], "leadership_change")}


def test_lists_filter_by_account_type_date_and_topic(admin, workspace, hanse):
    topic, other = IntentTopicFactory(workspace=workspace), IntentTopicFactory(workspace=workspace)
    IntentSignalFactory(workspace=workspace, account_id=hanse["hanse"], topic=topic, score=72)
    IntentSignalFactory(workspace=workspace, account_id=hanse["hanse"], topic=other, score=40)
    old = timezone.now() - timedelta(days=40)
    EngagementEventFactory(workspace=workspace, account_id=hanse["hanse"], type="meeting", channel="meetings")
    EngagementEventFactory(workspace=workspace, account_id=hanse["polar"], occurred_at=old,
                           occurred_day=old.timestamp() / 86400)
    client = client_for(admin)

    intent = client.get(reverse("api:signal-intent-list"), {"topic": topic.pk}).json()
    meetings = client.get(reverse("api:signal-engagement-list"), {"type": "meeting"}).json()
    recent = client.get(reverse("api:signal-engagement-list"),
                        {"since": (timezone.now() - timedelta(days=7)).date().isoformat()}).json()
    polar = client.get(reverse("api:signal-engagement-list"), {"account": hanse["polar"]}).json()

    assert [r["score"] for r in intent["results"]] == [72] and intent["results"][0]["topic_name"] == topic.name
    assert [r["type"] for r in meetings["results"]] == ["meeting"]
    assert recent["count"] == 1 and polar["count"] == 1


def test_an_id_filter_past_any_id_is_a_400(admin):
    """An id past 2**63 must not reach the database (SQLite raised OverflowError on `account_id`)."""
    client = client_for(admin)
    for name, param in (("signal-intent-list", "topic"), ("signal-engagement-list", "contact"),
                        ("signal-trigger-list", "account")):
        response = client.get(reverse(f"api:{name}"), {param: str(2**64)})
        assert response.status_code == 400 and param in response.json()["extra"]["fields"]


@pytest.mark.parametrize("url_name,factory", [
    ("api:signal-intent-list", IntentSignalFactory), ("api:signal-engagement-list", EngagementEventFactory),
    ("api:signal-trigger-list", TriggerEventFactory), ("api:signal-unresolved-list", UnresolvedSignalFactory),
    ("api:signal-topic-list", IntentTopicFactory),
])
def test_list_queries_do_not_grow_with_rows(url_name, factory, admin, workspace):
    client = client_for(admin)
    url = reverse(url_name)

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for _ in range(2):
        factory(workspace=workspace)
    few = count()
    for _ in range(25):
        factory(workspace=workspace)
    assert count() == few


def test_marketing_selects_and_weighs_topics_and_sales_cannot(members, workspace):
    topic = IntentTopicFactory(workspace=workspace, is_selected=False)
    url = reverse("api:signal-topic-detail", kwargs={"pk": topic.pk})
    assert client_for(members[Role.SALES]).patch(url, {"is_selected": True}, format="json").status_code == 403
    response = client_for(members[Role.MARKETING]).patch(url, {"is_selected": True, "weight": 0.5}, format="json")
    assert response.status_code == 200 and response.json()["weight"] == 0.5
    bad = client_for(members[Role.MARKETING]).patch(url, {"weight": 2}, format="json")
    assert bad.status_code == 400
    topic.refresh_from_db()
    assert topic.is_selected and topic.weight == 0.5


def test_admins_change_the_rules_and_stored_events_are_reweighed(admin, members, workspace, hanse,
                                                                 django_capture_on_commit_callbacks):
    client = client_for(admin)
    client.post(reverse("api:signal-engagement-list"), ROWS[:1], format="json")  # pricing page, C-level: 10
    url = reverse("api:signal-settings")
    assert client_for(members[Role.MARKETING]).patch(url, {"refresh_every_days": 7}, format="json").status_code \
        == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(url, {"engagement_rules": {"web_visit": {"high_value_bonus": 9}},
                                      "refresh_every_days": 7}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["refresh_every_days"] == 7 and body["effective_rules"]["web_visit"]["high_value_bonus"] == 9
    job = Job.objects.for_workspace(workspace).get(pk=body["reweigh_job"])
    assert job.status == "succeeded"  # eager in tests
    assert EngagementEvent.objects.for_workspace(workspace).get().minutes == 20.0  # (1 + 9) × 2
    unchanged = client.patch(url, {"refresh_every_days": 7}, format="json").json()
    assert unchanged["reweigh_job"] is None


def test_bad_rules_are_a_400_naming_the_rule(admin, hanse):
    response = client_for(admin).patch(reverse("api:signal-settings"),
                                       {"engagement_rules": {"web_visit": {"points": 3}}}, format="json")
    assert response.status_code == 400 and "web_visit.points" in response.json()["extra"]["fields"]


def test_an_admin_refreshes_now_and_a_second_request_gets_the_same_job(admin, members, workspace):
    url = reverse("api:signal-refresh")
    assert client_for(members[Role.MARKETING]).post(url).status_code == 403
    with mock.patch("insights.signals.services.refresh.job_enqueue"):  # stays queued
        first = client_for(admin).post(url)
        second = client_for(admin).post(url)
    assert first.status_code == 202 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"] and first.json()["kind"] == "signal_refresh"


def test_unresolved_are_listed_and_retried_through_the_api(admin, workspace, hanse,
                                                          django_capture_on_commit_callbacks):
    client = client_for(admin)
    client.post(reverse("api:signal-trigger-list"), [
        {"type": "funding", "occurred_on": "2026-02-01", "summary": "Seed", "source": "news", "external_id": "z",
         "account_domain": "zebra-logistics.com"}], format="json")
    listed = client.get(reverse("api:signal-unresolved-list"), {"status": "open", "kind": "trigger"}).json()
    assert listed["count"] == 1 and listed["results"][0]["key"] == "zebra-logistics.com"

    from accounts.services.upsert import accounts_upsert
    accounts_upsert(workspace=workspace, records=[{"name": "Zebra", "domain": "zebra-logistics.com"}])
    with django_capture_on_commit_callbacks(execute=True):
        job = client.post(reverse("api:signal-unresolved-retry")).json()

    assert Job.objects.for_workspace(workspace).get(pk=job["id"]).result["resolved"] == 1
    assert TriggerEvent.objects.for_workspace(workspace).count() == 1
    assert client.get(reverse("api:signal-unresolved-list"), {"status": "open"}).json()["count"] == 0


def test_the_schema_documents_the_push_rows(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    push = schema["paths"]["/api/v1/signals/engagement/"]["post"]
    assert push["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
    assert "/api/v1/signals/refresh/" in schema["paths"] and "/api/v1/signals/settings/" in schema["paths"]


def test_the_channel_filter_is_the_channels_types(admin, workspace, hanse):
    EngagementEventFactory(workspace=workspace, account_id=hanse["hanse"], type="email_open", channel="email")
    EngagementEventFactory(workspace=workspace, account_id=hanse["hanse"], type="email_click", channel="email")
    EngagementEventFactory(workspace=workspace, account_id=hanse["hanse"], type="meeting", channel="meetings")
    body = client_for(admin).get(reverse("api:signal-engagement-list"), {"channel": "email"}).json()
    assert sorted(r["type"] for r in body["results"]) == ["email_click", "email_open"]
