from django.conf import settings
from django.db import models

from abm_platform.tenancy.models import WorkspaceScopedModel


class TargetListStatus(models.TextChoices):
    OPEN = "open", "Open for nominations"
    IN_REVIEW = "in_review", "Submitted for approval"
    DECIDED = "decided", "Decided"


class NominationStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class TargetList(WorkspaceScopedModel):
    """A target-account program the team agrees on ("FY27 H1 program"): nominated by marketing
    and sales, reviewed by teammates, approved by an executive; can be expanded later (reopened)."""

    name = models.CharField(max_length=120)
    criteria = models.TextField(blank=True, help_text="The selection criteria the team agreed.")
    status = models.CharField(max_length=12, choices=TargetListStatus.choices, default=TargetListStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class TargetListNomination(WorkspaceScopedModel):
    """An account proposed for a target list, with the rationale and the executive's decision."""

    target_list = models.ForeignKey(TargetList, on_delete=models.CASCADE, related_name="nominations")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="nominations")
    proposed_tier = models.ForeignKey("accounts.Tier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rationale = models.TextField()
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    nominated_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=NominationStatus.choices, default=NominationStatus.PROPOSED)
    is_pilot = models.BooleanField(default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-is_pilot", "nominated_at", "id"]
        constraints = [models.UniqueConstraint(fields=["target_list", "account"], name="nomination_unique_account")]
        indexes = [models.Index(fields=["workspace", "target_list", "status"])]

    def __str__(self) -> str:
        return f"{self.account} on {self.target_list}"


class NominationFeedback(WorkspaceScopedModel):
    """A teammate's endorsement of, or objection to, a nomination."""

    class Kind(models.TextChoices):
        ENDORSE = "endorse", "Endorse"
        OBJECT = "object", "Object"

    nomination = models.ForeignKey(TargetListNomination, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["nomination", "author"], name="feedback_one_per_author")]


class TargetListEvent(WorkspaceScopedModel):
    """Every step of a target list's life, in order: the workflow's own audit trail."""

    target_list = models.ForeignKey(TargetList, on_delete=models.CASCADE, related_name="events")
    nomination = models.ForeignKey(TargetListNomination, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=30)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["workspace", "target_list", "created_at"])]
