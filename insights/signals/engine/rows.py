"""Checking incoming signal rows (from files, pushes or the tracking snippet) before they are
resolved to accounts. Pure: plain dicts in, cleaned dicts or row errors out.

Every problem of a row is reported as {"column", "reason", "value"}; a row with any problem is
rejected whole (the caller adds the row's line). Values arrive as strings (CSV) or as JSON
types (pushes); both are accepted.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from insights.signals.engine.rules import TYPES as ENGAGEMENT_TYPES

INTENT = "intent"
ENGAGEMENT = "engagement"
TRIGGER = "trigger"
KINDS = (INTENT, ENGAGEMENT, TRIGGER)

TRIGGER_TYPES = ("funding", "acquisition", "leadership_change", "expansion", "hiring_surge", "product_launch")

INTENT_COLUMNS = ("provider", "week_start", "domain", "company_name", "topic", "topic_category", "score",
                  "bucket_code", "metro", "metro_score", "country")
ENGAGEMENT_COLUMNS = ("type", "occurred_at", "source", "external_id", "email", "contact_id", "account_domain",
                      "account_external_id", "url", "duration_seconds", "details")
TRIGGER_COLUMNS = ("type", "occurred_on", "summary", "source_url", "source", "external_id", "account_domain",
                   "account_external_id")
COLUMNS = {INTENT: INTENT_COLUMNS, ENGAGEMENT: ENGAGEMENT_COLUMNS, TRIGGER: TRIGGER_COLUMNS}

# A reader that could not parse a row passes {PARSE_ERROR: reason}; the row is rejected with it.
PARSE_ERROR = "__parse_error__"
MAX_DETAILS_BYTES = 4096
MAX_DURATION_SECONDS = 24 * 3600
FUTURE_SKEW = timedelta(days=1)  # clocks differ; an event later than this is a data error
EARLIEST = date(2000, 1, 1)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


@dataclass
class Checked:
    """A row after checking: `values` (cleaned) when `errors` is empty."""

    values: dict[str, Any]
    errors: list[dict]


class _Row:
    """Reads one raw row and collects its problems."""

    def __init__(self, raw: dict) -> None:
        self.raw = raw
        self.errors: list[dict] = []

    def error(self, column: str, reason: str) -> None:
        value = self.raw.get(column)
        self.errors.append({"column": column, "reason": reason, "value": "" if value is None else _short(value)})

    def text(self, column: str, *, max_length: int, required: bool = False, default: str = "") -> str:
        value = self.raw.get(column)
        if value.__class__ is str:  # the common case first: this runs for every cell of every row
            text = value.strip()
            if text and len(text) <= max_length and not unstorable(text):
                return text
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(column, "This value is required.")
            return default
        if isinstance(value, dict | list):
            self.error(column, "Expected text, not a list or object.")
            return default
        text = str(value).strip()
        if unstorable(text):
            self.error(column, "Contains a NUL character or broken Unicode (an unpaired surrogate); "
                               "the database cannot store it.")
            return default
        if len(text) > max_length:
            self.error(column, f"At most {max_length} characters (this has {len(text)}).")
            return text[:max_length]
        return text

    def integer(self, column: str, *, low: int, high: int, required: bool = False) -> int | None:
        value = self.raw.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(column, "This value is required.")
            return None
        if isinstance(value, bool):
            self.error(column, f"{value!r} is not a whole number.")
            return None
        try:
            number = _number(str(value)) if not isinstance(value, int | float) else value
        except ValueError:
            self.error(column, f"{_short(value)!r} is not a whole number.")
            return None
        if not _is_whole(number):
            self.error(column, f"{_short(value)!r} is not a whole number.")
            return None
        if not low <= number <= high:
            self.error(column, f"Must be between {low} and {high}.")
            return None
        return int(number)

    def day(self, column: str, *, today: date) -> date | None:
        value = self.raw.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.error(column, "This value is required (a date, YYYY-MM-DD).")
            return None
        parsed = parse_day(str(value))
        if parsed is None:
            self.error(column, f"{_short(value)!r} is not a date; use YYYY-MM-DD.")
            return None
        if parsed < EARLIEST or parsed > today + FUTURE_SKEW:
            self.error(column, f"{parsed:%Y-%m-%d} is {'in the future' if parsed > today else 'too long ago'}.")
            return None
        return parsed

    def moment(self, column: str, *, now: datetime) -> datetime | None:
        value = self.raw.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.error(column, "This value is required (an ISO 8601 date and time).")
            return None
        parsed = parse_moment(str(value))
        if parsed is None:
            self.error(column, f"{_short(value)!r} is not an ISO 8601 date and time (e.g. 2026-03-31T14:05:00Z).")
            return None
        if parsed > now + FUTURE_SKEW:
            self.error(column, f"{parsed:%Y-%m-%d %H:%M} is in the future.")
            return None
        if parsed.date() < EARLIEST:
            self.error(column, f"{parsed:%Y-%m-%d} is too long ago.")
            return None
        return parsed

    def choice(self, column: str, choices: tuple[str, ...]) -> str:
        value = self.text(column, max_length=40, required=True).lower().replace("-", "_").replace(" ", "_")
        if value and value not in choices:
            self.error(column, f"Unknown {column} {value!r}; use one of {', '.join(choices)}.")
            return ""
        return value


def check_intent(raw: dict, *, today: date, default_provider: str = "") -> Checked:
    row = _Row(raw)
    provider = row.text("provider", max_length=50) or default_provider
    if not provider:
        row.error("provider", "This value is required (the intent provider, e.g. bombora).")
    values = {
        "provider": provider.lower(),
        "week_start": row.day("week_start", today=today),
        "domain": row.text("domain", max_length=253, required=True).lower(),
        "company_name": row.text("company_name", max_length=200),
        "topic": " ".join(row.text("topic", max_length=150, required=True).split()),
        "topic_category": row.text("topic_category", max_length=100),
        "score": row.integer("score", low=0, high=100, required=True),
        "bucket_code": row.text("bucket_code", max_length=20),
        "metro": row.text("metro", max_length=100),
        "metro_score": row.integer("metro_score", low=0, high=100),
        "country": row.text("country", max_length=2).upper(),
    }
    return Checked(values=values, errors=row.errors)


def check_engagement(raw: dict, *, now: datetime, default_source: str = "") -> Checked:
    row = _Row(raw)
    event_type = row.choice("type", ENGAGEMENT_TYPES)
    occurred_at = row.moment("occurred_at", now=now)
    source = (row.text("source", max_length=50) or default_source).lower()
    if not source:
        row.error("source", "This value is required (where the event comes from, e.g. hubspot).")
    email = row.text("email", max_length=254).lower()
    if email and not _EMAIL.match(email):
        row.error("email", f"{email!r} is not an e-mail address.")
    contact_id = row.integer("contact_id", low=1, high=2**62)
    account_domain = row.text("account_domain", max_length=253).lower()
    account_external_id = row.text("account_external_id", max_length=100)
    if not (email or contact_id or account_domain or account_external_id) and not row.errors:
        row.error("email", "Give an email, contact_id, account_domain or account_external_id: the event needs a "
                           "person or an account.")
    details = _details(row)
    values = {
        "type": event_type, "occurred_at": occurred_at, "source": source,
        "external_id": row.text("external_id", max_length=200),
        "email": email, "contact_id": contact_id, "account_domain": account_domain,
        "account_external_id": account_external_id,
        "url": row.text("url", max_length=500),
        "duration_seconds": row.integer("duration_seconds", low=0, high=MAX_DURATION_SECONDS),
        "details": details,
    }
    if not values["external_id"] and not row.errors:
        # No id from the source: the event's own facts make it unique, so a re-sent file is
        # still stored once.
        who = email or (f"contact:{contact_id}" if contact_id else "") or account_domain or account_external_id
        values["external_id"] = "h:" + _digest(event_type, occurred_at.isoformat(), who, values["url"])
    return Checked(values=values, errors=row.errors)


def check_trigger(raw: dict, *, today: date, default_source: str = "") -> Checked:
    row = _Row(raw)
    trigger_type = row.choice("type", TRIGGER_TYPES)
    occurred_on = row.day("occurred_on", today=today)
    summary = row.text("summary", max_length=500, required=True)
    source_url = row.text("source_url", max_length=500)
    if source_url and not _URL.match(source_url):
        row.error("source_url", "Give a web address starting with http:// or https://.")
    source = (row.text("source", max_length=50) or default_source).lower()
    if not source:
        row.error("source", "This value is required (where the event comes from, e.g. crunchbase).")
    account_domain = row.text("account_domain", max_length=253).lower()
    account_external_id = row.text("account_external_id", max_length=100)
    if not (account_domain or account_external_id) and not row.errors:
        row.error("account_domain", "Give an account_domain or account_external_id.")
    values = {
        "type": trigger_type, "occurred_on": occurred_on, "summary": summary, "source_url": source_url,
        "source": source, "external_id": row.text("external_id", max_length=200),
        "account_domain": account_domain, "account_external_id": account_external_id,
    }
    if not values["external_id"] and not row.errors:
        values["external_id"] = "h:" + _digest(trigger_type, occurred_on.isoformat(),
                                               account_domain or account_external_id, summary)
    return Checked(values=values, errors=row.errors)


def check_row(kind: str, raw: dict, *, now: datetime, default_source: str = "") -> Checked:
    if not isinstance(raw, dict):
        return Checked(values={}, errors=[{"column": "", "reason": "Each row must be an object of column: value.",
                                           "value": _short(raw)}])
    if PARSE_ERROR in raw:
        return Checked(values={}, errors=[{"column": "", "reason": str(raw[PARSE_ERROR]), "value": ""}])
    if kind == INTENT:
        return check_intent(raw, today=now.date(), default_provider=default_source)
    if kind == ENGAGEMENT:
        return check_engagement(raw, now=now, default_source=default_source)
    if kind == TRIGGER:
        return check_trigger(raw, today=now.date(), default_source=default_source)
    raise ValueError(f"unknown signal kind {kind!r}")


def parse_day(text: str) -> date | None:
    text = text.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        if re.match(r"^\d{2}\.\d{2}\.\d{4}$", text):
            d, m, y = text.split(".")
            return date(int(y), int(m), int(d))
        moment = parse_moment(text)
        return moment.date() if moment else None
    except ValueError:
        return None


def parse_moment(text: str) -> datetime | None:
    """ISO 8601 date-time; without an offset it is UTC. A bare date is midnight UTC."""
    text = text.strip()
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # year 1 or 9999 shifted past the range: far too early or late either way
        return datetime.min.replace(tzinfo=timezone.utc) if moment.year == 1 else datetime.max.replace(
            tzinfo=timezone.utc)


def unstorable(text: str) -> bool:
    """Text PostgreSQL cannot store: a NUL character, or an unpaired surrogate (from a JSON
    `\\ud800` escape), which has no UTF-8 form."""
    if "\x00" in text:
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _is_whole(number: int | float) -> bool:
    """Not NaN, not infinite, no fraction (61.5)."""
    return number == number and number not in (float("inf"), float("-inf")) and number == int(number)


def _number(text: str) -> int | float:
    """A cell as a number: whole numbers exactly (ids beyond 2**53 stay exact), else a float
    (a decimal comma is read as a point)."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return float(text.replace(",", "."))


def fingerprint(kind: str, values: dict) -> str:
    """What makes a signal the same signal (its unique key), hashed: for unresolved rows."""
    if kind == INTENT:
        key = (values["provider"], values["domain"], values["topic"].lower(), values["week_start"].isoformat())
    else:
        key = (values["source"], values["external_id"])
    return _digest(kind, *key)


def _details(row: _Row) -> dict:
    value = row.raw.get("details")
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = _load_json(value)
        except (ValueError, RecursionError):
            row.error("details", "Not valid JSON (give an object, e.g. {\"form_type\": \"demo_request\"}).")
            return {}
    if not isinstance(value, dict):
        row.error("details", "Give an object, e.g. {\"form_type\": \"demo_request\"}.")
        return {}
    try:
        text = json.dumps(value, default=str, allow_nan=False)
    except (ValueError, RecursionError):
        row.error("details", "NaN and Infinity are not JSON numbers, and the object must not nest this deep.")
        return {}
    if len(text) > MAX_DETAILS_BYTES:
        row.error("details", f"At most {MAX_DETAILS_BYTES} bytes of details.")
        return {}
    if ("\\u0000" in text or "\\ud" in text) and storable_value(value) != value:
        row.error("details", "Contains a NUL character or broken Unicode (an unpaired surrogate); "
                             "the database cannot store it.")
        return {}
    return value


def storable_value(value: Any) -> Any:
    """`value` (JSON-like) with every text made `storable`."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable_value(k): storable_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable_value(v) for v in value]
    return value


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _load_json(text: str):
    """json.loads without Python's NaN/Infinity extension (PostgreSQL's jsonb refuses them)."""
    return json.loads(text, parse_constant=_reject_constant)


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def _short(value: Any) -> str:
    text = storable(value if isinstance(value, str) else json.dumps(value, default=str))
    return text if len(text) <= 120 else text[:117] + "…"


def storable(text: str) -> str:
    """`text` with what PostgreSQL cannot store replaced (NUL → U+FFFD, an unpaired surrogate →
    "?"): for echoing bad input back in error reports and unresolved rows."""
    if not unstorable(text):
        return text
    return text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


# --- many engagement rows at once ------------------------------------------------------------------

_ENGAGEMENT_TYPE_SET = frozenset(ENGAGEMENT_TYPES)
_PROBLEM = object()  # a cell the full check would reject (too long, not a number …): it reports it


def check_engagement_many(raws: list, *, now: datetime, default_source: str = "") -> list[dict | None]:
    """The cleaned values of each row that `check_engagement` would accept, computed column by
    column (a big file's check was a third of its ingest time); None for every other row.

    Only rows in the common shape are taken: a dict of text cells (what a CSV gives) whose
    values are all in range. Anything unusual — a problem, a number or object cell, a details
    column that is not a small JSON object — is None, and the caller runs `check_row` on it, so
    errors and their wording come from one place. For a row taken here, the values are exactly
    what `check_engagement` returns (tests/signals/test_ingest_fast.py compares them)."""
    plain = [isinstance(raw, dict) and PARSE_ERROR not in raw and all(v.__class__ is str for v in raw.values())
             for raw in raws]
    rows = [raw if ok else {} for raw, ok in zip(raws, plain)]
    types = [_type_of(raw.get("type")) for raw in rows]
    moments = [_moment_in_range(raw.get("occurred_at"), now) for raw in rows]
    sources = [_text(raw.get("source"), 50) for raw in rows]
    emails = [_text(raw.get("email"), 254) for raw in rows]
    contact_ids = [_whole(raw.get("contact_id"), 1, 2**62) for raw in rows]
    domains = [_text(raw.get("account_domain"), 253) for raw in rows]
    external_accounts = [_text(raw.get("account_external_id"), 100) for raw in rows]
    external_ids = [_text(raw.get("external_id"), 200) for raw in rows]
    urls = [_text(raw.get("url"), 500) for raw in rows]
    durations = [_whole(raw.get("duration_seconds"), 0, MAX_DURATION_SECONDS) for raw in rows]
    details = [_small_object(raw.get("details")) for raw in rows]
    default_source = default_source.lower()

    out: list[dict | None] = []
    for i, ok in enumerate(plain):
        event_type, occurred_at, source, email = types[i], moments[i], sources[i], emails[i]
        contact_id, domain, account_external_id = contact_ids[i], domains[i], external_accounts[i]
        external_id, url, duration, detail = external_ids[i], urls[i], durations[i], details[i]
        if (not ok or event_type is None or occurred_at is None or _PROBLEM in (source, email, domain,
                account_external_id, external_id, url) or contact_id is _PROBLEM or duration is _PROBLEM
                or detail is None):
            out.append(None)
            continue
        source = source.lower() or default_source
        email = email.lower()
        domain = domain.lower()
        if not source or (email and not _EMAIL.match(email)) or not (
                email or contact_id or domain or account_external_id):
            out.append(None)
            continue
        if not external_id:
            who = email or (f"contact:{contact_id}" if contact_id else "") or domain or account_external_id
            external_id = "h:" + _digest(event_type, occurred_at.isoformat(), who, url)
        out.append({"type": event_type, "occurred_at": occurred_at, "source": source, "external_id": external_id,
                    "email": email, "contact_id": contact_id, "account_domain": domain,
                    "account_external_id": account_external_id, "url": url, "duration_seconds": duration,
                    "details": detail})
    return out


def _text(value: str | None, max_length: int):
    if value is None:
        return ""
    text = value.strip()
    return text if len(text) <= max_length and not unstorable(text) else _PROBLEM


def _type_of(value: str | None) -> str | None:
    if value is None:
        return None
    name = value.strip().lower().replace("-", "_").replace(" ", "_")
    return name if name in _ENGAGEMENT_TYPE_SET else None


def _moment_in_range(value: str | None, now: datetime) -> datetime | None:
    moment = parse_moment(value) if value is not None else None
    if moment is None or moment > now + FUTURE_SKEW or moment.date() < EARLIEST:
        return None
    return moment


def _whole(value: str | None, low: int, high: int):
    """_Row.integer for a text cell, same arithmetic (`_number`, `_is_whole`); _PROBLEM for any problem."""
    if value is None or not value.strip():
        return None
    try:
        number = _number(value)
    except ValueError:
        return _PROBLEM
    if not _is_whole(number):
        return _PROBLEM
    if not low <= number <= high:
        return _PROBLEM
    return int(number)


def _small_object(value: str | None) -> dict | None:
    """`_details` for a text cell: {} when empty, the object when valid, else None."""
    if value is None or value == "":
        return {}
    try:
        parsed = _load_json(value)
    except (ValueError, RecursionError):
        return None
    if not isinstance(parsed, dict):
        return None
    text = json.dumps(parsed, default=str)
    if len(text) > MAX_DETAILS_BYTES or "\\u0000" in text or "\\ud" in text:
        return None  # too big, or maybe unstorable: the full check decides and says why
    return parsed
