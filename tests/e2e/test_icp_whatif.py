"""The ICP page's what-if in headless Chromium: a marketer edits a criterion and sees, before saving,
how many scores change, who rises and falls, and MQA and tier changes; previews a deletion and an
addition the same way; nothing is saved until she saves. Screenshots:
test-artifacts/screenshots/icp-whatif-*.png."""
import re

import pytest
from playwright.sync_api import expect

from scoring.models import IcpCriterion, ScoringRun
from scoring.services.whatif import icp_whatif_criteria, whatif_icp_preview
from tests.fixtures.browser import MOBILE
from tests.scoring.test_whatif import recompute, scored_world  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expected(workspace, label, proposed=None):
    saved = IcpCriterion.objects.for_workspace(workspace).get(label=label) if label else None
    return whatif_icp_preview(workspace=workspace, criteria=icp_whatif_criteria(
        workspace=workspace, criterion=saved, proposed=proposed))


def test_icp_what_if_before_saving(as_person, live_url, members, workspace, scored_world, shot, screenshot_dir):
    logistics = IcpCriterion.objects.for_workspace(workspace).get(label="Logistics")
    saved_config = dict(logistics.config)
    marketer = as_person(members["marketing"].email)
    marketer.goto(live_url("/scoring/icp/"))

    # Edit: the preview of the criterion as saved changes nothing.
    marketer.locator(f"#criterion-{logistics.pk}").get_by_role("button", name="Edit").click()
    edit = marketer.locator("tr#edit")
    whatif = edit.locator("#whatif-edit")
    expect(whatif).to_contain_text("This criterion gives every account the score it has now.")

    # Retail no longer counts half: the retail accounts fall, before anything is saved.
    edit.get_by_label("Adjacent values").fill("")
    want = expected(workspace, "Logistics", {"kind": "industry", "label": "Logistics", "weight": 2,
                                             "config": {"values": ["Logistics"], "adjacent": []}})
    assert want.changed > 0 and want.risers == []
    expect(whatif).to_contain_text("If you save “Logistics” as edited")
    expect(whatif.locator("[data-whatif=changed]")).to_have_text(str(want.changed))
    expect(whatif.locator("[data-whatif=new-mqa]")).to_have_text(str(want.new_mqa))
    expect(whatif.locator("[data-whatif=lost-mqa]")).to_have_text(str(want.lost_mqa))
    fallers = whatif.locator(".movers table").last.locator("tbody tr")
    expect(fallers).to_have_count(len(want.fallers))
    first = want.fallers[0]
    expect(fallers.first).to_contain_text(first.name)
    expect(fallers.first).to_contain_text(f"{first.old_score} → {first.new_score}")
    for move in want.tier_moves:
        expect(whatif).to_contain_text(re.compile(rf"{re.escape(move.before)}\s*→\s*{re.escape(move.after)}"))
    edit.scroll_into_view_if_needed()
    shot(marketer, "icp-whatif-01-edit")
    logistics.refresh_from_db()
    assert logistics.config == saved_config, "the preview saved nothing"

    # Cancel: nothing changed. Deleting the size criterion: what it would do, then keep it.
    edit.get_by_role("link", name="Cancel").click()
    size = IcpCriterion.objects.for_workspace(workspace).get(label="200–5,000 staff")
    marketer.locator(f"#criterion-{size.pk}").get_by_role("button", name="What if deleted?").click()
    card = marketer.locator("#icp-whatif-remove")
    expect(card).to_contain_text("If you delete “200–5,000 staff”")
    want = expected(workspace, "200–5,000 staff")
    expect(card.locator("[data-whatif=changed]")).to_have_text(str(want.changed))
    expect(card.get_by_role("button", name="Delete criterion")).to_be_visible()
    card.screenshot(path=str(screenshot_dir / "icp-whatif-02-delete-card.png"))
    card.get_by_role("button", name="Keep it").click()
    expect(marketer.locator(".criteria-table tbody tr")).to_have_count(2)

    # Add: the preview follows what is typed into the add form.
    add = marketer.locator("section#add")
    add.get_by_label("Kind").select_option("employees")
    add.get_by_label("Label").fill("1,000+ staff")
    add.get_by_label("Weight").fill("3")
    add.get_by_label("Minimum").fill("1000")
    want = expected(workspace, None, {"kind": "employees", "label": "1,000+ staff", "weight": 3.0,
                                      "config": {"min": 1000}})
    added = add.locator("#whatif-add")
    expect(added).to_contain_text("If you add “1,000+ staff”")
    expect(added.locator("[data-whatif=changed]")).to_have_text(str(want.changed))
    add.scroll_into_view_if_needed()
    shot(marketer, "icp-whatif-03-add")

    assert IcpCriterion.objects.for_workspace(workspace).count() == 2
    assert ScoringRun.objects.for_workspace(workspace).count() == 1

    # On a phone the form and the preview stack.
    phone = as_person(members["admin"].email, viewport=MOBILE)
    phone.goto(live_url(f"/scoring/icp/{logistics.pk}/#edit"))
    phone_edit = phone.locator("tr#edit")
    expect(phone_edit.locator("#whatif-edit")).to_contain_text("This criterion gives every account the score")
    phone_edit.get_by_label("Weight").fill("6")
    want = expected(workspace, "Logistics", {"kind": "industry", "label": "Logistics", "weight": 6.0,
                                             "config": {"values": ["Logistics"], "adjacent": ["Retail"]}})
    assert want.changed > 0
    expect(phone_edit.locator("[data-whatif=changed]")).to_have_text(str(want.changed))
    phone_edit.scroll_into_view_if_needed()
    shot(phone, "icp-whatif-04-edit-mobile")

