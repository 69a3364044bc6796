"""Signals API: batch pushes and lists of intent, engagement and trigger events; topics,
providers, unresolved signals, settings and an on-demand refresh. Pushes are idempotent and
answer with the ingest report (created / duplicates / unresolved / rejected + row errors)."""
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from abm_platform.api.views import JobSerializer
from abm_platform.api.viewsets import WorkspaceConfigViewSet, WorkspaceViewSet
from abm_platform.tenancy.roles import ADMINS, ANY_ROLE, EDITORS, MARKETERS
from insights.signals.adapters import PushAdapter
from insights.signals.api import serializers as s
from insights.signals.engine.rows import ENGAGEMENT, INTENT, TRIGGER
from insights.signals.filters import (
    EngagementEventFilter, IntentSignalFilter, IntentTopicFilter, TriggerEventFilter, UnresolvedSignalFilter,
)
from insights.signals.models import (
    EngagementEvent, IntentSignal, IntentTopic, SignalProvider, SignalSettings, TriggerEvent, UnresolvedSignal,
)
from insights.signals.services.ingest import signals_ingest_from
from insights.signals.services.providers import signal_provider_delete, signal_provider_save
from insights.signals.services.refresh import signals_refresh_start
from insights.signals.services.reweigh import engagement_reweigh_start
from insights.signals.services.settings import signal_settings_get, signal_settings_update
from insights.signals.services.unresolved import unresolved_signals_retry_start

PUSH_SOURCE = "api"


class SignalPushViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """A signal list (GET, filtered, paginated) and its batch push (POST a JSON list of rows)."""

    read_roles = ANY_ROLE
    write_roles = EDITORS  # people who change records, and read-write API keys
    kind = ""

    def push(self, request):
        rows = request.data
        if not isinstance(rows, list):
            raise ValidationError({"non_field_errors": ["Send a JSON list of row objects."]})
        if len(rows) > s.MAX_PUSH_ROWS:
            raise ValidationError({"non_field_errors": [f"At most {s.MAX_PUSH_ROWS:,} rows per request "
                                                        f"(this has {len(rows):,}); send several batches."]})
        report = signals_ingest_from(PushAdapter(kind=self.kind, records=rows, source=PUSH_SOURCE),
                                     workspace=self.workspace)
        return Response(report.as_dict())


PUSH_DOC = ("Push up to 5,000 rows as a JSON list. Each row is checked on its own: good rows are stored, "
            "rows with errors are listed in `errors` with their position, rows whose company matches no "
            "account are kept as unresolved and stored when the account appears. Sending the same rows again "
            "stores nothing new (`duplicates`).")


class IntentSignalViewSet(SignalPushViewSet):
    """Weekly intent surge scores per account and topic (DOMAIN.md §1.2)."""

    model = IntentSignal
    kind = INTENT
    serializer_class = s.IntentSignalSerializer
    filterset_class = IntentSignalFilter

    def scope_queryset(self, queryset):
        return queryset.select_related("topic")

    @extend_schema(description=PUSH_DOC, request=s.IntentRowSerializer(many=True),
                   responses=s.IngestReportSerializer)
    def create(self, request):
        return self.push(request)


class EngagementEventViewSet(SignalPushViewSet):
    """First-party engagement: web visits, e-mail, ads, content, webinars and events, meetings,
    calls — with their weighted minutes (DOMAIN.md §1.3)."""

    model = EngagementEvent
    kind = ENGAGEMENT
    serializer_class = s.EngagementEventSerializer
    filterset_class = EngagementEventFilter

    @extend_schema(description=PUSH_DOC, request=s.EngagementRowSerializer(many=True),
                   responses=s.IngestReportSerializer)
    def create(self, request):
        return self.push(request)


class TriggerEventViewSet(SignalPushViewSet):
    """Trigger events ("why now"): funding, acquisitions, leadership changes, expansions …"""

    model = TriggerEvent
    kind = TRIGGER
    serializer_class = s.TriggerEventSerializer
    filterset_class = TriggerEventFilter

    @extend_schema(description=PUSH_DOC, request=s.TriggerRowSerializer(many=True),
                   responses=s.IngestReportSerializer)
    def create(self, request):
        return self.push(request)


class UnresolvedSignalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Signals whose domain or e-mail matched no account, kept for a retry. `POST …/retry/`
    resolves them again in the background (after accounts were imported or contacts linked)."""

    model = UnresolvedSignal
    serializer_class = s.UnresolvedSignalSerializer
    filterset_class = UnresolvedSignalFilter
    action_roles = {"retry": EDITORS}

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=False, methods=["post"])
    def retry(self, request):
        job = unresolved_signals_retry_start(workspace=self.workspace, by=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class IntentTopicViewSet(WorkspaceConfigViewSet):
    """The intent topic taxonomy: select the topics that count towards intent scores and weigh
    them (0 < weight ≤ 1). Admins and marketing."""

    model = IntentTopic
    serializer_class = s.IntentTopicSerializer
    filterset_class = IntentTopicFilter
    write_roles = MARKETERS


class SignalProviderViewSet(WorkspaceConfigViewSet):
    """Data providers. A file drop (`{"path": "<folder>"}`) is pulled at every refresh. Admins."""

    model = SignalProvider
    serializer_class = s.SignalProviderSerializer
    read_roles = ADMINS

    def perform_create(self, serializer):
        serializer.instance = signal_provider_save(workspace=self.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        data = {**s.SignalProviderSerializer(serializer.instance).data, **serializer.validated_data}
        serializer.instance = signal_provider_save(
            workspace=self.workspace, provider=serializer.instance, name=data["name"], kind=data["kind"],
            signal_kind=data["signal_kind"], config=data["config"], is_active=data["is_active"])

    def perform_destroy(self, instance):
        signal_provider_delete(provider=instance)


class SignalSettingsViewSet(WorkspaceViewSet):
    """The workspace's refresh cadence, engagement rules and tracking key. Admins change them;
    changing the rules reweighs every stored event in the background (`reweigh_job`)."""

    model = SignalSettings
    read_roles = ANY_ROLE
    write_roles = ADMINS
    serializer_class = s.SignalSettingsSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses=s.SignalSettingsSerializer)
    def retrieve(self, request):
        return Response(s.SignalSettingsSerializer(signal_settings_get(workspace=self.workspace)).data)

    @extend_schema(request=s.SignalSettingsInputSerializer, responses=s.SignalSettingsSerializer)
    def partial_update(self, request):
        data = s.SignalSettingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            settings, rules_changed = signal_settings_update(workspace=self.workspace, by=request.user,
                                                             **data.validated_data)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict if hasattr(error, "message_dict") else error.messages) from None
        body = s.SignalSettingsSerializer(settings).data
        if rules_changed:
            body["reweigh_job"] = engagement_reweigh_start(workspace=self.workspace, by=request.user,
                                                           reason="rules changed").pk
        return Response(body)


class SignalRefreshViewSet(WorkspaceViewSet):
    """Refresh the workspace's signals now: pull file drops, retry unresolved signals, reweigh,
    then recompute scores. Admins."""

    model = None
    write_roles = ADMINS
    pagination_class = None
    filter_backends: list = []

    @extend_schema(request=None, responses={
        202: OpenApiResponse(JobSerializer, description="The refresh was queued."),
        200: OpenApiResponse(JobSerializer, description="A refresh is already queued or running: that job.")})
    def create(self, request):
        job, started = signals_refresh_start(workspace=self.workspace, by=request.user, trigger="api")
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED if started else status.HTTP_200_OK)
