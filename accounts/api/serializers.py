"""Serializers of the accounts API. Output serializers describe records; input serializers
describe operations (the services do the work)."""
from rest_framework import serializers

from abm_platform.api.serializers import IdField, WorkspaceScopedSerializer
from accounts.models import (
    Account, AccountGroup, AccountPlan, AttributeDefinition, BuyingGroupRole, Hold, Opportunity, OpportunityStage,
    OpportunityStageChange, PlanStep, Segment, Tier,
)
from accounts.services.upsert import KNOWN_FIELDS


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class AccountSerializer(serializers.ModelSerializer):
    """An account as the API returns it."""

    domains = serializers.SerializerMethodField(help_text="All registrable domains, the primary first.")
    technologies = serializers.SerializerMethodField()
    tier = NamedRefSerializer(read_only=True, allow_null=True)
    group = NamedRefSerializer(read_only=True, allow_null=True)
    parent = NamedRefSerializer(read_only=True, allow_null=True)
    owner = UserRefSerializer(read_only=True, allow_null=True)
    sdr = UserRefSerializer(read_only=True, allow_null=True)
    on_hold = serializers.BooleanField(read_only=True, help_text="A rep holds the account: do not cold-contact.")

    class Meta:
        model = Account
        fields = ["id", "external_id", "name", "domain", "domains", "website", "industry", "employees",
                  "annual_revenue", "currency", "country", "region", "city", "street", "postal_code", "technologies",
                  "attributes", "parent", "owner", "sdr", "tier", "group", "is_target", "has_open_opportunity",
                  "on_hold", "score", "score_change", "is_mqa", "journey_stage", "scored_at", "created_at",
                  "updated_at"]
        # Written only by scoring's recompute; read here so CRMs get scores back.
        read_only_fields = ["score", "score_change", "is_mqa", "journey_stage", "scored_at"]

    def get_domains(self, account) -> list[str]:
        return [i.value for i in account.identifiers.all() if i.kind == "domain"]

    def get_technologies(self, account) -> list[str]:
        return [t.name for t in account.technologies.all()]


class AccountInputSerializer(serializers.Serializer):
    """Fields an integration may send; only the ones present are changed. Same names as the
    CSV import columns. `tier` and `group` are names; `owner_email`/`sdr_email` must be members."""

    external_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    name = serializers.CharField(required=False, max_length=200)
    domain = serializers.CharField(required=False, allow_blank=True, max_length=253)
    other_domains = serializers.ListField(child=serializers.CharField(max_length=253), required=False)
    website = serializers.CharField(required=False, allow_blank=True, max_length=300)
    industry = serializers.CharField(required=False, allow_blank=True, max_length=100)
    employees = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    annual_revenue = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    currency = serializers.CharField(required=False, allow_blank=True, max_length=3)
    country = serializers.CharField(required=False, allow_blank=True, max_length=60)
    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    street = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   help_text="Street and number of the postal address (direct mail).")
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    technologies = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    attributes = serializers.DictField(required=False)
    parent_external_id = serializers.CharField(required=False, allow_blank=True)
    owner_email = serializers.CharField(required=False, allow_blank=True)
    sdr_email = serializers.CharField(required=False, allow_blank=True)
    tier = serializers.CharField(required=False, allow_blank=True)
    group = serializers.CharField(required=False, allow_blank=True)

    def to_internal_value(self, data):
        unknown = sorted(set(data) - KNOWN_FIELDS) if hasattr(data, "keys") else []
        if unknown:
            raise serializers.ValidationError({k: ["Unknown field."] for k in unknown})
        return super().to_internal_value(data)


class BulkUpsertSerializer(serializers.Serializer):
    records = AccountInputSerializer(many=True, allow_empty=False, max_length=1000)


class RecordErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class RecordResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"])
    account_id = serializers.IntegerField(allow_null=True)
    errors = RecordErrorSerializer(many=True)


class BulkUpsertResultSerializer(serializers.Serializer):
    summary = serializers.DictField(child=serializers.IntegerField())
    results = RecordResultSerializer(many=True)


class SetTierSerializer(serializers.Serializer):
    account_ids = serializers.ListField(child=IdField(), allow_empty=False, max_length=1000)
    tier = IdField(allow_null=True, help_text="Tier id, or null to remove the tier.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class TierSerializer(WorkspaceScopedSerializer):
    expected_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=[c for c in BuyingGroupRole.choices if c[0] not in ("blocker", "coach")]),
        required=False)
    account_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Tier
        fields = ["id", "name", "order", "engagement_model", "max_accounts", "description", "expected_roles",
                  "account_count"]


class AccountGroupSerializer(WorkspaceScopedSerializer):
    class Meta:
        model = AccountGroup
        fields = ["id", "name", "description"]


class AttributeDefinitionSerializer(WorkspaceScopedSerializer):
    class Meta:
        model = AttributeDefinition
        fields = ["id", "key", "label", "type", "choices", "description"]


class SegmentSerializer(WorkspaceScopedSerializer):
    class Meta:
        model = Segment
        fields = ["id", "name", "kind", "filters", "description", "created_at"]
        read_only_fields = ["created_at"]


class SegmentMembersSerializer(serializers.Serializer):
    account_ids = serializers.ListField(child=IdField(), allow_empty=False, max_length=5000)


class HoldSerializer(WorkspaceScopedSerializer):
    placed_by = UserRefSerializer(read_only=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = Hold
        fields = ["id", "account", "reason", "expires_at", "placed_by", "placed_at", "released_at", "is_active"]
        read_only_fields = ["placed_at", "released_at"]
        extra_kwargs = {"expires_at": {"required": False}}

    def get_is_active(self, hold) -> bool:
        from django.utils import timezone

        return hold.released_at is None and hold.expires_at > timezone.now()


class OpportunityStageSerializer(WorkspaceScopedSerializer):
    class Meta:
        model = OpportunityStage
        fields = ["id", "name", "order", "kind", "probability"]


class StageChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpportunityStageChange
        fields = ["from_stage", "to_stage", "changed_at"]


class OpportunitySerializer(WorkspaceScopedSerializer):
    stage_changes = StageChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Opportunity
        fields = ["id", "account", "external_id", "name", "stage", "amount", "currency", "is_recurring", "mrr", "arr",
                  "created_date", "expected_close_date", "closed_date", "source_campaign_id", "owner", "loss_reason",
                  "is_open", "stage_changes"]
        read_only_fields = ["is_open"]
        extra_kwargs = {"created_date": {"required": False}}


class PlanStepSerializer(WorkspaceScopedSerializer):
    class Meta:
        model = PlanStep
        fields = ["id", "plan", "text", "due_date", "owner", "done_at"]
        read_only_fields = ["done_at"]


class AccountPlanSerializer(WorkspaceScopedSerializer):
    steps = PlanStepSerializer(many=True, read_only=True)
    reviewed_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = AccountPlan
        fields = ["id", "account", "objectives", "pains", "value_hypothesis", "initiatives", "status", "version",
                  "updated_at", "reviewed_by", "reviewed_at", "steps"]
        read_only_fields = ["version", "updated_at", "reviewed_at"]
