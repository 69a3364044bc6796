"""Scoring end to end in headless Chromium: a marketer reads the ranked accounts, opens an account
and sees its score broken down into reasons with the trend chart; on the Weights page a change of
weight updates the what-if preview before anything is saved; the proposal is signed off by
marketing and sales. Screenshots: test-artifacts/screenshots/scoring-*.png."""
import re

import pytest
from playwright.sync_api import expect

from scoring.models import ScoringWeights, WeightsStatus
from tests.factories import PredictiveModelFactory
from tests.fixtures.browser import MOBILE
from tests.scoring.test_whatif import event, recompute, scored_world  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(workspace, scored_world, django_capture_on_commit_callbacks):
    """A second recompute after new activity, so scores have a trend and a change."""
    for days in (0, 1):
        event(scored_world["Retail Roads"], days, minutes=60, channel="meetings", type="meeting", half_life=90)
    event(scored_world["Dock Data"], 0, minutes=20)
    recompute(workspace, django_capture_on_commit_callbacks)
    return scored_world


def test_score_breakdown_history_and_what_if(as_person, live_url, members, workspace, history, shot, screenshot_dir):
    marketer = as_person(members["marketing"].email)

    # The ranked list: highest score first, components as bars, the surging filter.
    marketer.goto(live_url("/scoring/"))
    expect(marketer.get_by_role("heading", name="Hot accounts", level=1)).to_be_visible()
    rows = marketer.locator(".hot-table tbody tr")
    expect(rows).to_have_count(12)
    expect(rows.first.locator(".comp-bars .comp")).to_have_count(4)
    shot(marketer, "scoring-01-hot-accounts")
    marketer.get_by_label(re.compile("Surging")).check()
    marketer.get_by_role("button", name="Apply").click()
    expect(marketer.get_by_role("heading", name="Surging accounts", level=1)).to_be_visible()
    expect(marketer.locator(".hot-table tbody tr").first).to_contain_text("Retail Roads")
    expect(marketer.locator(".hot-table tbody tr").first.locator(".delta.up")).to_be_visible()
    shot(marketer, "scoring-02-surging")

    # An account's Score panel: score, components, reasons with signed points, trend chart, notes.
    marketer.goto(live_url("/scoring/?q=Dock"))
    marketer.get_by_role("link", name="Dock Data").click()
    panel = marketer.locator("section.score-panel")
    expect(panel.get_by_role("heading", name="Score")).to_be_visible()
    reasons = panel.locator(".reason-list li")
    expect(reasons.filter(has_text="no decision maker or economic buyer known").locator(".pts")).to_have_text("−10")
    expect(reasons.filter(has_text="intent surge on").first.locator(".pts")).to_have_text(re.compile(r"^\+\d+$"))
    expect(panel.locator(".comp-row")).to_have_count(4)
    expect(panel.locator(".score-notes")).to_contain_text("Predictive left out")
    expect(panel.locator("canvas[data-chart=history]")).to_have_attribute("data-drawn", "1")
    expect(panel.locator("[data-chart-fallback]")).to_be_hidden()
    panel.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 72)")
    panel.screenshot(path=str(screenshot_dir / "scoring-03-account-score-panel.png"))
    shot(marketer, "scoring-03b-account-page")

    # Weights: the preview of the active weights changes nothing; more intent lifts Surge Freight.
    marketer.goto(live_url("/scoring/weights/"))
    whatif = marketer.locator("#whatif")
    expect(whatif).to_contain_text("These weights give every account the score it has now.")
    expect(marketer.locator("[data-weight-sum]")).to_have_text("Adds up to 100 % ✓")
    shot(marketer, "scoring-04-weights")
    marketer.get_by_label("Engagement %").fill("10")
    expect(marketer.locator("[data-weight-sum]")).to_contain_text("make it 100 %")
    expect(whatif).to_contain_text("Cannot preview these weights")
    marketer.get_by_label("Intent %").fill("45")
    marketer.get_by_label("Predictive %").fill("10")
    expect(whatif.locator("[data-whatif=changed]")).not_to_have_text("0")
    risers = whatif.locator(".movers > div").first
    expect(risers).to_contain_text("Surge Freight")
    marketer.get_by_label(re.compile("Why")).fill("Intent matters more for our category")
    shot(marketer, "scoring-05-weights-what-if")

    # Propose; marketing signs off, then a seller: the draft becomes active.
    marketer.get_by_role("button", name="Propose as draft").click()
    expect(marketer.locator(".flash-success")).to_contain_text("proposed")
    draft = marketer.locator(".draft-card")
    expect(draft).to_contain_text("Intent matters more for our category")
    draft.get_by_role("button", name="Sign off for marketing").click()
    expect(marketer.locator(".flash-success")).to_contain_text("it needs the other side too")
    rep = as_person(members["sales"].email)
    rep.goto(live_url("/scoring/weights/"))
    rep.locator(".draft-card").get_by_role("button", name="Sign off for sales").click()
    expect(rep.locator(".flash-success")).to_contain_text("are now active")
    expect(rep.get_by_role("heading", name=re.compile(r"Active: version 2"))).to_be_visible()
    shot(rep, "scoring-06-weights-signed-off")
    active = ScoringWeights.objects.for_workspace(workspace).get(status=WeightsStatus.ACTIVE)
    assert (active.intent, active.engagement) == (0.45, 0.1)


def test_model_runs_and_icp_pages(as_person, live_url, members, workspace, history, shot):
    PredictiveModelFactory(workspace=workspace, status="active", positives=64, negatives=812,
                           message="Validated: ROC AUC 0.74 on 2400 later snapshots.",
                           metrics={"roc_auc": 0.742, "pr_auc": 0.318, "brier": 0.081, "base_rate": 0.094,
                                    "top_decile_lift": 3.1, "cutoff": "2025-09-30", "train_rows": 9100,
                                    "validation_rows": 2400,
                                    "calibration": [{"predicted": p, "observed": o, "count": 240} for p, o in (
                                        (0.01, 0.0), (0.02, 0.02), (0.03, 0.04), (0.05, 0.04), (0.07, 0.08),
                                        (0.09, 0.1), (0.12, 0.11), (0.16, 0.18), (0.22, 0.2), (0.31, 0.34))]})
    PredictiveModelFactory(workspace=workspace, positives=12, negatives=300,
                           message="Only 12 accounts opened an opportunity over 24 months of snapshots; 50 are needed.")
    marketer = as_person(members["marketing"].email)
    marketer.goto(live_url("/scoring/model/"))
    expect(marketer.locator(".report-warn")).to_contain_text("Not enough history: 12 of 50 accounts")
    expect(marketer.locator("[data-metric=roc_auc]")).to_have_text("0.742")
    expect(marketer.locator("canvas[data-chart=calibration]")).to_have_attribute("data-drawn", "1")
    shot(marketer, "scoring-07-model")

    marketer.goto(live_url("/scoring/runs/"))
    expect(marketer.locator("table tbody tr")).to_have_count(2)
    expect(marketer.locator("table tbody tr").first).to_contain_text("1 / 1")
    shot(marketer, "scoring-08-runs")

    marketer.goto(live_url("/scoring/icp/"))
    expect(marketer.locator(".criteria-table tbody tr")).to_have_count(2)
    marketer.get_by_label("Kind").select_option("employees")
    expect(marketer.get_by_label("Minimum")).to_be_visible()
    expect(marketer.get_by_label("Values", exact=True)).to_be_hidden()
    marketer.get_by_label("Label").fill("Mid-size")
    marketer.get_by_label("Minimum").fill("5000")
    marketer.get_by_label("Maximum").fill("200")
    marketer.get_by_role("button", name="Add criterion").click()
    expect(marketer.locator(".errorlist")).to_contain_text("The minimum (5000) is above the maximum (200).")
    shot(marketer, "scoring-09-icp-error")
    marketer.get_by_label("Maximum").fill("50000")
    marketer.get_by_role("button", name="Add criterion").click()
    expect(marketer.locator(".flash-success")).to_contain_text("Mid-size")
    shot(marketer, "scoring-10-icp")

    phone = as_person(members["sales"].email, viewport=MOBILE)
    phone.goto(live_url("/scoring/"))
    expect(phone.locator(".hot-table tbody tr").first).to_be_visible()
    shot(phone, "scoring-11-hot-accounts-mobile")
