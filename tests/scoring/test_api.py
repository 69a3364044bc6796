"""Scoring API: roles, validation errors in the one error shape, the two-person sign-off, what-if
previews, recompute and training as jobs, current scores with reasons, history and contact scores,
pagination, and lists whose query count does not grow with rows."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abm_platform.models import Job
from abm_platform.tenancy.roles import Role
from accounts.models import Account
from contacts.models import Contact
from scoring.models import IcpCriterion, ScoreSnapshot, ScoringRun, ScoringWeights, WeightsStatus
from tests.conftest import client_for
from tests.factories import (
    AccountFactory, ContactScoreFactory, IcpCriterionFactory, PredictiveModelFactory, ScoreSnapshotFactory,
    ScoringRunFactory, ScoringWeightsFactory,
)
from tests.scoring.test_whatif import event, recompute, scored_world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

WEIGHTS = {"fit": 0.35, "intent": 0.2, "engagement": 0.3, "predictive": 0.15}


def url(name, **kwargs):
    return reverse(f"api:scoring-{name}", kwargs=kwargs or None)


def queries(client, path, params=None) -> int:
    client.get(path, params)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return len(captured)


# --- ICP ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("role,allowed", [(Role.ADMIN, True), (Role.MARKETING, True), (Role.SALES, False),
                                          (Role.EXECUTIVE, False), (Role.VIEWER, False)])
def test_marketing_writes_the_icp_everyone_reads_it(role, allowed, members, workspace):
    client = client_for(members[role])
    response = client.post(url("icp-criterion-list"), {"kind": "industry", "label": "Logistics",
                                                        "config": {"values": ["Logistics"]}})
    assert response.status_code == (201 if allowed else 403)
    assert client.get(url("icp-criterion-list")).status_code == 200


@pytest.mark.parametrize("kind,config,message", [
    ("industry", {}, "List the industry values"),
    ("employees", {"min": 5000, "max": 200}, "The minimum (5000) is above the maximum (200)."),
    ("revenue", {"min": "lots"}, "`min` must be a number"),
    ("technology", {"values": ["SAP"], "k": 3}, "must be a whole number from 1 to 1."),
    ("attribute", {"key": "fleet", "op": "gte", "value": "big"}, "`value` must be a number"),
    ("attribute", {"key": "fleet", "op": "like"}, "`op` must be one of"),
    ("country", ["DE"], "Give the criterion's settings as an object"),
])
def test_icp_config_is_checked_per_kind(kind, config, message, admin, workspace):
    response = client_for(admin).post(url("icp-criterion-list"), {"kind": kind, "label": "x", "config": config})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and message in body["extra"]["fields"]["config"][0]
    assert not IcpCriterion.objects.for_workspace(workspace).exists()


def test_icp_criterion_is_cleaned_updated_and_deleted(admin, workspace):
    client = client_for(admin)
    created = client.post(url("icp-criterion-list"), {"kind": "employees", "label": "Mid-size", "weight": 2,
                                                       "config": {"min": "200", "max": 5000}}).json()
    assert created["config"] == {"min": 200, "max": 5000}
    detail = url("icp-criterion-detail", pk=created["id"])
    response = client.patch(detail, {"config": {"max": 100}, "weight": 3})
    assert response.status_code == 200 and response.json()["config"] == {"max": 100} and response.json()["weight"] == 3
    assert client.patch(detail, {"config": {"min": -1}}).status_code == 400
    assert client.delete(detail).status_code == 204
    assert not IcpCriterion.objects.for_workspace(workspace).exists()


# --- weights -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role,allowed", [(Role.ADMIN, True), (Role.MARKETING, True), (Role.SALES, True),
                                          (Role.EXECUTIVE, False), (Role.VIEWER, False)])
def test_marketing_and_sales_propose_weights(role, allowed, members, workspace):
    response = client_for(members[role]).post(url("weights-list"), WEIGHTS | {"note": "agreed in the QBR"})
    assert response.status_code == (201 if allowed else 403)
    if allowed:
        body = response.json()
        assert body["status"] == "draft" and body["note"] == "agreed in the QBR"
        assert body["created_by"]["email"] == members[role].email and body["mqa_threshold"] == 70


def test_integration_keys_cannot_propose_weights(api_key_client, workspace):
    assert api_key_client("read_write").post(url("weights-list"), WEIGHTS).status_code == 403
    assert api_key_client("read").get(url("weights-list")).status_code == 200


def test_weights_must_add_up_to_one(members):
    response = client_for(members[Role.SALES]).post(url("weights-list"), WEIGHTS | {"fit": 0.6})
    assert response.status_code == 400
    assert response.json()["message"].startswith("Fit, intent, engagement and predictive must add up to 1")


def test_two_different_people_sign_off_and_the_draft_becomes_active(members, workspace):
    marketing, sales = client_for(members[Role.MARKETING]), client_for(members[Role.SALES])
    first = marketing.post(url("weights-list"), WEIGHTS).json()
    draft = marketing.post(url("weights-list"), WEIGHTS | {"intent": 0.3, "engagement": 0.2}).json()
    sign = url("weights-sign-off", pk=draft["id"])
    assert sales.post(sign, {"side": "marketing"}).status_code == 403, "sales does not sign for marketing"
    body = marketing.post(sign, {"side": "marketing"}).json()
    assert body["status"] == "draft" and body["marketing_approved_by"]["email"] == members[Role.MARKETING].email
    body = sales.post(sign, {"side": "sales"}).json()
    assert body["status"] == "active" and body["activated_at"]
    statuses = dict(ScoringWeights.objects.for_workspace(workspace).values_list("pk", "status"))
    assert statuses[draft["id"]] == WeightsStatus.ACTIVE and statuses[first["id"]] == WeightsStatus.DRAFT
    assert list(statuses.values()).count(WeightsStatus.ACTIVE) == 1
    again = marketing.post(sign, {"side": "marketing"})
    assert again.status_code == 400 and "already active" in again.json()["message"]


def test_an_admin_cannot_sign_off_for_both_sides(admin):
    client = client_for(admin)
    draft = client.post(url("weights-list"), WEIGHTS).json()
    sign = url("weights-sign-off", pk=draft["id"])
    assert client.post(sign, {"side": "sales"}).status_code == 200
    response = client.post(sign, {"side": "marketing"})
    assert response.status_code == 400 and "same person" in response.json()["message"]
    assert client.post(sign, {"side": "legal"}).status_code == 400


def test_preview_of_the_current_weights_changes_nothing(members, scored_world):
    body = client_for(members[Role.MARKETING]).post(url("weights-preview"), WEIGHTS).json()
    assert body["accounts"] == 12 and body["changed"] == 0 and body["spearman"] == 1.0
    assert body["new_mqa"] == body["lost_mqa"] == 0 and body["risers"] == [] and body["tier_moves"] == []
    assert ScoringWeights.objects.for_workspace(scored_world["Hot Freight"].workspace).count() == 1


def test_preview_with_more_intent_lifts_the_intent_heavy_account(members, scored_world):
    body = client_for(members[Role.SALES]).post(url("weights-preview"), {
        "fit": 0.2, "intent": 0.6, "engagement": 0.2, "predictive": 0}).json()
    riser = next(r for r in body["risers"] if r["name"] == "Surge Freight")
    assert riser["new_score"] > riser["old_score"] and riser["rank_change"] > 0
    assert body["changed"] >= 1 and body["spearman"] < 1


def test_preview_tries_a_changed_icp_and_checks_it(members, scored_world):
    client = client_for(members[Role.MARKETING])
    body = client.post(url("weights-preview"), WEIGHTS | {"icp_criteria": [
        {"kind": "industry", "label": "Logistics only", "config": {"values": ["Logistics"]}}]}).json()
    assert any(f["name"] == "Retail Roads" for f in body["fallers"])
    response = client.post(url("weights-preview"), WEIGHTS | {"icp_criteria": [
        {"kind": "employees", "label": "x", "config": {}}]})
    assert response.status_code == 400
    assert "Give a minimum" in response.json()["extra"]["fields"]["icp_criteria"]["0"][0]


def test_viewers_cannot_preview(members, scored_world):
    assert client_for(members[Role.VIEWER]).post(url("weights-preview"), WEIGHTS).status_code == 403


# --- runs and models ---------------------------------------------------------------------------

@pytest.mark.parametrize("role,allowed", [(Role.ADMIN, True), (Role.MARKETING, True), (Role.SALES, False),
                                          (Role.VIEWER, False)])
def test_recompute_and_training_start_jobs_for_marketing(role, allowed, members, workspace,
                                                         django_capture_on_commit_callbacks):
    client = client_for(members[role])
    with django_capture_on_commit_callbacks(execute=False):
        recompute_response = client.post(url("run-recompute"))
        train_response = client.post(url("model-train"))
    assert (recompute_response.status_code, train_response.status_code) == ((202, 202) if allowed else (403, 403))
    if allowed:
        assert recompute_response.json()["kind"] == "score_recompute" and train_response.json()["kind"] == "model_train"
        assert Job.objects.for_workspace(workspace).count() == 2


def test_runs_list_shows_chunk_progress(admin, scored_world):
    body = client_for(admin).get(url("run-list")).json()
    (run,) = body["results"]
    assert run["status"] == "finished" and run["chunks_done"] == run["chunks_total"] == 1
    assert run["account_count"] == 12 and run["weights_version"] == 1 and run["model_version"] is None


def test_models_list_shows_metrics_and_never_the_artifact(admin, workspace):
    PredictiveModelFactory(workspace=workspace, status="active", metrics={"roc_auc": 0.71, "calibration": []},
                           artifact=b"secret-bytes")
    (model,) = client_for(admin).get(url("model-list")).json()["results"]
    assert model["metrics"]["roc_auc"] == 0.71 and "artifact" not in model


# --- scores ------------------------------------------------------------------------------------

def test_account_scores_are_the_current_run_with_reasons_that_add_up(admin, workspace, scored_world,
                                                                    django_capture_on_commit_callbacks):
    run = recompute(workspace, django_capture_on_commit_callbacks)
    body = client_for(admin).get(url("account-score-list")).json()
    assert body["count"] == 12
    assert {row["run"] for row in body["results"]} == {run.pk}
    scores = [row["score"] for row in body["results"]]
    assert scores == sorted(scores, reverse=True)
    top = body["results"][0]
    assert sum(r["points"] for r in top["reasons"]) == top["score"]
    assert all(r["rendered"][0] in "+−±" for r in top["reasons"])
    assert set(top["component_reasons"]) == {"fit", "intent", "engagement", "predictive"}
    assert top["score_change"] == 0 and "weights" in top["facts"]


def test_account_scores_filter_like_the_ranked_list(admin, workspace, scored_world):
    client = client_for(admin)
    hot = scored_world["Hot Freight"]
    only = client.get(url("account-score-list"), {"account": hot.pk}).json()["results"]
    assert [row["account"]["id"] for row in only] == [hot.pk]
    assert only[0]["reasons"] and any("funding round" in r["text"] for r in only[0]["reasons"])
    mqa = client.get(url("account-score-list"), {"is_mqa": "true"}).json()["results"]
    assert {row["account"]["id"] for row in mqa} == set(
        Account.objects.for_workspace(workspace).filter(is_mqa=True).values_list("pk", flat=True))
    high = client.get(url("account-score-list"), {"min_score": 40}).json()["results"]
    assert high and all(row["score"] >= 40 for row in high)
    ascending = [r["score"] for r in client.get(url("account-score-list"), {"ordering": "score"}).json()["results"]]
    assert ascending == sorted(ascending)
    bad = client.get(url("account-score-list"), {"ordering": "name"})
    assert bad.status_code == 400 and "ordering" in bad.json()["extra"]["fields"]


def test_surging_lists_the_biggest_rises_first(admin, workspace, scored_world, django_capture_on_commit_callbacks):
    for days in (0, 1):
        event(scored_world["Retail Roads"], days, minutes=60, channel="meetings", type="meeting", half_life=90)
    event(scored_world["Quiet Haulage"], 0, minutes=15)
    recompute(workspace, django_capture_on_commit_callbacks)
    rows = client_for(admin).get(url("account-score-list"), {"surging": "true"}).json()["results"]
    assert rows and rows[0]["account"]["name"] == "Retail Roads"
    changes = [row["score_change"] for row in rows]
    assert all(c > 0 for c in changes) and changes == sorted(changes, reverse=True)


def test_score_history_is_newest_first_and_paginated(admin, workspace, scored_world,
                                                     django_capture_on_commit_callbacks):
    recompute(workspace, django_capture_on_commit_callbacks)
    hot = scored_world["Hot Freight"]
    client = client_for(admin)
    body = client.get(url("score-history-list"), {"account": hot.pk, "page_size": 1}).json()
    assert body["count"] == 2 and body["next"] and len(body["results"]) == 1
    newest = body["results"][0]
    second = client.get(body["next"]).json()["results"][0]
    assert newest["computed_at"] > second["computed_at"]
    assert client.get(url("score-history-list"), {"account": "x"}).status_code == 400


def test_unfinished_runs_stay_invisible(admin, workspace):
    account = AccountFactory(workspace=workspace)
    running = ScoringRunFactory(workspace=workspace, status="running")
    ScoreSnapshotFactory(workspace=workspace, run=running, account=account)
    client = client_for(admin)
    assert client.get(url("score-history-list")).json()["count"] == 0
    assert client.get(url("account-score-list")).json()["count"] == 0


def test_contact_scores_with_reasons(admin, workspace, scored_world):
    buyer = Contact.objects.for_workspace(workspace).get(account=scored_world["Hot Freight"], seniority="c_level")
    rows = client_for(admin).get(url("contact-score-list"), {"contact": buyer.pk}).json()["results"]
    assert len(rows) == 1 and rows[0]["contact"]["id"] == buyer.pk
    assert sum(r["points"] for r in rows[0]["reasons"]) == rows[0]["score"] == buyer.score


# --- query budgets -----------------------------------------------------------------------------

LISTS = ["icp-criterion-list", "weights-list", "run-list", "model-list", "account-score-list",
         "score-history-list", "contact-score-list"]


@pytest.mark.parametrize("name", LISTS)
def test_list_queries_do_not_grow_with_rows(name, admin, workspace):
    client = client_for(admin)
    run = ScoringRunFactory(workspace=workspace)

    def add(n):
        for _ in range(n):
            account = AccountFactory(workspace=workspace)
            IcpCriterionFactory(workspace=workspace)
            ScoringWeightsFactory(workspace=workspace, created_by=admin, marketing_approved_by=admin)
            PredictiveModelFactory(workspace=workspace, trained_by=admin)
            ScoringRunFactory(workspace=workspace, weights=run.weights, status="running")
            ScoreSnapshotFactory(workspace=workspace, run=run, account=account)
            ContactScoreFactory(workspace=workspace, run=run)

    add(2)
    few = queries(client, url(name))
    add(20)
    assert queries(client, url(name)) == few


def test_another_workspace_never_appears(admin, workspace, other_workspace):
    ScoreSnapshotFactory(workspace=other_workspace)
    assert client_for(admin).get(url("account-score-list")).json()["count"] == 0
    assert ScoreSnapshot.objects.for_workspace(other_workspace).count() == 1
    assert ScoringRun.objects.for_workspace(workspace).count() == 0
