"""Base-layer endpoints: the current workspace, its members and API keys (admins), and jobs."""
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from abm_platform.api.viewsets import WorkspaceViewSet
from abm_platform.filters import JobFilter
from abm_platform.models import ApiKey, ApiKeyScope, Job, Membership, Workspace
from abm_platform.jobs import job_cancel
from abm_platform.services.api_keys import api_key_create, api_key_revoke
from abm_platform.services.exports import EXPORT_FORMATS, workspace_export_start
from abm_platform.services.workspaces import (
    membership_add, membership_change_role, membership_remove, workspace_update,
)
from abm_platform.tenancy.roles import ADMINS, ANY_ROLE, EDITORS, Role


class WorkspaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Workspace
        fields = ["id", "name", "slug", "default_currency", "timezone", "created_at"]
        read_only_fields = ["id", "slug", "created_at"]


class CurrentWorkspaceSerializer(WorkspaceSerializer):
    role = serializers.SerializerMethodField(help_text="The caller's role in this workspace.")

    class Meta(WorkspaceSerializer.Meta):
        fields = [*WorkspaceSerializer.Meta.fields, "role"]

    def get_role(self, obj) -> str:
        return self.context["role"]


class JobSerializer(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()
    percent = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "progress_done", "progress_total", "percent", "message", "params",
                  "result", "error", "error_report", "created_by", "created_at", "started_at", "finished_at"]


class ExportInputSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=EXPORT_FORMATS, default="csv")


class CurrentWorkspaceViewSet(WorkspaceViewSet):
    """The workspace the caller acts in (the API key's workspace, or the one chosen in the UI)."""

    model = None  # no list: the one object is the caller's workspace
    read_roles = ANY_ROLE
    write_roles = ADMINS
    action_roles = {"export": ADMINS}
    serializer_class = CurrentWorkspaceSerializer
    pagination_class = None
    filter_backends: list = []

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["role"] = getattr(getattr(self.request, "workspace_context", None), "role", "")
        return context

    @extend_schema(responses=CurrentWorkspaceSerializer)
    def retrieve(self, request):
        return Response(self.get_serializer(self.workspace).data)

    @extend_schema(request=WorkspaceSerializer, responses=CurrentWorkspaceSerializer)
    def partial_update(self, request):
        data = WorkspaceSerializer(self.workspace, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {**WorkspaceSerializer(self.workspace).data, **data.validated_data}
        workspace = workspace_update(workspace=self.workspace, name=fields["name"],
                                     default_currency=fields["default_currency"], timezone=fields["timezone"])
        return Response(self.get_serializer(workspace).data)

    @extend_schema(request=ExportInputSerializer, responses={202: JobSerializer})
    @action(detail=False, methods=["post"])
    def export(self, request):
        """Export every record of the workspace as a zip of CSV or JSON files, in the background."""
        data = ExportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = workspace_export_start(workspace=self.workspace, by=request.user, fmt=data.validated_data["format"])
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]


class MembershipCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField(required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipFilter(filters.FilterSet):
    email = filters.CharFilter(field_name="user__email", lookup_expr="icontains")

    class Meta:
        model = Membership
        fields = ["role"]


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Members and their roles. Admins only."""

    model = Membership
    read_roles = ADMINS
    write_roles = ADMINS
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["created_at", "role"]

    def scope_queryset(self, queryset):
        return queryset.select_related("user")

    @extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer})
    def create(self, request):
        data = MembershipCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_add(workspace=self.workspace, invited_by=request.user, request=request._request,
                                    **data.validated_data)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MembershipUpdateSerializer, responses=MembershipSerializer)
    def partial_update(self, request, pk=None):
        membership = self.get_object()
        data = MembershipUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_change_role(membership=membership, role=data.validated_data["role"])
        return Response(MembershipSerializer(membership).data)

    def destroy(self, request, pk=None):
        membership_remove(membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiKeySerializer(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "scope", "is_active", "created_by", "created_at", "last_used_at", "revoked_at"]


class ApiKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scope = serializers.ChoiceField(choices=ApiKeyScope.choices, default=ApiKeyScope.READ)


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(help_text="The secret key. Shown once: store it now.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]


class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """API keys for integrations. Admins only; revoking keeps the key's record for the audit."""

    model = ApiKey
    read_roles = ADMINS
    write_roles = ADMINS
    serializer_class = ApiKeySerializer
    filterset_fields = ["scope"]
    ordering_fields = ["created_at", "last_used_at", "name"]

    def scope_queryset(self, queryset):
        return queryset.select_related("created_by")

    @extend_schema(request=ApiKeyCreateSerializer, responses={201: ApiKeyCreatedSerializer})
    def create(self, request):
        data = ApiKeyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key, raw_key = api_key_create(workspace=self.workspace, by=request.user, **data.validated_data)
        key.key = raw_key
        return Response(ApiKeyCreatedSerializer(key).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        """Revoke the key (it stops working at once)."""
        api_key_revoke(key=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Background jobs and their progress and reports. `POST …/cancel/` stops one."""

    model = Job
    read_roles = ANY_ROLE
    action_roles = {"cancel": EDITORS}
    serializer_class = JobSerializer
    filterset_class = JobFilter
    ordering_fields = ["created_at", "finished_at", "status", "kind"]

    def scope_queryset(self, queryset):
        return queryset.select_related("created_by")

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = self.get_object()
        if not job_cancel(job=job, by=request.user):
            return Response({"message": f"Job is already {job.status}.", "code": "conflict", "extra": {}},
                            status=status.HTTP_409_CONFLICT)
        return Response(JobSerializer(job).data)
