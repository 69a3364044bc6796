"""What-if for contacts: changed contact weights or MQL threshold show how contact scores, their
order and the MQLs would change — the numbers a saved change and a recompute give — computed
from the stored persona fit and engagement in a few grouped queries."""
import numpy as np
import pandas as pd
import pytest
from django.urls import reverse
from django.utils import timezone

from abm_platform.tenancy.roles import Role
from contacts.models import Contact, LifecycleStage, LifecycleTransition
from scoring.models import ContactScore, RunStatus, ScoringWeights
from scoring.services.config import weights_active
from scoring.services.whatif import _weighted_spearman, whatif_preview
from tests.conftest import client_for
from tests.factories import ContactFactory, LifecycleTransitionFactory
from tests.scoring.test_whatif import current_values, event, recompute, scored_world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(workspace, scored_world, django_capture_on_commit_callbacks):
    """scored_world plus people of every seniority with a little engagement, scored again, so the
    contact scores spread across the MQL threshold."""
    account = scored_world["Pallet Pros"]
    for n, seniority in enumerate(("c_level", "vp", "director", "manager", "practitioner", "")):
        person = ContactFactory(workspace=workspace, account=account, seniority=seniority,
                                roles=[("champion", "economic_buyer", "user", "coach", "gatekeeper", "user")[n]])
        for days in range(n + 1):
            event(account, days + 1, contact=person, minutes=3 + 2 * n)
    recompute(workspace, django_capture_on_commit_callbacks)
    return scored_world


def current_contact_scores(workspace) -> dict[int, int]:
    return dict(ContactScore.objects.for_workspace(workspace).filter(run__status=RunStatus.FINISHED)
                .values_list("contact_id", "score"))


def activate(workspace, **changes):
    ScoringWeights.objects.for_workspace(workspace).filter(pk=weights_active(workspace=workspace).pk).update(**changes)


def test_unchanged_contact_settings_preview_no_contacts(workspace, people):
    preview = whatif_preview(workspace=workspace, values=current_values(workspace, fit=0.5, intent=0.2,
                                                                        engagement=0.3, predictive=0))
    assert preview.contacts is None
    assert not any("contact" in note.lower() for note in preview.notes)


@pytest.mark.parametrize("changes", [
    {"contact_fit": 0.8, "contact_engagement": 0.2, "mql_threshold": 50},
    {"contact_fit": 0.2, "contact_engagement": 0.8},
    {"mql_threshold": 35},
])
def test_contact_preview_matches_a_saved_change_and_recompute(changes, workspace, people,
                                                              django_capture_on_commit_callbacks):
    old = current_contact_scores(workspace)
    old_threshold = weights_active(workspace=workspace).mql_threshold
    leads_before = set(Contact.objects.for_workspace(workspace).filter(lifecycle_stage=LifecycleStage.LEAD)
                       .values_list("pk", flat=True))
    preview = whatif_preview(workspace=workspace, values=current_values(workspace) | changes).contacts
    assert current_contact_scores(workspace) == old, "a preview saves nothing"
    assert preview is not None and preview.contacts == len(old) >= 15
    if "contact_fit" in changes:
        assert preview.changed > 0 and preview.spearman is not None and preview.spearman < 1
    if "mql_threshold" in changes:
        assert preview.new_mql + preview.below_threshold > 0, "the threshold moves somebody across"

    activate(workspace, **changes)
    recompute(workspace, django_capture_on_commit_callbacks)
    new = current_contact_scores(workspace)
    threshold = changes.get("mql_threshold", old_threshold)
    assert preview.changed == sum(1 for c in old if old[c] != new[c])
    assert preview.raised == sum(1 for c in old if new[c] > old[c])
    assert preview.lowered == sum(1 for c in old if new[c] < old[c])
    assert (preview.threshold_before, preview.threshold_after) == (old_threshold, threshold)
    assert preview.at_threshold_before == sum(1 for s in old.values() if s >= old_threshold)
    assert preview.at_threshold_after == sum(1 for s in new.values() if s >= threshold)
    assert preview.below_threshold == sum(1 for c in old if old[c] >= old_threshold and new[c] < threshold)
    promoted = set(Contact.objects.for_workspace(workspace).filter(lifecycle_stage=LifecycleStage.MQL)
                   .values_list("pk", flat=True)) & leads_before
    assert preview.new_mql == len(promoted)
    assert preview.mean_after == round(float(np.mean(list(new.values()))), 1)
    ids = sorted(old)
    ranks_old = pd.Series([old[c] for c in ids]).rank()
    ranks_new = pd.Series([new[c] for c in ids]).rank()
    expected = 1.0 if ranks_old.equals(ranks_new) else round(float(np.corrcoef(ranks_old, ranks_new)[0, 1]), 4)
    assert preview.spearman == pytest.approx(expected, abs=1e-4)


def test_a_lower_threshold_makes_leads_mqls_but_not_the_ones_sales_just_sent_back(workspace, people):
    scores = current_contact_scores(workspace)
    leads = list(Contact.objects.for_workspace(workspace).filter(lifecycle_stage=LifecycleStage.LEAD,
                                                                  pk__in=list(scores)).order_by("pk"))
    assert len(leads) >= 3
    sent_back = leads[0]
    LifecycleTransitionFactory(workspace=workspace, contact=sent_back, from_stage=LifecycleStage.MQL,
                               to_stage=LifecycleStage.LEAD)
    LifecycleTransition.objects.for_workspace(workspace).filter(contact=sent_back).update(changed_at=timezone.now())
    preview = whatif_preview(workspace=workspace, values=current_values(workspace) | {"mql_threshold": 0}).contacts
    assert preview.at_threshold_after == preview.contacts
    assert preview.new_mql == len(leads) - 1, "every scored lead but the one sales sent back"
    assert preview.below_threshold == 0 and preview.changed == 0


def test_a_higher_threshold_counts_who_falls_below_and_no_one_is_demoted(workspace, people):
    scores = current_contact_scores(workspace)
    preview = whatif_preview(workspace=workspace, values=current_values(workspace) | {"mql_threshold": 100}).contacts
    threshold = weights_active(workspace=workspace).mql_threshold
    assert preview.below_threshold == sum(1 for s in scores.values() if threshold <= s < 100) > 0
    assert preview.new_mql == 0 and preview.at_threshold_after == sum(1 for s in scores.values() if s >= 100)


def test_the_weights_page_and_the_api_show_the_contact_preview(members, workspace, people):
    form = {"fit": "35", "intent": "20", "engagement": "30", "predictive": "15", "no_decision_maker_penalty": "10",
            "trigger_bonus": "5", "trigger_bonus_max": "10", "mqa_threshold": "70", "mqa_min_fit": "50",
            "mqa_exit_margin": "10", "engagement_ref_minutes": "50", "mql_threshold": "35", "note": ""}
    client = client_for(members[Role.SALES])
    page = client.post(reverse("scoring:weights_preview"), form, format="multipart")
    expected = whatif_preview(workspace=workspace, values=current_values(workspace) | {"mql_threshold": 35}).contacts
    html = page.content.decode()
    assert "Contacts and MQLs" in html
    assert f'data-whatif="new-mql">{expected.new_mql}<' in html
    assert "Not previewed" not in html
    body = client.post(reverse("api:scoring-weights-preview"), current_values(workspace) | {"mql_threshold": 35,
                                                                                          "contact_fit": 0.7,
                                                                                          "contact_engagement": 0.3},
                       format="json").json()
    assert body["contacts"]["threshold_after"] == 35 and body["contacts"]["contacts"] == expected.contacts
    unchanged = client.post(reverse("api:scoring-weights-preview"), current_values(workspace), format="json").json()
    assert unchanged["contacts"] is None


def test_weighted_spearman_equals_spearman_over_people():
    rng = np.random.default_rng(7)
    old = rng.integers(0, 101, 400)
    new = np.clip(old + rng.integers(-15, 16, 400), 0, 100)
    groups = pd.DataFrame({"old": old, "new": new}).value_counts().reset_index(name="n")
    weighted = _weighted_spearman(groups["old"].to_numpy(), groups["new"].to_numpy(), groups["n"].to_numpy())
    direct = np.corrcoef(pd.Series(old).rank(), pd.Series(new).rank())[0, 1]
    assert weighted == pytest.approx(direct, abs=1e-4)
