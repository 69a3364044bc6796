"""Lead → MQL → SAL → SQL → Opportunity → Customer, each move recorded with who, when and why.

The scoring layer calls `contact_lifecycle_move` to make contacts MQLs; sales accepts (SAL)
or rejects an MQL with a reason (DOMAIN.md §2.1).
"""
from django.core.exceptions import ValidationError
from django.db import transaction

from contacts.models import Contact, LifecycleStage, LifecycleTransition

ORDER = list(LifecycleStage.values)
# Moves that are allowed besides one step forward: sales may reject an MQL back to Lead, any
# stage may jump forward (a deal created from a cold lead), and a lost deal recycles to Lead.
BACKWARD_ALLOWED = {(LifecycleStage.MQL, LifecycleStage.LEAD), (LifecycleStage.SAL, LifecycleStage.LEAD),
                    (LifecycleStage.SQL, LifecycleStage.LEAD), (LifecycleStage.OPPORTUNITY, LifecycleStage.LEAD)}


@transaction.atomic
def contact_lifecycle_move(*, contact: Contact, to_stage: str, by=None, reason: str = "") -> Contact:
    if to_stage not in ORDER:
        raise ValidationError({"to_stage": f"Unknown stage {to_stage!r}; choose one of {', '.join(ORDER)}."})
    locked = Contact.objects.for_workspace(contact.workspace_id).select_for_update().get(pk=contact.pk)
    current = locked.lifecycle_stage
    if to_stage == current:
        return locked
    backwards = ORDER.index(to_stage) < ORDER.index(current)
    if backwards and (current, to_stage) not in BACKWARD_ALLOWED:
        raise ValidationError({"to_stage": f"A contact cannot go back from {locked.get_lifecycle_stage_display()} "
                                           f"to {LifecycleStage(to_stage).label}."})
    if backwards and not reason.strip():
        raise ValidationError({"reason": "Say why the contact goes back (e.g. why sales rejected the MQL)."})
    locked.lifecycle_stage = to_stage
    locked.save(update_fields=["lifecycle_stage", "updated_at"])
    LifecycleTransition.objects.for_workspace(contact.workspace_id).create(
        contact=locked, from_stage=current, to_stage=to_stage, changed_by=by, reason=reason.strip()[:255])
    return locked


def contact_sales_accept(*, contact: Contact, by) -> Contact:
    """Sales agrees to work an MQL (SAL)."""
    if contact.lifecycle_stage != LifecycleStage.MQL:
        raise ValidationError("Only an MQL can be accepted by sales.")
    return contact_lifecycle_move(contact=contact, to_stage=LifecycleStage.SAL, by=by, reason="Accepted by sales")


def contact_sales_reject(*, contact: Contact, by, reason: str) -> Contact:
    """Sales rejects an MQL, with the reason marketing needs to tune its scoring."""
    if contact.lifecycle_stage != LifecycleStage.MQL:
        raise ValidationError("Only an MQL can be rejected by sales.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why sales rejects this MQL."})
    return contact_lifecycle_move(contact=contact, to_stage=LifecycleStage.LEAD, by=by, reason=f"Rejected: {reason}")


# A lead that sales sent back is not re-qualified by score for this long (DOMAIN.md §2.3 "Recycled").
RECYCLE_COOL_DOWN_DAYS = 90


@transaction.atomic
def contacts_promote_to_mql(*, workspace_id: int, contact_ids, reason: str) -> int:
    """Make the given leads MQLs in two set-based statements (the scoring layer calls this when
    a recompute finishes). Only contacts still in Lead move; leads sales sent back to Lead in
    the last 90 days stay where they are. Returns how many moved."""
    from datetime import timedelta

    from django.utils import timezone

    cool_down_since = timezone.now() - timedelta(days=RECYCLE_COOL_DOWN_DAYS)
    recently_rejected = LifecycleTransition.objects.for_workspace(workspace_id).filter(
        from_stage__in=[LifecycleStage.MQL, LifecycleStage.SAL], to_stage=LifecycleStage.LEAD,
        changed_at__gte=cool_down_since).values("contact_id")
    ids, moved = list(contact_ids), 0
    for start in range(0, len(ids), 5000):   # bounded IN lists (SQLite caps bound parameters)
        leads = Contact.objects.for_workspace(workspace_id).filter(
            pk__in=ids[start:start + 5000], lifecycle_stage=LifecycleStage.LEAD, erased_at__isnull=True,
        ).exclude(pk__in=recently_rejected)
        moving = list(leads.values_list("pk", flat=True))
        if not moving:
            continue
        Contact.objects.for_workspace(workspace_id).filter(pk__in=moving).update(
            lifecycle_stage=LifecycleStage.MQL, updated_at=timezone.now())
        LifecycleTransition.objects.for_workspace(workspace_id).bulk_create(
            [LifecycleTransition(contact_id=pk, from_stage=LifecycleStage.LEAD, to_stage=LifecycleStage.MQL,
                                 reason=reason[:255]) for pk in moving], batch_size=2000)
        moved += len(moving)
    return moved
