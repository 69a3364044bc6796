from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from abm_platform.models import Workspace
from accounts.models import Account, BuyingGroupRole, EngagementModel, Tier, TierChange

# Roles a tier may require to be covered: every role but the ones only a rep can judge.
EXPECTABLE_ROLES = [r for r in BuyingGroupRole.values if r not in (BuyingGroupRole.BLOCKER, BuyingGroupRole.COACH)]

DEFAULT_TIERS = [
    dict(name="Tier 1 — Strategic", order=1, engagement_model=EngagementModel.ONE_TO_ONE, max_accounts=50,
         description="A handful of strategic accounts with a bespoke plan, content and an executive sponsor.",
         expected_roles=[BuyingGroupRole.DECISION_MAKER, BuyingGroupRole.ECONOMIC_BUYER, BuyingGroupRole.CHAMPION,
                         BuyingGroupRole.TECHNICAL_EVALUATOR, BuyingGroupRole.INFLUENCER, BuyingGroupRole.USER]),
    dict(name="Tier 2 — One-to-few", order=2, engagement_model=EngagementModel.ONE_TO_FEW, max_accounts=500,
         description="Clusters of similar accounts sharing pains and content.",
         expected_roles=[BuyingGroupRole.DECISION_MAKER, BuyingGroupRole.CHAMPION, BuyingGroupRole.TECHNICAL_EVALUATOR]),
    dict(name="Tier 3 — One-to-many", order=3, engagement_model=EngagementModel.ONE_TO_MANY, max_accounts=None,
         description="Hundreds of accounts reached programmatically.",
         expected_roles=[BuyingGroupRole.DECISION_MAKER]),
]


def tiers_seed_defaults(*, workspace: Workspace) -> None:
    """Workspace setup step: the three classic tiers (DOMAIN.md §5), if the workspace has none."""
    tiers = Tier.objects.for_workspace(workspace)
    if not tiers.exists():
        tiers.bulk_create([Tier(**{**t, "expected_roles": [str(r) for r in t["expected_roles"]]}) for t in DEFAULT_TIERS])


def tier_save(*, workspace: Workspace, tier: Tier | None = None, **fields) -> Tier:
    tier = tier or Tier(workspace=workspace)
    roles = fields.get("expected_roles", tier.expected_roles or [])
    unknown = sorted(set(roles) - set(EXPECTABLE_ROLES))
    if unknown:
        raise ValidationError({"expected_roles": f"Not roles a tier can expect: {', '.join(unknown)} "
                                                 "(blockers and coaches are noted by reps, not required)."})
    for name, value in fields.items():
        setattr(tier, name, value)
    tier.full_clean()
    tier.save()
    return tier


@transaction.atomic
def accounts_set_tier(*, workspace: Workspace, account_ids: list[int], tier: Tier | None, by=None,
                      reason: str = "") -> int:
    """Move accounts to a tier (or none), recording each move with who/when/why. Respects the
    tier's maximum. Returns how many accounts moved."""
    accounts = Account.objects.for_workspace(workspace).filter(pk__in=account_ids).select_for_update()
    moving = list(accounts.exclude(tier=tier).values_list("pk", "tier_id"))
    if tier is not None and tier.max_accounts is not None:
        in_tier = Account.objects.for_workspace(workspace).filter(tier=tier).count()
        if in_tier + len(moving) > tier.max_accounts:
            raise ValidationError({"tier": f"{tier.name} holds at most {tier.max_accounts} accounts "
                                           f"({in_tier} now; this would add {len(moving)})."})
    if not moving:
        return 0
    Account.objects.for_workspace(workspace).filter(pk__in=[pk for pk, _ in moving]).update(
        tier=tier, updated_at=timezone.now()
    )
    TierChange.objects.for_workspace(workspace).bulk_create(
        [TierChange(account_id=pk, from_tier_id=old, to_tier=tier, changed_by=by, reason=reason[:255])
         for pk, old in moving]
    )
    return len(moving)
