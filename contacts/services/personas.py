"""Workspace-defined personas: the buyers the team writes for, and the rules that assign them."""
from django.core.exceptions import ValidationError
from django.db import transaction

from abm_platform.models import Workspace
from contacts.engine import titles as title_engine
from contacts.models import Persona
from contacts.services.inference import contacts_reinfer_start

# Persona fields that hold lists, and the vocabulary (if any) their values must come from.
CODED_LISTS = {
    "default_roles": title_engine.ROLES,
    "seniorities": title_engine.SENIORITIES,
    "departments": title_engine.DEPARTMENTS,
}
FREE_LISTS = ("title_keywords", "title_keywords_exclude", "preferred_formats", "preferred_channels")
EDITABLE = frozenset({"name", "description", "priority", "goals", "pains", "objections", "key_messages",
                      *CODED_LISTS, *FREE_LISTS})


@transaction.atomic
def persona_save(*, workspace: Workspace, persona: Persona | None = None, by=None, **fields) -> Persona:
    """Create a persona (`persona=None`) or change the given fields of one. Lists are cleaned
    (trimmed, de-duplicated, empty entries dropped); coded lists must use known codes."""
    unknown = sorted(set(fields) - EDITABLE)
    if unknown:
        raise ValidationError(f"Unknown persona field(s): {', '.join(unknown)}.")
    persona = persona or Persona(workspace=workspace)
    if persona.workspace_id != workspace.pk:
        raise ValidationError("This persona belongs to another workspace.")
    errors = {}
    for name, value in fields.items():
        if name in CODED_LISTS or name in FREE_LISTS:
            value = _clean_list(value)
            bad = sorted(set(value) - set(CODED_LISTS[name])) if name in CODED_LISTS else []
            if bad:
                errors[name] = f"Unknown value(s): {', '.join(bad)}."
        elif isinstance(value, str):
            value = value.strip()
        setattr(persona, name, value)
    if errors:
        raise ValidationError(errors)
    persona._history_user = by
    persona.full_clean()
    persona.save()
    # Existing contacts get the new or changed persona too (in the background).
    contacts_reinfer_start(workspace=workspace, by=by, reason=f"Persona “{persona.name}” saved")
    return persona


def _clean_list(value) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return list(dict.fromkeys(text for item in items if (text := " ".join(str(item).split()))))
