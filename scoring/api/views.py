"""Scoring API: the ICP, the weights with their sign-off and what-if preview, recompute runs,
predictive models, and the scores themselves (current, history, contacts) with their reasons."""
from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from abm_platform.api.views import JobSerializer
from abm_platform.api.viewsets import WorkspaceConfigViewSet, WorkspaceViewSet
from abm_platform.tenancy.roles import ANY_ROLE, MARKETERS, SELLERS
from scoring import selectors
from scoring.api import serializers as s
from scoring.engine.fit import Criterion
from scoring.models import ContactScore, IcpCriterion, PredictiveModel, ScoreSnapshot, ScoringRun, ScoringWeights
from scoring.services.config import weights_propose, weights_sign_off
from scoring.services.icp import icp_config_clean, icp_criterion_delete, icp_criterion_save
from scoring.services.predictive import model_train_start
from scoring.services.recompute import current_run, recompute_start
from scoring.services.whatif import whatif_preview

# Weights are agreed between marketing and sales: either side proposes, each signs off its side.
PROPOSERS = MARKETERS | SELLERS


class IcpCriterionViewSet(WorkspaceConfigViewSet):
    """The ideal customer profile, one weighted criterion per row. Everyone reads it; marketing
    (and admins) change it. A config that does not fit its kind is refused with what is expected."""

    model = IcpCriterion
    serializer_class = s.IcpCriterionSerializer
    read_roles = ANY_ROLE
    write_roles = MARKETERS

    def perform_create(self, serializer):
        serializer.instance = icp_criterion_save(workspace=self.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        criterion = serializer.instance
        fields = {name: getattr(criterion, name) for name in ("kind", "label", "weight", "config", "is_disqualifier",
                                                               "order")}
        fields.update(serializer.validated_data)
        serializer.instance = icp_criterion_save(workspace=self.workspace, criterion=criterion, **fields)

    def perform_destroy(self, instance):
        icp_criterion_delete(criterion=instance)


class WeightsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Versions of the scoring weights. `POST` proposes a new version (a draft); a marketer and a
    seller — two different people — sign it off (`sign-off`), and the second sign-off makes it the
    active one. `preview` shows what proposed weights would change, without saving anything."""

    model = ScoringWeights
    serializer_class = s.WeightsSerializer
    read_roles = ANY_ROLE
    write_roles = PROPOSERS
    filter_backends: list = []

    def scope_queryset(self, queryset):
        return queryset.select_related("created_by", "marketing_approved_by", "sales_approved_by").order_by("-version")

    @extend_schema(request=s.WeightsInputSerializer, responses={201: s.WeightsSerializer})
    def create(self, request):
        data = s.WeightsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        note = values.pop("note", "")
        with whole_form_errors():
            weights = weights_propose(workspace=self.workspace, by=request.user, values=values, note=note)
        return Response(s.WeightsSerializer(self.get_queryset().get(pk=weights.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SignOffSerializer, responses=s.WeightsSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        """Sign a draft off for your side. Marketing signs for marketing, sales for sales (an admin
        may sign either, but one person never signs both)."""
        weights = self.get_object()
        data = s.SignOffSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        weights_sign_off(weights=weights, by=request.user, role=request.workspace_context.role,
                         side=data.validated_data["side"])
        return Response(s.WeightsSerializer(self.get_queryset().get(pk=weights.pk)).data)

    @extend_schema(request=s.PreviewInputSerializer, responses=s.WhatIfSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """What proposed weights (and, optionally, a changed ICP) would do to the current scores:
        accounts whose score changes, rank moves, new and lost MQAs, tier-suggestion changes, the
        top risers and fallers and the rank correlation. Nothing is saved."""
        data = s.PreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("note", None)
        criteria = preview_criteria(values.pop("icp_criteria", None))
        with whole_form_errors():
            preview = whatif_preview(workspace=self.workspace, values=values, criteria=criteria)
        return Response(s.WhatIfSerializer(preview).data)


@contextmanager
def whole_form_errors():
    """A service's error about the whole input (Django's `__all__`) becomes the response's message."""
    try:
        yield
    except DjangoValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        fields = error.message_dict
        if "__all__" in fields:
            fields["non_field_errors"] = fields.pop("__all__")
        raise ValidationError(fields) from error


def preview_criteria(items: list[dict] | None) -> list[Criterion] | None:
    """Criteria to try, each checked like a saved one; errors name the criterion by position."""
    if items is None:
        return None
    criteria, errors = [], {}
    for n, item in enumerate(items):
        try:
            config = icp_config_clean(item["kind"], item["config"], is_disqualifier=item.get("is_disqualifier", False))
        except DjangoValidationError as error:
            errors[str(n)] = error.message_dict.get("config", error.messages)
            continue
        criteria.append(Criterion(item["kind"], item["label"], item.get("weight", 1.0), config,
                                  item.get("is_disqualifier", False)))
    if errors:
        raise ValidationError({"icp_criteria": errors})
    return criteria


class RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Recompute runs, newest first, with their chunk progress. `POST runs/recompute/` starts one
    (or returns the one already running) as a job."""

    model = ScoringRun
    serializer_class = s.RunSerializer
    action_roles = {"recompute": MARKETERS}
    filter_backends: list = []

    def scope_queryset(self, queryset):
        return selectors.runs_with_progress(workspace=self.workspace)

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=False, methods=["post"])
    def recompute(self, request):
        job = recompute_start(workspace=self.workspace, by=request.user, reason="Started from the API")
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class PredictiveModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Predictive models trained on the workspace's own won/lost history, newest first, with their
    validation figures. Only an `active` model scores; `POST models/train/` trains a new one (a job)."""

    model = PredictiveModel
    serializer_class = s.PredictiveModelSerializer
    action_roles = {"train": MARKETERS}
    filter_backends: list = []

    def scope_queryset(self, queryset):
        return queryset.select_related("trained_by").defer("artifact").order_by("-version")

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=False, methods=["post"])
    def train(self, request):
        job = model_train_start(workspace=self.workspace, by=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


RANKED_LIST_PARAMETERS = [
    OpenApiParameter("account", OpenApiTypes.INT, description="One account's id."),
    OpenApiParameter("tier", OpenApiTypes.STR, description="Tier id(s), comma-separated, or `none`."),
    OpenApiParameter("group", OpenApiTypes.INT, many=True, description="Account group id(s)."),
    OpenApiParameter("segment", OpenApiTypes.INT, description="Segment id."),
    OpenApiParameter("is_mqa", OpenApiTypes.BOOL, description="Marketing-qualified accounts only (or none of them)."),
    OpenApiParameter("journey_stage", OpenApiTypes.STR, description="Journey stage(s), comma-separated."),
    OpenApiParameter("min_score", OpenApiTypes.NUMBER, description="Score at least this."),
    OpenApiParameter("surging", OpenApiTypes.BOOL,
                     description="`true`: the score rose at the last recompute; sorted by the rise unless `ordering`."),
    OpenApiParameter("ordering", OpenApiTypes.STR,
                     description="`score`, `-score` (default), `score_change` or `-score_change`."),
]


class AccountScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """The current scores: one row per account from the last finished recompute, with its
    components, its reasons (raw and rendered, adding up to the score), MQA, journey stage and tier
    suggestion. Filters are the ranked list's (every accounts filter also works: q, owner, …)."""

    model = ScoreSnapshot
    serializer_class = s.AccountScoreSerializer
    filter_backends: list = []

    def scope_queryset(self, queryset):
        return selectors.account_score_snapshots(workspace=self.workspace, run=current_run(self.workspace))

    @extend_schema(parameters=RANKED_LIST_PARAMETERS)
    def list(self, request, *args, **kwargs):
        # Page through the filtered, ranked account ids (indexed columns), then read the page's snapshots.
        run = current_run(self.workspace)
        ids, errors = selectors.scored_account_ids(workspace=self.workspace, run=run, params=request.query_params)
        if errors:
            raise ValidationError(errors)
        page = list(self.paginate_queryset(ids))
        snapshots = selectors.snapshots_of(workspace=self.workspace, run=run, account_ids=page)
        return self.get_paginated_response(self.get_serializer(snapshots, many=True).data)


def int_param(params, name: str) -> int | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise ValidationError({name: ["A whole number (an id) is required."]})
    return int(value)


class ScoreHistoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Score history: the snapshots of finished recomputes, newest first. Use `?account=<id>` for
    one account's trend."""

    model = ScoreSnapshot
    serializer_class = s.ScoreHistorySerializer
    filter_backends: list = []

    def scope_queryset(self, queryset):
        return selectors.score_history(workspace=self.workspace)

    def filter_queryset(self, queryset):
        account_id = int_param(self.request.query_params, "account") if self.action == "list" else None
        return queryset.filter(account_id=account_id) if account_id is not None else queryset

    @extend_schema(parameters=[OpenApiParameter("account", OpenApiTypes.INT, description="One account's id.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class ContactScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Contact scores from the current recompute (persona fit and own engagement), highest first,
    with their reasons. Filter with `?contact=<id>` or `?account=<id>`."""

    model = ContactScore
    serializer_class = s.ContactScoreSerializer
    filter_backends: list = []

    def scope_queryset(self, queryset):
        return selectors.contact_scores(workspace=self.workspace)

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        params = self.request.query_params
        contact_id, account_id = int_param(params, "contact"), int_param(params, "account")
        if contact_id is not None:
            queryset = queryset.filter(contact_id=contact_id)
        if account_id is not None:
            queryset = queryset.filter(account_id=account_id)
        return queryset

    @extend_schema(parameters=[OpenApiParameter("contact", OpenApiTypes.INT, description="One contact's id."),
                               OpenApiParameter("account", OpenApiTypes.INT, description="One account's id.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
