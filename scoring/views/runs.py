"""Recompute runs: the last and the next recompute, every run with its chunk progress, and a
"Recompute now" for marketing and admins."""
from django.contrib import messages
from django.shortcuts import redirect
from django.views import View
from django.views.generic import ListView

from abm_platform.tenancy.roles import MARKETERS
from abm_platform.tenancy.views import WorkspaceView
from insights.signals.models import SignalSettings
from scoring.models import RunStatus, ScoringRun
from scoring.selectors import runs_with_progress
from scoring.services.recompute import current_run, recompute_start


class RunsView(WorkspaceView, ListView):
    model = ScoringRun
    write_roles = MARKETERS
    template_name = "scoring/runs.html"
    paginate_by = 25

    def get_queryset(self):
        return runs_with_progress(workspace=self.workspace)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        runs = context["object_list"]
        context.update(
            tab="runs",
            last=current_run(self.workspace),
            signal_settings=SignalSettings.objects.for_workspace(self.workspace).first(),
            any_running=any(r.status == RunStatus.RUNNING for r in runs),
            can_recompute=self.can(MARKETERS),
        )
        return context


class RecomputeView(WorkspaceView, View):
    write_roles = MARKETERS

    def post(self, request):
        job = recompute_start(workspace=self.workspace, by=request.user, reason="Started from the Runs page")
        messages.success(request, f"Recompute queued (job #{job.pk}). The new scores appear together when it ends.")
        return redirect("scoring:runs")
