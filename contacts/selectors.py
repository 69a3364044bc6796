"""Reads of contacts, workspace first."""
from abm_platform.models import Workspace
from accounts.models import Account
from contacts.engine.personas import coverage
from contacts.filters import ContactFilter
from contacts.models import Contact


def contact_queryset(*, workspace: Workspace):
    return Contact.objects.for_workspace(workspace).select_related("account", "persona", "owner")


def contact_list(*, workspace: Workspace, params) -> ContactFilter:
    return ContactFilter(params, contact_queryset(workspace=workspace))


# A person counts as engaged from this engagement score (written by scoring: 0–100, decayed;
# 18 ≈ five weighted minutes in the recent past).
ENGAGED_MIN_SCORE = 18


def buying_group(*, workspace: Workspace, account: Account) -> dict:
    """The account's people with role, seniority, DISC style and persona, and the coverage of the
    roles its tier expects (which are filled, which are missing, and a weighted ratio)."""
    people = list(Contact.objects.for_workspace(workspace).filter(account=account, erased_at__isnull=True)
                  .select_related("persona").order_by("seniority", "last_name"))
    expected = list(account.tier.expected_roles) if account.tier_id else []
    engaged = {c.pk for c in people if (c.engagement_score or 0) >= ENGAGED_MIN_SCORE}
    scored = any(c.engagement_score is not None for c in people)
    result = coverage(expected, [(c.pk, c.roles) for c in people], engaged_contact_ids=engaged if scored else None)
    return {"people": people, "expected_roles": expected, "coverage": result, "engaged_ids": engaged,
            "engagement_scored": scored}
