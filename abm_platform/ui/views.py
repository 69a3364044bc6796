"""Pages of the base layer: dashboard shell, workspace switcher, jobs, settings."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView

from abm_platform.filters import JobFilter
from abm_platform.jobs import job_cancel
from abm_platform.models import ApiKey, Job, Membership
from abm_platform.registry import registry
from abm_platform.selectors import audit_entries
from abm_platform.services.api_keys import api_key_create, api_key_revoke
from abm_platform.services.exports import export_path, workspace_export_start
from abm_platform.services.workspaces import (
    membership_add, membership_change_role, membership_remove, workspace_update,
)
from abm_platform.tenancy.context import workspace_context_for_user
from abm_platform.tenancy.middleware import SESSION_KEY
from abm_platform.tenancy.roles import ADMINS, EDITORS
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from abm_platform.ui.forms import ApiKeyForm, ExportForm, MemberAddForm, MemberRoleForm, WorkspaceSettingsForm


def healthz(request):
    """Liveness for load balancers and docker-compose: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def no_workspace(request):
    if request.session_workspace.get() is not None:
        return redirect("dashboard")
    return render(request, "abm_platform/no_workspace.html")


@login_required
@require_POST
def workspace_switch(request):
    """Make another of the user's workspaces current. Not a member → 404, like a missing one."""
    try:
        workspace_id = int(request.POST.get("workspace", ""))
    except ValueError:
        raise Http404 from None
    context = workspace_context_for_user(request.user, workspace_id)
    if context is None or context.workspace.pk != workspace_id:
        raise Http404
    request.session[SESSION_KEY] = workspace_id
    messages.success(request, f"Switched to {context.workspace.name}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or "/settings/" in target:
        target = "/"
    # Object pages of the old workspace would 404 in the new one: land on the section's list.
    return redirect(_section_root(target))


def _section_root(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return f"/{parts[0]}/" if parts else "/"


class DashboardView(WorkspaceView, TemplateView):
    template_name = "abm_platform/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = [(p, p.context(self.request, self.workspace)) for p in registry.panels["dashboard"]]
        context["recent_jobs"] = Job.objects.for_workspace(self.workspace).select_related("created_by")[:5]
        return context


class JobListView(WorkspaceView, ListView):
    model = Job
    template_name = "abm_platform/jobs/list.html"
    paginate_by = 25

    def scope_queryset(self, queryset):
        self.filterset = JobFilter(self.request.GET, queryset=queryset.select_related("created_by"))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["any_running"] = any(not job.is_finished for job in context["object_list"])
        return context


class JobDetailView(WorkspaceObjectMixin, DetailView):
    model = Job
    template_name = "abm_platform/jobs/detail.html"

    def scope_queryset(self, queryset):
        return queryset.select_related("created_by")

    def get_template_names(self):
        # The progress box alone, polled by htmx while the job runs.
        if self.request.headers.get("HX-Request"):
            return ["abm_platform/jobs/_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_cancel"] = self.can(EDITORS)
        context["show_traceback"] = self.can(ADMINS)
        return context


class JobCancelView(WorkspaceObjectMixin, View):
    model = Job
    write_roles = EDITORS

    def post(self, request, pk):
        job = self.get_object()
        if job_cancel(job=job, by=request.user):
            messages.success(request, f"Job #{job.pk} cancelled.")
        else:
            messages.info(request, f"Job #{job.pk} had already {job.status}.")
        return redirect("jobs:detail", pk=job.pk)


class JobDownloadView(WorkspaceObjectMixin, View):
    """The file a job produced (e.g. a workspace export). Admins only: exports hold everything."""

    model = Job
    read_roles = ADMINS

    def get(self, request, pk):
        job = self.get_object()
        path = export_path(job)
        if job.kind != "workspace_export" or job.status != "succeeded" or not path.exists():
            raise Http404
        return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


class SettingsView(WorkspaceView):
    """Base for settings pages: members read them, admins change them."""

    write_roles = ADMINS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["settings_tab"] = self.settings_tab
        context["is_admin"] = self.can(ADMINS)
        return context


class WorkspaceSettingsView(SettingsView, TemplateView):
    template_name = "abm_platform/settings/workspace.html"
    settings_tab = "workspace"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", WorkspaceSettingsForm(instance=self.workspace))
        context["export_form"] = ExportForm()
        context["exports"] = Job.objects.for_workspace(self.workspace).filter(kind="workspace_export")[:5]
        return context

    def post(self, request):
        form = WorkspaceSettingsForm(request.POST, instance=self.workspace)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            workspace_update(workspace=self.workspace, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, "Workspace settings saved.")
        return redirect("settings:workspace")


class WorkspaceExportView(SettingsView, View):
    settings_tab = "workspace"

    def post(self, request):
        form = ExportForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose an export format.")
            return redirect("settings:workspace")
        job = workspace_export_start(workspace=self.workspace, by=request.user, fmt=form.cleaned_data["format"])
        messages.success(request, "Export started; it will be ready to download on this page.")
        return redirect("jobs:detail", pk=job.pk)


class MemberListView(SettingsView, ListView):
    model = Membership
    template_name = "abm_platform/settings/members.html"
    settings_tab = "members"
    read_roles = ADMINS
    paginate_by = 50

    def scope_queryset(self, queryset):
        return queryset.select_related("user").order_by("user__email")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", MemberAddForm())
        context["role_form"] = MemberRoleForm()
        return context

    def post(self, request):
        form = MemberAddForm(request.POST)
        if form.is_valid():
            try:
                membership_add(workspace=self.workspace, invited_by=request.user, request=request, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"{form.cleaned_data['email']} added as {form.cleaned_data['role']}.")
                return redirect("settings:members")
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


class MemberUpdateView(SettingsView, WorkspaceObjectMixin, View):
    model = Membership
    settings_tab = "members"
    read_roles = ADMINS

    def post(self, request, pk):
        membership = self.get_object()
        try:
            if request.POST.get("action") == "remove":
                membership_remove(membership=membership)
                messages.success(request, f"{membership.user.email} removed from the workspace.")
            else:
                form = MemberRoleForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("Choose a valid role.")
                membership_change_role(membership=membership, role=form.cleaned_data["role"])
                messages.success(request, f"{membership.user.email} is now {form.cleaned_data['role']}.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("settings:members")


class ApiKeyListView(SettingsView, ListView):
    model = ApiKey
    template_name = "abm_platform/settings/api_keys.html"
    settings_tab = "api_keys"
    read_roles = ADMINS
    paginate_by = 50

    def scope_queryset(self, queryset):
        return queryset.select_related("created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ApiKeyForm())
        return context

    def post(self, request):
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            try:
                key, raw_key = api_key_create(workspace=self.workspace, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                self.object_list = self.get_queryset()
                messages.success(request, f"API key “{key.name}” created. Copy it now: it will not be shown again.")
                return self.render_to_response(self.get_context_data(new_key=raw_key, new_key_name=key.name))
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


class ApiKeyRevokeView(SettingsView, WorkspaceObjectMixin, View):
    model = ApiKey
    settings_tab = "api_keys"
    read_roles = ADMINS

    def post(self, request, pk):
        key = api_key_revoke(key=self.get_object(), by=request.user)
        messages.success(request, f"API key “{key.name}” revoked.")
        return redirect("settings:api_keys")


class AuditLogView(SettingsView, TemplateView):
    template_name = "abm_platform/settings/audit.html"
    settings_tab = "audit"
    read_roles = ADMINS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = audit_entries(workspace=self.workspace, limit=100)
        return context


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
