"""The signal pages and the panels drawn on the account page and the dashboard."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from abm_platform.models import Job
from abm_platform.tenancy.roles import Role
from contacts.models import Contact
from insights.signals.models import EngagementEvent, IntentTopic, SignalProvider, SignalSettings
from tests.conftest import client_for
from tests.factories import (
    EngagementEventFactory, IntentSignalFactory, IntentTopicFactory, TriggerEventFactory, UnresolvedSignalFactory,
)

pytestmark = pytest.mark.django_db

PAGES = ["insights:signals:overview", "insights:signals:activity", "insights:signals:topics",
         "insights:signals:unresolved", "insights:signals:settings"]


@pytest.mark.parametrize("role", list(Role.values))
def test_every_member_reads_the_signal_pages_and_only_editors_import(role, members):
    client = client_for(members[role])
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    editor = role in (Role.ADMIN, Role.MARKETING, Role.SALES)
    assert client.get(reverse("insights:signals:import")).status_code == (200 if editor else 403)


def test_the_nav_has_a_signals_entry_marked_active_on_signal_pages(admin):
    page = client_for(admin).get(reverse("insights:signals:topics")).content.decode()
    assert 'aria-current="page"' in page and "<span>Signals</span>" in page


def test_the_overview_shows_counts_of_the_last_90_days_and_the_refresh(admin, workspace, hanse):
    EngagementEventFactory(workspace=workspace, account_id=hanse["hanse"])
    old = timezone.now() - timedelta(days=200)
    EngagementEventFactory(workspace=workspace, account_id=hanse["hanse"], occurred_at=old)
    TriggerEventFactory(workspace=workspace, account_id=hanse["polar"], summary="Opens a hub in Malmö")
    page = client_for(admin).get(reverse("insights:signals:overview"))
    overview = page.context["overview"]
    assert overview.engagement_events == 1 and overview.trigger_events == 1
    html = page.content.decode()
    assert "Opens a hub in Malmö" in html and "Refresh now" in html and "never" in html


def test_only_admins_see_and_use_refresh_now(members, django_capture_on_commit_callbacks):
    assert "Refresh now" not in client_for(members[Role.MARKETING]).get(
        reverse("insights:signals:overview")).content.decode()
    assert client_for(members[Role.MARKETING]).post(reverse("insights:signals:refresh")).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(members[Role.ADMIN]).post(reverse("insights:signals:refresh"))
    assert response.status_code == 302 and "/jobs/" in response["Location"]


def test_marketing_selects_a_topic_with_a_weight(members, workspace):
    topic = IntentTopicFactory(workspace=workspace, is_selected=False)
    client = client_for(members[Role.MARKETING])
    response = client.post(reverse("insights:signals:topic", kwargs={"pk": topic.pk}),
                           {"is_selected": "on", "weight": "0.4", "next": "https://evil.example/"},
                           format="multipart")
    assert response.status_code == 302 and response["Location"] == reverse("insights:signals:topics")
    topic.refresh_from_db()
    assert topic.is_selected and topic.weight == 0.4
    assert client_for(members[Role.SALES]).post(reverse("insights:signals:topic", kwargs={"pk": topic.pk}),
                                                {"weight": "1"}, format="multipart").status_code == 403
    client.post(reverse("insights:signals:topics"), {"name": "Robotic Picking", "weight": "1", "is_selected": "on"},
                format="multipart")
    assert IntentTopic.objects.for_workspace(workspace).filter(name="Robotic Picking", is_selected=True).exists()


def test_an_admin_changes_the_rules_on_the_settings_page_and_events_are_reweighed(
        admin, workspace, hanse, django_capture_on_commit_callbacks):
    ceo = Contact.objects.for_workspace(workspace).get(email="ceo@hanse-cargo.de")
    EngagementEventFactory(workspace=workspace, account_id=hanse["hanse"], contact=ceo, type="email_open",
                           channel="email", minutes=0.2)
    client = client_for(admin)
    form = client.get(reverse("insights:signals:settings")).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["rule__email_open__minutes"] = "0.5"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("insights:signals:settings"), data, format="multipart")
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    assert EngagementEvent.objects.for_workspace(workspace).get().minutes == 1.0  # 0.5 × C-level 2
    assert SignalSettings.objects.for_workspace(workspace).get().engagement_rules == {"email_open": {"minutes": 0.5}}


def test_an_admin_names_the_website_domains_that_get_the_contact_token(admin, workspace):
    client = client_for(admin)
    form = client.get(reverse("insights:signals:settings")).context["form"]
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}

    data["website_domains"] = "https://www.Northwind-Cargo.de/de\nnot a domain"
    refused = client.post(reverse("insights:signals:settings"), data, format="multipart")
    assert refused.status_code == 200 and "Not a web domain: not a domain" in refused.content.decode()

    data["website_domains"] = "https://www.Northwind-Cargo.de/de\nshop.northwind-cargo.de\nnorthwind.co.uk"
    assert client.post(reverse("insights:signals:settings"), data, format="multipart").status_code == 302
    saved = SignalSettings.objects.for_workspace(workspace).get().website_domains
    assert saved == ["northwind-cargo.de", "northwind.co.uk"]


def test_an_admin_adds_pauses_and_removes_a_file_drop(admin, workspace, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(admin)
    client.post(reverse("insights:signals:providers"), {"name": "bombora", "kind": "file_drop",
                                                        "signal_kind": "intent", "path": "bombora"},
                format="multipart")
    provider = SignalProvider.objects.for_workspace(workspace).get()
    assert provider.config == {"path": "bombora"}
    assert "bombora" in client.get(reverse("insights:signals:settings")).content.decode()
    client.post(reverse("insights:signals:provider", kwargs={"pk": provider.pk}), {"action": "pause"},
                format="multipart")
    provider.refresh_from_db()
    assert not provider.is_active
    client.post(reverse("insights:signals:provider", kwargs={"pk": provider.pk}), {"action": "delete"},
                format="multipart")
    assert not SignalProvider.objects.for_workspace(workspace).exists()


def test_uploading_a_file_runs_the_import_and_shows_the_report(admin, workspace, hanse, settings, tmp_path,
                                                                 django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    content = ("type,occurred_at,email,url\n"
               "web_visit,2026-01-05T10:00:00Z,ceo@hanse-cargo.de,https://x.example/pricing\n"
               "web_visit,tomorrow-ish,ceo@hanse-cargo.de,https://x.example/\n").encode()
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("insights:signals:import"), {
            "kind": "engagement", "source": "website", "file": SimpleUploadedFile("visits.csv", content)},
            format="multipart")
    assert response.status_code == 302
    job = Job.objects.for_workspace(workspace).get(kind="signal_import")
    assert job.result["created"] == 1 and job.result["rejected"] == 1
    page = client.get(response["Location"]).content.decode()
    assert "Rejected rows (1)" in page and "Download rejected rows (CSV)" in page
    csv = client.get(reverse("insights:signals:import_errors", kwargs={"pk": job.pk}))
    assert b"".join(csv.streaming_content).decode().splitlines()[1].startswith("3,occurred_at,")
    assert not list((tmp_path / "signal-imports").rglob("*.csv"))  # the upload is gone once ingested


def test_a_file_with_a_wrong_header_is_refused_on_the_upload_page(admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client_for(admin).post(reverse("insights:signals:import"), {
        "kind": "intent", "file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")}, format="multipart")
    assert response.status_code == 200 and "has no week_start column" in response.content.decode()


def test_the_import_template_has_the_columns_and_an_example(admin):
    response = client_for(admin).get(reverse("insights:signals:import_template"), {"kind": "intent"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("provider,week_start,domain") and "bombora" in lines[1]


def test_the_account_page_shows_trigger_events_and_recent_signals(admin, workspace, hanse):
    topic = IntentTopicFactory(workspace=workspace, name="Parcel Tracking", is_selected=True)
    IntentSignalFactory(workspace=workspace, account_id=hanse["hanse"], topic=topic, score=81)
    ceo = Contact.objects.for_workspace(workspace).get(email="ceo@hanse-cargo.de")
    EngagementEventFactory(workspace=workspace, account_id=hanse["hanse"], contact=ceo, type="webinar_attendance",
                           channel="events", minutes=60)
    TriggerEventFactory(workspace=workspace, account_id=hanse["hanse"], summary="Appoints a new COO",
                        type="leadership_change", source_url="https://news.example/coo")
    page = client_for(admin).get(reverse("accounts:detail", kwargs={"pk": hanse["hanse"]})).content.decode()
    assert "Trigger events" in page and "Appoints a new COO" in page and "https://news.example/coo" in page
    assert "Recent signals" in page and "Parcel Tracking" in page and "81" in page
    assert "Webinar attendance" in page and "Hanna Berg" in page


def test_the_dashboard_shows_signal_counts(admin, workspace, hanse):
    UnresolvedSignalFactory(workspace=workspace)
    page = client_for(admin).get(reverse("dashboard")).content.decode()
    assert "Signals (90 days)" in page and "1 unresolved signal" in page


def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name,factory", [
    ("insights:signals:activity", EngagementEventFactory), ("insights:signals:topics", IntentTopicFactory),
    ("insights:signals:unresolved", UnresolvedSignalFactory), ("insights:signals:overview", TriggerEventFactory),
])
def test_page_queries_do_not_grow_with_rows(name, factory, admin, workspace):
    client = client_for(admin)
    for _ in range(2):
        factory(workspace=workspace)
    few = _count(client, reverse(name))
    for _ in range(20):
        factory(workspace=workspace)
    assert _count(client, reverse(name)) == few


def test_the_account_panels_cost_the_same_for_many_signals(admin, workspace, hanse):
    client = client_for(admin)
    url = reverse("accounts:detail", kwargs={"pk": hanse["hanse"]})
    ceo = Contact.objects.for_workspace(workspace).get(email="ceo@hanse-cargo.de")
    EngagementEventFactory(workspace=workspace, account_id=hanse["hanse"], contact=ceo)
    few = _count(client, url)
    for _ in range(15):
        EngagementEventFactory(workspace=workspace, account_id=hanse["hanse"], contact=ceo)
        TriggerEventFactory(workspace=workspace, account_id=hanse["hanse"])
        IntentSignalFactory(workspace=workspace, account_id=hanse["hanse"])
    assert _count(client, url) == few


def test_the_contact_page_shows_the_persons_recent_engagement(admin, workspace, hanse):
    ceo = Contact.objects.for_workspace(workspace).get(email="ceo@hanse-cargo.de")
    EngagementEventFactory(workspace=workspace, account_id=hanse["hanse"], contact=ceo, type="email_click",
                           channel="email", url="https://x.example/whitepaper")
    page = client_for(admin).get(reverse("contacts:detail", kwargs={"pk": ceo.pk})).content.decode()
    assert "Recent engagement" in page and "E-mail click" in page and "https://x.example/whitepaper" in page
