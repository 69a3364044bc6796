"""Accounts API: accounts (with the CRM bulk upsert), tiers, groups, attributes, segments,
holds, opportunities and plans."""
from collections import Counter

from django.db import transaction
from django.db.models import Count, Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from abm_platform.api.errors import raise_record_errors
from abm_platform.api.viewsets import WorkspaceConfigViewSet, WorkspaceViewSet
from abm_platform.tenancy.roles import ADMINS, EDITORS, MARKETERS, SELLERS
from accounts.api import serializers as s
from accounts.filters import AccountFilter
from accounts.models import (
    Account, AccountGroup, AccountIdentifier, AccountPlan, AttributeDefinition, Hold, Opportunity, OpportunityStage,
    PlanStep, Segment, SegmentKind, SegmentMember, Tier,
)
from accounts.selectors import account_queryset
from accounts.services.holds import active_holds_q, hold_place, hold_release
from accounts.services.opportunities import opportunity_create, opportunity_update
from accounts.services.plans import account_plan_mark_reviewed, account_plan_save, plan_step_add, plan_step_complete
from accounts.services.segments import segment_add_accounts, segment_create
from accounts.services.tiers import accounts_set_tier, tier_save
from accounts.services.upsert import accounts_upsert


class AccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, WorkspaceViewSet):
    """Accounts. Create and update take the same fields as the CSV import; `bulk_upsert` takes up
    to 1,000 records matched by CRM id, else domain, and answers per record."""

    model = Account
    serializer_class = s.AccountSerializer
    filterset_class = AccountFilter
    action_roles = {"destroy": MARKETERS, "set_tier": MARKETERS}

    def scope_queryset(self, queryset):
        return (account_queryset(workspace=self.workspace)
                .prefetch_related(Prefetch("identifiers", queryset=AccountIdentifier.unscoped_objects.order_by(
                    "-is_primary", "value")), "technologies"))

    def get_filterset_kwargs(self):
        return {"workspace": self.workspace}

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        filterset = AccountFilter(self.request.query_params, queryset, request=self.request, workspace=self.workspace)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs

    def _upsert_one(self, record: dict) -> Account:
        (result,) = accounts_upsert(workspace=self.workspace, records=[record], by=self.request.user)
        raise_record_errors(result.errors)
        return self.get_queryset().get(pk=result.account_id)

    @extend_schema(request=s.AccountInputSerializer, responses={201: s.AccountSerializer})
    def create(self, request):
        data = s.AccountInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = self._upsert_one(dict(data.validated_data))
        return Response(s.AccountSerializer(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AccountInputSerializer, responses=s.AccountSerializer)
    def partial_update(self, request, pk=None):
        account = self.get_object()
        data = s.AccountInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        record = dict(data.validated_data)
        # Address the record to this account: by its CRM id, else its primary domain.
        if "external_id" not in record and account.external_id:
            record["external_id"] = account.external_id
        elif "external_id" not in record and "domain" not in record:
            record["domain"] = account.domain
        if record.get("external_id") not in (None, account.external_id) and account.external_id:
            raise ValidationError({"external_id": ["Change a CRM id through your CRM sync, not by PATCH."]})
        return Response(s.AccountSerializer(self._upsert_one(record)).data)

    @extend_schema(request=s.BulkUpsertSerializer, responses=s.BulkUpsertResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-upsert")
    def bulk_upsert(self, request):
        """Create or update up to 1,000 accounts. Each record is matched by `external_id`, else by
        any of its domains; the answer lists created / updated / unchanged / error per record."""
        data = s.BulkUpsertSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results = accounts_upsert(workspace=self.workspace, records=[dict(r) for r in data.validated_data["records"]],
                                  by=self.request.user, reason="API bulk upsert")
        summary = Counter(r.status for r in results)
        body = {"summary": {k: summary.get(k, 0) for k in ("created", "updated", "unchanged", "error")},
                "results": [r.as_dict() for r in results]}
        return Response(body)

    @extend_schema(request=s.SetTierSerializer,
                   responses=inline_serializer("SetTierResult", {"moved": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="set-tier")
    def set_tier(self, request):
        """Move accounts to a tier (or none); each move is recorded with who, when and why."""
        data = s.SetTierSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tier_id = data.validated_data["tier"]
        tier = Tier.objects.for_workspace(self.workspace).filter(pk=tier_id).first() if tier_id else None
        if tier_id and tier is None:
            raise ValidationError({"tier": ["No such tier."]})
        moved = accounts_set_tier(workspace=self.workspace, account_ids=data.validated_data["account_ids"], tier=tier,
                                  by=self.request.user, reason=data.validated_data["reason"])
        return Response({"moved": moved})


class TierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, mixins.DestroyModelMixin, WorkspaceViewSet):
    """The workspace's tier taxonomy. Admins configure it."""

    model = Tier
    serializer_class = s.TierSerializer
    write_roles = ADMINS

    def scope_queryset(self, queryset):
        return queryset.annotate(account_count=Count("accounts")).order_by("order", "name")

    def perform_create(self, serializer):
        serializer.instance = tier_save(workspace=self.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = tier_save(workspace=self.workspace, tier=serializer.instance, **serializer.validated_data)


class AccountGroupViewSet(WorkspaceConfigViewSet):
    """Account groups (SMB / mid-market / enterprise, industry clusters …)."""

    model = AccountGroup
    serializer_class = s.AccountGroupSerializer


class AttributeDefinitionViewSet(WorkspaceConfigViewSet):
    """Custom account attributes for the team's ICP factors; filter accounts with attr_<key>."""

    model = AttributeDefinition
    serializer_class = s.AttributeDefinitionSerializer


class SegmentViewSet(WorkspaceConfigViewSet):
    """Segments: saved account filters (re-evaluated on read: GET /accounts/?segment=<id>) or
    static lists (add/remove members)."""

    model = Segment
    serializer_class = s.SegmentSerializer
    write_roles = MARKETERS
    action_roles = {"add_accounts": EDITORS, "remove_accounts": EDITORS}

    def perform_create(self, serializer):
        serializer.instance = segment_create(workspace=self.workspace, by=self.request.user,
                                             **serializer.validated_data)

    def _static_segment(self) -> Segment:
        segment = self.get_object()
        if segment.kind != SegmentKind.STATIC:
            raise ValidationError({"kind": ["Only static segments have members; a saved filter selects its own."]})
        return segment

    @extend_schema(request=s.SegmentMembersSerializer,
                   responses=inline_serializer("SegmentAdded", {"added": serializers.IntegerField()}))
    @action(detail=True, methods=["post"], url_path="add-accounts")
    def add_accounts(self, request, pk=None):
        segment = self._static_segment()
        data = s.SegmentMembersSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"added": segment_add_accounts(segment=segment, account_ids=data.validated_data["account_ids"])})

    @extend_schema(request=s.SegmentMembersSerializer,
                   responses=inline_serializer("SegmentRemoved", {"removed": serializers.IntegerField()}))
    @action(detail=True, methods=["post"], url_path="remove-accounts")
    def remove_accounts(self, request, pk=None):
        segment = self._static_segment()
        data = s.SegmentMembersSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        removed, _ = SegmentMember.objects.for_workspace(self.workspace).filter(
            segment=segment, account_id__in=data.validated_data["account_ids"]).delete()
        return Response({"removed": removed})


class HoldFilter(filters.FilterSet):
    active = filters.BooleanFilter(method="filter_active")

    class Meta:
        model = Hold
        fields = ["account", "active"]

    def filter_active(self, queryset, name, value):
        return queryset.filter(active_holds_q()) if value else queryset.exclude(active_holds_q())


class HoldViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, WorkspaceViewSet):
    """Sales holds: 'do not cold-contact' while a rep closes the account. `release` ends one."""

    model = Hold
    serializer_class = s.HoldSerializer
    write_roles = SELLERS
    filterset_class = HoldFilter

    def scope_queryset(self, queryset):
        return queryset.select_related("placed_by")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = hold_place(workspace=self.workspace, account=data["account"], by=self.request.user,
                                         reason=data["reason"], expires_at=data.get("expires_at"))

    @extend_schema(request=None, responses=s.HoldSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return Response(s.HoldSerializer(hold_release(hold=self.get_object(), by=request.user)).data)


class OpportunityStageViewSet(WorkspaceConfigViewSet):
    """The workspace's deal stages, in order."""

    model = OpportunityStage
    serializer_class = s.OpportunityStageSerializer


class OpportunityFilter(filters.FilterSet):
    closed_after = filters.DateFilter(field_name="closed_date", lookup_expr="gte")
    closed_before = filters.DateFilter(field_name="closed_date", lookup_expr="lte")

    class Meta:
        model = Opportunity
        fields = ["account", "stage", "is_open", "owner", "closed_after", "closed_before"]


class OpportunityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         mixins.UpdateModelMixin, mixins.DestroyModelMixin, WorkspaceViewSet):
    """Opportunities with their stage history (win rate, cycle length and velocity come from it)."""

    model = Opportunity
    serializer_class = s.OpportunitySerializer
    filterset_class = OpportunityFilter
    ordering_fields = ["created_date", "closed_date", "amount"]

    def scope_queryset(self, queryset):
        return queryset.prefetch_related("stage_changes")

    def perform_create(self, serializer):
        serializer.instance = opportunity_create(workspace=self.workspace, by=self.request.user,
                                                 **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = opportunity_update(opportunity=serializer.instance, by=self.request.user,
                                                 **serializer.validated_data)

    @transaction.atomic
    def perform_destroy(self, instance):
        from accounts.services.opportunities import accounts_refresh_open_opportunity_flag

        account_id = instance.account_id
        instance.delete()
        accounts_refresh_open_opportunity_flag(workspace_id=self.workspace.pk, account_ids=[account_id])


class AccountPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         mixins.UpdateModelMixin, WorkspaceViewSet):
    """Account plans. POST creates or updates the plan of `account` (one per account); each change
    is a new version. `review` records 'reviewed by <you> at <now>'."""

    model = AccountPlan
    serializer_class = s.AccountPlanSerializer
    filterset_fields = ["account", "status"]

    def scope_queryset(self, queryset):
        return queryset.select_related("reviewed_by").prefetch_related("steps").order_by("-updated_at", "id")

    def _save(self, serializer, account):
        fields = {k: v for k, v in serializer.validated_data.items() if k != "account"}
        serializer.instance = account_plan_save(workspace=self.workspace, account=account, by=self.request.user,
                                                **fields)

    def perform_create(self, serializer):
        self._save(serializer, serializer.validated_data["account"])

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance.account)

    @extend_schema(request=None, responses=s.AccountPlanSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        plan = account_plan_mark_reviewed(plan=self.get_object(), by=request.user)
        return Response(s.AccountPlanSerializer(plan, context=self.get_serializer_context()).data)


class PlanStepViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.DestroyModelMixin, WorkspaceViewSet):
    """Dated next steps of account plans. `complete` ticks one off."""

    model = PlanStep
    serializer_class = s.PlanStepSerializer
    filterset_fields = ["plan"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = plan_step_add(plan=data["plan"], text=data["text"], due_date=data.get("due_date"),
                                            owner=data.get("owner"))

    @extend_schema(request=None, responses=s.PlanStepSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return Response(s.PlanStepSerializer(plan_step_complete(step=self.get_object()),
                                             context=self.get_serializer_context()).data)

