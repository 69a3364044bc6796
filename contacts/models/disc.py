from django.conf import settings
from django.db import models

from abm_platform.tenancy.models import WorkspaceScopedModel


class DiscSource(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", "Questionnaire after a call"
    OBSERVED = "observed", "Observed by a rep"
    SELF_REPORTED = "self_reported", "Self-reported"
    IMPORTED = "imported", "Imported"


class DiscAssessment(WorkspaceScopedModel):
    """One DISC assessment of a contact; the latest sets Contact.disc_style."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="disc_assessments")
    primary = models.CharField(max_length=1)
    blend = models.CharField(max_length=2)
    source = models.CharField(max_length=20, choices=DiscSource.choices)
    confidence = models.FloatField()
    answers = models.JSONField(default=dict, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["workspace", "contact", "-recorded_at"])]
