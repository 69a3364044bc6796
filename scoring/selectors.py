"""Reads of scores, workspace first: the ranked account list (pages and API share its filters), the
current run's snapshots, score history, contact scores, runs and models.

The ranked list reads the score columns on `Account` (indexed, written when a run finishes), so
it is one indexed query at 100k accounts; the components and tier suggestion of the accounts on
the page come from their snapshots in one more query.
"""
from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django_filters import rest_framework as filters

from abm_platform.filters import IdFilter
from abm_platform.models import Workspace
from accounts.filters import AccountFilter
from accounts.models import Account
from accounts.selectors import account_queryset
from scoring.models import (
    ChunkStatus, ContactScore, PredictiveModel, RunStatus, ScoreSnapshot, ScoringRun, ScoringWeights,
)
from scoring.services.recompute import current_run

SCORE_ORDERINGS = ("score", "-score", "score_change", "-score_change")


def score_order(ordering: str, *, surging: bool, field_prefix: str = "", pk: str = "pk") -> list:
    """ORDER BY for a score ordering that the (workspace, score) and (workspace, score_change)
    indexes can serve: scored accounts have a score, and surging ones a score change, so the
    plain DESC (NULLS FIRST, a backward index scan) is the same as "nulls last" there."""
    descending, key = ordering.startswith("-"), ordering.lstrip("-")
    field = f"{field_prefix}{key}"
    if key == "score_change" and descending and not surging:
        return [F(field).desc(nulls_last=True), pk]      # changes unknown after a first run go last
    return [f"-{field}" if descending else field, pk]


class HotAccountFilter(AccountFilter):
    """Every account filter (tier, group, segment, is_mqa, journey_stage …) plus:

    min_score · surging (`true`: the score rose at the last recompute; sorted by the rise,
    biggest first, unless `ordering` says otherwise) · account (one account's id).
    Default order: score, highest first.
    """

    min_score = filters.NumberFilter(field_name="score", lookup_expr="gte", help_text="Score at least this.")
    surging = filters.BooleanFilter(method="filter_surging",
                                    help_text="`true`: only accounts whose score rose at the last recompute.")
    account = IdFilter(field_name="pk", help_text="One account's id.")

    def __init__(self, data=None, *args, **kwargs):
        self.score_ordering = None
        if data is not None and data.get("ordering") in SCORE_ORDERINGS:
            self.score_ordering = data.get("ordering")
            data = data.copy()
            del data["ordering"]
        super().__init__(data, *args, **kwargs)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.score_ordering:
            surging = self.form.cleaned_data.get("surging") is True
            queryset = queryset.order_by(*score_order(self.score_ordering, surging=surging))
        return queryset

    def filter_surging(self, queryset, name, value):
        return queryset.filter(score_change__gt=0) if value else queryset.exclude(score_change__gt=0)


def default_ordering(params) -> str:
    """`-score`, or `-score_change` when the list asks for surging accounts."""
    if params.get("ordering"):
        return params["ordering"]
    return "-score_change" if str(params.get("surging", "")).lower() in ("true", "1") else "-score"


def _given(params):
    """The parameters that carry a value (a QueryDict copy): a form's empty select means "any"."""
    given = params.copy()
    for key in list(given):
        values = [v for v in given.getlist(key) if v not in ("", None)]
        if values:
            given.setlist(key, values)
        else:
            del given[key]
    return given


def hot_accounts(*, workspace: Workspace, params, user=None) -> HotAccountFilter:
    """The scored accounts, filtered and ranked (the FilterSet: callers read `.qs` and `.errors`)."""
    params = _given(params)
    params["ordering"] = default_ordering(params)
    queryset = account_queryset(workspace=workspace).filter(score__isnull=False)
    return HotAccountFilter(params, queryset, workspace=workspace, user=user)


def snapshots_for_accounts(*, workspace: Workspace, run: ScoringRun | None, account_ids) -> dict[int, ScoreSnapshot]:
    """The run's snapshots of these accounts — the values a list row draws, without the reasons."""
    if run is None or not account_ids:
        return {}
    rows = (ScoreSnapshot.objects.for_workspace(workspace).filter(run=run, account_id__in=list(account_ids))
            .select_related("tier_suggestion")
            .only("account_id", "fit", "intent", "engagement", "predictive", "probability", "score", "is_mqa",
                  "journey_stage", "facts", "tier_suggestion__name", "tier_suggestion__order"))
    return {s.account_id: s for s in rows}


def account_score_snapshots(*, workspace: Workspace, run: ScoringRun | None) -> QuerySet:
    """The current run's snapshots with their account and tier suggestion (the API's account scores)."""
    snapshots = ScoreSnapshot.objects.for_workspace(workspace)
    if run is None:
        return snapshots.none()
    return snapshots.filter(run=run).select_related("account__tier", "tier_suggestion")


def scored_account_ids(*, workspace: Workspace, run: ScoringRun | None, params) -> tuple[QuerySet, dict]:
    """Ids of the accounts in `run` that the ranked list's filters select, in its order — the
    account-scores API pages through these, then reads their snapshots. Filters and order apply
    to the accounts' own indexed columns (score, score_change, is_mqa …: the same values as the
    current run's), so a page of the top accounts is an index walk at 100k accounts.
    Returns the queryset and the filter errors (empty when the parameters are valid)."""
    params = _given(params)
    params["ordering"] = default_ordering(params)
    if params["ordering"] not in SCORE_ORDERINGS:
        return Account.objects.none(), {"ordering": ["Order by score or score_change (with - for descending)."]}
    accounts = Account.objects.for_workspace(workspace)
    if run is None:
        return accounts.none(), {}
    # Unscoped on purpose: the run is this workspace's and the outer accounts are too, and without
    # a workspace condition PostgreSQL answers from the (run, account) index alone.
    in_run = ScoreSnapshot.objects.unscoped().filter(run_id=run.pk, account=OuterRef("pk"))
    filterset = HotAccountFilter(params, accounts.filter(Exists(in_run)), workspace=workspace)
    if not filterset.is_valid():
        return accounts.none(), filterset.errors
    return filterset.qs.values_list("pk", flat=True), {}


def snapshots_of(*, workspace: Workspace, run: ScoringRun | None, account_ids: list[int]) -> list[ScoreSnapshot]:
    """The run's snapshots of these accounts, in the order of `account_ids`."""
    by_account = {s.account_id: s for s in account_score_snapshots(workspace=workspace, run=run)
                  .filter(account_id__in=account_ids)}
    return [by_account[a] for a in account_ids if a in by_account]


def score_history(*, workspace: Workspace, account_id: int | None = None) -> QuerySet:
    """Snapshots of finished runs, newest first (an unfinished run's rows are invisible)."""
    snapshots = ScoreSnapshot.objects.for_workspace(workspace).filter(run__status=RunStatus.FINISHED)
    if account_id is not None:
        snapshots = snapshots.filter(account_id=account_id)
    return snapshots.select_related("account", "tier_suggestion").order_by("-computed_at", "-id")


def account_score_trend(*, workspace: Workspace, account: Account, limit: int = 52) -> list[tuple]:
    """(computed_at, score, fit, intent, engagement) of the account's finished runs, oldest first."""
    rows = (ScoreSnapshot.objects.for_workspace(workspace)
            .filter(account=account, run__status=RunStatus.FINISHED).order_by("-computed_at")
            .values_list("computed_at", "score", "fit", "intent", "engagement")[:limit])
    return list(reversed(rows))


def account_score_current(*, workspace: Workspace, account: Account) -> ScoreSnapshot | None:
    run = current_run(workspace)
    if run is None:
        return None
    return (ScoreSnapshot.objects.for_workspace(workspace).filter(run=run, account=account)
            .select_related("tier_suggestion", "run__weights", "run__model").first())


def contact_scores(*, workspace: Workspace) -> QuerySet:
    """Contact scores of the current run (older runs' rows are deleted when a run finishes)."""
    return (ContactScore.objects.for_workspace(workspace).filter(run__status=RunStatus.FINISHED)
            .select_related("contact").order_by("-score", "contact_id"))


def runs_with_progress(*, workspace: Workspace) -> QuerySet:
    """Runs, newest first, with how many chunks are done and what they scored with."""
    return (ScoringRun.objects.for_workspace(workspace)
            .select_related("weights", "model", "job")
            .annotate(chunks_done=Count("chunks", filter=Q(chunks__status=ChunkStatus.DONE)))
            .order_by("-started_at", "-id"))


def weights_versions(*, workspace: Workspace) -> QuerySet:
    return (ScoringWeights.objects.for_workspace(workspace)
            .select_related("created_by", "marketing_approved_by", "sales_approved_by").order_by("-version"))


def predictive_models(*, workspace: Workspace) -> QuerySet:
    return (PredictiveModel.objects.for_workspace(workspace).select_related("trained_by")
            .defer("artifact").order_by("-version"))

