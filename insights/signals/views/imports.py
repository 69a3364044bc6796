"""Signal file import: upload (kind, file, source) → background job with progress → report
with counts and the rejected rows (downloadable as CSV), like the accounts import."""
import csv
import io

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic import DetailView, TemplateView

from abm_platform.tenancy.roles import ANY_ROLE, EDITORS
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from abm_platform.models import Job
from accounts.services.imports import import_error_report_csv
from insights.signals.adapters import SignalFileError
from insights.signals.engine.rows import COLUMNS
from insights.signals.forms import KIND_HELP, SignalUploadForm
from insights.signals.services.imports import IMPORT_JOB_KIND, signal_file_store, signal_import_start

EXAMPLES = {
    "intent": ["bombora", "2026-03-02", "hanse-cargo.de", "Hanse Cargo GmbH", "Warehouse Automation",
               "Supply Chain", "72", "B", "Hamburg", "68", "DE"],
    "engagement": ["web_visit", "2026-03-04T09:15:00Z", "website", "pv-1001", "anna.berg@hanse-cargo.de", "", "",
                   "", "https://www.example.com/pricing", "95", ""],
    "trigger": ["funding", "2026-02-20", "Hanse Cargo raised a EUR 40M Series C", "https://news.example/hanse",
                "crunchbase", "cb-77", "hanse-cargo.de", ""],
}


class SignalImportView(WorkspaceView, TemplateView):
    template_name = "insights/signals/import.html"
    read_roles = EDITORS
    write_roles = EDITORS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", SignalUploadForm(initial={"kind": self.request.GET.get("kind", "engagement")}))
        context["kinds"] = [(kind, columns, KIND_HELP[kind]) for kind, columns in COLUMNS.items()]
        context["recent_imports"] = (Job.objects.for_workspace(self.workspace).filter(kind=IMPORT_JOB_KIND)
                                     .select_related("created_by")[:5])
        return context

    def post(self, request):
        form = SignalUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        file = form.cleaned_data["file"]
        try:
            upload = signal_file_store(workspace=self.workspace, file=file, filename=file.name)
            job = signal_import_start(workspace=self.workspace, kind=form.cleaned_data["kind"], upload=upload,
                                      filename=file.name, source=form.cleaned_data["source"], by=request.user)
        except SignalFileError as error:
            form.add_error("file", str(error))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, f"Import of {file.name} started.")
        return redirect("insights:signals:import_detail", pk=job.pk)


class SignalImportDetailView(WorkspaceObjectMixin, DetailView):
    """The import's progress (polled by htmx while it runs) and its report."""

    model = Job
    template_name = "insights/signals/import_detail.html"
    read_roles = ANY_ROLE
    context_object_name = "job"

    def scope_queryset(self, queryset):
        return queryset.filter(kind=IMPORT_JOB_KIND).select_related("created_by")

    def get_template_names(self):
        if self.request.headers.get("HX-Request"):
            return ["insights/signals/_import_report.html"]
        return [self.template_name]


class SignalImportErrorsView(WorkspaceObjectMixin, View):
    """The import's rejected rows as CSV: line, column, reason, value."""

    model = Job
    read_roles = ANY_ROLE

    def scope_queryset(self, queryset):
        return queryset.filter(kind=IMPORT_JOB_KIND)

    def get(self, request, pk):
        job = self.get_object()
        response = StreamingHttpResponse(import_error_report_csv(job=job), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="signal-import-{job.pk}-rejected-rows.csv"'
        return response


class SignalImportTemplateView(WorkspaceView, View):
    """A CSV with the columns of one signal kind and an example row."""

    def get(self, request):
        kind = request.GET.get("kind", "engagement")
        kind = kind if kind in COLUMNS else "engagement"
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS[kind])
        writer.writerow(EXAMPLES[kind])
        response = StreamingHttpResponse([buffer.getvalue()], content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-signals-template.csv"'
        return response
