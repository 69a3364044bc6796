from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from abm_platform.tenancy.models import WorkspaceScopedModel


class StageKind(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Closed won"
    LOST = "lost", "Closed lost"


class OpportunityStage(WorkspaceScopedModel):
    """A workspace's deal stage, in order; the last ones are closed-won and closed-lost."""

    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=StageKind.choices, default=StageKind.OPEN)
    probability = models.PositiveSmallIntegerField(default=0, help_text="Default win probability, %.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="opportunity_stage_unique_name")]

    def __str__(self) -> str:
        return self.name


class Opportunity(WorkspaceScopedModel):
    """A deal with an account. Its stage history feeds win rate, cycle length and velocity."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="opportunities")
    external_id = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    stage = models.ForeignKey(OpportunityStage, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    is_recurring = models.BooleanField(default=False)
    mrr = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    arr = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    created_date = models.DateField()
    expected_close_date = models.DateField(null=True, blank=True)
    closed_date = models.DateField(null=True, blank=True)
    # The campaign that sourced the deal. A plain id: campaigns/ sits above accounts/ in the stack.
    source_campaign_id = models.BigIntegerField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    loss_reason = models.CharField(max_length=255, blank=True)
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "external_id"], condition=~models.Q(external_id=""),
                                    name="opportunity_unique_external_id"),
        ]
        indexes = [
            models.Index(fields=["workspace", "account", "is_open"]),
            models.Index(fields=["workspace", "stage"]),
            models.Index(fields=["workspace", "-created_date"]),
            models.Index(fields=["workspace", "closed_date"]),
        ]

    def __str__(self) -> str:
        return self.name


class OpportunityStageChange(WorkspaceScopedModel):
    """One move of an opportunity between stages, with when it happened."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(OpportunityStage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(OpportunityStage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["workspace", "opportunity", "changed_at"])]
