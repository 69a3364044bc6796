from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from simple_history.models import HistoricalRecords

from abm_platform.tenancy.models import WorkspaceScopedModel


class AttributeType(models.TextChoices):
    NUMBER = "number", "Number"
    TEXT = "text", "Text"
    CHOICE = "choice", "Choice"
    BOOLEAN = "boolean", "Yes / no"


class AttributeDefinition(WorkspaceScopedModel):
    """A custom account attribute the team defines for its ICP (shipment volume, fulfilment
    model …). Values live in `Account.attributes[key]`, typed and validated by this definition."""

    key = models.SlugField(max_length=50, help_text="Used in imports as attr_<key> and in filters.")
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=AttributeType.choices)
    choices = models.JSONField(default=list, blank=True, help_text="Allowed values of a choice attribute.")
    description = models.CharField(max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="attribute_unique_key")]

    def __str__(self) -> str:
        return self.label


class AccountGroup(WorkspaceScopedModel):
    """An admin-defined grouping: SMB / mid-market / enterprise, an industry cluster …"""

    name = models.CharField(max_length=80)
    description = models.CharField(max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="account_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class JourneyStage(models.TextChoices):
    """Where the account is in its buying journey; set by scoring by the rules in
    scoring/engine/stages.py (bottom-up, first match wins)."""

    TARGET = "target", "Target"
    AWARE = "aware", "Aware"
    ENGAGED = "engaged", "Engaged"
    MQA = "mqa", "MQA"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"


class Relationship(models.TextChoices):
    """What the company is to us. Competitors, partners, vendors and disqualified companies are
    never touched by campaigns; customers are skipped by acquisition-only plays."""

    PROSPECT = "prospect", "Prospect"
    CUSTOMER = "customer", "Customer"
    COMPETITOR = "competitor", "Competitor"
    PARTNER = "partner", "Partner"
    VENDOR = "vendor", "Vendor"
    DISQUALIFIED = "disqualified", "Disqualified"


# The relationships campaigns never touch (rule 2 of the suppression engine).
NEVER_CONTACTED = (Relationship.COMPETITOR, Relationship.PARTNER, Relationship.VENDOR, Relationship.DISQUALIFIED)


class Account(WorkspaceScopedModel):
    """A company the ABM program may target. Domains and CRM ids live in AccountIdentifier (so
    no two accounts of a workspace share one); `domain` and `external_id` here are copies of the
    primary ones, for listing and sorting. Written only through accounts.services."""

    # Every filter index below starts with the workspace, so the plain FK indexes on workspace,
    # tier, group and owner would only slow down imports.
    workspace = models.ForeignKey("abm_platform.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False)
    name = models.CharField(max_length=200)
    external_id = models.CharField(max_length=100, blank=True, help_text="Primary CRM id.")
    domain = models.CharField(max_length=253, blank=True, help_text="Primary registrable domain, normalised.")
    website = models.URLField(max_length=300, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2.")
    region = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    # The postal address (with city, region and country above): what a print-and-post vendor
    # needs for direct mail.
    street = models.CharField(max_length=200, blank=True, help_text="Street and number (postal address).")
    postal_code = models.CharField(max_length=20, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text="Account executive.", db_index=False)
    sdr = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    tier = models.ForeignKey("accounts.Tier", null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts",
                             db_index=False)
    group = models.ForeignKey(AccountGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts",
                              db_index=False)
    is_target = models.BooleanField(default=False, help_text="Approved on a target list.")
    relationship = models.CharField(max_length=12, choices=Relationship.choices, default=Relationship.PROSPECT)
    has_open_opportunity = models.BooleanField(default=False, help_text="Kept by the opportunity services.")
    # Written only by scoring's recompute, all at once when a run finishes (DESIGN.md §3.1):
    # columns so lists sort and filter by them with one indexed query. Reasons and history
    # live in scoring.
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Combined account score 0–100.")
    score_change = models.SmallIntegerField(null=True, blank=True, help_text="Change since the previous recompute.")
    is_mqa = models.BooleanField(default=False, help_text="Marketing-qualified account.")
    journey_stage = models.CharField(max_length=12, choices=JourneyStage.choices, default=JourneyStage.TARGET)
    scored_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "has_open_opportunity", "score", "score_change",
                                                 "is_mqa", "journey_stage", "scored_at"])

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["workspace", "name"]),
            models.Index(fields=["workspace", "domain"]),
            models.Index(fields=["workspace", "tier"]),
            models.Index(fields=["workspace", "group"]),
            models.Index(fields=["workspace", "owner"]),
            models.Index(fields=["workspace", "industry"]),
            models.Index(fields=["workspace", "country"]),
            models.Index(fields=["workspace", "employees"]),
            models.Index(fields=["workspace", "annual_revenue"]),
            # PostgreSQL also gets (workspace, employees/revenue DESC NULLS LAST) for "biggest
            # first" sorts: migration 0006 (SQLite cannot index NULLS LAST).
            models.Index(fields=["workspace", "is_target"]),
            models.Index(fields=["workspace", "has_open_opportunity"]),
            models.Index(fields=["workspace", "-updated_at"]),
            models.Index(fields=["workspace", "score"]),
            models.Index(fields=["workspace", "score_change"]),
            models.Index(fields=["workspace", "is_mqa", "score"]),
            models.Index(fields=["workspace", "journey_stage"]),
        ]

    def __str__(self) -> str:
        return self.name


class IdentifierKind(models.TextChoices):
    DOMAIN = "domain", "Domain"
    EXTERNAL_ID = "external_id", "CRM id"
    ALIAS = "alias", "Name alias"  # learned from lead-to-account reviews, normalised


class AccountIdentifier(WorkspaceScopedModel):
    """A domain or CRM id that identifies exactly one account of the workspace. The unique
    constraint is what guarantees that two accounts never share one."""

    workspace = models.ForeignKey("abm_platform.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="identifiers", db_index=False)
    kind = models.CharField(max_length=20, choices=IdentifierKind.choices)
    value = models.CharField(max_length=253)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "value"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "value"], name="account_identifier_unique"),
        ]
        indexes = [models.Index(fields=["account", "kind"])]

    def __str__(self) -> str:
        return self.value


class AccountTechnology(WorkspaceScopedModel):
    """A technology the account uses (technographics), one row each so filters use an index."""

    workspace = models.ForeignKey("abm_platform.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="technologies", db_index=False)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="account_technology_unique")]
        # Filters compare names case-insensitively: index UPPER(name).
        indexes = [models.Index(models.F("workspace"), Upper("name"), name="account_tech_ws_upper_name")]

    def __str__(self) -> str:
        return self.name
