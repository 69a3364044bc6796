"""Unresolved signals: what matched no account, why, and a retry once accounts exist."""
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.views.generic import ListView

from abm_platform.tenancy.roles import EDITORS
from abm_platform.tenancy.views import WorkspaceView
from insights.signals.filters import UnresolvedSignalFilter
from insights.signals.models import SignalKind, UnresolvedSignal
from insights.signals.services.unresolved import unresolved_signals_retry_start


class UnresolvedListView(WorkspaceView, ListView):
    model = UnresolvedSignal
    template_name = "insights/signals/unresolved.html"
    paginate_by = 50
    write_roles = EDITORS

    def scope_queryset(self, queryset):
        params = self.request.GET.copy()
        params.setdefault("status", "open")
        self.filterset = UnresolvedSignalFilter(params, queryset=queryset)
        if not self.filterset.is_valid():
            return queryset.none()
        return self.filterset.qs.order_by("-received_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = UnresolvedSignal.objects.for_workspace(self.workspace).filter(resolved_at__isnull=True).aggregate(
            **{kind: Count("pk", filter=Q(kind=kind)) for kind in SignalKind.values})
        context.update(filter=self.filterset, kinds=SignalKind.choices, open_counts=counts,
                       open_total=sum(counts.values()), status=self.filterset.data.get("status", "open"))
        return context

    def post(self, request):
        job = unresolved_signals_retry_start(workspace=self.workspace, by=request.user)
        messages.success(request, "Retrying the unresolved signals against the accounts and contacts known now.")
        return redirect("jobs:detail", pk=job.pk)
