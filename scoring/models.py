"""Scoring: the ICP, the agreed weights, recompute runs with their chunks, score snapshots with
reasons (the history), predictive models with their measured quality, and stage changes.

Current values that lists sort by (score, MQA, journey stage) are columns on `Account` and
`Contact`; they are written only by `scoring.services.recompute` when a run finishes.

The rows a recompute writes in bulk (snapshots, contact scores, a run's staged activity) have
foreign keys without database constraints (`db_constraint=False`): per-row constraint triggers
were a third of the write time at 100k accounts / 1M contacts. The ids come from the database
within the same run, and deletes cascade through Django's `on_delete` as before.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from abm_platform.tenancy.models import WorkspaceScopedModel


class CriterionKind(models.TextChoices):
    INDUSTRY = "industry", "Industry"
    EMPLOYEES = "employees", "Employees"
    REVENUE = "revenue", "Annual revenue"
    COUNTRY = "country", "Country"
    REGION = "region", "Region"
    TECHNOLOGY = "technology", "Uses technology"
    ATTRIBUTE = "attribute", "Custom attribute"


class IcpCriterion(WorkspaceScopedModel):
    """One weighted criterion of the workspace's ideal customer profile (DOMAIN.md §1.1).

    `config` by kind — industry/country/region: {"values": [...], "adjacent": [...]};
    employees/revenue: {"min": n, "max": n} (one band away counts half);
    technology: {"values": [...], "k": 2}; attribute: {"key": "...", "op": "eq|in|gte|lte|true",
    "value": ...}. A disqualifier zeroes fit when it matches (`values` are then the excluded ones).
    """

    kind = models.CharField(max_length=12, choices=CriterionKind.choices)
    label = models.CharField(max_length=120)
    weight = models.FloatField(default=1.0)
    config = models.JSONField(default=dict)
    is_disqualifier = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.CheckConstraint(condition=Q(weight__gte=0), name="icp_criterion_weight_positive")]

    def __str__(self) -> str:
        return self.label


class WeightsStatus(models.TextChoices):
    DRAFT = "draft", "Draft (awaiting sign-off)"
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Superseded"


class ScoringWeights(WorkspaceScopedModel):
    """A version of the weights marketing and sales agreed on. It becomes active only when both
    a marketer and a seller signed it off; the active one is what recompute uses."""

    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=WeightsStatus.choices, default=WeightsStatus.DRAFT)
    fit = models.FloatField(default=0.35)
    intent = models.FloatField(default=0.20)
    engagement = models.FloatField(default=0.30)
    predictive = models.FloatField(default=0.15)
    contact_fit = models.FloatField(default=0.5, help_text="Contact score: share of persona fit.")
    contact_engagement = models.FloatField(default=0.5, help_text="Contact score: share of engagement.")
    engagement_ref_minutes = models.FloatField(default=50, help_text="Weighted minutes that make engagement ≈ 63.")
    no_decision_maker_penalty = models.PositiveSmallIntegerField(default=10)
    trigger_bonus = models.PositiveSmallIntegerField(default=5, help_text="Per trigger event in the last 90 days.")
    trigger_bonus_max = models.PositiveSmallIntegerField(default=10)
    mqa_threshold = models.PositiveSmallIntegerField(default=70)
    mqa_min_fit = models.PositiveSmallIntegerField(default=50)
    mqa_exit_margin = models.PositiveSmallIntegerField(default=10, help_text="Leave MQA below threshold − margin twice.")
    mql_threshold = models.PositiveSmallIntegerField(default=60, help_text="Contact score that makes a lead an MQL.")
    tier_thresholds = models.JSONField(default=dict, blank=True,
                                       help_text='Minimum score per tier order, e.g. {"1": 80, "2": 60, "3": 40}.')
    note = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    marketing_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+")
    marketing_approved_at = models.DateTimeField(null=True, blank=True)
    sales_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    sales_approved_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "scoring weights"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "version"], name="scoring_weights_unique_version"),
            models.UniqueConstraint(fields=["workspace"], condition=Q(status="active"),
                                    name="scoring_weights_one_active"),
        ]

    def __str__(self) -> str:
        return f"Weights v{self.version} ({self.get_status_display()})"

    @property
    def components(self) -> dict[str, float]:
        return {"fit": self.fit, "intent": self.intent, "engagement": self.engagement, "predictive": self.predictive}


class ModelStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INSUFFICIENT = "insufficient", "Not enough history"
    REJECTED = "rejected", "Did not validate"
    RETIRED = "retired", "Replaced"


class PredictiveModel(WorkspaceScopedModel):
    """A model trained on the workspace's own won/lost history, with its validation figures.
    Only an `active` model scores accounts; a new one replaces it only once it validates."""

    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=ModelStatus.choices)
    message = models.CharField(max_length=500, blank=True, help_text="Why it is not active, in plain words.")
    trained_at = models.DateTimeField(auto_now_add=True)
    positives = models.PositiveIntegerField(default=0, help_text="Distinct accounts that opened an opportunity.")
    negatives = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    features = models.JSONField(default=list, blank=True)
    artifact = models.BinaryField(null=True, blank=True, help_text="The fitted pipeline (joblib).")
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "version"], name="predictive_model_unique_version"),
            models.UniqueConstraint(fields=["workspace"], condition=Q(status="active"),
                                    name="predictive_model_one_active"),
        ]

    def __str__(self) -> str:
        return f"Model v{self.version} ({self.get_status_display()})"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class ScoringRun(WorkspaceScopedModel):
    """One recompute of every account, split into chunks any worker can take. Its snapshots
    become the current scores only when the last chunk is done and `finish` swaps them in, in
    one transaction; until then readers keep seeing the previous finished run."""

    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    job = models.ForeignKey("abm_platform.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    weights = models.ForeignKey(ScoringWeights, on_delete=models.PROTECT, related_name="+")
    model = models.ForeignKey(PredictiveModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    previous_run = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    as_of = models.DateTimeField(help_text="The moment the scores describe; fixed for the whole run.")
    chunks_total = models.PositiveIntegerField(default=0)
    account_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["workspace", "status", "-finished_at"])]

    def __str__(self) -> str:
        return f"Recompute {self.pk} ({self.get_status_display()})"


class ChunkStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class ScoringChunk(WorkspaceScopedModel):
    """A range of account ids of a run. Claimed with one conditional UPDATE; a chunk whose
    worker went silent is claimed again, and computing it again replaces its rows."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    first_account_id = models.BigIntegerField()
    last_account_id = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="scoring_chunk_unique_number")]

    def __str__(self) -> str:
        return f"Run {self.run_id} chunk {self.number}"


class ScoreSnapshot(WorkspaceScopedModel):
    """An account's scores as one run computed them, with the reasons that add up to the score.
    Snapshots of finished runs are the score history; those of an unfinished run are invisible."""

    workspace = models.ForeignKey("abm_platform.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False,
                                  db_constraint=False)
    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="snapshots", db_index=False,
                            db_constraint=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="score_snapshots",
                                db_index=False, db_constraint=False)
    computed_at = models.DateTimeField()
    fit = models.PositiveSmallIntegerField()
    intent = models.PositiveSmallIntegerField()
    engagement = models.PositiveSmallIntegerField()
    predictive = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: no validated model.")
    probability = models.FloatField(null=True, blank=True, help_text="Calibrated chance of an opportunity in 90 days.")
    score = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list, help_text='[{"points": 18, "text": "…", "component": "intent"}], Σ = score')
    component_reasons = models.JSONField(default=dict, help_text="Each component's own reasons, Σ = component.")
    facts = models.JSONField(default=dict, help_text="Breadth, surging topics, minutes … as computed.")
    is_mqa = models.BooleanField(default=False)
    below_exit_runs = models.PositiveSmallIntegerField(default=0, help_text="Consecutive runs below the MQA exit line.")
    journey_stage = models.CharField(max_length=12)
    tier_suggestion = models.ForeignKey("accounts.Tier", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    contact_rollup = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-computed_at"]
        constraints = [models.UniqueConstraint(fields=["run", "account"], name="score_snapshot_unique")]
        indexes = [models.Index(fields=["workspace", "account", "-computed_at"])]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.score} ({self.computed_at:%Y-%m-%d})"


class ContactScore(WorkspaceScopedModel):
    """A contact's score as a run computed it, with its reasons. A run writes a row only for the
    contacts whose score, components or reasons changed; when it finishes, the rows it
    superseded are deleted. So each contact has one row among finished runs: its current score
    (contact history is not kept, account history is)."""

    workspace = models.ForeignKey("abm_platform.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False,
                                  db_constraint=False)
    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="contact_scores", db_index=False,
                            db_constraint=False)
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="scores", db_index=False,
                                db_constraint=False)
    account_id = models.BigIntegerField(help_text="Chunking key (the contact's account at compute time).")
    fit = models.PositiveSmallIntegerField()
    engagement = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    reasons_digest = models.BigIntegerField(default=0, help_text="CRC-32 of the reasons' JSON: unchanged rows "
                                                                  "are not rewritten.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "contact"], name="contact_score_unique")]
        indexes = [models.Index(fields=["run", "account_id"]), models.Index(fields=["contact", "run"]),
                   models.Index(fields=["workspace", "account_id"], name="contact_score_ws_account")]

    def __str__(self) -> str:
        return f"contact {self.contact_id}: {self.score}"


class StageChange(WorkspaceScopedModel):
    """An account moved between journey stages (DOMAIN.md §2.3): from, to, when and why."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="stage_changes")
    run = models.ForeignKey(ScoringRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_stage = models.CharField(max_length=12, blank=True)
    to_stage = models.CharField(max_length=12)
    changed_at = models.DateTimeField()
    cause = models.CharField(max_length=255)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["workspace", "account", "-changed_at"]),
                   models.Index(fields=["workspace", "to_stage", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.from_stage} → {self.to_stage}"
