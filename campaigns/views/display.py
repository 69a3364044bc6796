"""Small helpers the campaign pages share: htmx detection, service errors onto forms, and how
a step's audience and delay read in words."""
from __future__ import annotations

from django.core.exceptions import ValidationError

from campaigns.forms import DISC_CHOICES, ROLE_CHOICES
from contacts.models import Seniority

ROLE_LABELS = dict(ROLE_CHOICES)
SENIORITY_LABELS = dict(Seniority.choices)
DISC_LABELS = {code: label.split(" — ")[0] for code, label in DISC_CHOICES}


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def errors_to_form(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: per field when the form has the field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def flat_errors(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


def delay_text(hours: int) -> str:
    if not hours:
        return "right away"
    if hours % 24 == 0:
        days = hours // 24
        return f"after {days} day{'s' if days != 1 else ''}"
    return f"after {hours} hour{'s' if hours != 1 else ''}"


def audience_chips(audience: dict, personas: dict[int, str]) -> list[tuple[str, str]]:
    """(kind, label) chips of a step's audience filter; empty = the whole buying group."""
    chips = [("role", ROLE_LABELS.get(r, r)) for r in audience.get("roles", [])]
    chips += [("seniority", SENIORITY_LABELS.get(s, s)) for s in audience.get("seniorities", [])]
    chips += [("persona", personas.get(int(p), f"persona {p}")) for p in audience.get("personas", [])]
    chips += [("disc", f"DISC {DISC_LABELS.get(d, d)}") for d in audience.get("disc_styles", [])]
    return chips
