from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from abm_platform.tenancy.models import WorkspaceScopedModel


class EngagementModel(models.TextChoices):
    ONE_TO_ONE = "one_to_one", "One-to-one (strategic)"
    ONE_TO_FEW = "one_to_few", "One-to-few (ABM lite)"
    ONE_TO_MANY = "one_to_many", "One-to-many (programmatic)"


class BuyingGroupRole(models.TextChoices):
    """Buying-center roles (DOMAIN.md §3.1). Defined here, at the bottom of the stack, because
    tiers declare which roles they expect covered; contacts/ assigns them to people."""

    DECISION_MAKER = "decision_maker", "Decision maker"
    ECONOMIC_BUYER = "economic_buyer", "Economic buyer"
    CHAMPION = "champion", "Champion"
    COACH = "coach", "Coach"
    INFLUENCER = "influencer", "Influencer"
    USER = "user", "User"
    TECHNICAL_EVALUATOR = "technical_evaluator", "Technical evaluator (IT)"
    PROCUREMENT = "procurement", "Procurement"
    GATEKEEPER = "gatekeeper", "Gatekeeper"
    BLOCKER = "blocker", "Blocker"


class Tier(WorkspaceScopedModel):
    """An admin-defined account tier: how much bespoke work an account gets (DOMAIN.md §5)."""

    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField(default=1, help_text="1 is the most strategic tier.")
    engagement_model = models.CharField(max_length=20, choices=EngagementModel.choices)
    max_accounts = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    description = models.TextField(blank=True)
    expected_roles = models.JSONField(default=list, blank=True,
                                      help_text="Buying-group roles every account of this tier should have covered.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="tier_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def expected_role_labels(self) -> list[str]:
        labels = dict(BuyingGroupRole.choices)
        return [labels.get(role, role) for role in self.expected_roles]


class TierChange(WorkspaceScopedModel):
    """An account moved between tiers: who, when and why."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["workspace", "account", "-changed_at"])]
