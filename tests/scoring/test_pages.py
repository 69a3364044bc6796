"""Scoring pages: each role reads them, only the right roles change things; the ranked list, the
ICP editor, the weights with sign-off and what-if, the model and runs pages, and the account
page's Score panel — with query counts that do not grow with rows."""
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abm_platform.tenancy.roles import Role
from accounts.models import Account
from scoring.models import IcpCriterion, ScoringWeights, WeightsStatus
from tests.conftest import client_for
from tests.factories import AccountFactory, PredictiveModelFactory
from tests.scoring.test_whatif import recompute, scored_world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

PAGES = ["scoring:index", "scoring:icp", "scoring:weights", "scoring:model", "scoring:runs"]
WEIGHTS_FORM = {"fit": "35", "intent": "20", "engagement": "30", "predictive": "15",
                "no_decision_maker_penalty": "10", "trigger_bonus": "5", "trigger_bonus_max": "10",
                "mqa_threshold": "70", "mqa_min_fit": "50", "mqa_exit_margin": "10", "engagement_ref_minutes": "50",
                "mql_threshold": "60", "tier_1": "80", "tier_2": "65", "tier_3": "45", "note": ""}


def count_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("page", PAGES)
def test_every_role_reads_every_scoring_page(page, role, members, scored_world):
    response = client_for(members[role]).get(reverse(page))
    assert response.status_code == 200
    assert b'class="tabs"' in response.content


@pytest.mark.parametrize("page", PAGES)
def test_pages_explain_themselves_before_anything_is_scored(page, admin, workspace):
    response = client_for(admin).get(reverse(page))
    assert response.status_code == 200


@pytest.mark.parametrize("role,allowed", [(Role.ADMIN, True), (Role.MARKETING, True), (Role.SALES, False),
                                          (Role.EXECUTIVE, False), (Role.VIEWER, False)])
def test_only_marketing_and_admins_change_the_icp_recompute_and_train(role, allowed, members, workspace,
                                                                      django_capture_on_commit_callbacks):
    client = client_for(members[role])
    with django_capture_on_commit_callbacks(execute=False):
        responses = [
            client.post(reverse("scoring:icp"), {"kind": "industry", "label": "Logistics", "weight": "1",
                                                 "values": "Logistics"}, format="multipart"),
            client.post(reverse("scoring:recompute")),
            client.post(reverse("scoring:model_train")),
        ]
    assert [r.status_code for r in responses] == ([302] * 3 if allowed else [403] * 3)
    assert IcpCriterion.objects.for_workspace(workspace).exists() is allowed


@pytest.mark.parametrize("role,allowed", [(Role.ADMIN, True), (Role.MARKETING, True), (Role.SALES, True),
                                          (Role.EXECUTIVE, False), (Role.VIEWER, False)])
def test_marketing_and_sales_propose_and_preview_weights(role, allowed, members, workspace):
    client = client_for(members[role])
    preview = client.post(reverse("scoring:weights_preview"), WEIGHTS_FORM, format="multipart")
    propose = client.post(reverse("scoring:weights"), WEIGHTS_FORM | {"intent": "30", "engagement": "20"},
                          format="multipart")
    assert (preview.status_code, propose.status_code) == ((200, 302) if allowed else (403, 403))
    assert ScoringWeights.objects.for_workspace(workspace).filter(status=WeightsStatus.DRAFT).exists() is allowed


def test_hot_accounts_rank_by_score_with_components_stage_and_tier(admin, workspace, scored_world):
    body = client_for(admin).get(reverse("scoring:index")).content.decode()
    ranked = list(Account.objects.for_workspace(workspace).filter(score__isnull=False)
                  .order_by("-score", "pk").values_list("name", flat=True))
    positions = [body.index(f">{name}</a>") for name in ranked]
    assert positions == sorted(positions), "highest score first"
    assert "comp-bars" in body and "Engagement" in body and "stage-badge" in body
    assert "12 scored accounts" in body


def test_hot_accounts_filters_mqa_stage_and_surging(admin, workspace, scored_world, django_capture_on_commit_callbacks):
    client = client_for(admin)
    mqa = set(Account.objects.for_workspace(workspace).filter(is_mqa=True).values_list("name", flat=True))
    body = client.get(reverse("scoring:index"), {"is_mqa": "true"}).content.decode()
    shown = set(re.findall(r'class="account-name">([^<]+)</a>', body))
    assert shown == mqa and mqa
    # A second recompute after new engagement: Retail Roads rises and leads the surging list.
    from tests.scoring.test_whatif import event
    for days in (0, 1):
        event(scored_world["Retail Roads"], days, minutes=60, channel="meetings", type="meeting", half_life=90)
    recompute(workspace, django_capture_on_commit_callbacks)
    body = client.get(reverse("scoring:index"), {"surging": "true"}).content.decode()
    shown = re.findall(r'class="account-name">([^<]+)</a>', body)
    assert shown[0] == "Retail Roads" and "Surging accounts" in body
    assert "▲" in body


def test_hot_accounts_page_costs_the_same_for_more_accounts(admin, workspace, scored_world,
                                                           django_capture_on_commit_callbacks):
    client = client_for(admin)
    few = count_queries(client, reverse("scoring:index"))
    for n in range(25):
        AccountFactory(workspace=workspace, name=f"Extra {n}", industry="Logistics", employees=500)
    recompute(workspace, django_capture_on_commit_callbacks)
    assert count_queries(client, reverse("scoring:index")) <= few


def test_runs_and_weights_pages_cost_the_same_with_more_runs(admin, workspace, scored_world,
                                                             django_capture_on_commit_callbacks):
    client = client_for(admin)
    runs, weights = count_queries(client, reverse("scoring:runs")), count_queries(client, reverse("scoring:weights"))
    for _ in range(3):
        recompute(workspace, django_capture_on_commit_callbacks)
        client.post(reverse("scoring:weights"), WEIGHTS_FORM, format="multipart")
    assert count_queries(client, reverse("scoring:runs")) <= runs
    assert count_queries(client, reverse("scoring:weights")) <= weights


def test_icp_criterion_with_a_bad_config_is_refused_with_a_clear_error(members, workspace):
    client = client_for(members[Role.MARKETING])
    response = client.post(reverse("scoring:icp"), {"kind": "employees", "label": "Mid-size", "weight": "1",
                                                    "min": "5000", "max": "200"}, format="multipart")
    assert response.status_code == 400
    assert "The minimum (5000) is above the maximum (200)." in response.content.decode()
    assert not IcpCriterion.objects.for_workspace(workspace).exists()


def test_icp_criterion_is_added_edited_and_deleted(members, workspace):
    client = client_for(members[Role.MARKETING])
    client.post(reverse("scoring:icp"), {"kind": "technology", "label": "Runs SAP", "weight": "2",
                                         "values": "SAP, Oracle", "k": "1"}, format="multipart")
    criterion = IcpCriterion.objects.for_workspace(workspace).get()
    assert criterion.config == {"values": ["SAP", "Oracle"], "k": 1} and criterion.weight == 2
    page = client.get(reverse("scoring:icp_edit", kwargs={"pk": criterion.pk})).content.decode()
    assert 'value="SAP, Oracle"' in page
    response = client.post(reverse("scoring:icp_edit", kwargs={"pk": criterion.pk}),
                           {"edit-kind": "technology", "edit-label": "Runs SAP", "edit-weight": "3",
                            "edit-values": "SAP", "edit-k": "1"}, format="multipart")
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.config == {"values": ["SAP"], "k": 1} and criterion.weight == 3
    assert client.post(reverse("scoring:icp_delete", kwargs={"pk": criterion.pk})).status_code == 302
    assert not IcpCriterion.objects.for_workspace(workspace).exists()


def test_weights_become_active_after_marketing_and_sales_sign_off(members, workspace):
    marketing, sales = client_for(members[Role.MARKETING]), client_for(members[Role.SALES])
    sales.post(reverse("scoring:weights"), WEIGHTS_FORM | {"fit": "30", "intent": "30", "engagement": "25",
                                                          "note": "More intent"}, format="multipart")
    draft = ScoringWeights.objects.for_workspace(workspace).get(status=WeightsStatus.DRAFT)
    page = marketing.get(reverse("scoring:weights")).content.decode()
    assert "Sign off for marketing" in page and "Sign off for sales" not in page and "More intent" in page
    sign_off = reverse("scoring:weights_sign_off", kwargs={"pk": draft.pk})
    marketing.post(sign_off, {"side": "marketing"}, format="multipart")
    draft.refresh_from_db()
    assert draft.status == WeightsStatus.DRAFT and draft.marketing_approved_by == members[Role.MARKETING]
    sales.post(sign_off, {"side": "sales"}, format="multipart")
    draft.refresh_from_db()
    assert draft.status == WeightsStatus.ACTIVE and draft.intent == 0.3
    page = marketing.get(reverse("scoring:weights")).content.decode()
    assert f"Active: version {draft.version}" in page and members[Role.SALES].get_full_name() in page


def test_one_person_cannot_sign_off_both_sides(admin, workspace):
    client = client_for(admin)
    client.post(reverse("scoring:weights"), WEIGHTS_FORM | {"fit": "40", "predictive": "10"}, format="multipart")
    draft = ScoringWeights.objects.for_workspace(workspace).get(status=WeightsStatus.DRAFT)
    sign_off = reverse("scoring:weights_sign_off", kwargs={"pk": draft.pk})
    client.post(sign_off, {"side": "marketing"}, format="multipart")
    response = client.post(sign_off, {"side": "sales"}, format="multipart", follow=True)
    assert "The same person cannot sign off for both marketing and sales." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == WeightsStatus.DRAFT and draft.sales_approved_by is None


def test_weights_that_do_not_add_up_are_not_proposed(members, workspace):
    response = client_for(members[Role.SALES]).post(reverse("scoring:weights"), WEIGHTS_FORM | {"fit": "90"},
                                                    format="multipart")
    assert response.status_code == 400
    assert "must add up to 1" in response.content.decode()
    assert not ScoringWeights.objects.for_workspace(workspace).filter(status=WeightsStatus.DRAFT).exists()


def test_preview_of_the_active_weights_says_nothing_changes(members, scored_world):
    body = client_for(members[Role.MARKETING]).post(reverse("scoring:weights_preview"), WEIGHTS_FORM,
                                                    format="multipart").content.decode()
    assert "These weights give every account the score it has now." in body
    assert 'data-whatif="changed">0<' in body


def test_preview_of_more_intent_lists_the_intent_heavy_account_as_a_riser(members, scored_world):
    body = client_for(members[Role.MARKETING]).post(
        reverse("scoring:weights_preview"), WEIGHTS_FORM | {"fit": "20", "intent": "60", "engagement": "20",
                                                            "predictive": "0"}, format="multipart").content.decode()
    risers = body.split("Top risers")[1].split("Top fallers")[0]
    assert "Surge Freight" in risers
    assert "Cannot preview" not in body


def test_preview_explains_weights_that_do_not_add_up(members, scored_world):
    body = client_for(members[Role.MARKETING]).post(reverse("scoring:weights_preview"), WEIGHTS_FORM | {"fit": "80"},
                                                    format="multipart").content.decode()
    assert "Cannot preview these weights" in body and "add up to 1" in body


def test_account_page_shows_the_score_panel_with_reasons_and_history(admin, workspace, scored_world,
                                                                    django_capture_on_commit_callbacks):
    recompute(workspace, django_capture_on_commit_callbacks)   # a second point for the trend
    dock = scored_world["Dock Data"]
    body = client_for(admin).get(reverse("accounts:detail", kwargs={"pk": dock.pk})).content.decode()
    panel = body.split('id="score"')[1].split("</section>")[0]
    assert "Why " in panel and "−10" in panel and "no decision maker or economic buyer known" in panel
    assert "intent surge on" in panel
    assert "Predictive left out: no validated model yet" in panel
    found = re.search(r'<script id="score-history-\d+" type="application/json">(.*?)</script>', body)
    data = json.loads(found.group(1))
    assert len(data["score"]) == 2 and len(data["labels"]) == 2
    assert 'data-chart="history"' in panel


def test_account_page_without_a_score_says_so(admin, workspace):
    account = AccountFactory(workspace=workspace)
    body = client_for(admin).get(reverse("accounts:detail", kwargs={"pk": account.pk})).content.decode()
    assert "Not scored yet" in body


def test_account_page_queries_do_not_grow_with_history(admin, workspace, scored_world,
                                                       django_capture_on_commit_callbacks):
    client = client_for(admin)
    url = reverse("accounts:detail", kwargs={"pk": scored_world["Hot Freight"].pk})
    once = count_queries(client, url)
    for _ in range(3):
        recompute(workspace, django_capture_on_commit_callbacks)
    assert count_queries(client, url) <= once


def test_model_page_is_honest_about_too_little_history(admin, workspace):
    PredictiveModelFactory(workspace=workspace, positives=12, negatives=300,
                           message="Only 12 accounts opened an opportunity over 24 months of snapshots; 50 are needed.")
    body = client_for(admin).get(reverse("scoring:model")).content.decode()
    assert "Not enough history: 12 of 50 accounts" in body
    assert "Predictive is left out of the score until then." in body


def test_model_page_shows_validation_metrics_and_calibration(admin, workspace):
    PredictiveModelFactory(workspace=workspace, status="active", positives=80, negatives=900,
                           message="Validated: ROC AUC 0.74.",
                           metrics={"roc_auc": 0.741, "pr_auc": 0.31, "brier": 0.08, "base_rate": 0.09,
                                    "top_decile_lift": 3.2, "cutoff": "2025-09-30", "train_rows": 9000,
                                    "validation_rows": 2400,
                                    "calibration": [{"predicted": 0.02, "observed": 0.01, "count": 240},
                                                    {"predicted": 0.3, "observed": 0.33, "count": 240}]})
    body = client_for(admin).get(reverse("scoring:model")).content.decode()
    assert 'data-metric="roc_auc">0.741<' in body and "3.2×" in body and 'data-chart="calibration"' in body
    assert "chart-4.6.1.umd.min.js" in body


def test_runs_page_shows_chunk_progress_and_the_next_recompute(admin, workspace, scored_world):
    body = client_for(admin).get(reverse("scoring:runs")).content.decode()
    assert "1 / 1" in body and "Finished" in body and "current" in body
