"""Reads of accounts, workspace first."""
from abm_platform.models import Workspace
from accounts.filters import AccountFilter
from accounts.models import Account
from accounts.services.holds import active_hold_exists


def account_queryset(*, workspace: Workspace):
    """Accounts with what every list shows: tier, group, owner, and the on-hold flag."""
    return (Account.objects.for_workspace(workspace)
            .select_related("tier", "group", "owner", "sdr", "parent")
            .annotate(on_hold=active_hold_exists(workspace.pk)))


def account_list(*, workspace: Workspace, params, user=None) -> AccountFilter:
    """The filtered account list (the FilterSet, so callers see both `.qs` and `.errors`)."""
    return AccountFilter(params, account_queryset(workspace=workspace), workspace=workspace, user=user)
