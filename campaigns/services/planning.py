"""Plan the due steps of active enrolments: pick the people, pass every touch through the one
suppression engine, and write the touches as outbox rows (planned, deferred or blocked with the
rule and reason). Planning the same step twice plans it once: the touch key is unique.

Set-based per batch of enrolments: the progress checks (goals, replies, audience) as a few
UPDATEs, then a handful of queries for people, accounts, holds, owner consents, the last 7 days
of touches and other plays' enrolments, one `check_batch` and one bulk insert.

After a step is planned, the enrolment moves on (campaigns/services/progress.py has the rules):

* to the branch target when the step branches, else to the next step by order; timed by that
  step's delay after this step's touches (a touch deferred to the morning delays the next one);
  past the last step the enrolment completes;
* a step with a "no reply in N days" wait is not planned until the wait is over (the
  enrolment's `next_step_at` is set to when to look again); a reply ends the enrolment;
* a touch the engine blocks with a rule that clears with time (frequency caps, a conflicting
  play of higher priority) is planned again: the enrolment stays on the step and looks again
  after `RETRY_BLOCKED_AFTER`, up to `MAX_PLAN_ATTEMPTS` times (the blocked row is the log of
  the wait; `attempts` counts the tries); then the block is final and the enrolment moves on;
* a block on a rule about the account that no waiting changes (an excluded account, a
  customer in an acquisition play) ends the enrolment `blocked` with the engine's reason.

Two blocks come from planning itself, not from the engine, because they are about whether the
channel can carry the touch at all: `no_one_fits` (nobody in the account fits the step's
audience: a coverage gap) and `no_postal_address` (a direct-mail letter the engine allowed, to
an account without a street, postal code, city or country: campaigns/engine/postal.py). Both
are final for the step and listed with the other blocks.

Advancing is a conditional UPDATE on the step the enrolment was on, so two planners racing on
the same batch move it once.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, CharField, Q, Value, When
from django.utils import timezone

from accounts.models import NEVER_CONTACTED, Account, Relationship
from accounts.services.holds import account_contact_blocks
from campaigns.engine import postal
from campaigns.engine import suppression as engine
from campaigns.models import (
    CampaignStatus, Channel, Enrolment, EnrolmentStatus, FrequencySettings, OwnerConsent, Play, Step, Touch,
    TouchStatus,
)
from campaigns.services import clear_touches, progress
from campaigns.services.audience import CONTACT_CHANNELS, Person, country_timezone, people_by_id, step_people

BATCH = 10000
# Enrolments ended `blocked` carry their own reasons, as a CASE PostgreSQL reads branch by branch
# for every row: this many per UPDATE keeps that linear in the batch.
BLOCKED_PER_UPDATE = 500
# A touch reaches a person (or the account) at most once per step of an enrolment.
ENGINE_CHANNEL = {"event_invite": engine.EVENT_INVITE}
RETRY_BLOCKED_AFTER = timedelta(days=1)
MAX_PLAN_ATTEMPTS = 7
# Account rules no waiting changes: the enrolment ends.
FINAL_ACCOUNT_CODES = frozenset({engine.EXCLUDED_ACCOUNT, engine.CUSTOMER})
COMPLETED = "All steps done"


def touch_key(enrolment_id: int, step_id: int, contact_id: int | None) -> str:
    return f"{enrolment_id}:{step_id}:{contact_id if contact_id is not None else 'account'}"


def frequency_policy(workspace_id: int) -> engine.Policy:
    settings, _ = FrequencySettings.objects.for_workspace(workspace_id).get_or_create()
    return engine.Policy(
        caps=engine.Caps(email_per_day=settings.email_per_day, email_per_7_days=settings.email_per_7_days,
                         contact_per_7_days=settings.touches_per_contact_7_days,
                         account_per_7_days=settings.touches_per_account_7_days),
        send_window_start=datetime.min.time().replace(hour=settings.window_start_hour),
        send_window_end=datetime.min.time().replace(hour=settings.window_end_hour),
        default_timezone=settings.default_timezone)


def plan_due(*, workspace_id: int, now: datetime | None = None) -> dict:
    """Plan every step that is due now, batch by batch. Returns counts by outcome."""
    now = now or timezone.now()
    counts: dict[str, int] = defaultdict(int)
    policy = frequency_policy(workspace_id)
    due = (Enrolment.objects.for_workspace(workspace_id)
           .filter(status=EnrolmentStatus.ACTIVE, next_step_at__lte=now,
                   play__is_active=True, play__campaign__status__in=[CampaignStatus.PILOT, CampaignStatus.ACTIVE])
           .order_by("pk").values_list("pk", "play_id", "account_id", "next_step_order", "started_at"))
    last_id = 0
    while True:
        batch = [Due(*row) for row in due.filter(pk__gt=last_id)[:BATCH]]
        if not batch:
            break
        last_id = batch[-1].pk
        for outcome, n in _plan_batch(workspace_id, batch, now, policy).items():
            counts[outcome] += n
    return {outcome: n for outcome, n in counts.items() if n}


@dataclass(frozen=True, slots=True)
class Due:
    """An enrolment due for its next step: what planning needs of it, without a model instance."""

    pk: int
    play_id: int
    account_id: int
    next_step_order: int
    started_at: datetime


@dataclass(slots=True)
class Row:
    """One touch about to be written: plain attributes, thousands per batch, no model instance."""

    key: str
    enrolment_id: int
    step_id: int
    campaign_id: int
    account_id: int
    contact_id: int | None
    channel: str
    is_operational: bool
    planned_at: datetime
    status: str = TouchStatus.PLANNED
    block_rule: int | None = None
    block_code: str = ""
    block_reason: str = ""
    attempts: int = 0


def _plan_batch(workspace_id: int, enrolments: list[Due], now: datetime, policy: engine.Policy) -> dict:
    counts: dict[str, int] = defaultdict(int)
    plays = {p.pk: p for p in Play.objects.for_workspace(workspace_id).filter(
        pk__in={e.play_id for e in enrolments}).select_related("campaign").prefetch_related("steps")}
    ended = progress.enrolments_progress(workspace_id=workspace_id, now=now, enrolment_ids=[e.pk for e in enrolments],
                                         plays=list(plays.values()))
    if any(ended.values()):
        counts.update(ended)
        still = set(Enrolment.objects.for_workspace(workspace_id).filter(
            pk__any=[e.pk for e in enrolments], status=EnrolmentStatus.ACTIVE).values_list("pk", flat=True))
        enrolments = [e for e in enrolments if e.pk in still]
    steps: dict[int, dict[int, Step]] = {pk: {s.order: s for s in play.steps.all()} for pk, play in plays.items()}
    current = {e.pk: steps[e.play_id][e.next_step_order] for e in enrolments if e.next_step_order in steps[e.play_id]}
    finished = [e.pk for e in enrolments if e.pk not in current]
    waits = progress.waits_resolve(workspace_id, [e for e in enrolments if e.pk in current], current, now)
    runnable = [e for e in enrolments if e.pk in current and e.pk not in waits.until and e.pk not in waits.replied]
    planned, stale, earlier, staged = _who(workspace_id, runnable, current, plays, now, policy)
    rows = _decide(workspace_id, planned, plays, now, policy, counts)
    outcome = _outcome(rows, earlier, now, staged.clear_enrolments if staged else {})
    branches = progress.branch_targets(workspace_id, [e for e in runnable if e.pk in outcome.advance], current, now)
    with transaction.atomic():
        scoped = Enrolment.objects.for_workspace(workspace_id)
        if stale:
            Touch.objects.for_workspace(workspace_id).filter(pk__any=stale, status=TouchStatus.BLOCKED).delete()
        _insert(workspace_id, rows)
        if staged is not None and staged.clear:
            for status, n in clear_touches.write(workspace_id, timezone.now()).items():
                counts[status] += n
        counts["exited_replied"] += progress.enrolments_end(scoped.filter(pk__any=waits.replied),
                                                            EnrolmentStatus.EXITED, progress.REPLIED, now)
        blocked = list(outcome.blocked.items())
        for start in range(0, len(blocked), BLOCKED_PER_UPDATE):   # each its own reason: a CASE per chunk
            chunk = blocked[start:start + BLOCKED_PER_UPDATE]
            reasons = Case(*(When(pk=pk, then=Value(f"Blocked: {reason}"[:255])) for pk, reason in chunk),
                           output_field=CharField())
            counts["enrolments_blocked"] += progress.enrolments_end(scoped.filter(pk__any=[pk for pk, _ in chunk]),
                                                                    EnrolmentStatus.BLOCKED, reasons, now)
        counts["enrolments_completed"] += progress.enrolments_end(scoped.filter(pk__any=finished),
                                                                  EnrolmentStatus.COMPLETED, COMPLETED, now)
        _reschedule(scoped, {**waits.until, **outcome.retry})
        counts["waiting"] += len(waits.until)
        counts["retry_later"] += len(outcome.retry)
        counts["enrolments_completed"] += _advance(scoped, runnable, steps, current, outcome, branches, now)
    return counts


TOUCH_COLUMNS = ("workspace_id", "key", "enrolment_id", "step_id", "campaign_id", "account_id", "contact_id", "channel",
                 "is_operational", "status", "planned_at", "block_rule", "block_code", "block_reason", "variant",
                 "subject", "attempts", "error", "provider_id", "created_at")


def _insert(workspace_id: int, rows: list[Row]) -> None:
    """Write the touches, skipping keys that exist (planning twice plans once). PostgreSQL:
    COPY into a temporary table and one INSERT … ON CONFLICT DO NOTHING — no model instance
    and no parameter list per row; elsewhere Django's bulk_create."""
    if not rows:
        return
    created = timezone.now()
    if connection.vendor != "postgresql":
        Touch.objects.for_workspace(workspace_id).bulk_create(
            [Touch(created_at=created, **asdict(row)) for row in rows],
            ignore_conflicts=True, batch_size=1000)
        return
    columns = ", ".join(TOUCH_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE touch_plan ON COMMIT DROP AS SELECT {columns} "
                       f"FROM {Touch._meta.db_table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY touch_plan ({columns}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((workspace_id, r.key, r.enrolment_id, r.step_id, r.campaign_id, r.account_id,
                                r.contact_id, r.channel, r.is_operational, r.status, r.planned_at, r.block_rule,
                                r.block_code, r.block_reason, "", "", r.attempts, "", "", created))
        cursor.execute(f"INSERT INTO {Touch._meta.db_table} ({columns}) SELECT {columns} FROM touch_plan "
                       f"ON CONFLICT (workspace_id, key) DO NOTHING")
        cursor.execute("DROP TABLE touch_plan")


def _who(workspace_id: int, enrolments: list[Due], current: dict[int, Step], plays: dict[int, Play],
         now: datetime, policy: engine.Policy):
    """The (enrolment, step, person) touches to decide now — without the people this step
    already reached and, on PostgreSQL, without the touches no rule can stop (staged in SQL by
    campaigns/services/clear_touches.py and written as they are) — the ids of blocked rows that are
    tried again (they are replaced), the earlier rows' effective times and attempts by
    enrolment, and the staged clear touches (None when there are none)."""
    candidates: list[tuple[Due, Step, Person | None]] = []
    by_step: dict[int, list[Due]] = defaultdict(list)
    for enrolment in enrolments:
        by_step[current[enrolment.pk].pk].append(enrolment)
    groups = list(by_step.values())
    staged = None
    people_groups = [g for g in groups if current[g[0].pk].channel in CONTACT_CHANNELS]
    if people_groups and clear_touches.enabled():
        staged = clear_touches.stage(
            workspace_id, [(current[g[0].pk], plays[g[0].play_id].priority, plays[g[0].play_id].campaign_id,
                            [(e.pk, e.account_id) for e in g]) for g in people_groups], now, policy)
        unclear: dict[int, list[int]] = defaultdict(list)
        for enrolment_id, _, contact_id in staged.unclear:
            unclear[enrolment_id].append(contact_id)
        people = {p.contact_id: p for p in people_by_id(workspace_id, (c for _, _, c in staged.unclear))}
    for group in groups:
        step = current[group[0].pk]
        if step.channel not in CONTACT_CHANNELS:
            candidates.extend((enrolment, step, None) for enrolment in group)
            continue
        if staged is not None:
            for enrolment in group:
                candidates.extend((enrolment, step, people[c]) for c in sorted(unclear.get(enrolment.pk, ())))
                if enrolment.pk in staged.gaps:
                    candidates.append((enrolment, step, None))   # recorded as a coverage gap
            continue
        found, gaps = step_people(step, [e.account_id for e in group])
        for enrolment in group:
            candidates.extend((enrolment, step, person) for person in found[enrolment.account_id])
            if enrolment.account_id in gaps:
                candidates.append((enrolment, step, None))   # recorded as a coverage gap
    keys = {touch_key(e.pk, s.pk, p.contact_id if p else None): (e, s, p) for e, s, p in candidates}
    existing = (Touch.objects.for_workspace(workspace_id).filter(key__any=list(keys)).order_by()
                .values_list("pk", "key", "status", "block_code", "attempts", "planned_at")) if keys else []
    done, stale = set(), []
    earlier: dict[int, dict] = defaultdict(lambda: {"attempts": 0, "at": None})
    for pk, key, status, code, attempts, planned_at in existing:
        enrolment_id = keys[key][0].pk
        if status == TouchStatus.BLOCKED and code in engine.RETRYABLE_CODES:
            stale.append(pk)
            earlier[enrolment_id]["attempts"] = max(earlier[enrolment_id]["attempts"], attempts)
        else:
            done.add(key)
            known = earlier[enrolment_id]        # also makes an enrolment whose rows all exist move on
            if status in (TouchStatus.PLANNED, TouchStatus.DEFERRED):
                known["at"] = planned_at if known["at"] is None else max(known["at"], planned_at)
    planned = [(key, *item) for key, item in keys.items() if key not in done]
    return planned, stale, earlier, staged


class _Outcome:
    """Per enrolment, what its step's touches decided: move on (when to time the next step
    from), try again later, or end blocked."""

    def __init__(self):
        self.advance: dict[int, datetime] = {}
        self.retry: dict[int, datetime] = {}
        self.blocked: dict[int, str] = {}


def _outcome(rows: list[Row], earlier: dict[int, dict], now: datetime,
             planned_in_sql: dict[int, datetime]) -> _Outcome:
    """`planned_in_sql`: enrolments with clear touches written by clear_touches → the latest
    moment among them (`now`, or a window start they were deferred to)."""
    outcome = _Outcome()
    by_enrolment: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_enrolment[row.enrolment_id].append(row)
    for enrolment_id in planned_in_sql:
        by_enrolment.setdefault(enrolment_id, [])
    for enrolment_id in earlier:
        by_enrolment.setdefault(enrolment_id, [])
    for enrolment_id, touches in by_enrolment.items():
        final = next((t for t in touches if t.block_code in FINAL_ACCOUNT_CODES), None)
        attempt = earlier[enrolment_id]["attempts"] + 1 if enrolment_id in earlier else 1
        retry = [t for t in touches if t.status == TouchStatus.BLOCKED and t.block_code in engine.RETRYABLE_CODES]
        for touch in retry:
            touch.attempts = attempt
        if final is not None:
            outcome.blocked[enrolment_id] = final.block_reason
        elif retry and attempt < MAX_PLAN_ATTEMPTS:
            outcome.retry[enrolment_id] = now + RETRY_BLOCKED_AFTER
        else:
            times = [t.planned_at for t in touches if t.status in (TouchStatus.PLANNED, TouchStatus.DEFERRED)]
            if enrolment_id in earlier and earlier[enrolment_id]["at"] is not None:
                times.append(earlier[enrolment_id]["at"])
            if enrolment_id in planned_in_sql:
                times.append(planned_in_sql[enrolment_id])
            outcome.advance[enrolment_id] = max([now, *times])
    return outcome


def _decide(workspace_id, planned, plays: dict[int, Play], now, policy, counts) -> list[Row]:
    to_check = [(e, p) for _, e, s, p in planned if not _is_gap(s, p)]   # a coverage gap needs no engine
    account_ids = {e.account_id for e, _ in to_check}
    contact_ids = {p.contact_id for _, p in to_check if p is not None}
    accounts = _account_states(workspace_id, account_ids, {e.play_id for e, _ in to_check}, now) if to_check else {}
    people = _people_states(workspace_id, [p for _, p in to_check if p is not None], policy)
    recent = _recent_touches(workspace_id, account_ids, contact_ids, now) if to_check else []
    touches, rows = [], []
    for key, enrolment, step, person in planned:
        play = plays[enrolment.play_id]
        row = Row(key, enrolment.pk, step.pk, play.campaign_id, enrolment.account_id,
                  person.contact_id if person else None, step.channel, step.is_operational, now)
        rows.append(row)
        if _is_gap(step, person):
            row.status, row.block_code = TouchStatus.BLOCKED, "no_one_fits"
            row.block_reason = "Nobody in this account fits the step's audience (coverage gap)."
            touches.append(None)
            continue
        touches.append(engine.Touch(
            channel=ENGINE_CHANNEL.get(step.channel, step.channel),
            kind=engine.OPERATIONAL if step.is_operational else engine.SALES if step.channel == "sales_task"
            else engine.MARKETING,
            planned_at=now, account_id=enrolment.account_id, contact_id=person.contact_id if person else None,
            task_type=(step.task_kind or "call") if step.channel == "sales_task" else None,
            play_id=enrolment.play_id, play_priority=-play.priority, play_name=play.name,
            acquisition_only=play.campaign.acquisition_only))
    checked = [t for t in touches if t is not None]
    decisions = iter(engine.check_batch(checked, people=people, accounts=accounts, recent_touches=recent,
                                        policy=policy) if checked else [])
    for row, touch in zip(rows, touches):
        if touch is None:
            counts["blocked"] += 1
            continue
        decision = next(decisions)
        if decision.action == engine.BLOCK:
            row.status, row.block_rule, row.block_code = TouchStatus.BLOCKED, decision.rule, decision.code or ""
            row.block_reason = decision.reason[:255]
            counts["blocked"] += 1
        elif decision.action == engine.DEFER:
            row.status, row.planned_at = TouchStatus.DEFERRED, decision.until
            row.block_code, row.block_reason = decision.code or "", decision.reason[:255]
            counts["deferred"] += 1
        else:
            counts["planned"] += 1
    _block_letters_without_address(workspace_id, rows, counts)
    return rows


def _is_gap(step: Step, person: Person | None) -> bool:
    """Nobody in the account fits a step that reaches people: a coverage gap, not a touch."""
    return person is None and step.channel in CONTACT_CHANNELS


def _block_letters_without_address(workspace_id: int, rows: list[Row], counts: dict) -> None:
    """A direct-mail touch the engine let through is blocked when its account has no usable
    postal address: a letter without one cannot be posted, and the person is listed with the
    reason (like a coverage gap) instead of missing silently from the vendor's file. After the
    engine, so an opted-out person is reported as opted out. (The engine counted the touch
    toward this batch's caps; a blocked letter can only make later touches wait, never send
    more.)"""
    letters = [r for r in rows if r.channel == Channel.DIRECT_MAIL and r.status != TouchStatus.BLOCKED]
    if not letters:
        return
    missing = {pk: postal.missing_address_parts(street=street, postal_code=code, city=city, country=country)
               for pk, street, code, city, country in Account.objects.for_workspace(workspace_id)
               .filter(pk__any={r.account_id for r in letters})
               .values_list("pk", "street", "postal_code", "city", "country")}
    for row in letters:
        parts = missing.get(row.account_id)
        if parts:
            counts["deferred" if row.status == TouchStatus.DEFERRED else "planned"] -= 1
            counts["blocked"] += 1
            row.status, row.block_rule, row.block_code = TouchStatus.BLOCKED, None, postal.NO_POSTAL_ADDRESS
            row.block_reason = (f"No postal address for the letter: the account has no {', '.join(parts)}. "
                                "Add it to the account (accounts import or API).")[:255]


def _account_states(workspace_id, account_ids, play_ids, now) -> dict[int, engine.AccountState]:
    blocks = account_contact_blocks(workspace=workspace_id, account_ids=account_ids)
    consents = defaultdict(list)
    for account_id, play_id, expires_at, by in (OwnerConsent.objects.for_workspace(workspace_id)
                                                .filter(account_id__any=account_ids, play_id__any=play_ids,
                                                        expires_at__gt=now)
                                                .values_list("account_id", "play_id", "expires_at", "given_by__email")):
        consents[account_id].append(engine.OwnerConsent(play_id=play_id, account_id=account_id, expires_at=expires_at,
                                                        given_by=by))
    states = {}
    for pk, name, relationship, journey_stage in Account.objects.for_workspace(workspace_id).filter(
            pk__any=account_ids).values_list("pk", "name", "relationship", "journey_stage"):
        reasons = {b.reason for b in blocks.get(pk, [])}
        states[pk] = engine.AccountState(
            account_id=pk, name=name,
            exclusion=relationship if relationship in NEVER_CONTACTED else None,
            open_opportunity="open_opportunity" in reasons, sales_hold="hold" in reasons,
            customer=relationship == Relationship.CUSTOMER or journey_stage == "customer",
            owner_consents=tuple(consents.get(pk, ())))
    return states


def _people_states(workspace_id, people: list[Person], policy) -> dict[int, engine.Person]:
    contact_ids = {p.contact_id for p in people}
    enrolments = defaultdict(list)
    if contact_ids:
        accounts = {p.account_id for p in people}
        for account_id, play_id, priority, name in (Enrolment.objects.for_workspace(workspace_id)
                                                    .filter(account_id__any=accounts, status=EnrolmentStatus.ACTIVE)
                                                    .values_list("account_id", "play_id", "play__priority",
                                                                 "play__name")):
            enrolments[account_id].append(engine.Enrolment(play_id=play_id, priority=-priority, play_name=name))
    states = {}
    for person in people:
        tz = person.time_zone or country_timezone(person.country) or policy.default_timezone
        states[person.contact_id] = engine.Person(
            contact_id=person.contact_id, name=person.name, consent=person.consent, legal_hold=person.erased,
            timezone=tz, enrolments=tuple(enrolments.get(person.account_id, ())))
    return states


def _recent_touches(workspace_id, account_ids, contact_ids, now) -> list[engine.PastTouch]:
    since = now - timedelta(days=7)
    rows = (Touch.objects.for_workspace(workspace_id)
            .filter(Q(account_id__any=account_ids) | Q(contact_id__any=contact_ids),
                    status__in=[TouchStatus.SENT, TouchStatus.SENDING, TouchStatus.PLANNED, TouchStatus.DEFERRED],
                    planned_at__gt=since, planned_at__lte=now + timedelta(days=7))
            .values_list("channel", "is_operational", "planned_at", "account_id", "contact_id", "step__task_kind"))
    return [engine.PastTouch(channel=ENGINE_CHANNEL.get(channel, channel),
                             kind=engine.OPERATIONAL if operational else engine.SALES if channel == "sales_task"
                             else engine.MARKETING,
                             at=at, account_id=account_id, contact_id=contact_id,
                             task_type=(task_kind or "call") if channel == "sales_task" else None)
            for channel, operational, at, account_id, contact_id, task_kind in rows]


def _reschedule(scoped, until: dict[int, datetime]) -> None:
    if until:
        scoped.bulk_update([Enrolment(pk=pk, next_step_at=at) for pk, at in until.items()], ["next_step_at"],
                           batch_size=500)


def _advance(scoped, enrolments, steps, current, outcome: _Outcome, branches, now) -> int:
    """Move each enrolment whose step is done to the branch target or the next step, timed by
    that step's delay; complete the ones past their last step. Conditional on the step each
    was on, so a second planner racing on the same batch moves nobody twice. Returns how many
    completed."""
    moves: dict[tuple[int, int, datetime], list[int]] = defaultdict(list)
    ends: dict[tuple[int, str], list[int]] = defaultdict(list)
    for enrolment in enrolments:
        if enrolment.pk not in outcome.advance:
            continue
        step = current[enrolment.pk]
        play_steps = steps[enrolment.play_id]
        target = branches.get(enrolment.pk)
        if target is None:
            following = min((order for order in play_steps if order > step.order), default=None)
        elif target <= step.order:
            ends[(step.order, f"The branch of step {step.order} points back to step {target}: ended")].append(
                enrolment.pk)
            continue
        else:
            following = target if target in play_steps else None
        if following is None:
            ends[(step.order, COMPLETED)].append(enrolment.pk)
        else:
            at = outcome.advance[enrolment.pk] + timedelta(hours=play_steps[following].delay_hours)
            moves[(step.order, following, at)].append(enrolment.pk)
    for (order, following, at), ids in moves.items():
        scoped.filter(pk__any=ids, status=EnrolmentStatus.ACTIVE, next_step_order=order).update(
            next_step_order=following, next_step_at=at)
    completed = 0
    for (order, reason), ids in ends.items():
        completed += progress.enrolments_end(scoped.filter(pk__any=ids, next_step_order=order),
                                             EnrolmentStatus.COMPLETED, reason, now)
    return completed
