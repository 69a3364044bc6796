"""What the contacts pages show for codes stored on a contact: labels, flags and badge classes.
Plain functions on loaded objects: no queries."""
from contacts.engine import disc as disc_engine
from contacts.engine import titles as title_engine
from contacts.forms import CHANNEL_LABELS
from contacts.models import ConsentStatus, Contact
from contacts.models.contacts import CHANNELS


def role_labels(codes) -> list[tuple[str, str]]:
    return [(code, title_engine.ROLE_LABELS.get(code, code)) for code in codes or []]


def seniority_label(code: str) -> str:
    return title_engine.SENIORITY_LABELS.get(code, "")


def opted_out(contact: Contact) -> list[str]:
    """The channels the person opted out of, as labels (shown wherever the person is)."""
    return [CHANNEL_LABELS[c] for c in CHANNELS if contact.consent(c) == ConsentStatus.OPTED_OUT]


def disc_class(style: str) -> str:
    """CSS class of a style badge: its primary style's colour."""
    try:
        return f"disc-{disc_engine.primary_of(style).lower()}"
    except ValueError:
        return ""


def decorate(contact: Contact) -> Contact:
    """Attach the display values the list, the map and the queue render."""
    contact.role_items = role_labels(contact.roles)
    contact.seniority_text = seniority_label(contact.seniority)
    contact.department_text = title_engine.DEPARTMENT_LABELS.get(contact.department, contact.department)
    contact.opted_out_channels = opted_out(contact)
    contact.disc_css = disc_class(contact.disc_style) if contact.disc_style else ""
    return contact
