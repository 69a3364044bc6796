"""The ICP and the weights: what recompute scores with, and who agreed to it.

Weights change only by agreement: anyone in marketing or sales proposes a version (a draft); a
marketer and a seller — two different people — sign it off; the second sign-off activates it
and retires the previous version. A workspace starts with the DOMAIN.md §1.6 defaults, marked
as not yet agreed.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from abm_platform.models import Workspace
from abm_platform.tenancy.roles import MARKETERS, SELLERS
from scoring.engine.fit import Criterion
from scoring.models import IcpCriterion, ScoringWeights, WeightsStatus

WEIGHT_FIELDS = ("fit", "intent", "engagement", "predictive")
SETTING_FIELDS = ("contact_fit", "contact_engagement", "engagement_ref_minutes", "no_decision_maker_penalty",
                  "trigger_bonus", "trigger_bonus_max", "mqa_threshold", "mqa_min_fit", "mqa_exit_margin",
                  "mql_threshold", "tier_thresholds")
DEFAULT_TIER_THRESHOLDS = {"1": 80, "2": 65, "3": 45}


def weights_active(*, workspace: Workspace | int) -> ScoringWeights:
    """The active weights; the first call in a workspace creates the defaults (not yet agreed)."""
    scoped = ScoringWeights.objects.for_workspace(workspace)
    active = scoped.filter(status=WeightsStatus.ACTIVE).first()
    if active:
        return active
    with transaction.atomic():
        active, _ = scoped.get_or_create(
            version=1, defaults={"status": WeightsStatus.ACTIVE, "activated_at": timezone.now(),
                                 "tier_thresholds": DEFAULT_TIER_THRESHOLDS,
                                 "note": "Defaults (DOMAIN.md §1.6); not yet agreed by marketing and sales."})
    return active


def weights_validate(values: dict) -> dict:
    """Clean proposed weights: components in [0, 1] summing to 1 (± 0.01), sane thresholds."""
    errors = {}
    cleaned = {}
    for name in WEIGHT_FIELDS:
        try:
            cleaned[name] = float(values[name])
        except (KeyError, TypeError, ValueError):
            errors[name] = "A number between 0 and 1 is required."
            continue
        if not 0 <= cleaned[name] <= 1:
            errors[name] = "Must be between 0 and 1."
    if not errors and abs(sum(cleaned[n] for n in WEIGHT_FIELDS) - 1) > 0.01:
        total = sum(cleaned[n] for n in WEIGHT_FIELDS)
        errors["__all__"] = f"Fit, intent, engagement and predictive must add up to 1 (they add up to {total:.2f})."
    for name in SETTING_FIELDS:
        if name in values and values[name] not in (None, ""):
            cleaned[name] = values[name]
    if "tier_thresholds" in cleaned:
        thresholds = cleaned["tier_thresholds"]
        if not isinstance(thresholds, dict) or not all(str(k).isdigit() and isinstance(v, (int, float)) and 0 <= v <= 100
                                                       for k, v in thresholds.items()):
            errors["tier_thresholds"] = 'Give a minimum score 0–100 per tier order, e.g. {"1": 80, "2": 65}.'
    for name in ("mqa_threshold", "mql_threshold", "mqa_min_fit"):
        if name in cleaned:
            try:
                cleaned[name] = int(cleaned[name])
            except (TypeError, ValueError):
                errors[name] = "A whole number 0–100 is required."
                continue
            if not 0 <= cleaned[name] <= 100:
                errors[name] = "Must be between 0 and 100."
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def weights_propose(*, workspace: Workspace, by, values: dict, note: str = "") -> ScoringWeights:
    current = weights_active(workspace=workspace)
    cleaned = weights_validate(values)
    fields = {name: getattr(current, name) for name in SETTING_FIELDS}
    fields.update(cleaned)
    scoped = ScoringWeights.objects.for_workspace(workspace)
    version = (scoped.aggregate(v=Max("version"))["v"] or 0) + 1
    return scoped.create(version=version, status=WeightsStatus.DRAFT, note=note[:255], created_by=by, **fields)


@transaction.atomic
def weights_sign_off(*, weights: ScoringWeights, by, role: str, side: str) -> ScoringWeights:
    """Sign a draft off for marketing or for sales. Activates it once both sides signed."""
    locked = ScoringWeights.objects.for_workspace(weights.workspace_id).select_for_update().get(pk=weights.pk)
    if locked.status != WeightsStatus.DRAFT:
        raise ValidationError("Only a draft can be signed off; this version is already "
                              f"{locked.get_status_display().lower()}.")
    if side == "marketing":
        if role not in MARKETERS:
            raise PermissionDenied("Only marketing (or an admin) signs off for marketing.")
        if locked.sales_approved_by_id == by.pk:
            raise ValidationError("The same person cannot sign off for both marketing and sales.")
        locked.marketing_approved_by, locked.marketing_approved_at = by, timezone.now()
    elif side == "sales":
        if role not in SELLERS:
            raise PermissionDenied("Only sales (or an admin) signs off for sales.")
        if locked.marketing_approved_by_id == by.pk:
            raise ValidationError("The same person cannot sign off for both marketing and sales.")
        locked.sales_approved_by, locked.sales_approved_at = by, timezone.now()
    else:
        raise ValidationError({"side": "Sign off for 'marketing' or 'sales'."})
    if locked.marketing_approved_by_id and locked.sales_approved_by_id:
        ScoringWeights.objects.for_workspace(locked.workspace_id).filter(status=WeightsStatus.ACTIVE).update(
            status=WeightsStatus.SUPERSEDED)
        locked.status, locked.activated_at = WeightsStatus.ACTIVE, timezone.now()
    locked.save()
    return locked


def icp_criteria(*, workspace: Workspace | int) -> list[Criterion]:
    return [Criterion(c.kind, c.label, c.weight, c.config, c.is_disqualifier)
            for c in IcpCriterion.objects.for_workspace(workspace)]


def tier_thresholds(weights: ScoringWeights) -> dict[int, int]:
    return {int(k): int(v) for k, v in (weights.tier_thresholds or {}).items()}
