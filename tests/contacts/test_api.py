"""The contacts API as CRMs and the team use it."""
import pytest
from django.test import Client
from django.urls import reverse

from accounts.services.tiers import tiers_seed_defaults
from accounts.services.upsert import accounts_upsert
from contacts.models import Contact, MatchReview
from tests.conftest import client_for


@pytest.fixture
def acme(workspace):
    tiers_seed_defaults(workspace=workspace)
    (result,) = accounts_upsert(workspace=workspace, records=[
        {"external_id": "acme", "name": "Acme Logistics GmbH", "domain": "acme-logistics.de", "country": "DE",
         "tier": "1"}])
    return result.account_id


@pytest.mark.django_db
def test_a_crm_bulk_upserts_contacts_and_gets_per_record_results(api_key_client, acme):
    client = api_key_client("read_write")
    records = [{"email": "cfo@acme-logistics.de", "first_name": "Clara", "job_title": "CFO"},
               {"email": "lead@gmail.com", "company_name": "Unknown Startup"},
               {"email": "broken"}]
    body = client.post(reverse("api:contact-bulk-upsert"), {"records": records}, format="json").json()
    assert body["summary"] == {"created": 2, "updated": 0, "unchanged": 0, "error": 1}
    assert body["results"][2]["errors"][0]["field"] == "email"
    cfo = client.get(reverse("api:contact-detail", kwargs={"pk": body["results"][0]["contact_id"]})).json()
    assert cfo["account"] == acme and cfo["match_status"] == "auto" and cfo["seniority"] == "c_level"
    assert "economic_buyer" in cfo["roles"] and cfo["inference_reasons"]
    again = client.post(reverse("api:contact-bulk-upsert"), {"records": records[:2]}, format="json").json()
    assert again["summary"]["unchanged"] == 2


@pytest.mark.django_db
def test_the_review_queue_is_worked_through_the_api(members, acme, workspace):
    client = client_for(members["marketing"])
    client.post(reverse("api:contact-list"), {"email": "anna@gmail.com", "company_name": "Acme Logistik",
                                              "country": "DE"}, format="json")
    queue = client.get(reverse("api:matchreview-list"), {"status": "open"}).json()
    assert queue["count"] == 1 and queue["results"][0]["suggested_account"] == acme
    review_id = queue["results"][0]["id"]
    decided = client.post(reverse("api:matchreview-accept", kwargs={"pk": review_id})).json()
    assert decided["status"] == "accepted" and decided["contact"]["account"] == acme
    again = client.post(reverse("api:matchreview-reject", kwargs={"pk": review_id}))
    assert again.status_code == 400 and "already decided" in again.json()["message"]
    assert client_for(members["viewer"]).post(reverse("api:matchreview-accept", kwargs={"pk": review_id})).status_code \
        == 403


@pytest.mark.django_db
def test_buying_group_shows_coverage_against_the_tiers_roles(admin, acme, workspace):
    client = client_for(admin)
    client.post(reverse("api:contact-bulk-upsert"), {"records": [
        {"email": "ceo@acme-logistics.de", "job_title": "CEO"},
        {"email": "it@acme-logistics.de", "job_title": "CIO"}]}, format="json")
    group = client.get(reverse("api:buyinggroup-detail", kwargs={"pk": acme})).json()
    assert "decision_maker" in group["filled"] and "technical_evaluator" in group["filled"]
    assert "champion" in group["missing"] and 0 < group["coverage"] < 1
    assert {p["job_title"] for p in group["people"]} == {"CEO", "CIO"}


@pytest.mark.django_db
def test_disc_questionnaire_gives_a_style_and_guidance(members, workspace):
    contact = Contact.objects.for_workspace(workspace).create(email="d@x.com")
    client = client_for(members["sales"])
    answers = {"P1": 2, "P2": 2, "P3": 2, "P4": 2, "P5": 2, "Q1": -2, "Q2": -2, "Q3": -2, "Q4": -2, "Q5": -2}
    response = client.post(reverse("api:contact-disc-questionnaire", kwargs={"pk": contact.pk}),
                           {"answers": answers}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["disc_style"] in ("D", "Di", "DC")
    guidance = client.get(reverse("api:contact-disc-guidance", kwargs={"pk": contact.pk})).json()
    assert guidance["summary"] and guidance["guidance"]["avoid"]
    bad = client.post(reverse("api:contact-disc-questionnaire", kwargs={"pk": contact.pk}),
                      {"answers": {"Z9": 1}}, format="json")
    assert bad.status_code == 400


@pytest.mark.django_db
def test_lifecycle_actions_follow_roles(members, workspace):
    contact = Contact.objects.for_workspace(workspace).create(email="m@x.com")
    marketing, sales = client_for(members["marketing"]), client_for(members["sales"])
    assert marketing.post(reverse("api:contact-lifecycle", kwargs={"pk": contact.pk}),
                          {"to_stage": "mql", "reason": "Webinar + pricing page"}, format="json").status_code == 200
    assert marketing.post(reverse("api:contact-sales-accept", kwargs={"pk": contact.pk})).status_code == 403
    rejected = sales.post(reverse("api:contact-sales-reject", kwargs={"pk": contact.pk}), {"reason": "Student"},
                          format="json")
    assert rejected.status_code == 200 and rejected.json()["lifecycle_stage"] == "lead"


@pytest.mark.django_db
def test_only_admins_erase_and_opt_outs_are_recorded(members, workspace):
    contact = Contact.objects.for_workspace(workspace).create(email="e@x.com", first_name="Eve")
    url = reverse("api:contact-erase", kwargs={"pk": contact.pk})
    assert client_for(members["marketing"]).post(url).status_code == 403
    consent = client_for(members["marketing"]).post(reverse("api:contact-consent", kwargs={"pk": contact.pk}), {
        "channel": "email", "status": "opted_out", "how": "Reply: please remove me"}, format="json")
    assert consent.json()["consent_email"] == "opted_out"
    erased = client_for(members["admin"]).post(url).json()
    assert erased["email"] == "" and erased["first_name"] == "erased" and erased["erased_at"]


@pytest.mark.django_db
def test_overrides_stick_through_later_title_changes(members, workspace):
    contact = Contact.objects.for_workspace(workspace).create(email="o@x.com", job_title="Analyst")
    client = client_for(members["sales"])
    client.post(reverse("api:contact-buying-profile", kwargs={"pk": contact.pk}),
                {"roles": ["champion"], "seniority": "manager"}, format="json")
    body = client.patch(reverse("api:contact-detail", kwargs={"pk": contact.pk}), {"job_title": "Chief Executive"},
                        format="json").json()
    assert body["roles"] == ["champion"] and body["seniority"] == "manager"
    assert MatchReview.objects.for_workspace(workspace).count() == 0


@pytest.mark.django_db
def test_buying_group_shows_each_persons_engagement_and_engaged_coverage(admin, acme, workspace):
    client = client_for(admin)
    client.post(reverse("api:contact-bulk-upsert"), {"records": [
        {"email": "ceo@acme-logistics.de", "job_title": "CEO"},
        {"email": "it@acme-logistics.de", "job_title": "CIO"}]}, format="json")
    before = client.get(reverse("api:buyinggroup-detail", kwargs={"pk": acme})).json()
    assert before["engaged_coverage"] is None and before["engaged_people"] == []
    # Scoring writes each person's engagement (column on Contact); only the CEO engaged.
    Contact.objects.for_workspace(workspace).filter(email__startswith="ceo").update(engagement_score=64)
    Contact.objects.for_workspace(workspace).filter(email__startswith="it").update(engagement_score=3)
    group = client.get(reverse("api:buyinggroup-detail", kwargs={"pk": acme})).json()
    ceo = next(p for p in group["people"] if p["job_title"] == "CEO")
    assert ceo["engagement_score"] == 64 and group["engaged_people"] == [ceo["id"]]
    assert 0 < group["engaged_coverage"] < group["coverage"]
    page = Client()
    page.force_login(admin)
    html = page.get(reverse("accounts:detail", kwargs={"pk": acme})).content.decode()
    assert "1 person engaged recently" in html and 'style="width: 64%"' in html
