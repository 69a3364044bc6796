from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from abm_platform.tenancy.models import WorkspaceScopedModel


class SegmentKind(models.TextChoices):
    DYNAMIC = "dynamic", "Saved filter (re-evaluated on read)"
    STATIC = "static", "Static list"


class Segment(WorkspaceScopedModel):
    """A named set of accounts: either a saved filter (the accounts list's own query string,
    re-evaluated every time it is read) or a static list of members."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=SegmentKind.choices)
    filters = models.JSONField(default=dict, blank=True, help_text="Account filter parameters (dynamic segments).")
    description = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="segment_unique_name")]

    def __str__(self) -> str:
        return self.name


class SegmentMember(WorkspaceScopedModel):
    """An account on a static segment."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "account"], name="segment_member_unique")]
        indexes = [models.Index(fields=["workspace", "account"])]
