from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from abm_platform.tenancy.roles import Role


def administered_workspace_ids(user) -> list[int]:
    from abm_platform.models import Membership

    return list(Membership.objects.unscoped().filter(user=user, role=Role.ADMIN).values_list("workspace_id", flat=True))


class WorkspaceAdminSite(admin.AdminSite):
    """Operators (superusers) see everything; a workspace admin sees the configuration models
    of the workspaces they administer, and nothing else."""

    site_header = "ABM Platform administration"
    site_title = "ABM Platform admin"
    index_title = "Configuration"

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return user.is_superuser or bool(administered_workspace_ids(user))

    def login(self, request, extra_context=None):
        return redirect(f"{reverse('login')}?next={request.get_full_path()}")
