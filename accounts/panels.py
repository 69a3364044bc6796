"""What the accounts layer adds to other pages (registered in AccountsConfig.ready)."""
from django.db.models import Count, Q, Sum

from accounts.models import Account, Opportunity, TargetList


def dashboard_panel(request, workspace) -> dict:
    """The program at a glance: accounts, targets by tier, open pipeline, lists awaiting approval.
    A fixed handful of aggregate queries."""
    accounts = Account.objects.for_workspace(workspace).aggregate(
        total=Count("pk"), targets=Count("pk", filter=Q(is_target=True)),
        closing=Count("pk", filter=Q(has_open_opportunity=True)))
    by_tier = list(Account.objects.for_workspace(workspace).filter(tier__isnull=False)
                   .values("tier_id", "tier__name", "tier__order").annotate(n=Count("pk")).order_by("tier__order"))
    pipeline = Opportunity.objects.for_workspace(workspace).filter(is_open=True).aggregate(
        n=Count("pk"), amount=Sum("amount"))
    awaiting = TargetList.objects.for_workspace(workspace).filter(status="in_review").count()
    return {"accounts": accounts, "by_tier": by_tier, "pipeline": pipeline, "awaiting": awaiting}
