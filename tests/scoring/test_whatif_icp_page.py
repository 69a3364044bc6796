"""The ICP page's what-if: editing, adding or deleting a criterion shows — before anything is
saved — what it would do to scores, ranks, tier suggestions and MQAs, and the numbers are the
ones a saved change and a recompute give. Marketing and admins only; one workspace's data only."""
import re

import pytest
from django.urls import reverse

from abm_platform.tenancy.roles import Role
from accounts.models import Account
from scoring.models import IcpCriterion, ScoreSnapshot, ScoringRun
from scoring.services.icp import icp_criterion_delete, icp_criterion_save
from tests.conftest import client_for
from tests.factories import AccountFactory, IcpCriterionFactory, MembershipFactory, UserFactory
from tests.scoring.test_whatif import recompute, scored_world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

EDIT_LOGISTICS = {"edit-kind": "industry", "edit-label": "Logistics", "edit-weight": "2", "edit-values": "Logistics",
                  "edit-adjacent": ""}                       # Retail no longer counts half
ADD_BIG = {"kind": "employees", "label": "1,000+ staff", "weight": "3", "min": "1000"}


def criterion(workspace, label):
    return IcpCriterion.objects.for_workspace(workspace).get(label=label)


def tile(html: str, name: str) -> int:
    match = re.search(rf'data-whatif="{name}">([\d,]+)<', html)
    assert match, f"no {name} tile in the preview"
    return int(match.group(1).replace(",", ""))


def saved_state(workspace):
    return (list(IcpCriterion.objects.for_workspace(workspace).values_list("pk", "kind", "label", "weight", "config",
                                                                           "is_disqualifier")),
            ScoringRun.objects.for_workspace(workspace).count(),
            sorted(ScoreSnapshot.objects.for_workspace(workspace).values_list("account_id", "run_id", "score")),
            sorted(Account.objects.for_workspace(workspace).values_list("pk", "score", "is_mqa")))


def preview_request(client, workspace, change):
    if change == "edit":
        url = reverse("scoring:icp_criterion_preview", kwargs={"pk": criterion(workspace, "Logistics").pk})
        return client.post(url, EDIT_LOGISTICS, format="multipart")
    if change == "add":
        return client.post(reverse("scoring:icp_preview"), ADD_BIG, format="multipart")
    url = reverse("scoring:icp_criterion_preview", kwargs={"pk": criterion(workspace, "200–5,000 staff").pk})
    return client.post(url, {"remove": "1"}, format="multipart")


def apply_for_real(workspace, change):
    if change == "edit":
        saved = criterion(workspace, "Logistics")
        icp_criterion_save(workspace=workspace, criterion=saved, kind="industry", label="Logistics", weight=2,
                           config={"values": ["Logistics"], "adjacent": []}, order=saved.order)
    elif change == "add":
        icp_criterion_save(workspace=workspace, kind="employees", label="1,000+ staff", weight=3,
                           config={"min": 1000}, order=99)
    else:
        icp_criterion_delete(criterion=criterion(workspace, "200–5,000 staff"))


@pytest.mark.parametrize("change", ["edit", "add", "remove"])
def test_it_shows_what_a_saved_change_and_recompute_give(change, members, workspace, scored_world,
                                                         django_capture_on_commit_callbacks):
    client = client_for(members[Role.MARKETING])
    before = saved_state(workspace)
    response = preview_request(client, workspace, change)
    assert response.status_code == 200
    html, preview = response.content.decode(), response.context["preview"]
    assert preview.changed > 0, "each of these changes moves someone"
    assert saved_state(workspace) == before, "a preview saves nothing"

    old_run = ScoringRun.objects.for_workspace(workspace).get()
    old = {a: (s, m, t) for a, s, m, t in ScoreSnapshot.objects.for_workspace(workspace).filter(run=old_run)
           .values_list("account_id", "score", "is_mqa", "tier_suggestion__name")}
    apply_for_real(workspace, change)
    run = recompute(workspace, django_capture_on_commit_callbacks)
    new = {a: (s, m, t) for a, s, m, t in ScoreSnapshot.objects.for_workspace(workspace).filter(run=run)
           .values_list("account_id", "score", "is_mqa", "tier_suggestion__name")}

    changed = sum(1 for a in old if old[a][0] != new[a][0])
    assert preview.changed == changed == tile(html, "changed")
    assert preview.raised == sum(1 for a in old if new[a][0] > old[a][0])
    assert preview.mqa_after == sum(1 for v in new.values() if v[1])
    assert preview.new_mqa == sum(1 for a in old if new[a][1] and not old[a][1]) == tile(html, "new-mqa")
    assert preview.lost_mqa == sum(1 for a in old if old[a][1] and not new[a][1]) == tile(html, "lost-mqa")
    tier_moves = {}
    for a in old:
        if old[a][2] != new[a][2]:
            key = (old[a][2] or "no tier", new[a][2] or "no tier")
            tier_moves[key] = tier_moves.get(key, 0) + 1
    assert {(m.before, m.after): m.accounts for m in preview.tier_moves} == tier_moves
    for mover in preview.risers + preview.fallers:
        assert new[mover.account_id][0] == mover.new_score
        assert f"{mover.old_score} → <strong>{mover.new_score}</strong>" in html


def test_editing_out_the_adjacent_industry_lowers_the_retail_accounts(members, workspace, scored_world):
    response = preview_request(client_for(members[Role.ADMIN]), workspace, "edit")
    html = response.content.decode()
    fallers = {m.name for m in response.context["preview"].fallers}
    assert {"Retail Roads", "Dock Data"} <= fallers
    assert "If you save “Logistics” as edited" in html and "Top fallers" in html
    assert response.context["preview"].risers == [], "nobody gains when a half match is dropped"


def test_a_removal_preview_offers_the_delete_and_keeps_the_criterion(members, workspace, scored_world):
    saved = criterion(workspace, "200–5,000 staff")
    html = preview_request(client_for(members[Role.MARKETING]), workspace, "remove").content.decode()
    assert 'id="icp-whatif-remove"' in html and "If you delete “200–5,000 staff”" in html
    assert reverse("scoring:icp_delete", kwargs={"pk": saved.pk}) in html
    assert IcpCriterion.objects.for_workspace(workspace).filter(pk=saved.pk).exists()


def test_an_unchanged_criterion_changes_nothing(members, workspace, scored_world):
    saved = criterion(workspace, "Logistics")
    url = reverse("scoring:icp_criterion_preview", kwargs={"pk": saved.pk})
    response = client_for(members[Role.MARKETING]).post(url, EDIT_LOGISTICS | {"edit-adjacent": "Retail"},
                                                        format="multipart")
    preview = response.context["preview"]
    assert preview.changed == preview.new_mqa == preview.lost_mqa == 0 and preview.tier_moves == []
    assert "This criterion gives every account the score it has now." in response.content.decode()


def test_an_unfinished_criterion_says_what_is_missing_and_a_blank_label_is_fine(members, workspace, scored_world):
    client = client_for(members[Role.MARKETING])
    response = client.post(reverse("scoring:icp_preview"), {"kind": "industry", "label": "", "weight": "1",
                                                             "values": ""}, format="multipart")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cannot preview this criterion yet" in html and "List the industry values" in html
    response = client.post(reverse("scoring:icp_preview"), {"kind": "industry", "label": "", "weight": "1",
                                                             "values": "Food"}, format="multipart")
    assert response.context["preview"].changed > 0 and "If you add “new criterion”" in response.content.decode()
    assert not IcpCriterion.objects.for_workspace(workspace).filter(label="new criterion").exists()


def test_the_page_wires_the_previews_for_editors_only(members, workspace, scored_world):
    saved = criterion(workspace, "Logistics")
    marketer = client_for(members[Role.MARKETING])
    page = marketer.get(reverse("scoring:icp_edit", kwargs={"pk": saved.pk})).content.decode()
    assert f'hx-post="{reverse("scoring:icp_criterion_preview", kwargs={"pk": saved.pk})}"' in page
    assert f'hx-post="{reverse("scoring:icp_preview")}"' in page and 'id="whatif-edit"' in page
    assert 'id="whatif-add"' in page and 'id="icp-whatif-remove"' in page
    viewer_page = client_for(members[Role.VIEWER]).get(reverse("scoring:icp")).content.decode()
    assert "hx-post" not in viewer_page and "What if deleted?" not in viewer_page


@pytest.mark.parametrize("role,allowed", [(Role.ADMIN, True), (Role.MARKETING, True), (Role.SALES, False),
                                          (Role.EXECUTIVE, False), (Role.VIEWER, False)])
def test_only_the_roles_that_edit_the_icp_preview_it(role, allowed, members, workspace, scored_world):
    client = client_for(members[role])
    statuses = [preview_request(client, workspace, change).status_code for change in ("edit", "add", "remove")]
    assert statuses == ([200] * 3 if allowed else [403] * 3)


def test_another_workspaces_criteria_and_scores_are_never_read(members, workspace, other_workspace, scored_world):
    # Workspace B: its own ICP and accounts, never scored.
    theirs = IcpCriterionFactory(workspace=other_workspace, kind="industry", label="Food",
                                 config={"values": ["Food"]}, weight=5)
    AccountFactory(workspace=other_workspace, name="Globex Foods", industry="Food", employees=900)
    client = client_for(members[Role.MARKETING])
    url = reverse("scoring:icp_criterion_preview", kwargs={"pk": theirs.pk})
    assert client.post(url, {"remove": "1"}, format="multipart").status_code == 404
    assert client.post(url, {"edit-kind": "industry", "edit-label": "x", "edit-weight": "1", "edit-values": "Food"},
                       format="multipart").status_code == 404
    # A's preview sees A's twelve accounts and A's criteria only (B's Food criterion would lift Crate Co).
    preview = preview_request(client, workspace, "add").context["preview"]
    assert preview.accounts == 12
    assert all(m.name != "Globex Foods" for m in preview.risers + preview.fallers)
    # B's admin previews against B's (missing) scores, never A's run.
    charlie = MembershipFactory(workspace=other_workspace, role=Role.ADMIN,
                                user=UserFactory(email="charlie@globex.test")).user
    response = client_for(charlie).post(reverse("scoring:icp_preview"), ADD_BIG, format="multipart")
    assert response.status_code == 200 and response.context["preview"].run_id is None
    assert "Nothing is scored yet" in response.content.decode()
    assert IcpCriterion.objects.for_workspace(other_workspace).get().weight == 5
