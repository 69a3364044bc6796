from rest_framework import exceptions, permissions

from abm_platform.models import ApiKey, ApiKeyScope
from abm_platform.tenancy.context import WorkspaceContext
from abm_platform.tenancy.roles import INTEGRATION, Role


def api_workspace_context(request) -> WorkspaceContext | None:
    """The caller's workspace and effective role: from the API key, or for a browser session
    from the workspace chosen in the UI."""
    if isinstance(request.auth, ApiKey):
        key = request.auth
        role = INTEGRATION if key.scope == ApiKeyScope.READ_WRITE else Role.VIEWER
        return WorkspaceContext(workspace=key.workspace, role=role, api_key=key)
    if request.user and request.user.is_authenticated:
        return request._request.session_workspace.get()
    return None


class WorkspaceRolePermission(permissions.BasePermission):
    """Resolves the workspace once per request (`request.workspace_context`) and checks the
    role against the view's declaration: `action_roles[action]`, else `read_roles` for safe
    methods and `write_roles` for the rest."""

    message = "Your role in this workspace does not allow this."

    def has_permission(self, request, view) -> bool:
        context = api_workspace_context(request)
        if context is None:
            if not (request.user and request.user.is_authenticated):
                raise exceptions.NotAuthenticated()
            raise exceptions.PermissionDenied("You are not a member of any workspace.")
        request.workspace_context = context
        return context.role in required_roles(request, view)


def required_roles(request, view):
    action = getattr(view, "action", None)
    action_roles = getattr(view, "action_roles", {})
    if action in action_roles:
        return action_roles[action]
    if request.method in permissions.SAFE_METHODS:
        return view.read_roles
    return view.write_roles
