"""Serializers of the signals API. The push endpoints take rows as plain JSON objects (each
row is checked on its own, so one bad row never refuses the batch); the *Row serializers below
only document their fields in the OpenAPI schema."""
from rest_framework import serializers

from abm_platform.api.serializers import WorkspaceScopedSerializer
from insights.signals.engine.rules import DEFAULT_RULES
from insights.signals.models import (
    EngagementEvent, EngagementType, IntentSignal, IntentTopic, SignalKind, SignalProvider,
    SignalSettings, TriggerEvent, TriggerType, UnresolvedSignal,
)

MAX_PUSH_ROWS = 5000
RULES_HELP = ('Overrides per engagement type, e.g. {"web_visit": {"minutes": 1, "half_life_days": 14, '
              '"high_value_bonus": 4}}. Keys per type: '
              + "; ".join(f"{t}: {', '.join(k)}" for t, k in DEFAULT_RULES.items()) + ".")


class IntentSignalSerializer(WorkspaceScopedSerializer):
    topic_name = serializers.CharField(source="topic.name", read_only=True)

    class Meta:
        model = IntentSignal
        fields = ["id", "account", "topic", "topic_name", "provider", "domain", "week_start", "score", "bucket_code",
                  "metro", "metro_score", "country", "received_at"]
        read_only_fields = fields


class EngagementEventSerializer(WorkspaceScopedSerializer):
    class Meta:
        model = EngagementEvent
        fields = ["id", "account", "contact", "type", "channel", "occurred_at", "source", "external_id", "url",
                  "duration_seconds", "minutes", "half_life_days", "is_high_value", "variant", "details",
                  "received_at"]
        read_only_fields = fields


class TriggerEventSerializer(WorkspaceScopedSerializer):
    class Meta:
        model = TriggerEvent
        fields = ["id", "account", "type", "occurred_on", "summary", "source_url", "source", "external_id",
                  "received_at"]
        read_only_fields = fields


class UnresolvedSignalSerializer(WorkspaceScopedSerializer):
    class Meta:
        model = UnresolvedSignal
        fields = ["id", "kind", "source", "key", "reason", "payload", "attempts", "received_at", "resolved_at"]
        read_only_fields = fields


class IntentTopicSerializer(WorkspaceScopedSerializer):
    class Meta:
        model = IntentTopic
        fields = ["id", "name", "category", "is_selected", "weight", "created_at"]
        read_only_fields = ["id", "created_at"]


class SignalProviderSerializer(WorkspaceScopedSerializer):
    class Meta:
        model = SignalProvider
        fields = ["id", "name", "kind", "signal_kind", "config", "is_active", "last_fetched_at"]
        read_only_fields = ["id", "last_fetched_at"]
        extra_kwargs = {"config": {"help_text": 'For a file drop: {"path": "<folder>"}, relative to the '
                                                "workspace's drop folder."}}


class SignalSettingsSerializer(serializers.ModelSerializer):
    effective_rules = serializers.SerializerMethodField(
        help_text="The rules in force: the defaults (DOMAIN.md §1.3) with this workspace's overrides.")
    reweigh_job = serializers.IntegerField(read_only=True, allow_null=True, default=None,
                                           help_text="The job that reweighs stored events after a rule change.")

    class Meta:
        model = SignalSettings
        fields = ["refresh_every_days", "last_refresh_at", "next_refresh_at", "engagement_rules", "effective_rules",
                  "high_value_paths", "excluded_paths", "tracking_key", "tracking_ignored", "reweigh_job"]
        read_only_fields = fields

    def get_effective_rules(self, obj) -> dict[str, dict[str, float]]:
        from insights.signals.engine.rules import merged_rules

        return merged_rules(obj.engagement_rules)


class SignalSettingsInputSerializer(serializers.Serializer):
    refresh_every_days = serializers.IntegerField(required=False, min_value=1, max_value=365)
    engagement_rules = serializers.DictField(
        child=serializers.DictField(child=serializers.FloatField()), required=False,
        help_text=RULES_HELP)
    high_value_paths = serializers.ListField(child=serializers.CharField(max_length=200), required=False,
                                             help_text="URL fragments of pricing, demo and contact pages.")
    excluded_paths = serializers.ListField(child=serializers.CharField(max_length=200), required=False,
                                           help_text="URL fragments of pages worth nothing (careers, login …).")


# --- push rows (documentation of the row objects) ---------------------------------------------------

class IntentRowSerializer(serializers.Serializer):
    provider = serializers.CharField(help_text="e.g. bombora (defaults to 'api').", required=False)
    week_start = serializers.DateField()
    domain = serializers.CharField(help_text="Company domain; subdomains and URLs are reduced to it.")
    company_name = serializers.CharField(required=False)
    topic = serializers.CharField(help_text="Unknown topics are created, not selected.")
    topic_category = serializers.CharField(required=False)
    score = serializers.IntegerField(min_value=0, max_value=100, help_text="50 = usual, ≥ 60 surging.")
    bucket_code = serializers.CharField(required=False)
    metro = serializers.CharField(required=False)
    metro_score = serializers.IntegerField(required=False, min_value=0, max_value=100)
    country = serializers.CharField(required=False, max_length=2)


class EngagementRowSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=EngagementType.choices)
    occurred_at = serializers.DateTimeField(help_text="ISO 8601; UTC when no offset is given.")
    source = serializers.CharField(required=False, help_text="Defaults to 'api'.")
    external_id = serializers.CharField(required=False, help_text="The source's id: (source, external_id) is "
                                                                  "stored once. Without it the event's own "
                                                                  "facts are its id.")
    email = serializers.EmailField(required=False)
    contact_id = serializers.IntegerField(required=False)
    account_domain = serializers.CharField(required=False)
    account_external_id = serializers.CharField(required=False)
    url = serializers.CharField(required=False)
    duration_seconds = serializers.IntegerField(required=False, min_value=0)
    details = serializers.DictField(required=False, help_text="e.g. {\"form_type\": \"demo_request\"}, "
                                                              "{\"premium\": true}, {\"connected\": false}.")


class TriggerRowSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=TriggerType.choices)
    occurred_on = serializers.DateField()
    summary = serializers.CharField(max_length=500)
    source_url = serializers.URLField(required=False)
    source = serializers.CharField(required=False)
    external_id = serializers.CharField(required=False)
    account_domain = serializers.CharField(required=False)
    account_external_id = serializers.CharField(required=False)


class RowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The row's position in the list, from 1.")
    column = serializers.CharField()
    reason = serializers.CharField()
    value = serializers.CharField()


class IngestReportSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SignalKind.choices)
    total = serializers.IntegerField()
    created = serializers.IntegerField(help_text="New signals stored.")
    duplicates = serializers.IntegerField(help_text="Signals already stored (or twice in this batch).")
    unresolved = serializers.IntegerField(help_text="Rows kept because no account matched; retried later.")
    rejected = serializers.IntegerField(help_text="Rows with errors; see `errors`.")
    topics_created = serializers.IntegerField(required=False)
    errors = RowErrorSerializer(many=True)

