from django.conf import settings
from django.db import models

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
