"""The target-list approval flow in headless Chromium: a marketer opens a list and nominates,
a sales rep endorses, the marketer picks the pilot and submits, an executive approves one
nomination and rejects another. Screenshots: test-artifacts/screenshots/target-list-*.png."""
import re

import pytest
from playwright.sync_api import expect

from accounts.models import Account, TargetList, TargetListEvent, TierChange
from tests.factories import AccountFactory, TierFactory
from tests.fixtures.browser import DESKTOP, MOBILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def accounts(workspace):
    tier = TierFactory(workspace=workspace, name="Tier 1 — Strategic", order=1, max_accounts=50)
    TierFactory(workspace=workspace, name="Tier 2 — One-to-few", order=2)
    acme = AccountFactory(workspace=workspace, name="Acme Logistics", domain="acme.com")
    beta = AccountFactory(workspace=workspace, name="Beta Freight", domain="betafreight.de")
    for name, domain in [("Cargo Nord", "cargonord.se"), ("Delta Shipping", "deltaship.nl")]:
        AccountFactory(workspace=workspace, name=name, domain=domain)
    return {"acme": acme, "beta": beta, "tier": tier}


def nomination(page, account_name):
    return page.locator("article.nomination", has=page.locator(".nom-account", has_text=account_name))


def test_marketer_nominates_sales_endorses_executive_decides(as_person, live_url, members, accounts, shot, workspace):
    # The marketer opens a new list from the list page.
    marketer = as_person(members["marketing"].email)
    marketer.goto(live_url("/accounts/target-lists/"))
    expect(marketer.get_by_role("heading", name="No target lists yet")).to_be_visible()
    shot(marketer, "target-list-01-empty")
    new_list = marketer.locator("#new-list")
    new_list.get_by_label("Name").fill("FY27 H1 program")
    new_list.get_by_label("Selection criteria").fill("EU logistics companies, 500+ employees, shipping to the US")
    new_list.get_by_role("button", name="Create list").click()
    expect(marketer).to_have_url(re.compile(r"/accounts/target-lists/\d+/$"))
    expect(marketer.get_by_role("heading", name="FY27 H1 program")).to_be_visible()
    expect(marketer.locator(".page-head .status")).to_have_text("Open for nominations")
    expect(marketer.get_by_role("button", name="Submit for approval")).to_be_disabled()

    # …and nominates two accounts, one by a domain typed in any form, with a proposed tier.
    form = marketer.locator("#nominate")
    expect(form.locator("datalist option")).to_have_count(4)
    form.get_by_label("Account").fill("WWW.Acme.com")
    form.get_by_label("Proposed tier").select_option(label="Tier 1 — Strategic")
    form.get_by_label("Rationale").fill("Opening a US hub in 2027; our champion is their new VP Operations.")
    form.get_by_role("button", name="Nominate").click()
    expect(marketer.locator(".flash-success")).to_contain_text("Acme Logistics nominated.")
    form.get_by_label("Account").fill("betafreight.de")
    form.get_by_label("Rationale").fill("Intent surge on customs automation for three weeks.")
    form.get_by_role("button", name="Nominate").click()
    expect(marketer.locator(".tl-group-proposed article.nomination")).to_have_count(2)
    # A duplicate is refused with the reason, keeping what was typed.
    form.get_by_label("Account").fill("acme.com")
    form.get_by_label("Rationale").fill("Again")
    form.get_by_role("button", name="Nominate").click()
    expect(marketer.locator("#nominate .form-error")).to_contain_text("Acme Logistics is already on")
    expect(form.get_by_label("Rationale")).to_have_value("Again")
    shot(marketer, "target-list-02-nominated")
    list_url = marketer.url.split("#")[0]

    # The sales rep endorses Acme with a comment (and may not endorse nothing of their own).
    seller = as_person(members["sales"].email)
    seller.goto(list_url)
    acme = nomination(seller, "Acme Logistics")
    acme.get_by_placeholder("Your view (required to object)").fill("Their CFO came to our summit: warm.")
    acme.get_by_role("button", name="Endorse").click()
    expect(seller.locator(".flash-success")).to_contain_text("You endorsed Acme Logistics.")
    expect(nomination(seller, "Acme Logistics").locator(".fb-endorse")).to_contain_text("Their CFO came to our summit")
    expect(seller.get_by_role("button", name="Submit for approval")).to_have_count(0)
    shot(seller, "target-list-03-endorsed")

    # The marketer puts Acme in the pilot and submits the list.
    marketer.goto(list_url)
    nomination(marketer, "Acme Logistics").get_by_role("button", name="Add to pilot").click()
    expect(nomination(marketer, "Acme Logistics").locator(".badge-pilot")).to_have_text("Pilot")
    marketer.get_by_role("button", name="Submit for approval").click()
    expect(marketer.locator(".page-head .status")).to_have_text("Submitted for approval")
    expect(marketer.locator("#nominate")).to_have_count(0)
    shot(marketer, "target-list-04-submitted")

    # The executive sees the decision forms (also on a phone), approves Acme and rejects Beta.
    executive = as_person(members["executive"].email, viewport=MOBILE)
    executive.goto(list_url)
    expect(executive.get_by_role("button", name="Approve all remaining")).to_be_visible()
    shot(executive, "target-list-05-review-mobile")
    executive.set_viewport_size(DESKTOP)
    acme = nomination(executive, "Acme Logistics")
    acme.get_by_placeholder("Decision comment (required to reject)").fill("Yes — start with the US hub team.")
    acme.get_by_role("button", name="Approve", exact=True).click()
    expect(executive.locator(".flash-success")).to_contain_text("Acme Logistics approved: it is now a target account.")
    beta = nomination(executive, "Beta Freight")
    beta.get_by_role("button", name="Reject", exact=True).click()
    expect(executive.locator(".flash-error")).to_contain_text("Say why you reject")
    beta = nomination(executive, "Beta Freight")
    beta.get_by_placeholder("Decision comment (required to reject)").fill("Intent alone is not enough; revisit in H2.")
    beta.get_by_role("button", name="Reject", exact=True).click()
    expect(executive.locator(".page-head .status")).to_have_text("Decided")
    expect(executive.locator(".tl-group-approved")).to_contain_text("Acme Logistics")
    expect(executive.locator(".tl-group-rejected")).to_contain_text("revisit in H2")
    expect(nomination(executive, "Acme Logistics").locator(".badge-target")).to_have_text("Target")
    timeline = executive.locator(".tl-timeline")
    expect(timeline).to_contain_text("completed the review: the list is decided")
    expect(timeline.locator("li")).to_have_count(9)
    shot(executive, "target-list-06-decided")

    # The list of lists shows the outcome.
    marketer.goto(live_url("/accounts/target-lists/"))
    row = marketer.locator("table tbody tr", has_text="FY27 H1 program")
    expect(row.locator(".status")).to_have_text("Decided")
    expect(row.locator("td.num")).to_have_text(["0", "1", "1"])
    shot(marketer, "target-list-07-lists")

    # …and the marketer can reopen it to expand the program after the pilot.
    row.get_by_role("link", name="FY27 H1 program").click()
    marketer.get_by_role("button", name="Reopen to expand").click()
    expect(marketer.locator(".page-head .status")).to_have_text("Open for nominations")
    expect(marketer.locator("#nominate")).to_be_visible()
    expect(marketer.locator(".tl-group-approved")).to_contain_text("Acme Logistics")

    target_list = TargetList.objects.for_workspace(workspace).get()
    approved = Account.objects.for_workspace(workspace).get(pk=accounts["acme"].pk)
    assert target_list.status == "open"
    assert TargetListEvent.objects.for_workspace(workspace).filter(target_list=target_list, action="reopened").exists()
    assert approved.is_target and approved.tier_id == accounts["tier"].pk
    assert TierChange.objects.for_workspace(workspace).filter(account=approved, to_tier=accounts["tier"]).exists()
    assert not Account.objects.for_workspace(workspace).get(pk=accounts["beta"].pk).is_target
