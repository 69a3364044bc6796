"""Import and export API. `register(router)` is called by accounts/api/urls.py.

- `POST /api/v1/account-imports/` (multipart: file, kind, optional mapping JSON) queues an
  import and answers 202 with its Job; follow it at `/api/v1/jobs/<id>/`.
- `GET /api/v1/account-imports/<id>/errors/` the job's rejected rows as CSV.
- `GET /api/v1/accounts-export/?<account filters>` the filtered accounts as CSV, streamed.
"""
import json

from django.http import StreamingHttpResponse
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from abm_platform.api.views import JobSerializer
from abm_platform.api.viewsets import WorkspaceViewSet
from abm_platform.models import Job
from abm_platform.tenancy.roles import ANY_ROLE, EDITORS
from accounts.filters import AccountFilter
from accounts.models import Account
from accounts.selectors import account_list
from accounts.services.exports import account_export_rows, csv_stream
from accounts.services.imports import (
    IMPORT_JOB_KINDS, IMPORT_KINDS, MAX_UPLOAD_BYTES, ImportFileError, import_error_report_csv,
    import_file_discard, import_file_store, import_start,
)


class CSVRenderer(BaseRenderer):
    """Lets clients ask for `text/csv`. Success bodies are streamed by the views; only error
    answers pass through here, as a one-cell CSV with the message."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict):
            message = str(data.get("message", "")).replace('"', '""')
            return f'message\r\n"{message}"\r\n'.encode()
        return str(data or "").encode()


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=f"CSV or XLSX, up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    kind = serializers.ChoiceField(choices=list(IMPORT_KINDS), default="accounts")
    mapping = serializers.CharField(
        required=False, allow_blank=True,
        help_text='Optional JSON object {"file column": "field"}; "" skips a column. Columns it does not '
                  "name must match a field by name.")

    def validate_mapping(self, value: str) -> dict:
        if not value.strip():
            return {}
        try:
            mapping = json.loads(value)
        except json.JSONDecodeError as error:
            raise serializers.ValidationError(f"Not valid JSON: {error}.") from None
        if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str | type(None))
                                                    for k, v in mapping.items()):
            raise serializers.ValidationError('Give an object of column names to field names, e.g. '
                                              '{"Company": "name", "Notes": ""}.')
        return {k: v or "" for k, v in mapping.items()}


class ImportProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text="Row number as a spreadsheet shows it (header = 1).")
    column = serializers.CharField()
    reason = serializers.CharField()


class ImportRefusedExtraSerializer(serializers.Serializer):
    errors = ImportProblemSerializer(many=True)


class ImportRefusedSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()
    extra = ImportRefusedExtraSerializer()


class AccountImportViewSet(WorkspaceViewSet):
    """Imports of accounts and opportunities from CSV or XLSX files. Rows are upserted in the
    background (accounts by CRM id, else domain; deals by CRM id); every rejected row is kept
    with its line, column and reason."""

    model = Job
    # What OPTIONS describes for POST (DRF's metadata asks the view for it; without one, a 500).
    serializer_class = ImportUploadSerializer
    read_roles = ANY_ROLE
    write_roles = EDITORS
    parser_classes = [MultiPartParser, FormParser]
    renderer_classes = [JSONRenderer, CSVRenderer]
    lookup_value_regex = r"\d+"
    pagination_class = None
    filter_backends: list = []

    def scope_queryset(self, queryset):
        return queryset.filter(kind__in=IMPORT_JOB_KINDS)

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer},
                   responses={202: JobSerializer, 400: OpenApiResponse(ImportRefusedSerializer,
                                                                       description="The file cannot be imported.")})
    def create(self, request):
        """Upload a file and queue its import. A file that cannot be read or whose header is
        wrong is refused at once (400, each problem in `extra.errors`); otherwise the answer is
        the queued Job (202)."""
        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        file = data.validated_data["file"]
        try:
            upload = import_file_store(workspace=self.workspace, file=file, filename=file.name)
        except ImportFileError as error:
            return _refused(error)
        try:
            job = import_start(workspace=self.workspace, kind=data.validated_data["kind"], upload=upload,
                               filename=file.name, mapping=data.validated_data.get("mapping") or None,
                               by=request.user)
        except ImportFileError as error:
            import_file_discard(workspace_id=self.workspace.pk, upload=upload)
            return _refused(error)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        """The import's rejected rows as CSV: line, column, reason, value."""
        job = self.get_object()
        response = StreamingHttpResponse(import_error_report_csv(job=job), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected-rows.csv"'
        return response


def _refused(error: ImportFileError) -> Response:
    return Response({"message": f"The file cannot be imported: {error}", "code": "invalid",
                     "extra": {"errors": error.problems}}, status=status.HTTP_400_BAD_REQUEST)


class AccountExportViewSet(WorkspaceViewSet):
    """The accounts list as CSV, with the account import's columns (it imports back unchanged)."""

    model = Account
    filterset_class = AccountFilter
    filter_backends = [DjangoFilterBackend]  # declares the filters in the schema; `export` applies them
    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = None

    @extend_schema(filters=True, responses={(200, "text/csv"): OpenApiTypes.STR})
    def export(self, request):
        """Export the accounts that match the same filters as `GET /accounts/`, streamed."""
        filterset = account_list(workspace=self.workspace, params=request.query_params, user=request.user)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        rows = account_export_rows(workspace=self.workspace, queryset=filterset.qs)
        response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="accounts-{self.workspace.slug}.csv"'
        return response


def register(router) -> None:
    router.register("account-imports", AccountImportViewSet, basename="account-import")


urlpatterns: list = [
    path("accounts-export/", AccountExportViewSet.as_view({"get": "export"}), name="accounts-export"),
]
