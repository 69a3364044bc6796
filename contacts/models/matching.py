from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from abm_platform.tenancy.models import WorkspaceScopedModel


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting"
    ACCEPTED = "accepted", "Accepted"
    REASSIGNED = "reassigned", "Another account picked"
    REJECTED = "rejected", "No account"
    NEW_ACCOUNT = "new_account", "New account created"


class MatchReview(WorkspaceScopedModel):
    """A lead the matcher was unsure about: a person decides. Accepting records the company
    name as an alias of the account, so the next lead with that name matches directly."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="match_reviews")
    suggested_account = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    confidence = models.FloatField(default=0)
    candidates = models.JSONField(default=list, blank=True, help_text="[{account_id, score}]")
    reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-confidence", "created_at"]
        constraints = [models.UniqueConstraint(fields=["contact"], condition=models.Q(status="open"),
                                               name="match_review_one_open_per_contact")]
        indexes = [models.Index(fields=["workspace", "status", "-confidence"])]


class MatchingSettings(WorkspaceScopedModel):
    """A workspace's lead-to-account thresholds: at or above `auto_threshold` a lead is linked
    automatically, at or above `review_threshold` it goes to the review queue, below it stays
    unmatched. Admins change them in the admin (Contacts → Matching settings)."""

    auto_threshold = models.FloatField(default=0.90)
    review_threshold = models.FloatField(default=0.60)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "matching settings"
        constraints = [models.UniqueConstraint(fields=["workspace"], name="matching_settings_one_per_workspace")]

    def clean(self):
        from django.core.exceptions import ValidationError

        if not 0 <= self.review_threshold <= self.auto_threshold <= 1:
            raise ValidationError("Thresholds must satisfy 0 ≤ review ≤ auto ≤ 1.")

    def __str__(self) -> str:
        return f"auto ≥ {self.auto_threshold:.2f}, review ≥ {self.review_threshold:.2f}"
