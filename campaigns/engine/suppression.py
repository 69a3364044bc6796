"""The suppression engine: the one check every planned touch passes (DOMAIN.md §7.4).

Rules, in order; the first one that fails decides:

  1. the person: legal hold → ``legal_hold``; hard bounce (e-mail channels) → ``bounced``;
     unsubscribed from all, or opted out of the touch's consent channel → ``opted_out``
  2. the account is a competitor / partner / vendor / disqualified → ``excluded_account``
  3. the account has an open opportunity or an owner's sales hold → ``sales_active``,
     unless the owner approved this play for this account and the approval has not expired
  4. the account is a customer and the play is acquisition-only → ``customer``
  5. frequency caps (per contact per calendar day and rolling 7 days, per account) → ``frequency_cap``
  6. quiet hours: outside the local send window → **defer** to the next window start (``quiet_hours``)
  7. the contact is in another active play of higher priority → ``conflicting_play``

Choices the DOMAIN leaves open, made here:

* **Consent channel** of a touch: email, event_invite, webinar_invite → ``email``; ad_audience →
  ``ads``; direct_mail → ``direct_mail``; sales_task call → ``phone``, sales_task email → ``email``,
  sales_task linkedin → none; web_personalisation and webhook → none (they reach nobody's inbox).
  Consent ``unknown`` does not block; only ``opted_out`` does.
* **Operational** (transactional) touches skip every rule except the two that make delivery itself
  wrong: a legal hold (do-not-contact is absolute) and a hard bounce on an e-mail channel (sending
  again hurts the sender's reputation). Opt-outs, account rules, caps, quiet hours and play
  conflicts never stop them, but they are **counted** toward the caps of later touches.
* **Sales** touches (tasks a play creates for a rep) are treated like marketing ones by rules 1–7:
  an open deal blocks them unless the owner approved the play, and they count toward (and are
  checked against) the contact caps; a sales e-mail also uses the e-mail caps.
* **What the caps count**: every touch that reaches a person or an account (not webhooks, not web
  personalisation), of every kind, that was sent, or allowed or deferred earlier in the same
  batch. "E-mail" caps count e-mail deliveries: email, event/webinar invites, sales e-mails.
  The calendar day is the person's day in their time zone; "rolling 7 days" means no window
  (t − 7 d, t] may ever hold more than the cap — also windows that reach into planned future
  touches, so the batch result does not depend on the order of ``planned_at`` values.
* **Quiet hours** apply to touches delivered at a moment: e-mail channels and sales tasks (their
  due time). Ad audiences, direct mail, web personalisation and webhooks are not time-bound. The
  window is [start, end) local time, every day (no weekend rule). Caps, conflicts and the
  counting use the **effective** time (the deferred time), so a touch deferred from 22:00 to
  08:00 is capped by the next day's e-mails, not by today's; a block always wins over a deferral.
* **Conflicting plays**: a larger ``priority`` number wins; equal priorities do not conflict
  (the caps arbitrate). The lower-priority touch is **blocked** with ``conflicting_play``, not
  deferred — the engine cannot know when the other enrolment ends; the orchestrator keeps the
  enrolment waiting and plans the step again later (``Decision.retryable``).
* An approval (rule 3) counts while ``planned_at < expires_at``; a hold with ``sales_hold_until``
  counts while ``planned_at < sales_hold_until``.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

# --- vocabulary ------------------------------------------------------------------------------

MARKETING, OPERATIONAL, SALES = "marketing", "operational", "sales"
KINDS = (MARKETING, OPERATIONAL, SALES)

EMAIL = "email"
AD_AUDIENCE = "ad_audience"
DIRECT_MAIL = "direct_mail"
EVENT_INVITE = "event_invite"
WEBINAR_INVITE = "webinar_invite"
SALES_TASK = "sales_task"
WEB_PERSONALISATION = "web_personalisation"
WEBHOOK = "webhook"
CHANNELS = (EMAIL, AD_AUDIENCE, DIRECT_MAIL, EVENT_INVITE, WEBINAR_INVITE, SALES_TASK, WEB_PERSONALISATION, WEBHOOK)
TASK_TYPES = ("call", "linkedin", "email")

OPTED_IN, UNKNOWN, OPTED_OUT_STATUS = "opted_in", "unknown", "opted_out"

SEND, DEFER, BLOCK = "send", "defer", "block"

OPTED_OUT = "opted_out"
BOUNCED = "bounced"
LEGAL_HOLD = "legal_hold"
EXCLUDED_ACCOUNT = "excluded_account"
SALES_ACTIVE = "sales_active"
CUSTOMER = "customer"
FREQUENCY_CAP = "frequency_cap"
QUIET_HOURS = "quiet_hours"
CONFLICTING_PLAY = "conflicting_play"
# Blocks that clear with time: the orchestrator waits and plans the step again.
RETRYABLE_CODES = frozenset({FREQUENCY_CAP, CONFLICTING_PLAY})

_EMAIL_CHANNELS = frozenset({EMAIL, EVENT_INVITE, WEBINAR_INVITE})
NOT_COUNTED = frozenset({WEB_PERSONALISATION, WEBHOOK})           # reach no one: no caps
TIMED = frozenset({EMAIL, EVENT_INVITE, WEBINAR_INVITE, SALES_TASK})  # delivered at a moment
CONSENT_BY_CHANNEL = {EMAIL: "email", EVENT_INVITE: "email", WEBINAR_INVITE: "email", AD_AUDIENCE: "ads",
                       DIRECT_MAIL: "direct_mail", WEB_PERSONALISATION: None, WEBHOOK: None}
_CONSENT_BY_TASK = {"call": "phone", "linkedin": None, "email": "email"}
_CONSENT_LABELS = {"email": "e-mail", "phone": "phone calls", "ads": "ads", "direct_mail": "direct mail"}

WEEK = 7 * 24 * 3600.0   # seconds: the ledger keeps POSIX timestamps, cheaper to compare than datetimes


# --- inputs ----------------------------------------------------------------------------------

def _require_aware(value: datetime | None, name: str) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class Touch:
    """One planned touch. ``kind`` is marketing, operational or sales (a sales task, whose
    ``task_type`` is call, linkedin or email). ``contact_id`` is None for account-level touches
    (e.g. an account-based ad audience); e-mail channels need a person."""

    channel: str
    kind: str
    planned_at: datetime
    account_id: Hashable
    contact_id: Hashable | None = None
    task_type: str | None = None
    play_id: Hashable | None = None
    play_priority: int = 0
    play_name: str = ""
    acquisition_only: bool = False

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}; one of {', '.join(CHANNELS)}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; one of {', '.join(KINDS)}")
        if (self.channel == SALES_TASK) != (self.kind == SALES):
            raise ValueError("sales touches are exactly the sales_task channel")
        if self.channel == SALES_TASK and self.task_type not in TASK_TYPES:
            raise ValueError(f"a sales task needs task_type, one of {', '.join(TASK_TYPES)}")
        if self.channel != SALES_TASK and self.task_type is not None:
            raise ValueError("task_type is only for sales tasks")
        if self.channel in _EMAIL_CHANNELS and self.contact_id is None:
            raise ValueError(f"a {self.channel} touch needs a contact")
        _require_aware(self.planned_at, "planned_at")


@dataclass(frozen=True, kw_only=True)
class PastTouch:
    """A touch already sent (or due), used for the frequency caps. Give at least the last 7 days
    before the earliest planned touch."""

    channel: str
    kind: str
    at: datetime
    account_id: Hashable
    contact_id: Hashable | None = None
    task_type: str | None = None

    def __post_init__(self) -> None:
        _require_aware(self.at, "at")


@dataclass(frozen=True, kw_only=True)
class Enrolment:
    """An active enrolment of the person in a play (larger priority wins)."""

    play_id: Hashable
    priority: int = 0
    play_name: str = ""


@dataclass(frozen=True, kw_only=True)
class Person:
    """What rule 1, the caps, quiet hours and rule 7 need to know about the contact.
    ``consent`` maps email / phone / ads / direct_mail to opted_in / unknown / opted_out
    (missing = unknown); ``consent_changed_on`` only feeds the reason sentence."""

    contact_id: Hashable
    name: str = ""
    consent: Mapping[str, str] = field(default_factory=dict)
    consent_changed_on: Mapping[str, date] = field(default_factory=dict)
    unsubscribed: bool = False          # "unsubscribe from all": every non-operational touch
    bounced: bool = False               # hard bounce of the e-mail address
    bounced_on: date | None = None
    legal_hold: bool = False            # legal "do not contact": every touch, operational too
    timezone: str | None = None         # IANA name; unknown or invalid → the workspace default
    enrolments: tuple[Enrolment, ...] = ()


@dataclass(frozen=True, kw_only=True)
class OwnerConsent:
    """The account owner approved this play on this account despite an open deal or hold."""

    play_id: Hashable
    account_id: Hashable
    expires_at: datetime
    given_by: str = ""

    def __post_init__(self) -> None:
        _require_aware(self.expires_at, "expires_at")


@dataclass(frozen=True, kw_only=True)
class AccountState:
    """What rules 2–4 need about the account. ``exclusion`` names why it is excluded
    (competitor, partner, vendor, disqualified …) or is None."""

    account_id: Hashable
    name: str = ""
    exclusion: str | None = None
    open_opportunity: bool = False
    sales_hold: bool = False
    sales_hold_until: datetime | None = None
    customer: bool = False
    owner_consents: tuple[OwnerConsent, ...] = ()

    def __post_init__(self) -> None:
        _require_aware(self.sales_hold_until, "sales_hold_until")


@dataclass(frozen=True, kw_only=True)
class Caps:
    """Frequency caps (workspace-configurable; None switches one off). DOMAIN.md §7.4 defaults."""

    email_per_day: int | None = 1
    email_per_7_days: int | None = 2
    contact_per_7_days: int | None = 3
    account_per_7_days: int | None = 10

    def __post_init__(self) -> None:
        for name in ("email_per_day", "email_per_7_days", "contact_per_7_days", "account_per_7_days"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError(f"{name} must be a whole number ≥ 0 or None, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class Policy:
    """The workspace's rules: caps, the local send window [start, end) and the default time zone."""

    caps: Caps = field(default_factory=Caps)
    send_window_start: time = time(8, 0)
    send_window_end: time = time(18, 0)
    default_timezone: str = "UTC"

    def __post_init__(self) -> None:
        if not self.send_window_start < self.send_window_end:
            raise ValueError("the send window must start before it ends")
        try:
            ZoneInfo(self.default_timezone)
        except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"{self.default_timezone!r} is not an IANA time zone") from None


@dataclass(frozen=True, kw_only=True)
class Context:
    """Everything one ``check`` needs: the account, the person (None for account-level touches),
    the recent touches and the workspace policy."""

    account: AccountState
    person: Person | None = None
    recent_touches: Sequence[PastTouch] = ()
    policy: Policy = field(default_factory=Policy)


@dataclass(frozen=True, kw_only=True, slots=True)
class Decision:
    """``send``; ``defer`` until an aware UTC datetime; or ``block`` with the rule number (1–7),
    its code and a sentence a person can read. ``detail`` carries the facts (which cap, which play)."""

    action: str
    rule: int | None = None
    code: str | None = None
    reason: str = ""
    until: datetime | None = None
    detail: Mapping[str, object] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.action == SEND

    @property
    def retryable(self) -> bool:
        return self.action == DEFER or self.code in RETRYABLE_CODES


# --- the check -------------------------------------------------------------------------------

def check(touch: Touch, context: Context) -> Decision:
    """Check one touch against the rules, in order."""
    if context.person is not None and context.person.contact_id != touch.contact_id:
        raise ValueError("the context's person is not the touch's contact")
    if context.account.account_id != touch.account_id:
        raise ValueError("the context's account is not the touch's account")
    people = {context.person.contact_id: context.person} if context.person is not None else {}
    return check_batch([touch], people=people, accounts={context.account.account_id: context.account},
                       recent_touches=context.recent_touches, policy=context.policy)[0]


def check_batch(touches: Sequence[Touch], *, people: Mapping[Hashable, Person],
                accounts: Mapping[Hashable, AccountState], recent_touches: Iterable[PastTouch] = (),
                policy: Policy | None = None) -> list[Decision]:
    """Check many touches at once, in the given order: a touch that is sent (or deferred) counts
    toward the caps of the touches after it. One decision per touch, in the same order.
    ``people`` and ``accounts`` are keyed by id; ``recent_touches`` is the shared history (each
    past touch once — account caps are counted from it without double counting)."""
    policy = policy or Policy()
    ledger = _Ledger(recent_touches, policy)
    decisions = []
    for touch in touches:
        account = accounts.get(touch.account_id)
        if account is None:
            raise ValueError(f"no AccountState for account {touch.account_id!r}")
        person = None
        if touch.contact_id is not None:
            person = people.get(touch.contact_id)
            if person is None:
                raise ValueError(f"no Person for contact {touch.contact_id!r}")
        decisions.append(_decide(touch, person, account, ledger, policy))
    return decisions


def _decide(touch: Touch, person: Person | None, account: AccountState, ledger: _Ledger,
            policy: Policy) -> Decision:
    blocked = _person_rule(touch, person)
    if blocked:
        return blocked
    if touch.kind == OPERATIONAL:
        ledger.record(touch, person, touch.planned_at)
        return Decision(action=SEND, reason="operational message: exempt from rules 2–7, counted toward caps")
    blocked = _account_rules(touch, account)
    if blocked:
        return blocked
    tz, tz_name = ledger.zone(person)
    at = _effective_time(touch, tz, policy)
    blocked = ledger.over_cap(touch, person, account, at) or _conflict(touch, person)
    if blocked:
        return blocked
    ledger.record(touch, person, at)
    if at != touch.planned_at:
        return quiet_hours_deferral(touch.planned_at, tz, tz_name, policy)
    return Decision(action=SEND)


def quiet_hours_deferral(planned_at: datetime, tz: tzinfo, tz_name: str, policy: Policy) -> Decision | None:
    """Rule 6 for a timed touch planned at ``planned_at`` to a person in ``tz``: None inside the
    local send window, else the deferral to the next window start. Also what planning's SQL path
    (campaigns/services/clear_touches.py) writes for a deferred touch, zone by zone."""
    at = _in_window(planned_at, tz, policy)
    if at == planned_at:
        return None
    window = f"{policy.send_window_start:%H:%M}–{policy.send_window_end:%H:%M}"
    return Decision(action=DEFER, rule=6, code=QUIET_HOURS, until=at,
                    reason=f"outside the send window {window} in {tz_name}; "
                           f"deferred to {at.astimezone(tz):%Y-%m-%d %H:%M} local time",
                    detail={"timezone": tz_name, "planned_local": planned_at.astimezone(tz).isoformat()})


def _who(person: Person) -> str:
    return person.name or "The contact"


def _is_email(channel: str, task_type: str | None) -> bool:
    return channel in _EMAIL_CHANNELS or (channel == SALES_TASK and task_type == "email")


def _consent_channel(touch: Touch) -> str | None:
    if touch.channel == SALES_TASK:
        return _CONSENT_BY_TASK[touch.task_type]
    return CONSENT_BY_CHANNEL[touch.channel]


def _person_rule(touch: Touch, person: Person | None) -> Decision | None:
    """Rule 1. Legal hold and bounce stop operational messages too; opt-outs do not."""
    if person is None:
        return None
    if person.legal_hold:
        return Decision(action=BLOCK, rule=1, code=LEGAL_HOLD,
                        reason=f"{_who(person)} is under a legal hold (do not contact)")
    if person.bounced and _is_email(touch.channel, touch.task_type):
        on = f" on {person.bounced_on.isoformat()}" if person.bounced_on else ""
        return Decision(action=BLOCK, rule=1, code=BOUNCED, reason=f"{_who(person)}'s e-mail address bounced{on}")
    if touch.kind == OPERATIONAL:
        return None
    if person.unsubscribed:
        return Decision(action=BLOCK, rule=1, code=OPTED_OUT,
                        reason=f"{_who(person)} unsubscribed from all communication", detail={"channel": None})
    channel = _consent_channel(touch)
    if channel is not None and person.consent.get(channel, UNKNOWN) == OPTED_OUT_STATUS:
        changed = person.consent_changed_on.get(channel)
        on = f" on {changed.isoformat()}" if changed else ""
        return Decision(action=BLOCK, rule=1, code=OPTED_OUT,
                        reason=f"{_who(person)} opted out of {_CONSENT_LABELS.get(channel, channel)}{on}",
                        detail={"channel": channel})
    return None


def _account_rules(touch: Touch, account: AccountState) -> Decision | None:
    """Rules 2–4."""
    name = account.name or "The account"
    if account.exclusion:
        return Decision(action=BLOCK, rule=2, code=EXCLUDED_ACCOUNT,
                        reason=f"{name} is excluded from campaigns ({account.exclusion})",
                        detail={"exclusion": account.exclusion})
    hold = account.sales_hold and (account.sales_hold_until is None or touch.planned_at < account.sales_hold_until)
    if account.open_opportunity or hold:
        approvals = [c for c in account.owner_consents
                     if c.play_id == touch.play_id and c.account_id == touch.account_id]
        if not any(touch.planned_at < c.expires_at for c in approvals):
            why = " and ".join(w for w, on in (("an open opportunity", account.open_opportunity),
                                                ("an owner's sales hold", hold)) if on)
            expired = max((c.expires_at for c in approvals), default=None)
            approval = (f"the owner's approval for this play expired on {expired.date().isoformat()}" if expired
                        else "the owner has not approved this play")
            return Decision(action=BLOCK, rule=3, code=SALES_ACTIVE, reason=f"{name} has {why}; {approval}",
                            detail={"open_opportunity": account.open_opportunity, "sales_hold": hold,
                                    "approval_expired_at": expired})
    if account.customer and touch.acquisition_only:
        return Decision(action=BLOCK, rule=4, code=CUSTOMER,
                        reason=f"{name} is a customer and this play is for acquisition only")
    return None


def _effective_time(touch: Touch, tz: tzinfo, policy: Policy) -> datetime:
    """Rule 6's moment: ``planned_at`` inside the local window, else the next window start (UTC)."""
    return _in_window(touch.planned_at, tz, policy) if touch.channel in TIMED else touch.planned_at


@lru_cache(maxsize=1)
def known_time_zones() -> frozenset[str]:
    """The IANA zone names of this machine's tz database: the names a person's or the default
    zone may have (planning's per-zone table and the settings check use the same set)."""
    return frozenset(available_timezones())


def _in_window(planned_at: datetime, tz: tzinfo, policy: Policy) -> datetime:
    """``planned_at`` when it is inside the local send window, else the next window start (UTC)."""
    local = planned_at.astimezone(tz)
    if policy.send_window_start <= local.time() < policy.send_window_end:
        return planned_at
    day = local.date() if local.time() < policy.send_window_start else local.date() + timedelta(days=1)
    # fold=0: on a DST change the first occurrence; a wall time in a gap maps past the gap.
    return datetime.combine(day, policy.send_window_start, tzinfo=tz).astimezone(timezone.utc)


def _conflict(touch: Touch, person: Person | None) -> Decision | None:
    """Rule 7: another active play of higher priority has this person."""
    if person is None:
        return None
    rivals = [e for e in person.enrolments if e.play_id != touch.play_id and e.priority > touch.play_priority]
    if not rivals:
        return None
    top = max(rivals, key=lambda e: e.priority)
    label = f'"{top.play_name}"' if top.play_name else f"#{top.play_id}"
    return Decision(action=BLOCK, rule=7, code=CONFLICTING_PLAY,
                    reason=f"{_who(person)} is in play {label} of higher priority "
                           f"({top.priority} > {touch.play_priority}); this play waits",
                    detail={"play_id": top.play_id, "priority": top.priority})


# --- counting --------------------------------------------------------------------------------

def _peak(times: list[float], at: float) -> int:
    """The most touches in ``times`` (sorted timestamps) inside any rolling window (end − 7 d, end]
    that would also hold a touch at ``at``. Such windows end in [at, at + 7 d); the busiest one
    ends at ``at`` or at one of the touches after it (usually there are none)."""
    after = bisect_right(times, at)
    best = after - bisect_right(times, at - WEEK)
    for i in range(after, bisect_left(times, at + WEEK, after)):
        end = times[i]
        count = bisect_right(times, end, i) - bisect_right(times, end - WEEK, 0, i)
        if count > best:
            best = count
    return best


class _Ledger:
    """Counted touches per contact and per account, indexed for the caps: sorted UTC times for
    the rolling windows and a count per (contact, local calendar day) for the daily e-mail cap.
    History is grouped once and a contact's index is built the first time it is asked for."""

    def __init__(self, history: Iterable[PastTouch], policy: Policy) -> None:
        self.policy = policy
        self._zones: dict[str | None, tuple[tzinfo, str]] = {}
        self._history_by_contact: dict[Hashable, list[PastTouch]] = defaultdict(list)
        self._account_times: dict[Hashable, list[float]] = defaultdict(list)
        for past in history:
            if past.channel in NOT_COUNTED:
                continue
            self._account_times[past.account_id].append(past.at.timestamp())
            if past.contact_id is not None:
                self._history_by_contact[past.contact_id].append(past)
        for times in self._account_times.values():
            times.sort()
        self._contacts: dict[Hashable, _ContactIndex] = {}

    def zone(self, person: Person | None) -> tuple[tzinfo, str]:
        name = person.timezone if person is not None else None
        if name not in self._zones:
            try:
                self._zones[name] = (ZoneInfo(name), name) if name else self._default_zone()
            except (ValueError, KeyError):   # ZoneInfoNotFoundError is a KeyError; bad names a ValueError
                self._zones[name] = self._default_zone()
        return self._zones[name]

    def _default_zone(self) -> tuple[tzinfo, str]:
        return ZoneInfo(self.policy.default_timezone), self.policy.default_timezone

    def _contact(self, person: Person) -> _ContactIndex:
        index = self._contacts.get(person.contact_id)
        if index is None:
            index = _ContactIndex(self.zone(person)[0])
            for past in self._history_by_contact.pop(person.contact_id, ()):
                index.add(past.at, _is_email(past.channel, past.task_type))
            index.all.sort()
            index.email.sort()
            self._contacts[person.contact_id] = index
        return index

    def record(self, touch: Touch, person: Person | None, at: datetime) -> None:
        if touch.channel in NOT_COUNTED:
            return
        insort(self._account_times[touch.account_id], at.timestamp())
        if person is not None:
            self._contact(person).add(at, _is_email(touch.channel, touch.task_type), keep_sorted=True)

    def over_cap(self, touch: Touch, person: Person | None, account: AccountState, at: datetime) -> Decision | None:
        """Rule 5 at the touch's effective time, in the order: e-mails per day, e-mails per 7 days,
        touches per contact per 7 days, touches per account per 7 days."""
        if touch.channel in NOT_COUNTED:
            return None
        caps = self.policy.caps
        stamp = at.timestamp()
        if person is not None:
            index = self._contact(person)
            who = _who(person)
            if _is_email(touch.channel, touch.task_type):
                day = at.astimezone(index.zone).date()
                sent = index.email_days.get(day, 0)
                if caps.email_per_day is not None and sent >= caps.email_per_day:
                    return _capped("email_per_day", caps.email_per_day, sent,
                                   f"{who} already gets {sent} e-mail(s) on {day.isoformat()} (their calendar day); "
                                   f"the cap is {caps.email_per_day} per day")
                if caps.email_per_7_days is not None:
                    peak = _peak(index.email, stamp)
                    if peak >= caps.email_per_7_days:
                        return _capped("email_per_7_days", caps.email_per_7_days, peak,
                                       f"{who} already gets {peak} e-mail(s) within 7 days of this one; "
                                       f"the cap is {caps.email_per_7_days} per rolling 7 days")
            if caps.contact_per_7_days is not None:
                peak = _peak(index.all, stamp)
                if peak >= caps.contact_per_7_days:
                    return _capped("contact_per_7_days", caps.contact_per_7_days, peak,
                                   f"{who} already gets {peak} touch(es) within 7 days of this one; "
                                   f"the cap is {caps.contact_per_7_days} per rolling 7 days")
        if caps.account_per_7_days is not None:
            peak = _peak(self._account_times[touch.account_id], stamp)
            if peak >= caps.account_per_7_days:
                return _capped("account_per_7_days", caps.account_per_7_days, peak,
                               f"{account.name or 'The account'} already gets {peak} touch(es) within 7 days "
                               f"of this one; the cap is {caps.account_per_7_days} per rolling 7 days")
        return None


def _capped(cap: str, limit: int, count: int, reason: str) -> Decision:
    return Decision(action=BLOCK, rule=5, code=FREQUENCY_CAP, reason=reason,
                    detail={"cap": cap, "limit": limit, "count": count})


class _ContactIndex:
    """One person's counted touches (timestamps, sorted) and e-mails per local calendar day."""

    __slots__ = ("zone", "all", "email", "email_days")

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.all: list[float] = []
        self.email: list[float] = []
        self.email_days: dict[date, int] = defaultdict(int)

    def add(self, at: datetime, is_email: bool, keep_sorted: bool = False) -> None:
        stamp = at.timestamp()
        if keep_sorted:
            insort(self.all, stamp)
        else:
            self.all.append(stamp)
        if is_email:
            if keep_sorted:
                insort(self.email, stamp)
            else:
                self.email.append(stamp)
            self.email_days[at.astimezone(self.zone).date()] += 1
