"""The signals overview (counts of the last 90 days, refresh, providers, recent jobs), the
"Refresh now" action and the engagement activity list."""
from django.contrib import messages
from django.shortcuts import redirect
from django.views import View
from django.views.generic import ListView, TemplateView

from abm_platform.tenancy.roles import ADMINS
from abm_platform.tenancy.views import WorkspaceView
from insights.signals.filters import EngagementEventFilter
from insights.signals.models import Channel, EngagementEvent, EngagementType, TriggerEvent
from insights.signals.selectors import signal_jobs, signal_providers, signals_overview
from insights.signals.services.providers import drop_folder
from insights.signals.services.refresh import active_refresh, signals_refresh_start
from insights.signals.services.settings import signal_settings_get


class SignalsOverviewView(WorkspaceView, TemplateView):
    template_name = "insights/signals/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        settings = signal_settings_get(workspace=self.workspace)
        providers = list(signal_providers(workspace=self.workspace))
        for provider in providers:
            provider.folder = _folder_or_none(provider)
        context.update(
            overview=signals_overview(workspace=self.workspace), settings=settings, providers=providers,
            running_refresh=active_refresh(workspace=self.workspace), can_refresh=self.can(ADMINS),
            recent_jobs=signal_jobs(workspace=self.workspace)[:6],
            latest_triggers=TriggerEvent.objects.for_workspace(self.workspace).select_related("account")
            .order_by("-occurred_on", "-id")[:6],
        )
        return context


def _folder_or_none(provider):
    try:
        return drop_folder(provider) if provider.kind == "file_drop" else None
    except Exception:  # a broken config is shown as such, the page still renders
        return None


class SignalsRefreshView(WorkspaceView, View):
    """Admins: refresh now (one at a time)."""

    write_roles = ADMINS

    def post(self, request):
        job, started = signals_refresh_start(workspace=self.workspace, by=request.user, trigger="manual")
        if started:
            messages.success(request, "Refresh started: file drops are pulled, unresolved signals retried, "
                                      "engagement reweighed, then scores are recomputed.")
        else:
            messages.info(request, f"A refresh is already {job.status} (job #{job.pk}).")
        return redirect("jobs:detail", pk=job.pk)


class EngagementActivityView(WorkspaceView, ListView):
    """Engagement events, newest first, with the shared filters (as GET /api/v1/signals/engagement/)."""

    model = EngagementEvent
    template_name = "insights/signals/activity.html"
    paginate_by = 50

    def scope_queryset(self, queryset):
        self.filterset = EngagementEventFilter(self.request.GET, queryset=queryset.select_related("account",
                                                                                                  "contact"))
        if not self.filterset.is_valid():
            return queryset.none()
        qs = self.filterset.qs
        return qs if "ordering" in self.request.GET else qs.order_by("-occurred_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        context.update(filter=self.filterset, types=EngagementType.choices, channels=Channel.choices,
                       has_filters=any(get.get(k) for k in ("account", "contact", "type", "channel", "since",
                                                             "until", "high_value", "source")))
        return context
