"""Campaigns: plays of timed steps on channels, enrolments, the touch outbox, the blocks the
suppression engine recorded, owner consents, sales tasks, templates and webhooks.

Delivery you can trust: every touch is first *planned* as a `Touch` row whose key (enrolment,
step, person) is unique; sending is a separate idempotent step that moves a row from planned to
sent exactly once (DOMAIN.md §7; issue 7).
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from abm_platform.tenancy.models import WorkspaceScopedModel
from campaigns.engine.suppression import known_time_zones


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PILOT = "pilot", "Pilot"
    ACTIVE = "active", "Active (expanded)"
    PAUSED = "paused", "Paused"
    STOPPED = "stopped", "Stopped"
    COMPLETED = "completed", "Completed"


class AudienceKind(models.TextChoices):
    TIER = "tier", "A tier"
    SEGMENT = "segment", "A segment"
    TARGET_LIST = "target_list", "A target list"
    ACCOUNTS = "accounts", "Hand-picked accounts"


class Campaign(WorkspaceScopedModel):
    """An objective with a hypothesis and a measurable success metric, an audience of accounts
    and one or more plays. Starts as a pilot on 2–3 accounts; only its owner expands it."""

    name = models.CharField(max_length=150)
    objective = models.CharField(max_length=255)
    hypothesis = models.TextField(help_text="One sentence with a measurable outcome.")
    success_metric = models.CharField(max_length=255)
    end_date = models.DateField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    audience_kind = models.CharField(max_length=12, choices=AudienceKind.choices)
    tier = models.ForeignKey("accounts.Tier", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    segment = models.ForeignKey("accounts.Segment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_list = models.ForeignKey("accounts.TargetList", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    accounts = models.ManyToManyField("accounts.Account", blank=True, related_name="+",
                                      help_text="Hand-picked audience.")
    pilot_accounts = models.ManyToManyField("accounts.Account", blank=True, related_name="+",
                                            help_text="The 2–3 pilot accounts.")
    acquisition_only = models.BooleanField(default=True, help_text="Never touch customers.")
    expanded_at = models.DateTimeField(null=True, blank=True)
    expanded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    expand_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return self.name


class TriggerKind(models.TextChoices):
    MANUAL = "manual", "Manual"
    SCHEDULE = "schedule", "On a schedule"
    BECAME_MQA = "became_mqa", "Account became MQA"
    SCORE_CROSSED = "score_crossed", "Score crossed a threshold"
    STAGE_CHANGED = "stage_changed", "Journey stage changed"
    INTENT_SURGE = "intent_surge", "Intent surge on a topic"
    ENGAGEMENT_SPIKE = "engagement_spike", "Engagement spike"
    TRIGGER_EVENT = "trigger_event", "Trigger event"
    CONTACT_ADDED = "contact_added", "Contact with a role added"
    OPPORTUNITY_CLOSED = "opportunity_closed", "Opportunity closed"


class ExitGoal(models.TextChoices):
    MEETING_BOOKED = "meeting_booked", "Meeting booked"
    OPPORTUNITY_CREATED = "opportunity_created", "Opportunity created"
    STAGE_REACHED = "stage_reached", "Journey stage reached"
    NONE = "none", "Runs to the last step"


class Play(WorkspaceScopedModel):
    """An ordered list of timed steps with a trigger and an exit goal."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="plays")
    name = models.CharField(max_length=150)
    trigger = models.CharField(max_length=20, choices=TriggerKind.choices, default=TriggerKind.MANUAL)
    trigger_config = models.JSONField(default=dict, blank=True)
    exit_goal = models.CharField(max_length=20, choices=ExitGoal.choices, default=ExitGoal.MEETING_BOOKED)
    exit_config = models.JSONField(default=dict, blank=True)
    priority = models.PositiveSmallIntegerField(default=5, help_text="1 = most important; lower plays wait.")
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "priority", "id"]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    AD_AUDIENCE = "ad_audience", "Ad audience"
    DIRECT_MAIL = "direct_mail", "Direct mail"
    EVENT_INVITE = "event_invite", "Event / webinar invitation"
    SALES_TASK = "sales_task", "Sales task"
    WEB_PERSONALISATION = "web_personalisation", "Website personalisation"
    WEBHOOK = "webhook", "Webhook"


class ContentTemplate(WorkspaceScopedModel):
    """Sandboxed Jinja2 content: a subject and body, optional variants per DISC style and A/B
    arms with a fixed split."""

    name = models.CharField(max_length=150)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    disc_variants = models.JSONField(default=dict, blank=True, help_text='{"D": {"subject": …, "body": …}, …}')
    ab_variants = models.JSONField(default=dict, blank=True, help_text='{"B": {"subject": …, "body": …}}')
    ab_split = models.JSONField(default=dict, blank=True, help_text='{"A": 50, "B": 50}')
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AssigneeRule(models.TextChoices):
    OWNER = "owner", "Account owner"
    SDR = "sdr", "Account SDR"


class Step(WorkspaceScopedModel):
    """One timed step on one channel; picks its people inside the account by buying-group role,
    seniority, persona and DISC style."""

    play = models.ForeignKey(Play, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    delay_hours = models.PositiveIntegerField(default=0, help_text="After the previous step (or the enrolment).")
    audience_filter = models.JSONField(default=dict, blank=True,
                                       help_text='{"roles": [...], "seniorities": [...], "personas": [ids], '
                                                 '"disc_styles": [...]}; empty = the whole buying group.')
    template = models.ForeignKey(ContentTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    wait_condition = models.JSONField(default=dict, blank=True, help_text='{"no_reply_days": 3}')
    branch = models.JSONField(default=dict, blank=True,
                              help_text='{"if_engaged_goto": order, "else_goto": order}')
    assignee_rule = models.CharField(max_length=10, choices=AssigneeRule.choices, default=AssigneeRule.OWNER)
    task_kind = models.CharField(max_length=20, blank=True, help_text="call | linkedin | email (sales tasks).")
    is_operational = models.BooleanField(default=False, help_text="Transactional: exempt from caps, still counted.")
    config = models.JSONField(default=dict, blank=True, help_text="Channel settings (webhook event, ad platform …).")

    history = HistoricalRecords()

    class Meta:
        ordering = ["play", "order"]
        constraints = [models.UniqueConstraint(fields=["play", "order"], name="step_unique_order")]

    def __str__(self) -> str:
        return f"{self.play} · step {self.order}"


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    EXITED = "exited", "Exited (goal reached)"
    LEFT_AUDIENCE = "left_audience", "Left the audience"
    BLOCKED = "blocked", "Blocked"
    STOPPED = "stopped", "Stopped"


class Enrolment(WorkspaceScopedModel):
    """An account in a play. At most one active enrolment per (play, account)."""

    play = models.ForeignKey(Play, on_delete=models.CASCADE, related_name="enrolments")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=14, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE)
    is_pilot = models.BooleanField(default=False)
    trigger_reason = models.CharField(max_length=255, blank=True)
    next_step_order = models.PositiveSmallIntegerField(default=1)
    next_step_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["play", "account"], condition=Q(status="active"),
                                               name="enrolment_one_active_per_play_account")]
        indexes = [models.Index(fields=["workspace", "status", "next_step_at"]),
                   models.Index(fields=["workspace", "account", "status"])]

    def __str__(self) -> str:
        return f"{self.account_id} in {self.play_id}"


class TouchStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DEFERRED = "deferred", "Deferred (quiet hours)"
    BLOCKED = "blocked", "Blocked"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Touch(WorkspaceScopedModel):
    """One planned contact with one person (or one account, for account-level channels) on one
    channel: the outbox. `key` = enrolment:step:person is unique, so planning twice plans once."""

    workspace = models.ForeignKey("abm_platform.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=80)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="touches", db_index=False)
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="touches", db_index=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="touches", db_index=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+", db_index=False)
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+", db_index=False)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    is_operational = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=TouchStatus.choices, default=TouchStatus.PLANNED)
    planned_at = models.DateTimeField()
    block_rule = models.PositiveSmallIntegerField(null=True, blank=True)
    block_code = models.CharField(max_length=30, blank=True)
    block_reason = models.CharField(max_length=255, blank=True)
    variant = models.CharField(max_length=20, blank=True, help_text="A/B arm and DISC variant used.")
    subject = models.CharField(max_length=255, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    provider_id = models.CharField(max_length=255, blank=True, help_text="Message-ID, task id, export file …")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-planned_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="touch_unique_key")]
        indexes = [
            models.Index(fields=["workspace", "status", "planned_at"]),
            models.Index(fields=["workspace", "campaign", "status"]),
            models.Index(fields=["workspace", "account", "-planned_at"]),
            models.Index(fields=["workspace", "contact", "-planned_at"]),
            models.Index(fields=["workspace", "block_code"]),
            # Deleting enrolments (a play, a campaign) checks and cascades to their touches.
            models.Index(fields=["enrolment"], name="touch_enrolment"),
        ]

    def __str__(self) -> str:
        return self.key


class OwnerConsent(WorkspaceScopedModel):
    """An account owner's yes to marketing touching an account sales is working, for one play,
    until it expires."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    play = models.ForeignKey(Play, on_delete=models.CASCADE, related_name="owner_consents")
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    comment = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["workspace", "account", "play", "expires_at"])]

    def __str__(self) -> str:
        return f"consent {self.account_id}/{self.play_id} until {self.expires_at:%Y-%m-%d}"


def validate_time_zone(value: str) -> None:
    """An IANA time zone name, as quiet hours read it (planning would stop on any other)."""
    if value not in known_time_zones():
        raise ValidationError(f"{value!r} is not a time zone name (e.g. Europe/Berlin, America/New_York).")


class FrequencySettings(WorkspaceScopedModel):
    """Caps and quiet hours (DOMAIN.md §7.4 defaults), one row per workspace."""

    email_per_day = models.PositiveSmallIntegerField(default=1)
    email_per_7_days = models.PositiveSmallIntegerField(default=2)
    touches_per_contact_7_days = models.PositiveSmallIntegerField(default=3)
    touches_per_account_7_days = models.PositiveSmallIntegerField(default=10)
    window_start_hour = models.PositiveSmallIntegerField(default=8, validators=[MaxValueValidator(23)])
    window_end_hour = models.PositiveSmallIntegerField(default=18, validators=[MaxValueValidator(23)])
    default_timezone = models.CharField(max_length=50, default="Europe/Berlin", validators=[validate_time_zone])

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "frequency settings"
        constraints = [models.UniqueConstraint(fields=["workspace"], name="frequency_settings_one_per_workspace")]

    def clean(self) -> None:
        if self.window_start_hour is not None and self.window_end_hour is not None \
                and self.window_start_hour >= self.window_end_hour:
            raise ValidationError({"window_end_hour": "The send window must end after it starts."})

    def __str__(self) -> str:
        return f"caps {self.email_per_day}/day, {self.email_per_7_days}/7 days"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"


class SalesTask(WorkspaceScopedModel):
    """A call, LinkedIn touch or personal e-mail a play asks a rep to do."""

    touch = models.OneToOneField(Touch, on_delete=models.CASCADE, related_name="task")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)
    title = models.CharField(max_length=255)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome = models.CharField(max_length=255, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["workspace", "assignee", "status", "due_at"])]

    def __str__(self) -> str:
        return self.title


class WebhookSubscription(WorkspaceScopedModel):
    """An endpoint of another tool that receives HMAC-SHA256-signed events."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128)
    events = models.JSONField(default=list, help_text='e.g. ["touch.sent", "account.mqa"]')
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed"


class WebhookDelivery(WorkspaceScopedModel):
    """One event sent to one subscription, with every attempt logged; a failed one can be replayed."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=50)
    idempotency_key = models.CharField(max_length=100)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "idempotency_key"],
                                               name="webhook_delivery_unique_key")]
        indexes = [models.Index(fields=["workspace", "status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id}"
