"""Contacts end to end in headless Chromium: leads arrive through the upsert service, a free-mail
lead who typed "Acme Logistik" waits in the review queue; a marketer accepts the suggestion and
the contact shows the account; a sales rep fills the DISC questionnaire after a call and reads
the communication guidance; the account page maps the buying group with its gaps.
Screenshots: test-artifacts/screenshots/contacts-*.png."""
import re

import pytest
from playwright.sync_api import expect

from accounts.models import AccountIdentifier
from accounts.services.tiers import tiers_seed_defaults
from accounts.services.upsert import accounts_upsert
from contacts.models import Contact, MatchReview
from contacts.services.privacy import contact_consent_set
from contacts.services.upsert import contacts_upsert
from tests.fixtures.browser import MOBILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# After the call: fast, decisive, straight to the agenda, wants numbers → a D.
D_ANSWERS = {"P1": "2", "P2": "2", "P3": "1", "P4": "2", "Q1": "-2", "Q2": "-1", "Q3": "-2", "Q4": "-1"}


@pytest.fixture
def crm(workspace):
    """Accounts and people as the CRM pushes them: Acme (Tier 1) with three colleagues on its own
    domain, and two free-mail leads the matcher is unsure about."""
    tiers_seed_defaults(workspace=workspace)
    acme, beta = accounts_upsert(workspace=workspace, records=[
        {"external_id": "acme", "name": "Acme Logistics GmbH", "domain": "acme-logistics.de", "country": "DE",
         "tier": "1", "industry": "Logistics"},
        {"external_id": "beta", "name": "Beta Freight AB", "domain": "betafreight.se", "country": "SE"},
    ])
    contacts_upsert(workspace=workspace, records=[
        {"email": "clara.chef@acme-logistics.de", "first_name": "Clara", "last_name": "Chef",
         "job_title": "CFO", "country": "DE"},
        {"email": "ivo.tech@acme-logistics.de", "first_name": "Ivo", "last_name": "Tech", "job_title": "Head of IT",
         "country": "DE"},
        {"email": "lena.lager@acme-logistics.de", "first_name": "Lena", "last_name": "Lager",
         "job_title": "Warehouse Manager", "country": "DE"},
        {"email": "max.muster@gmail.com", "first_name": "Max", "last_name": "Muster", "company_name": "Acme Logistik",
         "country": "DE", "job_title": "Leiter Logistik"},
        {"email": "sven.s@outlook.com", "first_name": "Sven", "last_name": "Svensson", "company_name": "Beta Fraight",
         "country": "SE", "job_title": "Procurement Manager"},
    ])
    ivo = Contact.objects.for_workspace(workspace).get(email="ivo.tech@acme-logistics.de")
    contact_consent_set(contact=ivo, channel="email", status="opted_out", how="unsubscribe link")
    max_ = Contact.objects.for_workspace(workspace).get(email="max.muster@gmail.com")
    assert max_.match_status == "review", max_.match_reasons
    return {"acme": acme.account_id, "beta": beta.account_id, "max": max_}


def review_card(page, lead_name):
    return page.locator("article.review", has=page.get_by_role("link", name=lead_name))


def test_review_accept_disc_guidance_and_buying_group_map(as_person, live_url, members, crm, shot, screenshot_dir,
                                                          workspace):
    # The marketer sees the contacts and the size of the review queue.
    marketer = as_person(members["marketing"].email)
    marketer.goto(live_url("/contacts/"))
    expect(marketer.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    expect(marketer.locator(".contacts-table tbody tr")).to_have_count(5)
    ivo_row = marketer.locator(".contacts-table tbody tr", has_text="Ivo Tech")
    expect(ivo_row.locator(".flag-optout")).to_have_text("No e-mail")
    expect(marketer.locator(".contacts-table tbody tr", has_text="Max Muster")).to_contain_text("In review")
    shot(marketer, "contacts-01-list")

    # …opens the queue: the gmail lead, what they typed, and the suggestion with its reasons.
    marketer.get_by_role("button", name="Review queue (2)").click()
    expect(marketer).to_have_url(re.compile(r"/contacts/review/$"))
    card = review_card(marketer, "Max Muster")
    expect(card).to_contain_text("“Acme Logistik”")
    expect(card.locator(".mailbox")).to_have_text("free-mail")
    expect(card.locator(".review-suggestion .account-name")).to_have_text("Acme Logistics GmbH")
    expect(card.locator(".reasons li").first).to_be_visible()
    shot(marketer, "contacts-02-review-queue")

    # …and accepts the suggestion.
    card.get_by_role("button", name="Accept").click()
    expect(marketer.locator(".flash-success")).to_contain_text("Max Muster is now linked to Acme Logistics GmbH")
    expect(review_card(marketer, "Max Muster")).to_have_count(0)
    expect(marketer.locator(".decided-table")).to_contain_text("Accepted")
    assert AccountIdentifier.objects.for_workspace(workspace).filter(kind="alias", value="acme logistik").exists()

    # The contact now shows the account.
    marketer.locator(".decided-table").get_by_role("link", name="Max Muster").click()
    expect(marketer.locator("#account .account-name")).to_have_text("Acme Logistics GmbH")
    expect(marketer.locator("#account .status")).to_have_text("Set by a person")

    # A sales rep, after a call with Max, fills the DISC questionnaire and reads the guidance.
    rep = as_person(members["sales"].email)
    rep.goto(live_url(f"/contacts/{crm['max'].pk}/"))
    expect(rep.locator("#guidance")).to_contain_text("No DISC style yet")
    questionnaire = rep.locator("#disc-questionnaire form")
    for item, value in D_ANSWERS.items():
        questionnaire.locator(f"input[name={item}][value='{value}']").check()
    rep.locator("#disc").screenshot(path=str(screenshot_dir / "contacts-03a-questionnaire.png"))
    questionnaire.get_by_role("button", name="Score the questionnaire").click()
    expect(rep.locator(".flash-success")).to_contain_text("DISC style")
    guidance = rep.locator("#guidance")
    expect(guidance.get_by_role("heading", name="How to communicate with Max")).to_be_visible()
    expect(guidance.locator(".guidance-summary")).to_contain_text("Brief, direct, results first")
    expect(guidance.locator(".g-dont")).to_contain_text("Rambling")
    expect(rep.locator("#disc .timeline")).to_contain_text("Questionnaire after a call")
    assert Contact.objects.for_workspace(workspace).get(pk=crm["max"].pk).disc_style.upper().startswith("D")
    shot(rep, "contacts-03-detail-guidance")

    # The account page maps the buying group: people by role and seniority, the gaps in colour.
    rep.locator(".page-head").get_by_role("link", name="Acme Logistics GmbH").click()
    expect(rep.get_by_role("heading", name=re.compile("Acme Logistics GmbH"), level=1)).to_be_visible()
    panel = rep.locator("section.buying-map")
    expect(panel.get_by_role("heading", name="Buying group")).to_be_visible()
    expect(panel.locator(".gap-critical", has_text="Decision maker")).to_be_visible()
    expect(panel.locator("tr.state-missing-critical", has_text="Decision maker")).to_be_visible()
    expect(panel.locator("tr.state-filled", has_text="Champion")).to_contain_text("Max Muster")
    expect(panel.locator(".person", has_text="Max Muster").first.locator(".disc")).to_have_text(
        re.compile(r"^D"))
    expect(panel.locator(".person", has_text="Ivo Tech").first.locator(".flag-optout")).to_have_text("No e-mail")
    expect(panel.locator(".coverage-number")).to_contain_text("%")
    panel.scroll_into_view_if_needed()
    rep.screenshot(path=str(screenshot_dir / "contacts-04-buying-group-map.png"))
    panel.screenshot(path=str(screenshot_dir / "contacts-04b-buying-group-panel.png"))

    # On a phone, the remaining review is readable and decidable.
    phone = as_person(members["marketing"].email, viewport=MOBILE)
    phone.goto(live_url("/contacts/review/"))
    sven = review_card(phone, "Sven Svensson")
    expect(sven).to_contain_text("“Beta Fraight”")
    expect(sven.get_by_role("button", name="Accept")).to_be_visible()
    shot(phone, "contacts-05-review-queue-mobile")

    assert MatchReview.objects.for_workspace(workspace).filter(status="open").count() == 1

    # The marketer describes a persona; the pages show it to everyone.
    marketer.goto(live_url("/contacts/personas/"))
    expect(marketer.get_by_role("heading", name="No personas yet")).to_be_visible()
    marketer.get_by_role("button", name="New persona").click()
    marketer.get_by_label("Name").fill("Head of Logistics")
    marketer.get_by_label("Title keywords").fill("logistics, Logistik, supply chain")
    marketer.get_by_label("Director/Head").check()
    marketer.get_by_label("Pains").fill("Missed delivery windows; port congestion")
    marketer.get_by_label("Preferred content formats").fill("case study, ROI calculator")
    marketer.get_by_role("button", name="Create persona").click()
    expect(marketer.get_by_role("heading", name="Head of Logistics", level=1)).to_be_visible()
    expect(marketer.locator(".flash-success")).to_contain_text("created")
    expect(marketer.locator("dd", has_text="port congestion")).to_be_visible()
    shot(marketer, "contacts-06-persona")
