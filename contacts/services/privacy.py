"""Consent per channel and erasure on request."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contacts.models import ConsentStatus, Contact, LifecycleTransition, MatchReview, ReviewStatus
from contacts.models.contacts import CHANNELS

ERASED = "erased"


@transaction.atomic
def contact_consent_set(*, contact: Contact, channel: str, status: str, how: str, by=None) -> Contact:
    """Record a consent change (when and how). An opt-out is honoured by every channel at once
    because campaigns read these fields through one suppression engine."""
    if channel not in CHANNELS:
        raise ValidationError({"channel": f"Unknown channel {channel!r}; one of {', '.join(CHANNELS)}."})
    if status not in ConsentStatus.values:
        raise ValidationError({"status": f"Unknown consent {status!r}; one of {', '.join(ConsentStatus.values)}."})
    locked = Contact.objects.for_workspace(contact.workspace_id).select_for_update().get(pk=contact.pk)
    setattr(locked, f"consent_{channel}", status)
    locked.consent_log = [*locked.consent_log, {"channel": channel, "status": status, "at": timezone.now().isoformat(),
                                                "how": how[:200], "by": getattr(by, "pk", None)}]
    locked.save(update_fields=[f"consent_{channel}", "consent_log", "updated_at"])
    return locked


@transaction.atomic
def contact_erase(*, contact: Contact, by, reason: str = "Erasure request") -> Contact:
    """Remove a person's personal data on request (GDPR art. 17). The row stays, anonymised, so
    account-level counts and history keep adding up; every channel is opted out so nobody
    re-imports and contacts them by mistake; the audit trail records who erased and why, and
    past versions of the personal fields are dropped from the history."""
    locked = Contact.objects.for_workspace(contact.workspace_id).select_for_update().get(pk=contact.pk)
    if locked.erased_at is not None:
        return locked
    for field in ("first_name", "last_name", "email", "phone", "job_title", "company_name", "website", "external_id"):
        setattr(locked, field, "")
    locked.first_name = ERASED
    locked.match_reasons, locked.inference_reasons, locked.consent_log = [], [], []
    for channel in CHANNELS:
        setattr(locked, f"consent_{channel}", ConsentStatus.OPTED_OUT)
    locked.erased_at = timezone.now()
    locked._change_reason = f"{reason} (by {by})"
    locked._history_user = by
    locked.save()
    locked.history.exclude(history_id=locked.history.latest().history_id).delete()
    LifecycleTransition.objects.for_workspace(contact.workspace_id).filter(contact=locked).update(reason="")
    MatchReview.objects.for_workspace(contact.workspace_id).filter(contact=locked, status=ReviewStatus.OPEN).update(
        status=ReviewStatus.REJECTED, decided_by=by, decided_at=timezone.now())
    return locked
