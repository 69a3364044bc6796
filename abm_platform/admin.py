from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from abm_platform.admin_site import administered_workspace_ids
from abm_platform.models import ApiKey, Job, Membership, User, Workspace
from abm_platform.tenancy.models import WorkspaceScopedModel


class WorkspaceScopedAdmin(SimpleHistoryAdmin):
    """ModelAdmin for tenant-owned configuration: a workspace admin sees and edits only rows of
    workspaces they administer, and related choices are limited the same way."""

    def _workspace_ids(self, request):
        return None if request.user.is_superuser else administered_workspace_ids(request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = self._workspace_ids(request)
        return queryset if ids is None else queryset.filter(workspace_id__in=ids)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = self._workspace_ids(request)
        related = db_field.related_model
        if ids is not None:
            if related is Workspace:
                kwargs["queryset"] = Workspace.objects.filter(pk__in=ids)
            elif issubclass(related, WorkspaceScopedModel):
                kwargs["queryset"] = related.unscoped_objects.filter(workspace_id__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _allowed(self, request) -> bool:
        return request.user.is_superuser or bool(self._workspace_ids(request))

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class OperatorOnlyAdmin(SimpleHistoryAdmin):
    """Records that belong to no single workspace: operators (superusers) only."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    has_view_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: request.user.is_superuser
    )

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(Workspace)
class WorkspaceAdmin(OperatorOnlyAdmin):
    list_display = ["name", "slug", "default_currency", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class UserAdmin(OperatorOnlyAdmin):
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name"]
    exclude = ["password", "groups", "user_permissions"]


@admin.register(Membership)
class MembershipAdmin(WorkspaceScopedAdmin):
    list_display = ["user", "workspace", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email"]
    autocomplete_fields: list[str] = []
    raw_id_fields = ["user"]


@admin.register(ApiKey)
class ApiKeyAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "workspace", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_by", "created_at", "last_used_at", "revoked_at", "revoked_by"]

    def has_add_permission(self, request):
        return False  # keys are created in Settings → API keys, where the secret is shown once


@admin.register(Job)
class JobAdmin(WorkspaceScopedAdmin):
    list_display = ["kind", "workspace", "status", "progress_done", "progress_total", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False
