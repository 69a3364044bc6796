from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from abm_platform.models import Workspace
from accounts.models import Account, AccountPlan, PlanStep

PLAN_FIELDS = ("objectives", "pains", "value_hypothesis", "initiatives", "status")


@transaction.atomic
def account_plan_save(*, workspace: Workspace, account: Account, by=None, **fields) -> AccountPlan:
    """Create or change the account's plan. Each change is a new version (kept in history)."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown plan fields: {', '.join(sorted(unknown))}.")
    plan = AccountPlan.objects.for_workspace(workspace).select_for_update().filter(account=account).first()
    if plan is None:
        plan = AccountPlan(workspace=workspace, account=account, updated_by=by, **fields)
        plan.full_clean()
        plan.save()
        return plan
    changed = {k: v for k, v in fields.items() if getattr(plan, k) != v}
    if not changed:
        return plan
    for name, value in changed.items():
        setattr(plan, name, value)
    plan.version += 1  # the row is locked above
    plan.updated_by = by
    plan.full_clean()
    plan.save()
    return plan


def account_plan_mark_reviewed(*, plan: AccountPlan, by) -> AccountPlan:
    """'Reviewed by <rep> at <time>': the plan is still current."""
    plan.reviewed_by = by
    plan.reviewed_at = timezone.now()
    plan.save(update_fields=["reviewed_by", "reviewed_at"])
    return plan


def plan_step_add(*, plan: AccountPlan, text: str, due_date=None, owner=None) -> PlanStep:
    if not text.strip():
        raise ValidationError({"text": "Describe the next step."})
    return PlanStep.objects.for_workspace(plan.workspace_id).create(plan=plan, text=text.strip(), due_date=due_date,
                                                                     owner=owner)


def plan_step_complete(*, step: PlanStep) -> PlanStep:
    if step.done_at is None:
        step.done_at = timezone.now()
        step.save(update_fields=["done_at"])
    return step
