"""Import wizard (upload → map columns with a preview → background job) and CSV export pages.
Included by accounts/urls.py."""
from urllib.parse import urlencode

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from abm_platform.models import Job
from abm_platform.tenancy.roles import ANY_ROLE, EDITORS
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from accounts.forms_imports import ColumnMappingForm, ImportUploadForm
from accounts.models import AttributeDefinition
from accounts.selectors import account_list
from accounts.services.exports import account_export_rows, csv_stream
from accounts.services.imports import (
    ATTRIBUTE_PREFIX, IMPORT_JOB_KINDS, IMPORT_KINDS, ImportFileError, import_error_report_csv,
    import_file_discard, import_file_store, import_plan, import_preview, import_start,
)

FIELD_LABELS = {
    "accounts": {
        "external_id": "CRM id", "name": "Company name", "domain": "Primary domain",
        "other_domains": "Other domains (;-separated)", "website": "Website", "industry": "Industry",
        "employees": "Employees", "annual_revenue": "Annual revenue", "currency": "Currency (ISO code)",
        "country": "Country", "region": "Region / state", "city": "City", "technologies": "Technologies (;-separated)",
        "parent_external_id": "Parent account's CRM id", "owner_email": "Owner (AE) e-mail", "tier": "Tier (name)",
        "group": "Account group (name)", "sdr_email": "SDR e-mail", "street": "Street and number",
        "postal_code": "Postal code",
    },
    "opportunities": {
        "external_id": "Deal CRM id", "account_external_id": "Account CRM id", "account_domain": "Account domain",
        "name": "Deal name", "stage": "Stage (name)", "amount": "Amount", "currency": "Currency (ISO code)",
        "is_recurring": "Recurring (yes/no)", "mrr": "MRR", "arr": "ARR", "created_date": "Created date",
        "expected_close_date": "Expected close date", "closed_date": "Closed date", "owner_email": "Owner e-mail",
        "loss_reason": "Loss reason",
    },
}


def _field_choices(workspace, kind) -> list[tuple[str, str]]:
    labels = dict(FIELD_LABELS[kind.name])
    if kind.attributes:
        for key, label in AttributeDefinition.objects.for_workspace(workspace).values_list("key", "label"):
            labels[f"{ATTRIBUTE_PREFIX}{key}"] = f"Custom attribute: {label}"
    return [(name, f"{labels.get(name, name)} · {name}") for name in kind.fields(workspace)]


class ImportUploadView(WorkspaceView, TemplateView):
    """Step 1: choose what the file holds and upload it."""

    template_name = "accounts/imports/upload.html"
    read_roles = EDITORS
    write_roles = EDITORS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ImportUploadForm(initial={"kind": self.request.GET.get("kind", "accounts")}))
        context["kinds"] = [(k, [(name, FIELD_LABELS[k.name].get(name, name)) for name in k.columns])
                           for k in IMPORT_KINDS.values()]
        context["attributes"] = AttributeDefinition.objects.for_workspace(self.workspace).order_by("key")
        context["recent_imports"] = (Job.objects.for_workspace(self.workspace).filter(kind__in=IMPORT_JOB_KINDS)
                                     .select_related("created_by")[:5])
        return context

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        kind = IMPORT_KINDS[form.cleaned_data["kind"]]
        file = form.cleaned_data["file"]
        try:
            upload = import_file_store(workspace=self.workspace, file=file, filename=file.name)
        except ImportFileError as error:
            form.add_error("file", str(error))
            return self.render_to_response(self.get_context_data(form=form))
        try:
            import_plan(workspace=self.workspace, kind=kind, upload=upload)  # readable at all?
        except ImportFileError as error:
            import_file_discard(workspace_id=self.workspace.pk, upload=upload)
            form.add_error("file", str(error))
            return self.render_to_response(self.get_context_data(form=form))
        query = urlencode({"kind": kind.name, "upload": upload, "name": file.name})
        return redirect(f"{reverse('accounts:import_map')}?{query}")


class ImportMappingView(WorkspaceView, TemplateView):
    """Step 2: map each column of the file to a field, with a preview of the first rows; then
    start the import and follow it on the job page."""

    template_name = "accounts/imports/map.html"
    read_roles = EDITORS
    write_roles = EDITORS

    def dispatch(self, request, *args, **kwargs):
        source = request.POST if request.method == "POST" else request.GET
        self.kind = IMPORT_KINDS.get(source.get("kind", ""))
        self.upload = source.get("upload", "")
        self.filename = source.get("name", "")[:200] or "the file"
        return super().dispatch(request, *args, **kwargs)

    def _preview(self):
        try:
            return import_preview(workspace=self.workspace, kind=self.kind, upload=self.upload)
        except ImportFileError as error:
            messages.error(self.request, str(error))
            return None

    def get(self, request, *args, **kwargs):
        if self.kind is None:
            messages.error(request, "Choose what the file holds and upload it again.")
            return redirect("accounts:import_start")
        preview = self._preview()
        if preview is None:
            return redirect(f"{reverse('accounts:import_start')}?kind={self.kind.name}")
        form = ColumnMappingForm(columns=preview.plan.columns, choices=_field_choices(self.workspace, self.kind),
                                 initial_fields=preview.plan.auto)
        return self.render_to_response(self.get_context_data(preview=preview, form=form, problems=[]))

    def post(self, request, *args, **kwargs):
        if self.kind is None:
            messages.error(request, "Choose what the file holds and upload it again.")
            return redirect("accounts:import_start")
        preview = self._preview()
        if preview is None:
            return redirect(f"{reverse('accounts:import_start')}?kind={self.kind.name}")
        form = ColumnMappingForm(request.POST, columns=preview.plan.columns,
                                 choices=_field_choices(self.workspace, self.kind), initial_fields=preview.plan.auto)
        problems = []
        if form.is_valid():
            try:
                job = import_start(workspace=self.workspace, kind=self.kind.name, upload=self.upload,
                                   filename=self.filename, mapping=form.mapping(), by=request.user)
            except ImportFileError as error:
                problems = error.problems
            else:
                messages.success(request, f"Import of {self.filename} started. Rejected rows will be listed "
                                          "here with their line and reason.")
                return redirect("jobs:detail", pk=job.pk)
        return self.render_to_response(self.get_context_data(preview=preview, form=form, problems=problems))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        preview = context["preview"]
        samples = []
        for index, _column in enumerate(preview.plan.columns):
            values = [cells[index] for _, cells in preview.rows if cells[index].strip()]
            samples.append(values[:3])
        form = context["form"]
        context.update(
            kind=self.kind, upload=self.upload, filename=self.filename,
            columns=[{"name": column, "select": select, "samples": samples[index], "auto": preview.plan.auto[index]}
                     for index, (column, select) in enumerate(form.rows())],
            key_columns=self.kind.key_columns,
        )
        return context


class ImportTemplateView(WorkspaceView, View):
    """An empty file with the import's header row, to fill in."""

    def get(self, request):
        kind = IMPORT_KINDS.get(request.GET.get("kind", ""), IMPORT_KINDS["accounts"])
        header = kind.fields(self.workspace)
        response = StreamingHttpResponse(csv_stream([header], bom=True), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind.name}-import-template.csv"'
        return response


class ImportErrorReportView(WorkspaceObjectMixin, View):
    """An import job's rejected rows as CSV: line, column, reason, value."""

    model = Job
    read_roles = ANY_ROLE

    def scope_queryset(self, queryset):
        return queryset.filter(kind__in=IMPORT_JOB_KINDS)

    def get(self, request, pk):
        job = self.get_object()
        response = StreamingHttpResponse(import_error_report_csv(job=job), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected-rows.csv"'
        return response


class AccountExportView(WorkspaceView, View):
    """The accounts list, filtered by the same query parameters as the list page, as CSV with
    the import's columns. Streamed: memory stays flat at 100k accounts."""

    read_roles = ANY_ROLE

    def get(self, request):
        filterset = account_list(workspace=self.workspace, params=request.GET, user=request.user)
        if not filterset.is_valid():
            problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
            messages.error(request, f"The export's filters are not valid ({problems}).")
            return redirect("accounts:index")
        rows = account_export_rows(workspace=self.workspace, queryset=filterset.qs)
        response = StreamingHttpResponse(csv_stream(rows, bom=True), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="accounts-{self.workspace.slug}-{stamp}.csv"'
        return response


urlpatterns: list = [
    path("import/", ImportUploadView.as_view(), name="import_start"),
    path("import/map/", ImportMappingView.as_view(), name="import_map"),
    path("import/template.csv", ImportTemplateView.as_view(), name="import_template"),
    path("import/<int:pk>/errors.csv", ImportErrorReportView.as_view(), name="import_errors"),
    path("export.csv", AccountExportView.as_view(), name="export"),
]
