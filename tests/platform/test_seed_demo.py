"""`manage.py seed_demo`: one user per role and realistic data; running it twice changes nothing."""
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Max, Min

from abm_platform.models import Membership, Workspace
from abm_platform.services.demo import DEMO_SLUG
from abm_platform.tenancy.roles import Role
from accounts.models import Account, AccountPlan, Hold, Opportunity, OpportunityStageChange, TargetList


@pytest.mark.django_db
def test_seed_demo_builds_a_realistic_workspace_and_is_idempotent(capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out
    workspace = Workspace.objects.get(slug=DEMO_SLUG)
    roles = set(Membership.objects.for_workspace(workspace).values_list("role", flat=True))
    assert roles == set(Role.values)
    for role in Role.values:
        assert f"{role}@demo.abm.local" in output

    accounts = Account.objects.for_workspace(workspace)
    assert accounts.count() == 2500
    assert accounts.filter(parent__isnull=False).count() > 100
    assert accounts.values("country").distinct().count() >= 10
    assert accounts.values("industry").distinct().count() >= 8
    assert set(accounts.exclude(tier=None).values_list("tier__order", flat=True).distinct()) == {1, 2, 3}

    opportunities = Opportunity.objects.for_workspace(workspace)
    kinds = set(opportunities.values_list("stage__kind", flat=True).distinct())
    assert kinds == {"open", "won", "lost"}
    span = opportunities.aggregate(first=Min("created_date"), last=Max("created_date"))
    assert span["last"] - span["first"] > timedelta(days=450)
    changes = OpportunityStageChange.objects.for_workspace(workspace)
    assert changes.count() > opportunities.count() * 2  # real stage paths, not one step each
    assert opportunities.filter(stage__kind="lost").exclude(loss_reason="").count() == \
        opportunities.filter(stage__kind="lost").count()
    assert Hold.objects.for_workspace(workspace).exists() and AccountPlan.objects.for_workspace(workspace).exists()

    program = TargetList.objects.for_workspace(workspace).get(name="FY27 H1 program")
    statuses = set(program.nominations.values_list("status", flat=True))
    assert program.status == "in_review" and statuses == {"proposed", "approved", "rejected"}
    assert program.nominations.filter(is_pilot=True).count() == 3
    assert accounts.filter(is_target=True).exists()

    from contacts.models import Contact, MatchReview

    contacts = Contact.objects.for_workspace(workspace)
    assert contacts.count() > 1000 and contacts.filter(match_status="auto").count() > 900
    assert contacts.exclude(disc_style="").exists() and contacts.exclude(seniority="").count() > 900
    assert MatchReview.objects.for_workspace(workspace).filter(status="open").exists()

    counts = (accounts.count(), opportunities.count(), changes.count(), Hold.objects.for_workspace(workspace).count())
    before = _row_counts()
    call_command("seed_demo")
    assert (accounts.count(), opportunities.count(), changes.count(),
            Hold.objects.for_workspace(workspace).count()) == counts
    after = _row_counts()
    grew = {label: (before[label], after[label]) for label in before if after[label] != before[label]}
    assert not grew, f"a second seed_demo changed these tables (rows before, after): {grew}"
    assert before["contacts.Contact"] > 1000 and before["campaigns.Touch"] > 50     # the runs did seed


def _row_counts() -> dict[str, int]:
    """Rows per table of every installed model (the plain base manager: no tenant scoping)."""
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}
