"""The base for every page: login, workspace and role checks declared on the view, and the only
way a view gets a queryset."""
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from abm_platform.tenancy.roles import ANY_ROLE, EDITORS

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class WorkspaceView(LoginRequiredMixin):
    """Mix into any Django view. Declare `read_roles` (GET) and `write_roles` (POST …);
    a member whose role is not listed gets 403, a user without a workspace goes to the
    no-workspace page."""

    read_roles = ANY_ROLE
    write_roles = EDITORS
    model = None  # set on views that show one model; get_queryset() then scopes it

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        context = request.session_workspace.get()
        if context is None:
            return redirect("no_workspace")
        request.workspace_context = context
        self.workspace = context.workspace
        self.role = context.role
        allowed = self.read_roles if request.method in SAFE_METHODS else self.write_roles
        if self.role not in allowed:
            raise PermissionDenied("Your role in this workspace does not allow this.")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        if self.model is None:
            raise Http404
        return self.scope_queryset(self.model.objects.for_workspace(self.workspace))

    def scope_queryset(self, queryset):
        """Hook for select_related/annotations; the workspace filter is already applied."""
        return queryset

    def can(self, roles) -> bool:
        return self.role in roles

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_write"] = self.can(self.write_roles)
        return context


class WorkspaceObjectMixin(WorkspaceView):
    """A page about one object of `model`: another workspace's object is a 404, like a missing one."""

    pk_url_kwarg = "pk"

    def get_object(self, queryset=None):
        queryset = queryset if queryset is not None else self.get_queryset()
        return get_object_or_404(queryset, pk=self.kwargs[self.pk_url_kwarg])
