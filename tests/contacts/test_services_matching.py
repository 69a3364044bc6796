"""Contacts written through the upsert: titles read, accounts matched, reviews decided, aliases learned."""
import pytest
from django.core.exceptions import ValidationError

from accounts.models import AccountIdentifier
from accounts.services.upsert import accounts_upsert
from contacts.models import Contact, MatchReview
from contacts.services.matching import match_review_decide
from contacts.services.upsert import contacts_upsert


@pytest.fixture
def accounts(workspace):
    results = accounts_upsert(workspace=workspace, records=[
        {"external_id": "hq", "name": "Siemens AG", "domain": "siemens.com", "country": "DE"},
        {"external_id": "uk", "name": "Siemens UK Ltd", "domain": "siemens.co.uk", "country": "GB",
         "parent_external_id": "hq"},
        {"external_id": "acme", "name": "Acme Logistics GmbH", "domain": "acme-logistics.de", "country": "DE"},
    ])
    return {r: res.account_id for r, res in zip(("hq", "uk", "acme"), results)}


@pytest.mark.django_db
def test_a_corporate_email_links_the_contact_and_reads_the_title(workspace, accounts):
    (result,) = contacts_upsert(workspace=workspace, records=[
        {"email": "Jane.Doe@siemens.co.uk", "first_name": "Jane", "last_name": "Doe", "job_title": "Head of Logistics"}])
    contact = Contact.objects.for_workspace(workspace).get(pk=result.contact_id)
    assert result.status == "created"
    assert contact.account_id == accounts["uk"] and contact.match_status == "auto"
    assert contact.match_confidence >= 0.9 and contact.match_reasons
    assert contact.seniority == "director" and contact.inference_reasons


@pytest.mark.django_db
def test_a_free_mail_lead_is_never_linked_by_its_domain(workspace, accounts):
    (result,) = contacts_upsert(workspace=workspace, records=[{"email": "max@gmail.com", "company_name": ""}])
    contact = Contact.objects.for_workspace(workspace).get(pk=result.contact_id)
    assert contact.account_id is None and contact.match_status == "none"
    assert any("free-mail" in reason for reason in contact.match_reasons)


@pytest.mark.django_db
def test_a_review_accepted_teaches_an_alias(workspace, accounts, admin):
    contacts_upsert(workspace=workspace, records=[{"email": "a@gmail.com", "company_name": "Acme Logistik", "country": "DE"}])
    contact = Contact.objects.for_workspace(workspace).get(email="a@gmail.com")
    if contact.match_status != "review":
        pytest.fail(f"expected a review, got {contact.match_status}: {contact.match_reasons}")
    review = MatchReview.objects.for_workspace(workspace).get(contact=contact, status="open")
    match_review_decide(review=review, by=admin, action="accept")
    contact.refresh_from_db()
    assert contact.account_id == accounts["acme"] and contact.match_status == "manual"
    assert AccountIdentifier.objects.for_workspace(workspace).filter(kind="alias", value="acme logistik").exists()
    contacts_upsert(workspace=workspace, records=[{"email": "b@gmail.com", "company_name": "ACME Logistik",
                                                    "country": "DE"}])
    second = Contact.objects.for_workspace(workspace).get(email="b@gmail.com")
    assert second.account_id == accounts["acme"] or MatchReview.objects.for_workspace(workspace).get(
        contact=second).suggested_account_id == accounts["acme"]


@pytest.mark.django_db
def test_a_decided_review_cannot_be_decided_again(workspace, accounts, admin):
    contacts_upsert(workspace=workspace, records=[{"email": "z@gmail.com", "company_name": "Acme Logistik"}])
    review = MatchReview.objects.for_workspace(workspace).filter(status="open").first()
    assert review is not None
    match_review_decide(review=review, by=admin, action="reject")
    with pytest.raises(ValidationError):
        match_review_decide(review=review, by=admin, action="accept")


@pytest.mark.django_db
def test_the_crm_can_name_the_account_and_upserts_are_idempotent(workspace, accounts):
    record = {"external_id": "c-1", "email": "p@whatever.io", "account_external_id": "acme", "job_title": "CFO"}
    (first,) = contacts_upsert(workspace=workspace, records=[record])
    (again,) = contacts_upsert(workspace=workspace, records=[record])
    contact = Contact.objects.for_workspace(workspace).get(external_id="c-1")
    assert (first.status, again.status) == ("created", "unchanged")
    assert contact.account_id == accounts["acme"] and contact.match_status == "manual"
    assert "economic_buyer" in contact.roles


@pytest.mark.django_db
def test_bad_records_are_rejected_with_their_columns(workspace, accounts):
    results = contacts_upsert(workspace=workspace, records=[
        {"email": "not-an-email", "country": "Atlantis"}, {"first_name": "No key"},
        {"email": "ok@acme-logistics.de", "account_external_id": "nope"}])
    assert [r.status for r in results] == ["error", "error", "error"]
    assert {c for c, _ in results[0].errors} == {"email", "country"}
    assert results[2].errors[0][0] == "account_external_id"
    assert Contact.objects.for_workspace(workspace).count() == 0


@pytest.mark.django_db
def test_a_new_persona_reaches_existing_contacts_but_not_hand_set_ones(workspace, admin,
                                                                       django_capture_on_commit_callbacks):
    from abm_platform.models import Job
    from contacts.services.personas import persona_save

    contacts_upsert(workspace=workspace, records=[{"email": "w@x.com", "job_title": "Warehouse Manager"},
                                                  {"email": "v@x.com", "job_title": "Warehouse Manager"}])
    manual = Contact.objects.for_workspace(workspace).get(email="v@x.com")
    manual.persona_manual = True
    manual.save()
    with django_capture_on_commit_callbacks(execute=True):
        persona = persona_save(workspace=workspace, by=admin, name="Warehouse lead", title_keywords=["warehouse"])
    assert Contact.objects.for_workspace(workspace).get(email="w@x.com").persona_id == persona.pk
    assert Contact.objects.for_workspace(workspace).get(email="v@x.com").persona_id is None
    assert Job.objects.for_workspace(workspace).get(kind="contact_reinference").status == "succeeded"


@pytest.mark.django_db
def test_the_background_job_matches_contacts_imported_before_their_account(workspace, admin,
                                                                          django_capture_on_commit_callbacks):
    from abm_platform.models import Job
    from contacts.services.matching import contacts_match_start

    contacts_upsert(workspace=workspace, records=[{"email": "early@newco-robotics.de", "company_name": "NewCo"}])
    assert Contact.objects.for_workspace(workspace).get().account_id is None
    (account,) = accounts_upsert(workspace=workspace, records=[{"name": "NewCo Robotics GmbH",
                                                                "domain": "newco-robotics.de"}])
    with django_capture_on_commit_callbacks(execute=True):
        job = contacts_match_start(workspace=workspace, by=admin)
    job = Job.objects.for_workspace(workspace).get(pk=job.pk)
    assert job.status == "succeeded" and job.result["auto"] == 1
    assert Contact.objects.for_workspace(workspace).get().account_id == account.account_id


@pytest.mark.django_db
def test_workspace_thresholds_decide_what_is_automatic(workspace, accounts):
    from contacts.models import MatchingSettings

    MatchingSettings.objects.for_workspace(workspace).create(auto_threshold=0.99, review_threshold=0.5)
    (result,) = contacts_upsert(workspace=workspace, records=[{"email": "ops@acme-logistics.de"}])
    contact = Contact.objects.for_workspace(workspace).get(pk=result.contact_id)
    assert contact.match_status == "review"  # 0.97 for a corporate e-mail domain is below 0.99 here
