"""DISC assessments: from the questionnaire a rep fills in after a call, or recorded directly."""
from django.core.exceptions import ValidationError
from django.db import transaction

from contacts.engine import disc as disc_engine
from contacts.models import Contact, DiscAssessment, DiscSource


@transaction.atomic
def disc_assess_questionnaire(*, contact: Contact, answers: dict, by=None) -> DiscAssessment:
    """Score the observation questionnaire and keep the result as the contact's current style."""
    try:
        result = disc_engine.score_questionnaire(answers)
    except ValueError as error:
        raise ValidationError({"answers": str(error)}) from None
    if result.blend is None:
        raise ValidationError({"answers": "The answers do not point to a style yet: " + " ".join(result.reasons)})
    return _record(contact=contact, primary=result.primary, blend=result.blend, source=DiscSource.QUESTIONNAIRE,
                   confidence=result.confidence, answers=dict(answers), reasons=list(result.reasons), by=by)


@transaction.atomic
def disc_record(*, contact: Contact, style: str, source: str, confidence: float = 0.5, by=None,
                note: str = "") -> DiscAssessment:
    """A style observed by a rep, self-reported or imported."""
    try:
        blend = disc_engine.normalise_style(style)
    except ValueError as error:
        raise ValidationError({"style": str(error)}) from None
    if source not in DiscSource.values or source == DiscSource.QUESTIONNAIRE:
        raise ValidationError({"source": "Use observed, self_reported or imported (questionnaires are scored)."})
    if not 0 <= confidence <= 1:
        raise ValidationError({"confidence": "Confidence is between 0 and 1."})
    return _record(contact=contact, primary=disc_engine.primary_of(blend), blend=blend, source=source,
                   confidence=confidence, answers={}, reasons=[note] if note else [], by=by)


def _record(*, contact, primary, blend, source, confidence, answers, reasons, by) -> DiscAssessment:
    assessment = DiscAssessment.objects.for_workspace(contact.workspace_id).create(
        contact=contact, primary=primary, blend=blend, source=source, confidence=round(confidence, 3),
        answers=answers, reasons=reasons, recorded_by=by)
    Contact.objects.for_workspace(contact.workspace_id).filter(pk=contact.pk).update(disc_style=blend)
    contact.disc_style = blend
    return assessment
