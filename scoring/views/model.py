"""The predictive model: the versions trained on the workspace's own history, how well the latest
validated (ROC AUC, PR AUC, Brier, lift, calibration), and — honestly — why there is none yet."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from abm_platform.tenancy.roles import MARKETERS
from abm_platform.tenancy.views import WorkspaceView
from scoring.engine.predictive import MIN_NEGATIVE_ACCOUNTS, MIN_POSITIVE_ACCOUNTS, MIN_VALIDATION_AUC
from scoring.models import ModelStatus
from scoring.selectors import predictive_models
from scoring.services.predictive import model_train_start

METRICS = (("roc_auc", "ROC AUC", "How well it ranks accounts that opened an opportunity above those that "
                                  "did not (0.5 = chance, 1 = perfect)."),
           ("pr_auc", "PR AUC", "Precision over recall; compare with the base rate."),
           ("brier", "Brier score", "Mean squared error of the predicted chances (lower is better)."),
           ("top_decile_lift", "Top-decile lift", "How many times the base rate the top 10 % of accounts convert."),
           ("base_rate", "Base rate", "Share of validation snapshots followed by an opportunity in 90 days."))


class ModelView(WorkspaceView, View):
    write_roles = MARKETERS
    template_name = "scoring/model.html"

    def get(self, request):
        models = list(predictive_models(workspace=self.workspace)[:20])
        active = next((m for m in models if m.status == ModelStatus.ACTIVE), None)
        latest = models[0] if models else None
        shown = latest if latest and latest.metrics else active
        metrics = (shown.metrics or {}) if shown else {}
        return render(request, self.template_name, {
            "tab": "model",
            "models": models,
            "active": active,
            "latest": latest,
            "shown": shown,
            "metric_rows": [(label, metrics.get(key), help_text, key) for key, label, help_text in METRICS
                            if metrics.get(key) is not None],
            "calibration": metrics.get("calibration") or [],
            "min_positive": MIN_POSITIVE_ACCOUNTS,
            "min_negative": MIN_NEGATIVE_ACCOUNTS,
            "min_auc": MIN_VALIDATION_AUC,
            "can_train": self.can(MARKETERS),
        })


class ModelTrainView(WorkspaceView, View):
    write_roles = MARKETERS

    def post(self, request):
        job = model_train_start(workspace=self.workspace, by=request.user)
        messages.success(request, f"Training started (job #{job.pk}). A model that validates replaces the active "
                                  "one; the next recompute uses it.")
        return redirect("scoring:model")
