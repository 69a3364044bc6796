from django.db import models
from simple_history.models import HistoricalRecords

from abm_platform.tenancy.models import WorkspaceScopedModel


class Persona(WorkspaceScopedModel):
    """A typical buyer the team writes for (DOMAIN.md §3.4), with the rules that assign contacts."""

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    default_roles = models.JSONField(default=list, blank=True)
    seniorities = models.JSONField(default=list, blank=True)
    departments = models.JSONField(default=list, blank=True)
    title_keywords = models.JSONField(default=list, blank=True, help_text="Any of these in the title assigns it.")
    title_keywords_exclude = models.JSONField(default=list, blank=True)
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower wins when several match.")
    goals = models.TextField(blank=True)
    pains = models.TextField(blank=True)
    objections = models.TextField(blank=True)
    preferred_formats = models.JSONField(default=list, blank=True)
    preferred_channels = models.JSONField(default=list, blank=True)
    key_messages = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="persona_unique_name")]

    def __str__(self) -> str:
        return self.name


class TitleRule(WorkspaceScopedModel):
    """A workspace's own rule for reading job titles; it takes precedence over the built-in ones."""

    pattern = models.CharField(max_length=100, help_text="Words to find in the title (case-insensitive).")
    field = models.CharField(max_length=20, choices=[("seniority", "Seniority"), ("department", "Department"),
                                                     ("role", "Buying-group role")])
    value = models.CharField(max_length=50)
    priority = models.PositiveSmallIntegerField(default=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "id"]
