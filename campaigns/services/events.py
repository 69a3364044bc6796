"""Events and webinars: an invitation e-mail with a signed registration link, the registration it
records, and the attendance list imported after the event.

An ``event_invite`` step names its event in ``Step.config``::

    {"event": {"id": "wh-live-2026-05",          required: your id for the event (≤ 80 characters)
               "kind": "webinar",                 "webinar" or "event" (default "event")
               "name": "Warehouse automation live",
               "starts_at": "2026-05-12T15:00:00+00:00",
               "url": "https://events.example.com/wh-live"}}   optional: shown after registering

The invitation is the step's template sent by the e-mail channel (tracking, unsubscribe,
caps and quiet hours as for any e-mail). Its registration link is signed per touch: a template
puts it where it likes with ``{{ registration_url }}`` (replaced by the link before rendering,
in the body and in every A/B and DISC variant); a template without it gets a "Register here"
paragraph at the end.

A registration (the person confirms on the public page the link opens) and an attendance become
first-party engagement through the signals ingestion — ``webinar_registration`` /
``event_registration`` and ``webinar_attendance`` / ``event_attendance`` — so they score like
any other engagement. A registration is recorded once per touch, an attendance once per event
and person, however often the link is used or the list imported.
"""
from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from campaigns.models import Channel, ContentTemplate, Step, Touch
from insights.signals.services.ingest import signals_ingest
from insights.signals.services.resolve import contacts_by_email, contacts_by_id

SOURCE = "campaigns"
REGISTRATION_SALT = "campaigns.event-registration"
KINDS = {"webinar": ("webinar_registration", "webinar_attendance"),
         "event": ("event_registration", "event_attendance")}
MAX_EVENT_ID = 80
MAX_ATTENDEES = 20_000
PLACEHOLDER = re.compile(r"\{\{\s*registration_url\s*\}\}")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class EventInfo:
    id: str
    kind: str
    name: str
    starts_at: datetime | None
    url: str

    @property
    def registration_type(self) -> str:
        return KINDS[self.kind][0]

    @property
    def attendance_type(self) -> str:
        return KINDS[self.kind][1]


def step_event(step: Step) -> EventInfo:
    """The event an invitation step names. Raises ValueError when the config is unusable."""
    config = step.config if isinstance(step.config, dict) else {}
    event = config.get("event")
    if not isinstance(event, dict) or not str(event.get("id") or "").strip():
        raise ValueError('An event invitation step needs Step.config {"event": {"id": …, "kind": "webinar"|"event", '
                         '"name": …}}.')
    event_id = str(event["id"]).strip()
    kind = str(event.get("kind") or "event").strip().lower()
    if len(event_id) > MAX_EVENT_ID:
        raise ValueError(f"An event id has at most {MAX_EVENT_ID} characters.")
    if kind not in KINDS:
        raise ValueError(f"Unknown event kind {kind!r}; use webinar or event.")
    starts_at = parse_datetime(str(event.get("starts_at") or ""))
    if starts_at is not None and timezone.is_naive(starts_at):
        starts_at = None    # a time without a zone says nothing reliable
    url = str(event.get("url") or "").strip()
    return EventInfo(id=event_id, kind=kind, name=str(event.get("name") or event_id).strip()[:200],
                     starts_at=starts_at, url=url if url.startswith(("https://", "http://")) else "")


# --- the invitation ---------------------------------------------------------------------------

def registration_token(touch_id: int) -> str:
    return signing.dumps({"t": touch_id}, salt=REGISTRATION_SALT, compress=True)


def registration_url(touch_id: int) -> str:
    return settings.PUBLIC_BASE_URL + reverse("campaign-public:event-register", args=[registration_token(touch_id)])


def registration_touch(token: str) -> Touch | None:
    """The invitation touch a genuine token names (any workspace: the signature is the key),
    or None for a forged, foreign-purpose or stale token."""
    try:
        payload = signing.loads(token or "", salt=REGISTRATION_SALT)
        touch_id = int(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return (Touch.objects.unscoped().select_related("step", "contact", "campaign")
            .filter(pk=touch_id, channel=Channel.EVENT_INVITE, contact__isnull=False).first())


def invitation_template(template: ContentTemplate, url: str) -> ContentTemplate:
    """An unsaved copy of the template whose texts carry the registration link."""

    def with_link(body: str) -> str:
        if PLACEHOLDER.search(body):
            return PLACEHOLDER.sub(lambda _: url, body)
        return f'{body}\n\n<p><a href="{url}">Register here</a></p>'

    def variants(mapping: dict) -> dict:
        linked = {}
        for name, variant in (mapping or {}).items():
            has_body = isinstance(variant, dict) and isinstance(variant.get("body"), str)
            linked[name] = {**variant, "body": with_link(variant["body"])} if has_body else variant
        return linked

    invite = copy.copy(template)
    invite.body = with_link(template.body)
    invite.ab_variants = variants(template.ab_variants)
    invite.disc_variants = variants(template.disc_variants)
    return invite


# --- registration and attendance -----------------------------------------------------------------

def event_registration_record(*, touch: Touch, now: datetime | None = None) -> bool:
    """Record the invited person's registration. True the first time, False when it was
    recorded already (the link used again) or the person has been erased since."""
    event = step_event(touch.step)
    contact = touch.contact
    if contact is None or contact.erased_at is not None:
        return False
    now = now or timezone.now()
    report = signals_ingest(workspace=touch.workspace_id, kind="engagement", source=SOURCE, now=now, rows=[(1, {
        "type": event.registration_type, "occurred_at": now.isoformat(), "source": SOURCE,
        "external_id": f"touch-{touch.pk}-{event.registration_type}", "contact_id": touch.contact_id,
        "details": {"event_id": event.id, "event": event.name, "touch": touch.pk, "campaign": touch.campaign_id,
                    "step": touch.step_id},
    })])
    return report.created > 0


def _event_step(workspace_id: int, event_id: str) -> Step:
    step = (Step.objects.for_workspace(workspace_id).filter(channel=Channel.EVENT_INVITE, config__event__id=event_id)
            .select_related("play").order_by("pk").first())
    if step is None:
        raise ValidationError({"event_id": f"No event invitation step has the event id {event_id!r}."})
    return step


def event_attendance_import(*, workspace, event_id: str, attendees, attended_at: datetime | None = None,
                            now: datetime | None = None) -> dict:
    """Record who attended an event: `attendees` are contact ids (ints or digit strings) and/or
    e-mail addresses, e.g. the platform's attendee export. Each becomes one attendance of the
    event's kind, dated `attended_at` (default: the event's start if it has passed, else now).

    An address of a known contact counts for that contact; an unknown address counts for the
    account of its company domain (never a free-mail one) or is kept as unresolved for a later
    retry, like any engagement. Ids of no contact of this workspace and values that are neither
    are rejected with their line (1 = the first attendee). Importing the same list again
    changes nothing. Returns the ingestion counts with the rejected lines in ``errors``."""
    workspace_id = getattr(workspace, "pk", workspace)
    event_id = str(event_id or "").strip()
    step = _event_step(workspace_id, event_id)
    event = step_event(step)
    now = now or timezone.now()
    when = attended_at or (event.starts_at if event.starts_at and event.starts_at <= now else now)
    parsed, errors = _parse_attendees(attendees)
    known_ids = contacts_by_id(workspace_id, {v for _, v in parsed if isinstance(v, int)})
    known_emails = contacts_by_email(workspace_id, {v for _, v in parsed if isinstance(v, str)})
    details = {"event_id": event.id, "event": event.name, "step": step.pk, "campaign": step.play.campaign_id}
    rows = []
    for line, value in parsed:
        person = known_ids.get(value) if isinstance(value, int) else known_emails.get(value)
        if isinstance(value, int) and person is None:
            errors.append({"line": line, "column": "attendee", "reason": f"No contact with id {value} in this "
                                                                         "workspace.", "value": str(value)})
            continue
        row = {"type": event.attendance_type, "occurred_at": when.isoformat(), "source": SOURCE, "details": details}
        if person is not None:
            row.update(contact_id=person.contact_id, external_id=f"event-{event.id}-attended-c{person.contact_id}")
        else:
            digest = hashlib.sha256(value.encode()).hexdigest()[:24]
            row.update(email=value, external_id=f"event-{event.id}-attended-e{digest}")
        rows.append((line, row))
    report = signals_ingest(workspace=workspace_id, kind="engagement", source=SOURCE, rows=rows, now=now)
    result = report.as_dict()
    result["rejected"] += len(errors)
    result["total"] += len(errors)
    result["errors"] = sorted(errors + result["errors"], key=lambda e: e.get("line", 0))
    return result


def _parse_attendees(attendees) -> tuple[list[tuple[int, int | str]], list[dict]]:
    values = list(attendees)
    if len(values) > MAX_ATTENDEES:
        raise ValidationError({"attendees": f"At most {MAX_ATTENDEES} attendees per import."})
    parsed, errors = [], []
    for line, raw in enumerate(values, start=1):
        text = str(raw).strip() if raw is not None else ""
        if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
            parsed.append((line, raw))
        elif text.isdigit() and 0 < int(text) < 2**62:
            parsed.append((line, int(text)))
        elif _EMAIL.match(text) and len(text) <= 254:
            parsed.append((line, text.lower()))
        else:
            errors.append({"line": line, "column": "attendee", "reason": "Neither a contact id nor an e-mail address.",
                           "value": text[:100]})
    return parsed, errors
