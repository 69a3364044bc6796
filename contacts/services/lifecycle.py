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
