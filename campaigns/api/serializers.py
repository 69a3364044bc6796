"""Serializers of the campaigns API. Output serializers describe records; input serializers parse
operations, and the services (campaigns.services.editing, .enrolment) decide and write."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from abm_platform.api.serializers import IdField, WorkspaceScopedSerializer
from abm_platform.models import User
from accounts.api.serializers import NamedRefSerializer, UserRefSerializer
from campaigns.models import (
    Campaign, Channel, ContentTemplate, OwnerConsent, Play, SalesTask, Step, Touch, WebhookSubscription,
)
from campaigns.selectors import person_guidance


class ChannelField(serializers.ChoiceField):
    """A campaign channel (its schema is the one `CampaignChannelEnum` component, see below)."""

    def __init__(self, **kwargs):
        super().__init__(choices=Channel.choices, **kwargs)


class ChannelFieldExtension(OpenApiSerializerFieldExtension):
    """"channel" is also the name of the contacts API's consent channel: one named component for
    the campaign channels keeps the two enums apart in the schema."""

    target_class = ChannelField

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="CampaignChannelEnum", type=ResolvedComponent.SCHEMA, object="CampaignChannelEnum",
            schema={"type": "string", "enum": list(Channel.values),
                    "description": "\n".join(f"* `{value}` - {label}" for value, label in Channel.choices)})
        auto_schema.registry.register_on_missing(component)
        return component.ref


# --- campaigns -------------------------------------------------------------------------------

class CampaignSerializer(serializers.ModelSerializer):
    """A campaign with its counts (audience size, pilot size, touches sent / blocked / waiting)."""

    owner = UserRefSerializer(read_only=True)
    expanded_by = UserRefSerializer(read_only=True, allow_null=True)
    tier = NamedRefSerializer(read_only=True, allow_null=True)
    segment = NamedRefSerializer(read_only=True, allow_null=True)
    target_list = NamedRefSerializer(read_only=True, allow_null=True)
    accounts = serializers.SerializerMethodField(help_text="The hand-picked audience (account ids).")
    pilot_accounts = serializers.SerializerMethodField(help_text="The 2–3 pilot accounts (ids).")
    audience_size = serializers.IntegerField(read_only=True, allow_null=True)
    pilot_size = serializers.IntegerField(read_only=True)
    touches_sent = serializers.IntegerField(read_only=True)
    touches_blocked = serializers.IntegerField(read_only=True)
    touches_waiting = serializers.IntegerField(read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "objective", "hypothesis", "success_metric", "end_date", "owner", "status",
                  "audience_kind", "tier", "segment", "target_list", "accounts", "pilot_accounts", "acquisition_only",
                  "expanded_at", "expanded_by", "expand_comment", "created_at", "audience_size", "pilot_size",
                  "touches_sent", "touches_blocked", "touches_waiting"]

    def get_accounts(self, campaign) -> list[int]:
        return [a.pk for a in campaign.accounts.all()]

    def get_pilot_accounts(self, campaign) -> list[int]:
        return [a.pk for a in campaign.pilot_accounts.all()]


class CampaignInputSerializer(WorkspaceScopedSerializer):
    """Create or change a campaign. `owner` defaults to you; `accounts` (ids) is the audience of a
    hand-picked campaign; `tier`, `segment` or `target_list` the one the audience kind names."""

    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False,
                                               help_text="A member of the workspace (user id).")
    accounts = serializers.ListField(child=IdField(), required=False, max_length=10000)

    class Meta:
        model = Campaign
        fields = ["name", "objective", "hypothesis", "success_metric", "end_date", "owner", "audience_kind", "tier",
                  "segment", "target_list", "accounts", "acquisition_only"]

    def get_fields(self):
        """Owners are members of the workspace: anyone else's id reads as 'does not exist', so
        the answer does not tell which user ids exist in other workspaces."""
        fields = super().get_fields()
        workspace = self.context.get("workspace")
        fields["owner"].queryset = (User.objects.filter(memberships__workspace=workspace) if workspace
                                    else User.objects.none())
        return fields


class CampaignPilotInputSerializer(serializers.Serializer):
    accounts = serializers.ListField(child=IdField(), min_length=1, max_length=10,
                                     help_text="2–3 account ids of the campaign's audience.")


class ExpandInputSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="Why the pilot justifies expanding (recorded).")


class PreviewSerializer(serializers.Serializer):
    """One step's content for one person: what `render_touch` would send."""

    ok = serializers.BooleanField()
    step = serializers.IntegerField()
    template = serializers.IntegerField(allow_null=True)
    account = serializers.IntegerField(allow_null=True)
    contact = serializers.IntegerField(allow_null=True)
    variant = serializers.CharField(help_text="A/B arm and DISC variant, e.g. `B/D`.")
    subject = serializers.CharField(allow_blank=True)
    body_text = serializers.CharField(allow_blank=True)
    body_html = serializers.CharField(allow_null=True)
    errors = serializers.ListField(child=serializers.DictField())


# --- report ----------------------------------------------------------------------------------

class BlockCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    example = serializers.CharField()
    count = serializers.IntegerField()


class AccountResultSerializer(serializers.Serializer):
    account_id = serializers.IntegerField()
    name = serializers.CharField()
    enrolled_at = serializers.DateTimeField()
    sent = serializers.IntegerField()
    blocked = serializers.IntegerField()
    baseline_per_week = serializers.FloatField(help_text="Weighted engagement minutes per week in the 4 weeks "
                                                         "before enrolment.")
    since_per_week = serializers.FloatField()
    lift_percent = serializers.IntegerField(allow_null=True)
    meetings = serializers.IntegerField()
    opportunities = serializers.IntegerField()


class VariantResultSerializer(serializers.Serializer):
    variant = serializers.CharField(help_text="The A/B arm (`arms`), the DISC variant or `main text` "
                                              "(`disc_styles`), or the full label such as `B/D` (`variants`).")
    sent = serializers.IntegerField(help_text="E-mails sent with this variant.")
    opened = serializers.IntegerField(help_text="Of them, opened (each e-mail once).")
    clicked = serializers.IntegerField()
    replied = serializers.IntegerField(help_text="Of them, answered: a reply counts for the person's latest e-mail "
                                                 "of the campaign in the 30 days before it.")
    open_rate = serializers.FloatField()
    click_rate = serializers.FloatField()
    reply_rate = serializers.FloatField()
    share = serializers.FloatField(help_text="Share of the campaign's e-mails with a variant (the split as it "
                                             "came out).")


class PilotReportSerializer(serializers.Serializer):
    campaign_id = serializers.IntegerField()
    sent = serializers.IntegerField()
    blocked = serializers.IntegerField()
    waiting = serializers.IntegerField()
    failed = serializers.IntegerField()
    meetings = serializers.IntegerField()
    opportunities = serializers.IntegerField()
    blocked_by_reason = BlockCountSerializer(many=True)
    accounts = AccountResultSerializer(many=True)
    arms = VariantResultSerializer(many=True, help_text="Per A/B arm, over every DISC variant.")
    disc_styles = VariantResultSerializer(many=True, help_text="Per DISC variant, over both A/B arms.")
    variants = VariantResultSerializer(many=True, help_text="Per full label (A/B arm and DISC variant).")


# --- plays, steps, templates -----------------------------------------------------------------

class StepSerializer(WorkspaceScopedSerializer):
    """A step of a play. `order` is given by the play (add at the end, `plays/{id}/reorder/`).
    Each channel uses some of the settings — e-mail, invitations and direct mail a template and
    an audience, sales tasks `task_kind`, `assignee_rule` and an audience, ad audiences an
    audience and `config`, website personalisation a template and `config`, webhooks `config`
    — and the others are cleared when the step is saved."""

    channel = ChannelField()

    class Meta:
        model = Step
        fields = ["id", "play", "order", "channel", "delay_hours", "audience_filter", "template", "wait_condition",
                  "branch", "assignee_rule", "task_kind", "is_operational", "config"]
        read_only_fields = ["order"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, tuple)) and hasattr(self.instance, "pk"):
            fields["play"].read_only = True        # a step stays in its play
        return fields


class PlaySerializer(WorkspaceScopedSerializer):
    steps = serializers.SerializerMethodField()

    class Meta:
        model = Play
        fields = ["id", "campaign", "name", "trigger", "trigger_config", "exit_goal", "exit_config", "priority",
                  "is_active", "steps"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and hasattr(self.instance, "pk"):
            fields["campaign"].read_only = True
        return fields

    def get_steps(self, play) -> list[dict]:
        return [{"id": s.pk, "order": s.order, "channel": s.channel, "delay_hours": s.delay_hours,
                 "template": s.template_id} for s in play.steps.all()]


class ReorderSerializer(serializers.Serializer):
    steps = serializers.ListField(child=IdField(), help_text="Every step id of the play, in order.")


class ContentTemplateSerializer(WorkspaceScopedSerializer):
    channel = ChannelField(required=False)
    used_by = serializers.IntegerField(read_only=True, default=0, help_text="Steps using the template.")

    class Meta:
        model = ContentTemplate
        fields = ["id", "name", "channel", "subject", "body", "disc_variants", "ab_variants", "ab_split",
                  "updated_at", "used_by"]


# --- touches ---------------------------------------------------------------------------------

class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()
    email = serializers.CharField()

    def get_name(self, contact) -> str:
        return f"{contact.first_name} {contact.last_name}".strip() or contact.email


class StepRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    channel = ChannelField()
    play = serializers.IntegerField(source="play_id")


class TouchSerializer(serializers.ModelSerializer):
    """A touch of the outbox: planned, deferred, blocked (with the rule and reason), sent, failed."""

    campaign = NamedRefSerializer(read_only=True)
    step = StepRefSerializer(read_only=True)
    account = NamedRefSerializer(read_only=True)
    contact = PersonRefSerializer(read_only=True, allow_null=True)
    channel = ChannelField(read_only=True)

    class Meta:
        model = Touch
        fields = ["id", "key", "campaign", "step", "account", "contact", "channel", "is_operational", "status",
                  "planned_at", "sent_at", "block_rule", "block_code", "block_reason", "variant", "subject", "attempts",
                  "error", "provider_id", "created_at"]


# --- owner consents, sales tasks, webhooks ---------------------------------------------------

class OwnerConsentSerializer(WorkspaceScopedSerializer):
    given_by = UserRefSerializer(read_only=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = OwnerConsent
        fields = ["id", "account", "play", "given_by", "given_at", "expires_at", "comment", "is_active"]
        read_only_fields = ["given_at"]

    def get_is_active(self, consent) -> bool:
        return consent.expires_at > timezone.now()


class GuidanceSerializer(serializers.Serializer):
    style = serializers.CharField()
    summary = serializers.CharField()
    tone = serializers.ListField(child=serializers.CharField())
    emphasise = serializers.ListField(child=serializers.CharField())
    avoid = serializers.ListField(child=serializers.CharField())
    meeting = serializers.ListField(child=serializers.CharField())
    call_to_action = serializers.ListField(child=serializers.CharField())


class TaskContactSerializer(PersonRefSerializer):
    job_title = serializers.CharField()
    phone = serializers.CharField()
    disc_style = serializers.CharField()


class SalesTaskSerializer(serializers.ModelSerializer):
    """A task a play gave a rep, with the person's DISC guidance for the call or message."""

    assignee = UserRefSerializer(read_only=True, allow_null=True)
    account = NamedRefSerializer(read_only=True)
    contact = TaskContactSerializer(read_only=True, allow_null=True)
    campaign = serializers.SerializerMethodField()
    disc_guidance = serializers.SerializerMethodField()

    class Meta:
        model = SalesTask
        fields = ["id", "title", "kind", "status", "outcome", "due_at", "completed_at", "assignee", "account",
                  "contact", "campaign", "disc_guidance"]

    @extend_schema_field(NamedRefSerializer)
    def get_campaign(self, task):
        return {"id": task.touch.campaign_id, "name": task.touch.campaign.name}

    @extend_schema_field(GuidanceSerializer(allow_null=True))
    def get_disc_guidance(self, task):
        return person_guidance(task.contact)


class TaskFinishSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=255, help_text="What happened: it goes back to marketing.")


class WebhookSubscriptionSerializer(WorkspaceScopedSerializer):
    """A receiver of signed events. The signing secret is shown once, when created (or rotated)."""

    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "events", "is_active", "created_at"]


class WebhookSubscriptionSecretSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(read_only=True, help_text="HMAC-SHA256 signing key: shown only now.")

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
