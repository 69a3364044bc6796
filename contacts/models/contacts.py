from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from abm_platform.tenancy.models import WorkspaceScopedModel


class Seniority(models.TextChoices):
    C_LEVEL = "c_level", "C-level"
    VP = "vp", "VP"
    DIRECTOR = "director", "Director/Head"
    MANAGER = "manager", "Manager"
    PRACTITIONER = "practitioner", "Practitioner"


class LifecycleStage(models.TextChoices):
    LEAD = "lead", "Lead"
    MQL = "mql", "MQL"
    SAL = "sal", "SAL"
    SQL = "sql", "SQL"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"


class ConsentStatus(models.TextChoices):
    OPTED_IN = "opted_in", "Opted in"
    UNKNOWN = "unknown", "Unknown"
    OPTED_OUT = "opted_out", "Opted out"


class MatchStatus(models.TextChoices):
    """How the contact's account was decided (lead-to-account matching)."""

    AUTO = "auto", "Linked automatically"
    REVIEW = "review", "Waiting in the review queue"
    NONE = "none", "No account found"
    MANUAL = "manual", "Set by a person"


class ContactSource(models.TextChoices):
    IMPORT = "import", "Import"
    API = "api", "API / CRM"
    FORM = "form", "Form"
    MANUAL = "manual", "Entered by hand"
    EVENT = "event", "Event"


CHANNELS = ("email", "phone", "ads", "direct_mail")


class Contact(WorkspaceScopedModel):
    """A person: a lead until matched to an account, then a member of its buying group.
    Inferred values (roles, seniority, persona) keep their reason and can be overridden; the
    `*_source` fields say which. Written only through contacts.services."""

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=50, blank=True)
    country = models.CharField(max_length=2, blank=True)
    time_zone = models.CharField(max_length=50, blank=True, help_text="IANA name; empty: from the country.")
    company_name = models.CharField(max_length=200, blank=True, help_text="The company as the person gave it.")
    website = models.CharField(max_length=300, blank=True, help_text="The website as given.")
    external_id = models.CharField(max_length=100, blank=True, help_text="CRM id.")
    source = models.CharField(max_length=20, choices=ContactSource.choices, default=ContactSource.MANUAL)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    account = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="contacts")
    match_status = models.CharField(max_length=10, choices=MatchStatus.choices, default=MatchStatus.NONE)
    match_confidence = models.FloatField(null=True, blank=True)
    match_method = models.CharField(max_length=30, blank=True)
    match_reasons = models.JSONField(default=list, blank=True)

    roles = models.JSONField(default=list, blank=True, help_text="Buying-group role codes.")
    roles_manual = models.BooleanField(default=False, help_text="Set by a person: inference leaves them alone.")
    seniority = models.CharField(max_length=20, choices=Seniority.choices, blank=True)
    seniority_manual = models.BooleanField(default=False)
    inference_reasons = models.JSONField(default=list, blank=True)
    persona = models.ForeignKey("contacts.Persona", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="contacts")
    persona_manual = models.BooleanField(default=False)
    persona_reason = models.CharField(max_length=255, blank=True)
    disc_style = models.CharField(max_length=2, blank=True, help_text="Current DISC blend (12-style circle).")

    lifecycle_stage = models.CharField(max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.LEAD)
    # Score columns written by scoring/ (DESIGN.md §3.1: lists sort by them without importing scoring).
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    engagement_score = models.PositiveSmallIntegerField(null=True, blank=True,
                                                        help_text="The person's own engagement 0–100, decayed.")

    consent_email = models.CharField(max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.UNKNOWN)
    consent_phone = models.CharField(max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.UNKNOWN)
    consent_ads = models.CharField(max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.UNKNOWN)
    consent_direct_mail = models.CharField(max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.UNKNOWN)
    consent_log = models.JSONField(default=list, blank=True,
                                   help_text="[{channel, status, at, how}] — when and how each consent changed.")

    erased_at = models.DateTimeField(null=True, blank=True, help_text="Personal data removed on request.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "score", "engagement_score"])

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], condition=~models.Q(email=""),
                                    name="contact_unique_email"),
            models.UniqueConstraint(fields=["workspace", "external_id"], condition=~models.Q(external_id=""),
                                    name="contact_unique_external_id"),
        ]
        indexes = [
            models.Index(fields=["workspace", "account"]),
            models.Index(fields=["workspace", "match_status"]),
            models.Index(fields=["workspace", "lifecycle_stage"]),
            models.Index(fields=["workspace", "seniority"]),
            models.Index(fields=["workspace", "persona"]),
            models.Index(fields=["workspace", "last_name", "first_name"]),
            models.Index(fields=["workspace", "-score"]),
            models.Index(fields=["workspace", "-updated_at"]),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or f"Contact #{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def consent(self, channel: str) -> str:
        return getattr(self, f"consent_{channel}")


class LifecycleTransition(WorkspaceScopedModel):
    """One move of a contact through Lead → MQL → SAL → SQL → Opportunity → Customer."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="lifecycle_transitions")
    from_stage = models.CharField(max_length=20, choices=LifecycleStage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=LifecycleStage.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["workspace", "contact", "-changed_at"])]
