from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from abm_platform.tenancy.models import WorkspaceScopedModel


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    DONE = "done", "Done"


class AccountPlan(WorkspaceScopedModel):
    """The account team's plan for a target account. Every save is a version (history);
    `reviewed_by/at` say who last confirmed it is current."""

    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE, related_name="plan")
    objectives = models.TextField(blank=True)
    pains = models.TextField(blank=True, help_text="Known pains, one per line.")
    value_hypothesis = models.TextField(blank=True)
    initiatives = models.TextField(blank=True, help_text="Key initiatives at the account, one per line.")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Plan for account {self.account_id} (v{self.version})"


class PlanStep(WorkspaceScopedModel):
    """A dated next step of an account plan."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="steps")
    text = models.CharField(max_length=255)
    due_date = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["done_at", "due_date", "id"]
