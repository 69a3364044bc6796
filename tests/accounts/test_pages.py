"""The account pages: list with filters and bulk actions, detail, holds, plans, configuration."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountPlan, Hold, SegmentMember, TierChange
from accounts.services.tiers import tiers_seed_defaults
from accounts.services.upsert import accounts_upsert
from tests.conftest import client_for
from tests.factories import AccountFactory, HoldFactory, OpportunityFactory, SegmentFactory, TierFactory


@pytest.fixture
def seeded(workspace):
    tiers_seed_defaults(workspace=workspace)
    return workspace


@pytest.mark.django_db
def test_the_list_shows_filtered_accounts_with_their_flags(admin, seeded):
    held = AccountFactory(workspace=seeded, name="Held Logistics", industry="Logistics")
    HoldFactory(workspace=seeded, account=held)
    AccountFactory(workspace=seeded, name="Quiet Retail", industry="Retail")
    page = client_for(admin).get(reverse("accounts:index"), {"industry": "Logistics"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Held Logistics" in html and "Quiet Retail" not in html and "On hold" in html
    assert "1 account match your filters" in " ".join(html.split())


@pytest.mark.django_db
def test_the_list_explains_an_empty_workspace(admin, seeded):
    html = client_for(admin).get(reverse("accounts:index")).content.decode()
    assert "No accounts yet" in html and "bulk-upsert" in html


@pytest.mark.django_db
def test_bad_filter_values_are_shown_not_crashed(admin, seeded):
    AccountFactory(workspace=seeded)
    page = client_for(admin).get(reverse("accounts:index"), {"employees_min": "lots"})
    assert page.status_code == 200 and b"Enter a number" in page.content


@pytest.mark.django_db
def test_the_list_page_costs_the_same_queries_for_2_or_60_accounts(admin, seeded):
    client = client_for(admin)

    def count() -> int:
        client.get(reverse("accounts:index"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("accounts:index"))
        return len(queries)

    accounts_upsert(workspace=seeded, records=[{"name": f"A{i}", "domain": f"a{i}.com", "tier": "1"} for i in range(2)])
    few = count()
    accounts_upsert(workspace=seeded, records=[{"name": f"B{i}", "domain": f"b{i}.com", "tier": "2"} for i in range(58)])
    assert count() == few


@pytest.mark.django_db
def test_bulk_set_tier_records_the_move(members, seeded):
    a, b = AccountFactory(workspace=seeded), AccountFactory(workspace=seeded)
    tier = TierFactory(workspace=seeded, name="Strategic")
    response = client_for(members["marketing"]).post(reverse("accounts:bulk"), {
        "action": "set_tier", "account_ids": [a.pk, b.pk], "tier": tier.pk, "reason": "QBR decision"},
        format="multipart")
    assert response.status_code == 302
    assert TierChange.objects.for_workspace(seeded).filter(to_tier=tier, reason="QBR decision").count() == 2


@pytest.mark.django_db
def test_sales_cannot_bulk_move_tiers_but_can_add_to_a_segment(members, seeded):
    a = AccountFactory(workspace=seeded)
    tier = TierFactory(workspace=seeded)
    segment = SegmentFactory(workspace=seeded, kind="static")
    client = client_for(members["sales"])
    client.post(reverse("accounts:bulk"), {"action": "set_tier", "account_ids": [a.pk], "tier": tier.pk},
                format="multipart")
    assert not TierChange.objects.for_workspace(seeded).exists()
    client.post(reverse("accounts:bulk"), {"action": "add_to_segment", "account_ids": [a.pk], "segment": segment.pk},
                format="multipart")
    assert SegmentMember.objects.for_workspace(seeded).filter(segment=segment, account=a).exists()


@pytest.mark.django_db
def test_viewers_cannot_use_bulk_actions(members, seeded):
    a = AccountFactory(workspace=seeded)
    response = client_for(members["viewer"]).post(reverse("accounts:bulk"), {
        "action": "set_tier", "account_ids": [a.pk], "tier": ""}, format="multipart")
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_account_page_shows_everything_about_the_account(admin, seeded):
    (parent, sub) = accounts_upsert(workspace=seeded, records=[
        {"external_id": "hq", "name": "Siemens AG", "domain": "siemens.com"},
        {"external_id": "uk", "name": "Siemens UK", "domain": "siemens.co.uk", "other_domains": "siemens.uk",
         "parent_external_id": "hq", "technologies": "SAP", "tier": "1", "industry": "Industrial"}], by=admin)
    OpportunityFactory(workspace=seeded, account_id=sub.account_id, name="Digital twin rollout")
    html = client_for(admin).get(reverse("accounts:detail", kwargs={"pk": sub.account_id})).content.decode()
    for expected in ["Siemens UK", "siemens.uk", "Subsidiary of", "Siemens AG", "SAP", "Tier 1",
                     "Digital twin rollout", "Industrial"]:
        assert expected in html, expected


@pytest.mark.django_db
def test_a_rep_places_and_releases_a_hold_from_the_account_page(members, seeded):
    rep = members["sales"]
    account = AccountFactory(workspace=seeded)
    client = client_for(rep)
    until = (timezone.localdate() + timedelta(days=20)).isoformat()
    client.post(reverse("accounts:hold", kwargs={"pk": account.pk}),
                {"reason": "Signing next week", "expires_at": until}, format="multipart")
    hold = Hold.objects.for_workspace(seeded).get()
    assert hold.placed_by == rep and hold.reason == "Signing next week"
    page = client.get(reverse("accounts:detail", kwargs={"pk": account.pk})).content.decode()
    assert "campaigns will not cold-contact it" in page
    client.post(reverse("accounts:hold_release", kwargs={"pk": hold.pk}))
    hold.refresh_from_db()
    assert hold.released_by == rep


@pytest.mark.django_db
def test_marketing_cannot_place_a_hold_from_the_page(members, seeded):
    account = AccountFactory(workspace=seeded)
    response = client_for(members["marketing"]).post(reverse("accounts:hold", kwargs={"pk": account.pk}),
                                                     {"reason": "x", "expires_at": "2099-01-01"}, format="multipart")
    assert response.status_code == 403 and not Hold.objects.for_workspace(seeded).exists()


@pytest.mark.django_db
def test_plans_are_saved_as_versions_and_reviewed_from_the_page(members, seeded):
    rep = members["sales"]
    account = AccountFactory(workspace=seeded)
    client = client_for(rep)
    url = reverse("accounts:plan", kwargs={"pk": account.pk})
    form = {"action": "save", "status": "active", "objectives": "Land EMEA", "pains": "", "value_hypothesis": "",
            "initiatives": ""}
    client.post(url, form, format="multipart")
    client.post(url, {**form, "pains": "Manual picking"}, format="multipart")
    client.post(url, {"action": "review"}, format="multipart")
    client.post(url, {"action": "add_step", "text": "Exec briefing", "due_date": "2027-02-01"}, format="multipart")
    plan = AccountPlan.objects.for_workspace(seeded).get()
    assert (plan.version, plan.pains, plan.reviewed_by) == (2, "Manual picking", rep)
    assert plan.steps.get().text == "Exec briefing"
    page = client.get(reverse("accounts:detail", kwargs={"pk": account.pk})).content.decode()
    assert "v2" in page and "Reviewed by" in page and "Exec briefing" in page


@pytest.mark.django_db
def test_only_admins_change_tiers_from_the_config_page(members, seeded):
    form = {"name": "Tier 4", "order": 4, "engagement_model": "one_to_many", "expected_roles": ["user"]}
    from accounts.models import Tier

    denied = client_for(members["marketing"]).post(reverse("accounts:tiers"), form, format="multipart")
    assert denied.status_code == 403 and not Tier.objects.for_workspace(seeded).filter(name="Tier 4").exists()
    client_for(members["admin"]).post(reverse("accounts:tiers"), form, format="multipart")
    tier = Tier.objects.for_workspace(seeded).get(name="Tier 4")
    assert tier.expected_roles == ["user"]
    page = client_for(members["viewer"]).get(reverse("accounts:tiers")).content.decode()
    assert "Tier 4" in page and "read only" in page


@pytest.mark.django_db
def test_a_hold_longer_than_the_limit_is_refused_with_a_message(members, seeded):
    account = AccountFactory(workspace=seeded)
    response = client_for(members["sales"]).post(reverse("accounts:hold", kwargs={"pk": account.pk}),
                                                 {"reason": "Forever", "expires_at": "2099-01-01"}, format="multipart",
                                                 follow=True)
    assert "at most 180 days" in response.content.decode()
    assert not Hold.objects.for_workspace(seeded).exists()


@pytest.mark.django_db
def test_marketing_saves_the_current_filters_as_a_segment(members, seeded):
    from accounts.models import Segment

    AccountFactory(workspace=seeded, country="DE", employees=900)
    AccountFactory(workspace=seeded, country="FR", employees=900)
    client = client_for(members["marketing"])
    response = client.post(reverse("accounts:segment_create"), {
        "name": "DACH 500+", "kind": "dynamic", "filters": '{"country": "DE", "employees_min": "500", "page": "3"}'},
        format="multipart")
    segment = Segment.objects.for_workspace(seeded).get(name="DACH 500+")
    assert segment.filters == {"country": "DE", "employees_min": "500"}
    assert response["Location"] == f"/accounts/?segment={segment.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "1 account match" in " ".join(page.split())


@pytest.mark.django_db
def test_a_saved_filter_needs_a_filter_and_sales_cannot_create_segments(members, seeded):
    from accounts.models import Segment

    client_for(members["marketing"]).post(reverse("accounts:segment_create"),
                                          {"name": "Everything", "kind": "dynamic", "filters": "{}"}, format="multipart")
    denied = client_for(members["sales"]).post(reverse("accounts:segment_create"),
                                               {"name": "Mine", "kind": "static"}, format="multipart")
    assert denied.status_code == 403
    assert not Segment.objects.for_workspace(seeded).exists()


@pytest.mark.django_db
def test_the_dashboard_shows_the_program_at_a_glance(admin, seeded):
    tier = TierFactory(workspace=seeded, name="Strategic", order=0)
    AccountFactory(workspace=seeded, tier=tier, is_target=True)
    OpportunityFactory(workspace=seeded, amount=125000)
    html = " ".join(client_for(admin).get(reverse("dashboard")).content.decode().split())
    assert "1 approved targets" in html and f"?tier={tier.pk}" in html and "Strategic</a>: 1" in html
    assert "125,000" in html


@pytest.mark.django_db
def test_the_filter_forms_any_option_means_no_filter(workspace, admin):
    from django.test import Client

    from tests.factories import AccountFactory

    AccountFactory(workspace=workspace, name="Kept Logistics")
    client = Client()
    client.force_login(admin)
    response = client.get("/accounts/", {"group": "", "tier": "", "q": ""})
    assert response.status_code == 200 and "Kept Logistics" in response.content.decode()
