"""Engagement rules (DOMAIN.md §1.3): what one engagement is worth.

`minutes` of an event = activity minutes m(type, page rule) × seniority weight of the person.
Each engagement type has an ordered list of clauses; the first clause whose condition holds
gives the activity minutes, the half-life and whether the event is high-value. The same
clauses drive the ingest (in Python, `weigh`) and the retroactive reweigh (translated to SQL
CASE expressions by the reweigh service), so both always agree.

Defaults are the DOMAIN.md §1.3 table; a workspace overrides them with
`SignalSettings.engagement_rules` ({type: {key: number}}), `high_value_paths` and
`excluded_paths` (URL fragments, matched case-insensitively anywhere in the URL — the same
test SQL's LIKE '%fragment%' makes).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# --- vocabulary --------------------------------------------------------------------------------

WEB_VISIT = "web_visit"
EMAIL_OPEN = "email_open"
EMAIL_CLICK = "email_click"
EMAIL_REPLY = "email_reply"
AD_IMPRESSION = "ad_impression"
AD_CLICK = "ad_click"
FORM_FILL = "form_fill"
CONTENT_DOWNLOAD = "content_download"
WEBINAR_REGISTRATION = "webinar_registration"
WEBINAR_ATTENDANCE = "webinar_attendance"
EVENT_REGISTRATION = "event_registration"
EVENT_ATTENDANCE = "event_attendance"
MEETING = "meeting"
CALL = "call"

TYPES = (WEB_VISIT, EMAIL_OPEN, EMAIL_CLICK, EMAIL_REPLY, AD_IMPRESSION, AD_CLICK, FORM_FILL, CONTENT_DOWNLOAD,
         WEBINAR_REGISTRATION, WEBINAR_ATTENDANCE, EVENT_REGISTRATION, EVENT_ATTENDANCE, MEETING, CALL)

CHANNEL_OF = {
    WEB_VISIT: "web", EMAIL_OPEN: "email", EMAIL_CLICK: "email", EMAIL_REPLY: "email", AD_IMPRESSION: "ads",
    AD_CLICK: "ads", FORM_FILL: "content", CONTENT_DOWNLOAD: "content", WEBINAR_REGISTRATION: "events",
    WEBINAR_ATTENDANCE: "events", EVENT_REGISTRATION: "events", EVENT_ATTENDANCE: "events", MEETING: "meetings",
    CALL: "calls",
}

# Variants: which special rule of a type an event falls under, read from its details at ingest.
PREMIUM = "premium"
DEMO_REQUEST = "demo_request"
BOOTH_VISIT = "booth_visit"
NOT_CONNECTED = "not_connected"
VARIANTS = (PREMIUM, DEMO_REQUEST, BOOTH_VISIT, NOT_CONNECTED)

# Seniority weights (DOMAIN.md §1.3, Demandbase's recommendation). A known person without a
# seniority counts like a practitioner; an anonymous event (no person) counts fully.
SENIORITY_WEIGHTS = {"c_level": 2.0, "vp": 1.5, "director": 1.25, "manager": 1.0, "practitioner": 0.5}
UNKNOWN_PERSON_WEIGHT = 0.5
ANONYMOUS_WEIGHT = 1.0

DEFAULT_HIGH_VALUE_PATHS = ("/pricing", "/demo", "/contact")
DEFAULT_EXCLUDED_PATHS = ("/careers", "/jobs", "/unsubscribe", "/login", "/signin")
DEFAULT_MEETING_MINUTES = 30.0  # a meeting whose duration is unknown
MAX_MEETING_MINUTES = 480.0  # a day; a longer "meeting" is a data error, capped

# Per type: the editable numbers, with the DOMAIN.md §1.3 defaults. `minutes`/`half_life_days`
# are the base rule; the other keys feed the type's special clauses.
DEFAULT_RULES: dict[str, dict[str, float]] = {
    WEB_VISIT: {"minutes": 1, "half_life_days": 14, "high_value_bonus": 4},
    EMAIL_OPEN: {"minutes": 0.1, "half_life_days": 14},
    EMAIL_CLICK: {"minutes": 1, "half_life_days": 30},
    EMAIL_REPLY: {"minutes": 1, "half_life_days": 30},
    AD_IMPRESSION: {"minutes": 0, "half_life_days": 14},
    AD_CLICK: {"minutes": 1, "half_life_days": 14},
    # A plain form (newsletter, gated asset) is worth a standard download; a demo request 30.
    FORM_FILL: {"minutes": 5, "half_life_days": 45, "demo_request_minutes": 30, "demo_request_half_life_days": 90},
    CONTENT_DOWNLOAD: {"minutes": 5, "half_life_days": 45, "premium_minutes": 10},
    WEBINAR_REGISTRATION: {"minutes": 5, "half_life_days": 60},
    WEBINAR_ATTENDANCE: {"minutes": 30, "half_life_days": 60},
    EVENT_REGISTRATION: {"minutes": 5, "half_life_days": 60},
    EVENT_ATTENDANCE: {"minutes": 30, "half_life_days": 60, "booth_visit_minutes": 15},
    # Meetings count their actual minutes; `minutes` is used when the duration is unknown.
    MEETING: {"minutes": DEFAULT_MEETING_MINUTES, "half_life_days": 90},
    CALL: {"minutes": 1, "half_life_days": 30},
}

RULE_LABELS = {
    "minutes": "Minutes", "half_life_days": "Half-life (days)", "high_value_bonus": "+ on a high-value page",
    "demo_request_minutes": "Demo request: minutes", "demo_request_half_life_days": "Demo request: half-life",
    "premium_minutes": "Premium content: minutes", "booth_visit_minutes": "Booth visit: minutes",
}
MAX_MINUTES = 1000.0
MAX_HALF_LIFE_DAYS = 3650.0


class RulesError(ValueError):
    """Workspace rule overrides that cannot be used. `problems` maps 'type.key' to a reason."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


# --- clauses -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Clause:
    """One rule of a type. It applies when every condition it names holds: the event's variant
    equals `variant`, its URL contains one of `url_any`. `per_duration` takes the activity
    minutes from the event's duration (meetings), `minutes` being the fallback."""

    minutes: float
    half_life_days: float
    high_value: bool = False
    variant: str | None = None
    url_any: tuple[str, ...] = ()
    per_duration: bool = False

    def matches(self, *, variant: str, url_lower: str) -> bool:
        if self.variant is not None and variant != self.variant:
            return False
        if self.url_any and not any(fragment in url_lower for fragment in self.url_any):
            return False
        return True


@dataclass(frozen=True)
class RuleSet:
    """A workspace's engagement rules, ready to apply: ordered clauses per type (the last has no
    condition). Build with `rule_set(...)`."""

    clauses: dict[str, tuple[Clause, ...]]
    high_value_paths: tuple[str, ...]
    excluded_paths: tuple[str, ...]

    def for_type(self, event_type: str) -> tuple[Clause, ...]:
        return self.clauses[event_type]


def rule_set(engagement_rules: dict | None = None, high_value_paths=None, excluded_paths=None) -> RuleSet:
    """The effective rules: DOMAIN.md defaults, overridden by the workspace's settings.
    Raises RulesError for unknown types or keys and for numbers out of range."""
    numbers = merged_rules(engagement_rules)
    high_value = clean_paths(DEFAULT_HIGH_VALUE_PATHS if high_value_paths is None else high_value_paths)
    excluded = clean_paths(DEFAULT_EXCLUDED_PATHS if excluded_paths is None else excluded_paths)
    clauses: dict[str, tuple[Clause, ...]] = {}
    for event_type in TYPES:
        r = numbers[event_type]
        base = Clause(minutes=r["minutes"], half_life_days=r["half_life_days"])
        if event_type == WEB_VISIT:
            special = []
            if excluded:  # careers/login pages: stored, worth nothing (DOMAIN.md §1.3)
                special.append(Clause(minutes=0.0, half_life_days=r["half_life_days"], url_any=excluded))
            if high_value:  # rules are additive: a pricing page is a page visit plus the bonus
                special.append(Clause(minutes=r["minutes"] + r["high_value_bonus"], half_life_days=r["half_life_days"],
                                      high_value=True, url_any=high_value))
            clauses[event_type] = (*special, base)
        elif event_type == FORM_FILL:
            clauses[event_type] = (Clause(minutes=r["demo_request_minutes"],
                                          half_life_days=r["demo_request_half_life_days"], high_value=True,
                                          variant=DEMO_REQUEST), base)
        elif event_type == CONTENT_DOWNLOAD:
            clauses[event_type] = (Clause(minutes=r["premium_minutes"], half_life_days=r["half_life_days"],
                                          variant=PREMIUM), base)
        elif event_type == EVENT_ATTENDANCE:
            clauses[event_type] = (Clause(minutes=r["booth_visit_minutes"], half_life_days=r["half_life_days"],
                                          variant=BOOTH_VISIT), base)
        elif event_type == CALL:  # voicemail / no connect is worth nothing (DOMAIN.md §1.3)
            clauses[event_type] = (Clause(minutes=0.0, half_life_days=r["half_life_days"], variant=NOT_CONNECTED), base)
        elif event_type == MEETING:
            clauses[event_type] = (Clause(minutes=r["minutes"], half_life_days=r["half_life_days"], per_duration=True),)
        else:
            clauses[event_type] = (base,)
    return RuleSet(clauses=clauses, high_value_paths=high_value, excluded_paths=excluded)


def merged_rules(overrides: dict | None) -> dict[str, dict[str, float]]:
    """Defaults with the workspace's numbers on top, checked."""
    problems: dict[str, str] = {}
    merged = {t: dict(v) for t, v in DEFAULT_RULES.items()}
    for event_type, values in (overrides or {}).items():
        if event_type not in DEFAULT_RULES:
            problems[str(event_type)] = f"unknown engagement type; use one of {', '.join(TYPES)}"
            continue
        if not isinstance(values, dict):
            problems[event_type] = "give an object of numbers, e.g. {\"minutes\": 1, \"half_life_days\": 14}"
            continue
        for key, value in values.items():
            where = f"{event_type}.{key}"
            if key not in DEFAULT_RULES[event_type]:
                problems[where] = f"unknown key; this type has {', '.join(DEFAULT_RULES[event_type])}"
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems[where] = "must be a number"
                continue
            if "half_life" in key:
                if not 0 < value <= MAX_HALF_LIFE_DAYS:
                    problems[where] = f"must be more than 0 and at most {MAX_HALF_LIFE_DAYS:g} days"
                    continue
            elif not 0 <= value <= MAX_MINUTES:
                problems[where] = f"must be between 0 and {MAX_MINUTES:g} minutes"
                continue
            merged[event_type][key] = float(value)
    if problems:
        raise RulesError(problems)
    return merged


def rules_overrides(numbers: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Only what differs from the defaults (what a workspace stores)."""
    out: dict[str, dict[str, float]] = {}
    for event_type, values in numbers.items():
        changed = {k: v for k, v in values.items() if DEFAULT_RULES.get(event_type, {}).get(k) != v}
        if changed:
            out[event_type] = changed
    return out


def clean_paths(paths) -> tuple[str, ...]:
    """Lower-cased, stripped, de-duplicated URL fragments; `%` and `_` (LIKE wildcards) and
    empty fragments are refused so SQL and Python agree."""
    out = []
    for raw in paths or ():
        fragment = str(raw).strip().lower()
        if not fragment:
            continue
        if "%" in fragment or "_" in fragment or "\\" in fragment:
            raise RulesError({"paths": f"{fragment!r}: '%', '_' and '\\' are not allowed in a URL fragment"})
        if len(fragment) > 200:
            raise RulesError({"paths": f"{fragment[:30]!r}…: at most 200 characters"})
        if fragment not in out:
            out.append(fragment)
    return tuple(out)


# --- applying the rules to one event -------------------------------------------------------------

@dataclass(frozen=True)
class Weight:
    minutes: float  # weighted minutes (activity minutes × seniority weight)
    half_life_days: float
    is_high_value: bool


def seniority_weight(*, has_contact: bool, seniority: str | None) -> float:
    if not has_contact:
        return ANONYMOUS_WEIGHT
    return SENIORITY_WEIGHTS.get(seniority or "", UNKNOWN_PERSON_WEIGHT)


def activity_minutes(clause: Clause, duration_seconds: int | None) -> float:
    if clause.per_duration and duration_seconds is not None:
        return min(MAX_MEETING_MINUTES, duration_seconds / 60.0)
    return clause.minutes


def applicable_clause(rules: RuleSet, event_type: str, *, variant: str = "", url: str = "") -> Clause:
    url_lower = (url or "").lower()
    for clause in rules.for_type(event_type):
        if clause.matches(variant=variant or "", url_lower=url_lower):
            return clause
    raise AssertionError(f"no default clause for {event_type}")  # rule_set always ends with one


def weigh(rules: RuleSet, event_type: str, *, variant: str = "", url: str = "", duration_seconds: int | None = None,
          has_contact: bool = False, seniority: str | None = None, cache: dict | None = None) -> Weight:
    """Weighted minutes, half-life and high-value flag of one event. `cache` (a dict the caller
    keeps for one set of rules) remembers the clause per type, variant and URL: a batch repeats
    the same pages many times."""
    if cache is None:
        clause = applicable_clause(rules, event_type, variant=variant, url=url)
    else:
        key = (event_type, variant, url)
        clause = cache.get(key)
        if clause is None:
            clause = cache[key] = applicable_clause(rules, event_type, variant=variant, url=url)
    # No rounding: the reweigh's SQL multiplies the same doubles and must give the same number.
    minutes = activity_minutes(clause, duration_seconds) * seniority_weight(has_contact=has_contact,
                                                                             seniority=seniority)
    return Weight(minutes=minutes, half_life_days=clause.half_life_days, is_high_value=clause.high_value)


def variant_of(event_type: str, details: dict[str, Any] | None) -> str:
    """The special rule an event falls under, from what its source says in `details`:
    form_fill `form_type: demo_request` (or `demo_request: true`); content_download
    `premium: true` (or `content_tier: premium`); event_attendance `booth_visit: true` (or
    `status: booth_visit`); call `connected: false` (or `outcome: voicemail|no_answer`)."""
    d = details or {}
    if event_type == FORM_FILL:
        kind = str(d.get("form_type", d.get("form", ""))).strip().lower().replace("-", "_").replace(" ", "_")
        if kind in ("demo_request", "demo") or d.get("demo_request") is True:
            return DEMO_REQUEST
    elif event_type == CONTENT_DOWNLOAD:
        if d.get("premium") is True or str(d.get("content_tier", "")).strip().lower() == PREMIUM:
            return PREMIUM
    elif event_type == EVENT_ATTENDANCE:
        if d.get("booth_visit") is True or str(d.get("status", "")).strip().lower() in ("booth_visit", "booth"):
            return BOOTH_VISIT
    elif event_type == CALL:
        outcome = str(d.get("outcome", "")).strip().lower().replace(" ", "_")
        if d.get("connected") is False or outcome in ("voicemail", "no_answer", "no_connect", "busy"):
            return NOT_CONNECTED
    return ""
