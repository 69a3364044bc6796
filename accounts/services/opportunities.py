from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from abm_platform.models import Workspace
from accounts.models import Account, Opportunity, OpportunityStage, OpportunityStageChange, StageKind

DEFAULT_STAGES = [
    ("Discovery", StageKind.OPEN, 10), ("Qualification", StageKind.OPEN, 20), ("Solution design", StageKind.OPEN, 40),
    ("Proposal", StageKind.OPEN, 60), ("Negotiation", StageKind.OPEN, 80),
    ("Closed won", StageKind.WON, 100), ("Closed lost", StageKind.LOST, 0),
]


def stages_seed_defaults(*, workspace: Workspace) -> None:
    stages = OpportunityStage.objects.for_workspace(workspace)
    if not stages.exists():
        stages.bulk_create([OpportunityStage(name=n, order=i, kind=k, probability=p)
                            for i, (n, k, p) in enumerate(DEFAULT_STAGES, start=1)])


def accounts_refresh_open_opportunity_flag(*, workspace_id: int, account_ids) -> None:
    """Recompute Account.has_open_opportunity for the given accounts in one UPDATE."""
    open_exists = Exists(Opportunity.objects.for_workspace(workspace_id).filter(account=OuterRef("pk"), is_open=True))
    Account.objects.for_workspace(workspace_id).filter(pk__in=list(account_ids)).update(has_open_opportunity=open_exists)


def _check(opportunity: Opportunity) -> None:
    stage = opportunity.stage
    if stage.workspace_id != opportunity.workspace_id or opportunity.account.workspace_id != opportunity.workspace_id:
        raise ValidationError("Stage and account must belong to this workspace.")
    if stage.kind == StageKind.LOST and not opportunity.loss_reason.strip():
        raise ValidationError({"loss_reason": "Say why the deal was lost: it feeds win/loss analysis."})
    if opportunity.is_recurring and opportunity.mrr is None and opportunity.arr is None:
        raise ValidationError({"mrr": "A recurring deal needs its MRR or ARR."})
    if opportunity.mrr is not None and opportunity.arr is None:
        opportunity.arr = opportunity.mrr * 12
    elif opportunity.arr is not None and opportunity.mrr is None:
        opportunity.mrr = (opportunity.arr / 12).quantize(opportunity.arr)
    if stage.kind != StageKind.OPEN and opportunity.closed_date is None:
        opportunity.closed_date = timezone.localdate()
    if stage.kind == StageKind.OPEN:
        opportunity.closed_date = None
    if opportunity.closed_date and opportunity.closed_date < opportunity.created_date:
        raise ValidationError({"closed_date": "A deal cannot close before it was created."})
    opportunity.is_open = stage.kind == StageKind.OPEN


@transaction.atomic
def opportunity_create(*, workspace: Workspace, by=None, changed_at: datetime | None = None, **fields) -> Opportunity:
    fields.setdefault("created_date", timezone.localdate())
    fields.setdefault("currency", workspace.default_currency)
    opportunity = Opportunity(workspace=workspace, **fields)
    _check(opportunity)
    opportunity.full_clean()
    opportunity.save()
    OpportunityStageChange.objects.for_workspace(workspace).create(
        opportunity=opportunity, from_stage=None, to_stage=opportunity.stage, changed_by=by,
        changed_at=changed_at or _start_of(opportunity.created_date))
    accounts_refresh_open_opportunity_flag(workspace_id=workspace.pk, account_ids=[opportunity.account_id])
    return opportunity


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, by=None, changed_at: datetime | None = None, **fields) -> Opportunity:
    """Change a deal; a new stage is recorded in its stage history."""
    previous_stage_id, previous_account_id = opportunity.stage_id, opportunity.account_id
    for name, value in fields.items():
        setattr(opportunity, name, value)
    _check(opportunity)
    opportunity.full_clean()
    opportunity.save()
    if opportunity.stage_id != previous_stage_id:
        OpportunityStageChange.objects.for_workspace(opportunity.workspace_id).create(
            opportunity=opportunity, from_stage_id=previous_stage_id, to_stage=opportunity.stage, changed_by=by,
            changed_at=changed_at or timezone.now())
    accounts_refresh_open_opportunity_flag(workspace_id=opportunity.workspace_id,
                                           account_ids={previous_account_id, opportunity.account_id})
    return opportunity


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
