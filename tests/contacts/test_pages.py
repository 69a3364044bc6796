"""The contacts pages: list, contact page (buying profile, DISC questionnaire and guidance,
lifecycle, consent, erasure), the lead review queue, personas, and the buying-group map on the
account page. Roles as the views declare them; query counts that do not grow with rows."""
import re

import pytest
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abm_platform.tenancy.roles import Role
from accounts.models import AccountIdentifier
from accounts.services.tiers import tiers_seed_defaults
from accounts.services.upsert import accounts_upsert
from contacts.models import Contact, DiscAssessment, LifecycleTransition, MatchReview, Persona
from contacts.services.lifecycle import contact_lifecycle_move
from contacts.services.privacy import contact_consent_set
from contacts.services.upsert import contacts_upsert
from tests.conftest import client_for
from tests.factories import ContactFactory, MatchReviewFactory, PersonaFactory

ALL = list(Role.values)
EDITOR_ROLES = {Role.ADMIN, Role.MARKETING, Role.SALES}
MARKETER_ROLES = {Role.ADMIN, Role.MARKETING}
SELLER_ROLES = {Role.ADMIN, Role.SALES}

# Ten answers pointing clearly to a fast, task-first person: a D.
D_ANSWERS = {"P1": "2", "P2": "2", "P3": "2", "P4": "1", "P5": "1",
             "Q1": "-2", "Q2": "-2", "Q3": "-1", "Q4": "-2", "Q5": "-1"}


def html_of(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def acme(workspace):
    """Acme Logistics GmbH in Tier 1 (which expects six roles), and Beta Freight."""
    tiers_seed_defaults(workspace=workspace)
    results = accounts_upsert(workspace=workspace, records=[
        {"external_id": "acme", "name": "Acme Logistics GmbH", "domain": "acme-logistics.de", "country": "DE",
         "tier": "1"},
        {"external_id": "beta", "name": "Beta Freight", "domain": "betafreight.de", "country": "DE"},
    ])
    return {"acme": results[0].account_id, "beta": results[1].account_id}


@pytest.fixture
def lead_in_review(workspace, acme):
    """A free-mail lead who typed the company with a different legal suffix: the matcher asks a person."""
    contacts_upsert(workspace=workspace, records=[
        {"email": "max.muster@gmail.com", "first_name": "Max", "last_name": "Muster", "company_name": "Acme Logistik",
         "country": "DE", "job_title": "Leiter Logistik"}])
    contact = Contact.objects.for_workspace(workspace).get(email="max.muster@gmail.com")
    assert contact.match_status == "review", contact.match_reasons
    return contact


def contact_url(name, contact):
    return reverse(f"contacts:{name}", kwargs={"pk": contact.pk})


# --- every page, every role ------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL)
def test_every_member_reads_the_contacts_pages(role, members, workspace, lead_in_review):
    persona = PersonaFactory(workspace=workspace, name="Head of Logistics")
    client = client_for(members[role])
    for url in [reverse("contacts:index"), contact_url("detail", lead_in_review), reverse("contacts:review_queue"),
                reverse("contacts:personas"), reverse("contacts:persona_detail", kwargs={"pk": persona.pk})]:
        assert client.get(url).status_code == 200, url
    creating = client.get(reverse("contacts:persona_create")).status_code
    assert creating == (200 if role in MARKETER_ROLES else 403)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL)
def test_the_contact_page_offers_only_the_forms_the_role_may_use(role, members, workspace):
    contact = contact_lifecycle_move(contact=ContactFactory(workspace=workspace), to_stage="mql")
    html = html_of(client_for(members[role]).get(contact_url("detail", contact)))
    assert ("DISC questionnaire" in html) is (role in EDITOR_ROLES)
    assert ("Accept (SAL)" in html) is (role in SELLER_ROLES)
    assert ("Erase personal data" in html) is (role == Role.ADMIN)


def _write_requests(contact, review, persona):
    return [
        ("profile", contact_url("profile", contact), {"seniority": "vp"}, EDITOR_ROLES),
        ("questionnaire", contact_url("disc_questionnaire", contact), D_ANSWERS, EDITOR_ROLES),
        ("disc", contact_url("disc_record", contact), {"style": "S", "source": "observed", "confidence": "0.6"},
         EDITOR_ROLES),
        ("lifecycle", contact_url("lifecycle", contact), {"action": "move", "to_stage": "mql"}, EDITOR_ROLES),
        ("consent", contact_url("consent", contact), {"channel": "email", "status": "opted_in", "how": "form"},
         EDITOR_ROLES),
        ("erase", contact_url("erase", contact), {"confirm": "on", "reason": "Asked"}, {Role.ADMIN}),
        ("review", reverse("contacts:review_decide", kwargs={"pk": review.pk}), {"action": "reject"}, EDITOR_ROLES),
        ("persona_create", reverse("contacts:persona_create"), {"name": "New", "priority": 10}, MARKETER_ROLES),
        ("persona_edit", reverse("contacts:persona_detail", kwargs={"pk": persona.pk}),
         {"name": "Renamed", "priority": 10}, MARKETER_ROLES),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.VIEWER, Role.SALES, Role.MARKETING])
def test_writes_are_refused_to_roles_that_may_not_make_them(role, members, workspace):
    contact = ContactFactory(workspace=workspace)
    review = MatchReviewFactory(workspace=workspace)
    persona = PersonaFactory(workspace=workspace, name="Original")
    client = client_for(members[role])
    for name, url, data, allowed in _write_requests(contact, review, persona):
        if role in allowed:
            continue
        assert client.post(url, data, format="multipart").status_code == 403, name
    contact.refresh_from_db()
    assert contact.erased_at is None and contact.seniority != "vp" and not contact.disc_style
    assert Persona.objects.for_workspace(workspace).get(pk=persona.pk).name == "Original"
    assert MatchReview.objects.for_workspace(workspace).get(pk=review.pk).status == "open"


@pytest.mark.django_db
def test_marketing_cannot_accept_an_mql_for_sales(members, workspace):
    contact = contact_lifecycle_move(contact=ContactFactory(workspace=workspace), to_stage="mql")
    response = client_for(members["marketing"]).post(contact_url("lifecycle", contact), {"action": "accept"},
                                                     format="multipart")
    assert response.status_code == 403
    assert Contact.objects.for_workspace(workspace).get(pk=contact.pk).lifecycle_stage == "mql"


# --- the list ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_list_filters_and_flags_opted_out_and_erased_people(admin, workspace, acme):
    contacts_upsert(workspace=workspace, records=[
        {"email": "ceo@acme-logistics.de", "first_name": "Clara", "last_name": "Chef", "job_title": "CEO"},
        {"email": "ops@acme-logistics.de", "first_name": "Otto", "last_name": "Ops", "job_title": "Logistics Manager"},
    ])
    otto = Contact.objects.for_workspace(workspace).get(email="ops@acme-logistics.de")
    contact_consent_set(contact=otto, channel="email", status="opted_out", how="unsubscribe link")
    client = client_for(admin)

    html = html_of(client.get(reverse("contacts:index")))
    assert "Clara Chef" in html and "Otto Ops" in html and "No e-mail" in html
    assert "Acme Logistics GmbH" in html and reverse("accounts:detail", kwargs={"pk": acme["acme"]}) in html

    html = html_of(client.get(reverse("contacts:index"), {"seniority": "c_level"}))
    assert "Clara Chef" in html and "Otto Ops" not in html and "1 contact match your filters" in html

    html = html_of(client.get(reverse("contacts:index"), {"consent_email": "opted_out"}))
    assert "Otto Ops" in html and "Clara Chef" not in html


@pytest.mark.django_db
def test_the_list_links_the_review_queue_with_its_size(admin, lead_in_review):
    html = html_of(client_for(admin).get(reverse("contacts:index")))
    assert "Review queue (1)" in html and "In review" in html


@pytest.mark.django_db
def test_the_list_explains_an_empty_workspace_and_bad_filters(admin, workspace):
    client = client_for(admin)
    assert "No contacts yet" in html_of(client.get(reverse("contacts:index")))
    ContactFactory(workspace=workspace)
    response = client.get(reverse("contacts:index"), {"account": "abc"})
    assert response.status_code == 200 and "Enter a whole number" in html_of(response)


@pytest.mark.django_db
def test_the_list_page_costs_the_same_queries_for_3_or_60_contacts(admin, workspace, acme):
    persona = PersonaFactory(workspace=workspace)
    client = client_for(admin)

    def add(n, start):
        contacts_upsert(workspace=workspace, records=[
            {"email": f"p{i}@acme-logistics.de", "first_name": f"P{i}", "job_title": "Head of IT"}
            for i in range(start, start + n)])
        Contact.objects.for_workspace(workspace).update(persona=persona, owner=admin)

    def count() -> int:
        client.get(reverse("contacts:index"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("contacts:index"), {"account": acme["acme"]}).status_code == 200
        return len(queries)

    add(3, 0)
    few = count()
    add(57, 3)
    assert count() == few


# --- the review queue --------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_queue_shows_the_lead_the_suggestion_and_its_reasons(members, lead_in_review, acme):
    review = MatchReview.objects.for_workspace(lead_in_review.workspace).get(contact=lead_in_review)
    html = html_of(client_for(members["viewer"]).get(reverse("contacts:review_queue")))
    for expected in ["Max Muster", "max.muster@gmail.com", "free-mail", "“Acme Logistik”", "Acme Logistics GmbH",
                     floatformat(review.confidence, 2), review.reasons[0]]:
        assert expected in html, expected
    assert "Accept" not in html.split("Recently decided")[0].split("Suggestion")[1]  # the viewer cannot decide


@pytest.mark.django_db
def test_accepting_links_the_lead_and_teaches_the_alias_once(members, workspace, lead_in_review, acme):
    review = MatchReview.objects.for_workspace(workspace).get(contact=lead_in_review)
    client = client_for(members["marketing"])
    url = reverse("contacts:review_decide", kwargs={"pk": review.pk})

    response = client.post(url, {"action": "accept"}, format="multipart", follow=True)
    html = html_of(response)
    assert "Max Muster is now linked to Acme Logistics GmbH" in html and "Nothing to review" in html
    lead_in_review.refresh_from_db()
    assert lead_in_review.account_id == acme["acme"] and lead_in_review.match_status == "manual"
    assert AccountIdentifier.objects.for_workspace(workspace).filter(kind="alias", value="acme logistik").exists()

    again = html_of(client.post(url, {"action": "reject"}, format="multipart", follow=True))
    assert "already decided" in again
    lead_in_review.refresh_from_db()
    assert lead_in_review.account_id == acme["acme"]


@pytest.mark.django_db
def test_picking_another_account_by_its_domain(members, workspace, lead_in_review, acme):
    review = MatchReview.objects.for_workspace(workspace).get(contact=lead_in_review)
    client = client_for(members["sales"])
    url = reverse("contacts:review_decide", kwargs={"pk": review.pk})
    refused = html_of(client.post(url, {"action": "pick", "account_ref": "nowhere.example"}, format="multipart",
                                  follow=True))
    assert "No single account matches" in refused
    client.post(url, {"action": "pick", "account_ref": "WWW.BetaFreight.de"}, format="multipart")
    lead_in_review.refresh_from_db()
    assert lead_in_review.account_id == acme["beta"]
    assert MatchReview.objects.for_workspace(workspace).get(pk=review.pk).status == "reassigned"


@pytest.mark.django_db
def test_no_account_and_new_account_from_the_queue(members, workspace, acme):
    contacts_upsert(workspace=workspace, records=[
        {"email": "a@gmail.com", "company_name": "Acme Logistik", "country": "DE"},
        # a corporate address the account does not list: a sister company, or the same one?
        {"email": "b@acme-logistic.pl", "company_name": "Acme Logistic", "country": "DE"}])
    reviews = {r.contact.email: r for r in MatchReview.objects.for_workspace(workspace).select_related("contact")}
    assert set(reviews) == {"a@gmail.com", "b@acme-logistic.pl"}
    client = client_for(members["admin"])
    client.post(reverse("contacts:review_decide", kwargs={"pk": reviews["a@gmail.com"].pk}), {"action": "reject"},
                format="multipart")
    client.post(reverse("contacts:review_decide", kwargs={"pk": reviews["b@acme-logistic.pl"].pk}),
                {"action": "new_account"}, format="multipart")
    a, b = (Contact.objects.for_workspace(workspace).select_related("account").get(email=e)
            for e in ("a@gmail.com", "b@acme-logistic.pl"))
    assert a.account is None and a.match_status == "manual"
    assert b.account is not None and b.account.name == "Acme Logistic" and b.account_id not in acme.values()


@pytest.mark.django_db
def test_the_review_queue_costs_the_same_queries_for_2_or_30_leads(admin, workspace, acme):
    client = client_for(admin)

    def add(start, n):
        contacts_upsert(workspace=workspace, records=[
            {"email": f"lead{i}@gmail.com", "company_name": "Acme Logistik", "country": "DE"}
            for i in range(start, start + n)])

    def count() -> int:
        client.get(reverse("contacts:review_queue"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("contacts:review_queue")).status_code == 200
        return len(queries)

    add(0, 2)
    few = count()
    add(2, 28)
    assert MatchReview.objects.for_workspace(workspace).filter(status="open").count() == 30
    assert count() == few


# --- the contact page --------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_contact_page_explains_the_match(admin, lead_in_review):
    html = html_of(client_for(admin).get(contact_url("detail", lead_in_review)))
    assert "Waiting in the review queue" in html and "Acme Logistics GmbH" in html
    assert "Acme Logistik" in html and lead_in_review.match_reasons[0] in html
    assert "Leiter Logistik" in html and "What the title told us" in html


@pytest.mark.django_db
def test_the_questionnaire_from_the_page_gives_a_style_and_its_guidance(members, workspace):
    contact = ContactFactory(workspace=workspace, first_name="Dana")
    client = client_for(members["sales"])
    before = html_of(client.get(contact_url("detail", contact)))
    assert "No DISC style yet" in before

    response = client.post(contact_url("disc_questionnaire", contact), {**D_ANSWERS, "P5": ""}, format="multipart",
                           follow=True)
    html = html_of(response)
    contact.refresh_from_db()
    assessment = DiscAssessment.objects.for_workspace(workspace).get(contact=contact)
    assert contact.disc_style in ("D", "Di", "DC") and assessment.source == "questionnaire"
    assert assessment.answers == {k: int(v) for k, v in D_ANSWERS.items() if k != "P5"}
    assert "How to communicate with Dana" in html
    assert "Brief, direct, results first" in html and "Avoid" in html and "ROI one-pager" in html


@pytest.mark.django_db
def test_too_few_answers_keep_the_form_with_the_reason(members, workspace):
    contact = ContactFactory(workspace=workspace)
    response = client_for(members["sales"]).post(contact_url("disc_questionnaire", contact),
                                                 {"P1": "2", "Q1": "-1"}, format="multipart")
    assert response.status_code == 400
    html = html_of(response)
    assert "do not point to a style" in html and re.search(r'name="P1" value="2" [^>]*checked', html)
    assert not DiscAssessment.objects.for_workspace(workspace).exists()


@pytest.mark.django_db
def test_a_rep_records_an_observed_style(members, workspace):
    contact = ContactFactory(workspace=workspace)
    client_for(members["sales"]).post(contact_url("disc_record", contact),
                                      {"style": "iS", "source": "observed", "confidence": "0.85",
                                       "note": "Long friendly e-mails"}, format="multipart")
    assessment = DiscAssessment.objects.for_workspace(workspace).get(contact=contact)
    assert (assessment.blend, assessment.source, assessment.confidence) == ("iS", "observed", 0.85)
    html = html_of(client_for(members["viewer"]).get(contact_url("detail", contact)))
    assert "Social and friendly" in html and "Long friendly e-mails" in html


@pytest.mark.django_db
def test_a_person_overrides_the_buying_profile(members, workspace):
    persona = PersonaFactory(workspace=workspace, name="IT Leader")
    contact = ContactFactory(workspace=workspace, roles=["user"], seniority="manager")
    client_for(members["marketing"]).post(contact_url("profile", contact), {
        "roles": ["champion", "technical_evaluator"], "seniority": "director", "persona": persona.pk},
        format="multipart")
    contact.refresh_from_db()
    assert contact.roles == ["champion", "technical_evaluator"] and contact.roles_manual
    assert contact.seniority == "director" and contact.persona == persona and contact.persona_manual


@pytest.mark.django_db
def test_sales_accepts_or_rejects_an_mql_from_the_page(members, workspace):
    accepted = contact_lifecycle_move(contact=ContactFactory(workspace=workspace), to_stage="mql")
    rejected = contact_lifecycle_move(contact=ContactFactory(workspace=workspace), to_stage="mql")
    client = client_for(members["sales"])
    client.post(contact_url("lifecycle", accepted), {"action": "accept"}, format="multipart")
    refused = client.post(contact_url("lifecycle", rejected), {"action": "reject", "reason": " "}, format="multipart")
    assert refused.status_code == 400 and "Say why sales rejects" in html_of(refused)
    client.post(contact_url("lifecycle", rejected), {"action": "reject", "reason": "Student"}, format="multipart")
    stages = dict(Contact.objects.for_workspace(workspace).filter(pk__in=[accepted.pk, rejected.pk])
                  .values_list("pk", "lifecycle_stage"))
    assert stages == {accepted.pk: "sal", rejected.pk: "lead"}
    html = html_of(client.get(contact_url("detail", rejected)))
    assert "Rejected: Student" in html


@pytest.mark.django_db
def test_a_backward_move_without_a_reason_is_refused_on_the_page(members, workspace):
    contact = contact_lifecycle_move(contact=ContactFactory(workspace=workspace), to_stage="sql")
    response = client_for(members["marketing"]).post(contact_url("lifecycle", contact),
                                                     {"action": "move", "to_stage": "lead"}, format="multipart")
    assert response.status_code == 400 and "Say why the contact goes back" in html_of(response)
    assert LifecycleTransition.objects.for_workspace(workspace).count() == 1


@pytest.mark.django_db
def test_consent_is_changed_with_how_and_shown_everywhere(members, workspace):
    contact = ContactFactory(workspace=workspace)
    client = client_for(members["marketing"])
    client.post(contact_url("consent", contact), {"channel": "phone", "status": "opted_out",
                                                  "how": "Asked on the call"}, format="multipart")
    contact.refresh_from_db()
    assert contact.consent_phone == "opted_out" and contact.consent_log[-1]["how"] == "Asked on the call"
    assert "No phone" in html_of(client.get(contact_url("detail", contact)))
    assert "No phone" in html_of(client.get(reverse("contacts:index")))


@pytest.mark.django_db
def test_only_an_admin_erases_and_only_after_confirming(members, workspace):
    contact = ContactFactory(workspace=workspace, first_name="Erika", email="erika@example.com")
    assert client_for(members["marketing"]).post(contact_url("erase", contact), {"confirm": "on", "reason": "x"},
                                                 format="multipart").status_code == 403
    client = client_for(members["admin"])
    unconfirmed = client.post(contact_url("erase", contact), {"reason": "Asked by e-mail"}, format="multipart")
    assert unconfirmed.status_code == 400
    assert Contact.objects.for_workspace(workspace).get(pk=contact.pk).erased_at is None

    client.post(contact_url("erase", contact), {"confirm": "on", "reason": "Asked by e-mail"}, format="multipart")
    erased = Contact.objects.for_workspace(workspace).get(pk=contact.pk)
    assert erased.erased_at is not None and erased.email == "" and erased.consent_email == "opted_out"
    html = html_of(client.get(contact_url("detail", contact)))
    assert "erased on request" in html and "erika@example.com" not in html and "Erika" not in html
    assert "DISC questionnaire" not in html  # nothing on it changes any more
    late = client.post(contact_url("consent", contact), {"channel": "email", "status": "opted_in", "how": "x"},
                       format="multipart")
    assert late.status_code == 302
    assert Contact.objects.for_workspace(workspace).get(pk=contact.pk).consent_email == "opted_out"


# --- personas ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_marketing_creates_and_edits_a_persona(members, workspace):
    client = client_for(members["marketing"])
    response = client.post(reverse("contacts:persona_create"), {
        "name": "Head of Logistics", "priority": 10, "title_keywords": "logistics, supply chain, Logistik, logistics",
        "seniorities": ["director", "vp"], "departments": ["operations"], "default_roles": ["decision_maker"],
        "goals": "On-time delivery", "preferred_formats": "case study, ROI calculator"}, format="multipart")
    persona = Persona.objects.for_workspace(workspace).get(name="Head of Logistics")
    assert response.status_code == 302 and response["Location"].endswith(f"/personas/{persona.pk}/")
    assert persona.title_keywords == ["logistics", "supply chain", "Logistik"]
    assert persona.seniorities == ["director", "vp"] and persona.preferred_formats == ["case study", "ROI calculator"]

    client.post(reverse("contacts:persona_detail", kwargs={"pk": persona.pk}), {
        "name": "Head of Logistics", "priority": 5, "pains": "Port congestion"}, format="multipart")
    persona.refresh_from_db()
    assert persona.priority == 5 and persona.pains == "Port congestion" and persona.title_keywords == []

    html = html_of(client_for(members["viewer"]).get(reverse("contacts:persona_detail", kwargs={"pk": persona.pk})))
    assert "Port congestion" in html and "Edit persona" not in html


@pytest.mark.django_db
def test_a_duplicate_persona_name_is_refused_on_the_form(members, workspace):
    PersonaFactory(workspace=workspace, name="CFO")
    response = client_for(members["admin"]).post(reverse("contacts:persona_create"), {"name": "CFO", "priority": 1},
                                                  format="multipart")
    assert response.status_code == 400 and "already exists" in html_of(response)
    assert Persona.objects.for_workspace(workspace).count() == 1


# --- the buying-group map on the account page ----------------------------------------------------

@pytest.mark.django_db
def test_the_account_page_maps_the_buying_group_and_its_gaps(members, workspace, acme):
    contacts_upsert(workspace=workspace, records=[
        {"email": "ceo@acme-logistics.de", "first_name": "Clara", "last_name": "Chef", "job_title": "CEO"},
        {"email": "it@acme-logistics.de", "first_name": "Ivo", "last_name": "Tech", "job_title": "IT Manager"}])
    ivo = Contact.objects.for_workspace(workspace).get(email="it@acme-logistics.de")
    contact_consent_set(contact=ivo, channel="email", status="opted_out", how="unsubscribe")
    client_for(members["sales"]).post(contact_url("profile", ivo), {"roles": ["blocker"], "seniority": "manager"},
                                      format="multipart")
    html = html_of(client_for(members["viewer"]).get(reverse("accounts:detail", kwargs={"pk": acme["acme"]})))
    assert "Buying group" in html and "Clara Chef" in html and "Ivo Tech" in html
    assert "coverage" in html and "Missing:" in html
    assert 'gap gap-critical">Champion' in html and 'gap gap-minor">User' in html
    assert 'gap gap-minor">Technical evaluator (IT)' in html  # Ivo is an IT manager, but a blocker
    assert "state-blocker" in html and "1 blocker in the group" in html and "No e-mail" in html


@pytest.mark.django_db
def test_an_account_without_a_tier_shows_no_coverage_figure(members, workspace, acme):
    html = html_of(client_for(members["viewer"]).get(reverse("accounts:detail", kwargs={"pk": acme["beta"]})))

    assert "so no roles are expected" in html
    assert 'coverage-number none' in html and "100%" not in html   # not a green "100 %" for an empty group


@pytest.mark.django_db
def test_the_buying_group_map_costs_the_same_queries_for_2_or_30_people(admin, workspace, acme):
    client = client_for(admin)
    url = reverse("accounts:detail", kwargs={"pk": acme["acme"]})
    titles = ["CEO", "CFO", "Head of IT", "Logistics Manager", "Procurement Manager", "Analyst"]

    def add(start, n):
        contacts_upsert(workspace=workspace, records=[
            {"email": f"p{i}@acme-logistics.de", "first_name": f"P{i}", "job_title": titles[i % len(titles)]}
            for i in range(start, start + n)])

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(0, 2)
    few = count()
    add(2, 28)
    assert count() == few


@pytest.mark.django_db
def test_a_contact_created_by_hand_is_read_and_matched(members, workspace, acme):
    client = client_for(members["sales"])
    assert client.get(reverse("contacts:create")).status_code == 200
    response = client.post(reverse("contacts:create"), {"email": "kim@acme-logistics.de", "first_name": "Kim",
                                                        "job_title": "Head of IT", "country": "DE"},
                           format="multipart")
    contact = Contact.objects.for_workspace(workspace).get(email="kim@acme-logistics.de")
    assert response.status_code == 302 and response["Location"] == reverse("contacts:detail", kwargs={"pk": contact.pk})
    assert contact.account_id == acme["acme"] and contact.seniority == "director"
    assert "technical_evaluator" in contact.roles and contact.source == "manual"
    edit = client.post(reverse("contacts:edit", kwargs={"pk": contact.pk}),
                       {"email": "other@x.com", "first_name": "Kim", "last_name": "Lee", "job_title": "CIO"},
                       format="multipart")
    contact.refresh_from_db()
    assert edit.status_code == 302 and contact.email == "kim@acme-logistics.de"  # the key cannot be changed here
    assert (contact.last_name, contact.seniority) == ("Lee", "c_level")
    bad = client.post(reverse("contacts:create"), {"email": "nope", "country": "Atlantis"}, format="multipart")
    assert bad.status_code == 400 and b"is not an e-mail address" in bad.content
    assert client_for(members["viewer"]).get(reverse("contacts:create")).status_code == 403
