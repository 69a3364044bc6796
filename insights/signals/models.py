"""Signals: third-party intent, first-party engagement and trigger events, per workspace.

Every signal carries the account it was resolved to. A signal that cannot be resolved (an
unknown domain or e-mail) is kept as an `UnresolvedSignal` and counted in the ingest report,
never dropped silently. Scoring (one layer up) reads these tables with SQL aggregates.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from abm_platform.tenancy.models import WorkspaceScopedModel


class IntentTopic(WorkspaceScopedModel):
    """A topic of the workspace's intent taxonomy. Only selected topics count towards intent
    scores; the weight lets a team say which of them matter most (DOMAIN.md §1.2)."""

    name = models.CharField(max_length=150)
    category = models.CharField(max_length=100, blank=True)
    is_selected = models.BooleanField(default=False, help_text="Counts towards the account intent score.")
    weight = models.FloatField(default=1.0, help_text="Between 0 and 1.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="intent_topic_unique_name"),
            models.CheckConstraint(condition=Q(weight__gt=0) & Q(weight__lte=1), name="intent_topic_weight_range"),
        ]

    def __str__(self) -> str:
        return self.name


class IntentSignal(WorkspaceScopedModel):
    """A provider's weekly surge score (0–100, 50 = the company's usual, ≥ 60 surging) for one
    account and topic. The unique key makes re-delivered files and pushes idempotent."""

    workspace = models.ForeignKey("abm_platform.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="intent_signals",
                                db_index=False)
    topic = models.ForeignKey(IntentTopic, on_delete=models.CASCADE, related_name="signals", db_index=False)
    provider = models.CharField(max_length=50)
    domain = models.CharField(max_length=253)
    week_start = models.DateField()
    score = models.PositiveSmallIntegerField()
    bucket_code = models.CharField(max_length=20, blank=True)
    metro = models.CharField(max_length=100, blank=True)
    metro_score = models.PositiveSmallIntegerField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_start", "topic_id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "provider", "domain", "topic", "week_start"],
                                    name="intent_signal_unique_week"),
            models.CheckConstraint(condition=Q(score__lte=100), name="intent_signal_score_range"),
        ]
        indexes = [
            models.Index(fields=["workspace", "account", "week_start"]),
            models.Index(fields=["workspace", "topic", "week_start"]),
            models.Index(fields=["workspace", "-week_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.domain} · {self.topic_id} · {self.week_start}: {self.score}"


class EngagementType(models.TextChoices):
    WEB_VISIT = "web_visit", "Web visit"
    EMAIL_OPEN = "email_open", "E-mail open"
    EMAIL_CLICK = "email_click", "E-mail click"
    EMAIL_REPLY = "email_reply", "E-mail reply"
    AD_IMPRESSION = "ad_impression", "Ad impression"
    AD_CLICK = "ad_click", "Ad click"
    FORM_FILL = "form_fill", "Form fill"
    CONTENT_DOWNLOAD = "content_download", "Content download"
    WEBINAR_REGISTRATION = "webinar_registration", "Webinar registration"
    WEBINAR_ATTENDANCE = "webinar_attendance", "Webinar attendance"
    EVENT_REGISTRATION = "event_registration", "Event registration"
    EVENT_ATTENDANCE = "event_attendance", "Event attendance"
    MEETING = "meeting", "Meeting"
    CALL = "call", "Call"


class Channel(models.TextChoices):
    """Engagement types grouped the way reasons and predictive features talk about them."""

    WEB = "web", "Web"
    EMAIL = "email", "E-mail"
    ADS = "ads", "Ads"
    CONTENT = "content", "Content and forms"
    EVENTS = "events", "Webinars and events"
    MEETINGS = "meetings", "Meetings"
    CALLS = "calls", "Calls"


class EngagementEvent(WorkspaceScopedModel):
    """One first-party engagement of an account, and of a known person when there is one.

    `minutes` are the weighted engagement minutes of the event (DOMAIN.md §1.3: activity
    minutes × seniority weight), fixed at ingest and re-derived by the reweigh job when the
    workspace changes its rules. `occurred_day` is `occurred_at` as fractional days since
    1970-01-01, so SQL can apply the exponential decay with plain arithmetic on any database.
    `(workspace, source, external_id)` is unique: the same event sent twice is stored once.

    The foreign keys have no database constraints (`db_constraint=False`), like scoring's bulk
    tables: the table holds millions of rows, ingests write hundreds of thousands at a time, and
    the per-row constraint checks at commit were a sixth of the insert's time. The ids are read
    from the database by the ingest's resolution in the same transaction, and deletes of
    workspaces, accounts and contacts still cascade (or set NULL) through Django's `on_delete`."""

    workspace = models.ForeignKey("abm_platform.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False,
                                  db_constraint=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="engagement_events",
                                db_index=False, db_constraint=False)
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="engagement_events", db_index=False, db_constraint=False)
    type = models.CharField(max_length=30, choices=EngagementType.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    occurred_at = models.DateTimeField()
    occurred_day = models.FloatField(help_text="occurred_at in days since 1970-01-01 (for decay in SQL).")
    source = models.CharField(max_length=50)
    external_id = models.CharField(max_length=200)
    url = models.CharField(max_length=500, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    minutes = models.FloatField(help_text="Weighted engagement minutes.")
    half_life_days = models.FloatField()
    is_high_value = models.BooleanField(default=False, help_text="Pricing, demo or contact page; demo request.")
    details = models.JSONField(default=dict, blank=True)
    variant = models.CharField(max_length=20, blank=True,
                               help_text="Which rule of the type applied: premium, demo_request, booth_visit, "
                                         "not_connected (derived from details at ingest).")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "source", "external_id"], name="engagement_event_unique"),
        ]
        indexes = [
            # Covering: a score recompute aggregates each chunk's accounts' events from this index
            # alone (an index-only scan of a range of accounts), never from the time-ordered heap.
            models.Index(fields=["workspace", "account", "occurred_day"],
                         include=["channel", "contact", "minutes", "half_life_days", "is_high_value"],
                         name="engagement_event_account_cover"),
            models.Index(fields=["workspace", "contact", "occurred_day"]),
            models.Index(fields=["workspace", "-occurred_at"]),
            models.Index(fields=["workspace", "type", "-occurred_at"]),
            # The "high-value only" filter: a small index, only the high-value rows are in it.
            models.Index(fields=["workspace", "-occurred_at"], condition=Q(is_high_value=True),
                         name="engagement_event_high_value"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.occurred_at:%Y-%m-%d}"


class TriggerType(models.TextChoices):
    FUNDING = "funding", "Funding round"
    ACQUISITION = "acquisition", "Acquisition"
    LEADERSHIP_CHANGE = "leadership_change", "Leadership change"
    EXPANSION = "expansion", "Expansion"
    HIRING_SURGE = "hiring_surge", "Hiring surge"
    PRODUCT_LAUNCH = "product_launch", "Product launch"


class TriggerEvent(WorkspaceScopedModel):
    """A "why now" event at an account: funding, acquisition, leadership change …"""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="trigger_events")
    type = models.CharField(max_length=20, choices=TriggerType.choices)
    occurred_on = models.DateField()
    summary = models.CharField(max_length=500)
    source_url = models.URLField(max_length=500, blank=True)
    source = models.CharField(max_length=50)
    external_id = models.CharField(max_length=200)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "source", "external_id"], name="trigger_event_unique"),
        ]
        indexes = [
            models.Index(fields=["workspace", "account", "-occurred_on"]),
            models.Index(fields=["workspace", "-occurred_on"]),
            models.Index(fields=["workspace", "type", "-occurred_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.summary[:60]}"


class SignalKind(models.TextChoices):
    INTENT = "intent", "Intent"
    ENGAGEMENT = "engagement", "Engagement"
    TRIGGER = "trigger", "Trigger event"


class UnresolvedSignal(WorkspaceScopedModel):
    """A signal whose domain or e-mail matched no account. Kept (not dropped) so the ingest
    report can count it and a later retry, after the account exists, can resolve it."""

    kind = models.CharField(max_length=12, choices=SignalKind.choices)
    source = models.CharField(max_length=50)
    key = models.CharField(max_length=254, help_text="The domain or e-mail that matched nothing.")
    reason = models.CharField(max_length=255)
    payload = models.JSONField()
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text="Hash of the signal's idempotency key: the same row sent twice is kept once.")
    received_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1, help_text="How often resolution was tried.")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "fingerprint"], condition=~Q(fingerprint=""),
                                    name="unresolved_signal_unique_fingerprint"),
        ]
        indexes = [
            models.Index(fields=["workspace", "kind", "resolved_at"]),
            models.Index(fields=["workspace", "resolved_at", "-received_at"]),
            models.Index(fields=["workspace", "source", "resolved_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.key}"


class ProviderKind(models.TextChoices):
    FILE_DROP = "file_drop", "File drop (CSV/JSON)"
    REST_PUSH = "rest_push", "REST push"
    TRACKING = "tracking", "Website tracking"


class SignalProvider(WorkspaceScopedModel):
    """A configured source of signals. Refresh pulls from the pull-type providers (file drop);
    push-type providers (REST, tracking) deliver on their own and are listed for the record."""

    name = models.CharField(max_length=50, help_text="Stored as the source of every signal it delivers.")
    kind = models.CharField(max_length=12, choices=ProviderKind.choices)
    signal_kind = models.CharField(max_length=12, choices=SignalKind.choices, default=SignalKind.ENGAGEMENT)
    config = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="signal_provider_unique_name")]

    def __str__(self) -> str:
        return self.name


class SignalSettings(WorkspaceScopedModel):
    """Per-workspace refresh cadence and engagement rules (one row per workspace).

    `engagement_rules` overrides the DOMAIN.md §1.3 defaults per engagement type:
    {"web_visit": {"minutes": 1, "half_life_days": 14}, …}; `high_value_paths` and
    `excluded_paths` are URL path fragments (pricing/demo pages; careers/login pages)."""

    refresh_every_days = models.PositiveSmallIntegerField(default=14)
    last_refresh_at = models.DateTimeField(null=True, blank=True)
    next_refresh_at = models.DateTimeField(null=True, blank=True)
    engagement_rules = models.JSONField(default=dict, blank=True)
    high_value_paths = models.JSONField(default=list, blank=True)
    excluded_paths = models.JSONField(default=list, blank=True)
    website_domains = models.JSONField(
        default=list, blank=True,
        help_text="Registrable domains of the company's own website: campaign links to them carry the contact "
                  "token (abm_c) the tracking snippet reads.")
    tracking_key = models.CharField(max_length=64, blank=True,
                                    help_text="Public key the website's tracking snippet sends.")
    tracking_ignored = models.PositiveIntegerField(
        default=0, help_text="Tracking calls with this key that were ignored (forged or unknown contact token).")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "signal settings"
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="signal_settings_one_per_workspace"),
            models.CheckConstraint(condition=Q(refresh_every_days__gte=1), name="signal_refresh_positive"),
            # The tracking endpoint finds the workspace by its key.
            models.UniqueConstraint(fields=["tracking_key"], condition=~Q(tracking_key=""),
                                    name="signal_settings_unique_tracking_key"),
        ]
        indexes = [models.Index(fields=["next_refresh_at"], name="signal_settings_next_refresh")]

    def __str__(self) -> str:
        return f"Signal settings of workspace {self.workspace_id}"
