"""Hot accounts: every scored account ranked by score (or by its rise since the last recompute),
with its components, MQA, journey stage, tier and tier suggestion. The default page of Scoring."""
from django.views.generic import ListView

from abm_platform.tenancy.roles import MARKETERS
from abm_platform.tenancy.views import WorkspaceView
from accounts.models import Account, AccountGroup, JourneyStage, Segment, Tier
from scoring.selectors import default_ordering, hot_accounts, snapshots_for_accounts
from scoring.services.recompute import current_run

FILTER_KEYS = ("q", "tier", "group", "segment", "is_mqa", "journey_stage", "surging", "min_score")
COMPONENTS = (("fit", "Fit"), ("intent", "Intent"), ("engagement", "Engagement"), ("predictive", "Predictive"))


class HotAccountsView(WorkspaceView, ListView):
    """Filters and order come from HotAccountFilter (shared with the account-scores API)."""

    model = Account
    template_name = "scoring/hot_accounts.html"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = hot_accounts(workspace=self.workspace, params=self.request.GET, user=self.request.user)
        if not self.filterset.is_valid():
            return Account.objects.for_workspace(self.workspace).none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = current_run(self.workspace)
        rows = context["object_list"]
        snapshots = snapshots_for_accounts(workspace=self.workspace, run=run, account_ids=[a.pk for a in rows])
        offset = context["page_obj"].start_index() if context.get("page_obj") else 1
        get = self.request.GET
        context.update(
            tab="hot",
            run=run,
            rows=[_row(n, account, snapshots.get(account.pk)) for n, account in enumerate(rows, start=offset)],
            filter=self.filterset,
            ordering=default_ordering(get),
            surging=get.get("surging") == "true",
            has_filters=any(get.get(k) for k in FILTER_KEYS),
            any_scored=run is not None,
            tiers=Tier.objects.for_workspace(self.workspace),
            groups=AccountGroup.objects.for_workspace(self.workspace),
            segments=Segment.objects.for_workspace(self.workspace),
            stages=JourneyStage.choices,
            can_recompute=self.can(MARKETERS),
        )
        return context


def _row(rank: int, account: Account, snapshot) -> dict:
    components = []
    if snapshot is not None:
        fit_scored = (snapshot.facts or {}).get("fit_scored", True)
        for name, label in COMPONENTS:
            value = getattr(snapshot, name)
            if name == "fit" and not fit_scored:
                value = None
            components.append({"name": name, "label": label, "value": value})
    return {"rank": rank, "account": account, "snapshot": snapshot, "components": components,
            "tier_suggestion": snapshot.tier_suggestion if snapshot else None}
