from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from abm_platform.tenancy.models import WorkspaceScopedModel


class Hold(WorkspaceScopedModel):
    """'Do not cold-contact': a rep is closing this account. Active until it expires or is released."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="holds")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=255)
    placed_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-placed_at"]
        indexes = [models.Index(fields=["workspace", "account", "expires_at"])]

    def __str__(self) -> str:
        return f"Hold on {self.account_id}: {self.reason}"
