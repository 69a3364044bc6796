from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from abm_platform.tenancy.models import WorkspaceScopedModel
from abm_platform.tenancy.roles import Role


class Workspace(models.Model):
    """A tenant: one company's ABM program. Nothing of one workspace is visible to another."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    default_currency = models.CharField(max_length=3, default="USD")
    timezone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(WorkspaceScopedModel):
    """A user's seat in a workspace, with the one role that decides what they may do there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user_per_workspace"),
        ]
        indexes = [models.Index(fields=["workspace", "role"])]
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    @staticmethod
    def audit_label(record) -> str:
        return f"{record.user.email if record.user else record.user_id} ({record.role})"
