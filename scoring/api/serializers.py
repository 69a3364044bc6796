"""Scoring API serializers: output serializers for what the API shows, input serializers for what
operations take (the services check the values)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from abm_platform.api.serializers import WorkspaceScopedSerializer
from accounts.api.serializers import NamedRefSerializer, UserRefSerializer
from scoring.engine.reasons import render
from scoring.models import (
    ContactScore, CriterionKind, IcpCriterion, PredictiveModel, ScoreSnapshot, ScoringRun, ScoringWeights,
)

SETTING_HELP = {
    "contact_fit": "Contact score: share of persona fit.",
    "contact_engagement": "Contact score: share of own engagement.",
    "engagement_ref_minutes": "Weighted minutes that make engagement ≈ 63.",
    "no_decision_maker_penalty": "Points taken off when no decision maker or economic buyer is known.",
    "trigger_bonus": "Points per trigger event in the last 90 days.",
    "trigger_bonus_max": "At most this many trigger points.",
    "mqa_threshold": "Score that makes an account MQA (with enough fit).",
    "mqa_min_fit": "Minimum fit for MQA and for a tier suggestion.",
    "mqa_exit_margin": "An MQA leaves after two runs below threshold − margin.",
    "mql_threshold": "Contact score that makes a lead an MQL.",
}


# --- ICP ---------------------------------------------------------------------------------------

class IcpCriterionSerializer(WorkspaceScopedSerializer):
    """One ICP criterion. `config` by kind — industry/country/region: {"values": [...], "adjacent": [...]};
    employees/revenue: {"min": n, "max": n}; technology: {"values": [...], "k": 2};
    attribute: {"key": "...", "op": "eq|in|gte|lte|true", "value": ...}."""

    kind = serializers.ChoiceField(choices=CriterionKind.choices)
    config = serializers.JSONField(help_text="Settings for the kind (see the description).")
    weight = serializers.FloatField(min_value=0, max_value=100, default=1.0)

    class Meta:
        model = IcpCriterion
        fields = ["id", "kind", "label", "weight", "config", "is_disqualifier", "order", "updated_at"]
        read_only_fields = ["id", "updated_at"]


# --- weights -----------------------------------------------------------------------------------

class WeightsSerializer(serializers.ModelSerializer):
    """A version of the scoring weights and who agreed to it."""

    created_by = UserRefSerializer(read_only=True, allow_null=True)
    marketing_approved_by = UserRefSerializer(read_only=True, allow_null=True)
    sales_approved_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ScoringWeights
        fields = ["id", "version", "status", "fit", "intent", "engagement", "predictive", *SETTING_HELP,
                  "tier_thresholds", "note", "created_by", "created_at", "marketing_approved_by",
                  "marketing_approved_at", "sales_approved_by", "sales_approved_at", "activated_at"]
        read_only_fields = fields


class WeightsInputSerializer(serializers.Serializer):
    """Proposed weights: fit, intent, engagement and predictive add up to 1. Settings left out keep
    the active version's value."""

    fit = serializers.FloatField(min_value=0, max_value=1)
    intent = serializers.FloatField(min_value=0, max_value=1)
    engagement = serializers.FloatField(min_value=0, max_value=1)
    predictive = serializers.FloatField(min_value=0, max_value=1)
    contact_fit = serializers.FloatField(min_value=0, max_value=1, required=False,
                                         help_text=SETTING_HELP["contact_fit"])
    contact_engagement = serializers.FloatField(min_value=0, max_value=1, required=False,
                                                help_text=SETTING_HELP["contact_engagement"])
    engagement_ref_minutes = serializers.FloatField(min_value=1, max_value=10000, required=False,
                                                    help_text=SETTING_HELP["engagement_ref_minutes"])
    no_decision_maker_penalty = serializers.IntegerField(min_value=0, max_value=100, required=False,
                                                         help_text=SETTING_HELP["no_decision_maker_penalty"])
    trigger_bonus = serializers.IntegerField(min_value=0, max_value=100, required=False,
                                             help_text=SETTING_HELP["trigger_bonus"])
    trigger_bonus_max = serializers.IntegerField(min_value=0, max_value=100, required=False,
                                                 help_text=SETTING_HELP["trigger_bonus_max"])
    mqa_threshold = serializers.IntegerField(min_value=0, max_value=100, required=False,
                                             help_text=SETTING_HELP["mqa_threshold"])
    mqa_min_fit = serializers.IntegerField(min_value=0, max_value=100, required=False,
                                           help_text=SETTING_HELP["mqa_min_fit"])
    mqa_exit_margin = serializers.IntegerField(min_value=0, max_value=100, required=False,
                                               help_text=SETTING_HELP["mqa_exit_margin"])
    mql_threshold = serializers.IntegerField(min_value=0, max_value=100, required=False,
                                             help_text=SETTING_HELP["mql_threshold"])
    tier_thresholds = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=100), required=False,
                                            help_text='Minimum score per tier order, e.g. {"1": 80, "2": 65, "3": 45}.')
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class PreviewInputSerializer(WeightsInputSerializer):
    """Weights to try, and optionally a whole changed ICP (the criteria list as it would be)."""

    icp_criteria = IcpCriterionSerializer(many=True, required=False,
                                               help_text="Try a changed ICP: every criterion, as it would be.")


class SignOffSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=[("marketing", "Marketing"), ("sales", "Sales")],
                                   help_text="Sign off for marketing (marketing or admin) or sales (sales or admin).")


class MoverSerializer(serializers.Serializer):
    account_id = serializers.IntegerField()
    name = serializers.CharField()
    old_score = serializers.IntegerField()
    new_score = serializers.IntegerField()
    change = serializers.IntegerField()
    old_rank = serializers.IntegerField()
    new_rank = serializers.IntegerField()
    rank_change = serializers.IntegerField(help_text="Positive: moved up the list.")


class TierMoveSerializer(serializers.Serializer):
    before = serializers.CharField(help_text="Suggested tier now (or 'no tier').")
    after = serializers.CharField(help_text="Suggested tier with the proposal.")
    accounts = serializers.IntegerField()


class ContactWhatIfSerializer(serializers.Serializer):
    """Contact scores and MQLs with the proposal (only when contact weights or the MQL threshold change)."""

    contacts = serializers.IntegerField(help_text="Contacts with a current score.")
    changed = serializers.IntegerField(help_text="Contacts whose score changes.")
    raised = serializers.IntegerField()
    lowered = serializers.IntegerField()
    threshold_before = serializers.IntegerField(help_text="The MQL threshold the current scores used.")
    threshold_after = serializers.IntegerField(help_text="The proposed MQL threshold.")
    at_threshold_before = serializers.IntegerField(help_text="Contacts at or above the threshold now.")
    at_threshold_after = serializers.IntegerField(help_text="Contacts at or above the proposed threshold.")
    new_mql = serializers.IntegerField(help_text="Leads the next recompute would make MQLs that it would not now.")
    below_threshold = serializers.IntegerField(
        help_text="Contacts that reach the threshold now and would not (an MQL keeps its stage).")
    spearman = serializers.FloatField(allow_null=True, help_text="Rank correlation of old and new contact scores.")
    mean_before = serializers.FloatField(allow_null=True)
    mean_after = serializers.FloatField(allow_null=True)


class WhatIfSerializer(serializers.Serializer):
    """What the proposal would change in the current run's scores (nothing is saved)."""

    run_id = serializers.IntegerField(allow_null=True, help_text="The recompute the preview starts from.")
    as_of = serializers.DateTimeField(allow_null=True)
    run_weights_version = serializers.IntegerField(allow_null=True, help_text="The weights the current scores used.")
    accounts = serializers.IntegerField()
    changed = serializers.IntegerField(help_text="Accounts whose score changes.")
    raised = serializers.IntegerField()
    lowered = serializers.IntegerField()
    up_10_ranks = serializers.IntegerField(help_text="Accounts moving up 10 or more places.")
    down_10_ranks = serializers.IntegerField(help_text="Accounts moving down 10 or more places.")
    mqa_before = serializers.IntegerField()
    mqa_after = serializers.IntegerField()
    new_mqa = serializers.IntegerField()
    lost_mqa = serializers.IntegerField()
    tier_moves = TierMoveSerializer(many=True, help_text="Tier-suggestion changes, from → to, with counts.")
    risers = MoverSerializer(many=True)
    fallers = MoverSerializer(many=True)
    spearman = serializers.FloatField(allow_null=True,
                                      help_text="Rank correlation of old and new scores (1 = same order).")
    mean_before = serializers.FloatField(allow_null=True)
    mean_after = serializers.FloatField(allow_null=True)
    contacts = ContactWhatIfSerializer(allow_null=True, help_text="Contact scores and MQLs; null when neither the "
                                                                  "contact weights nor the MQL threshold change.")
    notes = serializers.ListField(child=serializers.CharField())


# --- runs and models -----------------------------------------------------------------------------

class RunSerializer(serializers.ModelSerializer):
    """A recompute: its progress in chunks, what it scored with, how it ended."""

    chunks_done = serializers.IntegerField(read_only=True)
    weights_version = serializers.IntegerField(source="weights.version", read_only=True)
    model_version = serializers.IntegerField(source="model.version", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ScoringRun
        fields = ["id", "status", "as_of", "started_at", "finished_at", "account_count", "chunks_total", "chunks_done",
                  "weights_version", "model_version", "previous_run", "job", "error"]
        read_only_fields = fields


class PredictiveModelSerializer(serializers.ModelSerializer):
    """A trained model with its validation figures (`metrics`: roc_auc, pr_auc, brier, base_rate,
    top_decile_lift, calibration [{predicted, observed, count}], train_rows, validation_rows, cutoff)."""

    trained_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PredictiveModel
        fields = ["id", "version", "status", "message", "trained_at", "positives", "negatives", "rows", "metrics",
                  "features", "trained_by"]
        read_only_fields = fields


# --- scores ------------------------------------------------------------------------------------

class ReasonSerializer(serializers.Serializer):
    points = serializers.FloatField(help_text="Signed points; a score's reasons add up to it exactly.")
    text = serializers.CharField()
    component = serializers.CharField(help_text="fit, intent, engagement, predictive, adjustment or cap.")
    rendered = serializers.CharField(help_text="As shown to people: '+18 intent surge on …'.")


class ComponentReasonsSerializer(serializers.Serializer):
    fit = ReasonSerializer(many=True, required=False)
    intent = ReasonSerializer(many=True, required=False)
    engagement = ReasonSerializer(many=True, required=False)
    predictive = ReasonSerializer(many=True, required=False)


def rendered(reasons) -> list[dict]:
    return [{"points": r["points"], "text": r["text"], "component": r.get("component", ""), "rendered": render(r)}
            for r in reasons or []]


class AccountRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    domain = serializers.CharField()


class AccountScoreSerializer(serializers.ModelSerializer):
    """An account's score as the current (or a past) recompute computed it, with its reasons."""

    account = AccountRefSerializer(read_only=True)
    tier = serializers.SerializerMethodField(help_text="The account's tier now (a person's decision).")
    tier_suggestion = NamedRefSerializer(read_only=True, allow_null=True)
    score_change = serializers.SerializerMethodField(help_text="Change since the previous recompute.")
    reasons = serializers.SerializerMethodField()
    component_reasons = serializers.SerializerMethodField()
    facts = serializers.JSONField(read_only=True, help_text="What the score read: weights used, surging topics …")

    class Meta:
        model = ScoreSnapshot
        fields = ["id", "account", "run", "computed_at", "score", "score_change", "fit", "intent", "engagement",
                  "predictive", "probability", "is_mqa", "journey_stage", "tier", "tier_suggestion", "contact_rollup",
                  "reasons", "component_reasons", "facts"]
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_tier(self, snapshot) -> dict | None:
        tier = snapshot.account.tier
        return {"id": tier.pk, "name": tier.name} if tier else None

    def get_score_change(self, snapshot) -> int | None:
        # Listed snapshots are the current run's, whose values the account's columns carry.
        return snapshot.account.score_change

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, snapshot) -> list[dict]:
        return rendered(snapshot.reasons)

    @extend_schema_field(ComponentReasonsSerializer)
    def get_component_reasons(self, snapshot) -> dict:
        return {name: rendered(items) for name, items in (snapshot.component_reasons or {}).items()}


class ScoreHistorySerializer(AccountScoreSerializer):
    """A finished recompute's score of an account (the history)."""

    class Meta(AccountScoreSerializer.Meta):
        fields = ["id", "account", "run", "computed_at", "score", "fit", "intent", "engagement", "predictive",
                  "probability", "is_mqa", "journey_stage", "tier_suggestion", "reasons"]
        read_only_fields = fields


class ContactRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.CharField()


class ContactScoreSerializer(serializers.ModelSerializer):
    """A contact's score (persona fit and own engagement) with its reasons, from the current run."""

    contact = ContactRefSerializer(read_only=True)
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = ContactScore
        fields = ["id", "contact", "account_id", "run", "fit", "engagement", "score", "reasons"]
        read_only_fields = fields

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, score) -> list[dict]:
        return rendered(score.reasons)

