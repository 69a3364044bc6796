"""Touches no suppression rule can stop, found and written in SQL (PostgreSQL).

The suppression engine (campaigns/engine/suppression.py) stays the one authority on every touch
a rule could apply to. Most touches of a large send meet none: the person is not erased and has
not opted out of the channel, the account is not excluded, has no open opportunity, no hold and
is no customer, the person has had nothing in the 7 days either side and gets one touch in this
batch, the account stays under its cap with everything it has and gets now, it is inside the
send window where the person is, and no play of higher priority has the account. Carrying those
rows through Python one at a time made planning 14× slower than writing them.

`stage` puts every candidate (enrolment × fitting person) of a batch into a temporary table with
the step's audience filter applied in SQL (the same test as `audience._fits`), and marks as
*clear* the candidates that pass conditions **stricter** than the rules — a customer account, a
time zone the check cannot read, a person with any touch near now, an account that could reach
its cap, an existing row for the key: not clear. `write` inserts the clear ones into the outbox
as `planned` at `now`, the row the engine writes for a touch it lets through. The rest go to the
engine with their full context, unchanged. A clear touch cannot change the engine's decision on
another touch: its person has no other touch in the batch, and its account's caps cannot bind.

tests/campaigns/test_clear_touches.py plans random scenarios with and without this path and
compares every row and every enrolment.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

import pytz
from django.db import connection
from django.utils import timezone

from accounts.models import NEVER_CONTACTED, Relationship
from campaigns.engine import suppression as engine
from campaigns.models import Step, TouchStatus
from campaigns.services.audience import country_timezone

# Switched off by the equivalence test to plan the same scenario through the engine alone.
ENABLED = True
# channel → (the contact's consent column the engine reads, delivered at a moment: quiet hours apply),
# from the engine's own tables.
CHANNELS = {channel: (f"consent_{engine.CONSENT_BY_CHANNEL[channel]}", channel in engine.TIMED)
            for channel in (engine.EMAIL, engine.EVENT_INVITE, engine.AD_AUDIENCE)}
COUNTED = (TouchStatus.SENT, TouchStatus.SENDING, TouchStatus.PLANNED, TouchStatus.DEFERRED)
TABLE = "plan_candidate"


def enabled() -> bool:
    return ENABLED and connection.vendor == "postgresql"


def eligible(step: Step) -> bool:
    """Steps whose touches may skip the engine when clear: marketing touches on channels whose
    rules are all about consent, account, caps, quiet hours and plays (not sales tasks, whose
    consent depends on the task; not letters, which also need a postal address)."""
    return step.channel in CHANNELS and not step.is_operational


@dataclass
class Staged:
    """A batch's candidates after the clear check: the ones left for the engine, the enrolments
    with clear touches (they move on like any enrolment whose touches were planned), and how many
    clear touches there are."""

    unclear: list[tuple[int, int, int]] = field(default_factory=list)    # (enrolment, step, contact)
    gaps: set[int] = field(default_factory=set)                           # enrolments nobody fits
    clear_enrolments: set[int] = field(default_factory=set)
    clear: int = 0


def stage(workspace_id: int, groups: list[tuple[Step, int, int, list[tuple[int, int]]]], now: datetime,
          policy: engine.Policy) -> Staged:
    """`groups`: per step, (step, its play's priority, campaign id, [(enrolment id, account id)])."""
    staged = Staged()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {TABLE} (enrolment_id bigint, step_id bigint, "
                       "campaign_id bigint, play_id bigint, play_priority int, channel varchar(20), "
                       "consent_column text, timed boolean, fast boolean, account_id bigint, contact_id bigint, "
                       "key varchar(80), clear boolean NOT NULL DEFAULT false)")
        cursor.execute(f"TRUNCATE {TABLE}")
        for step, priority, campaign_id, enrolments in groups:
            _add_candidates(cursor, workspace_id, step, priority, campaign_id, enrolments)
            cursor.execute(f"SELECT e FROM unnest(%s::bigint[]) AS e WHERE NOT EXISTS "
                           f"(SELECT 1 FROM {TABLE} c WHERE c.enrolment_id = e)", [[e for e, _ in enrolments]])
            staged.gaps.update(row[0] for row in cursor.fetchall())
        cursor.execute(f"ANALYZE {TABLE}")
        _mark_clear(cursor, workspace_id, now, policy)
        cursor.execute(f"SELECT enrolment_id, step_id, contact_id, clear FROM {TABLE}")
        for enrolment_id, step_id, contact_id, clear in cursor.fetchall():
            if clear:
                staged.clear_enrolments.add(enrolment_id)
                staged.clear += 1
            else:
                staged.unclear.append((enrolment_id, step_id, contact_id))
    return staged


def write(workspace_id: int, now: datetime, created: datetime) -> int:
    """Insert the staged clear touches (in the caller's transaction); a key that exists by now
    (a planner racing on the same batch) is skipped. Returns how many were written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaigns_touch (workspace_id, key, enrolment_id, step_id, campaign_id, account_id, contact_id, "
            "channel, is_operational, status, planned_at, block_code, block_reason, variant, subject, attempts, "
            "error, provider_id, created_at) "
            f"SELECT %(ws)s, key, enrolment_id, step_id, campaign_id, account_id, contact_id, channel, false, "
            f"%(planned)s, %(now)s, '', '', '', '', 0, '', '', %(created)s FROM {TABLE} WHERE clear "
            "ON CONFLICT (workspace_id, key) DO NOTHING",
            {"ws": workspace_id, "planned": TouchStatus.PLANNED, "now": now, "created": created})
        return cursor.rowcount


def _add_candidates(cursor, workspace_id, step: Step, priority: int, campaign_id: int, enrolments) -> None:
    """The step's people in each enrolled account, filtered like `audience._fits`."""
    audience = step.audience_filter or {}
    where, params = [], {"ws": workspace_id, "step": step.pk, "campaign": campaign_id, "play": step.play_id,
                         "priority": priority, "channel": step.channel,
                         "consent": CHANNELS.get(step.channel, (None, False))[0],
                         "timed": CHANNELS.get(step.channel, (None, False))[1], "fast": eligible(step),
                         "enrolments": [e for e, _ in enrolments], "accounts": [a for _, a in enrolments]}
    if audience.get("roles"):
        where.append("c.roles ?| %(roles)s")
        params["roles"] = list(audience["roles"])
    if audience.get("seniorities"):
        where.append("coalesce(c.seniority, '') = ANY(%(seniorities)s)")
        params["seniorities"] = list(audience["seniorities"])
    if audience.get("personas"):
        where.append("c.persona_id = ANY(%(personas)s)")
        params["personas"] = [int(p) for p in audience["personas"]]
    if audience.get("disc_styles"):
        where.append("(coalesce(c.disc_style, '') = ANY(%(styles)s) OR upper(left(coalesce(c.disc_style, ''), 1)) = ANY(%(styles)s))")
        params["styles"] = list(audience["disc_styles"])
    cursor.execute(
        f"INSERT INTO {TABLE} (enrolment_id, step_id, campaign_id, play_id, play_priority, channel, consent_column, "
        "timed, fast, account_id, contact_id, key) "
        "SELECT e.id, %(step)s, %(campaign)s, %(play)s, %(priority)s, %(channel)s, %(consent)s, %(timed)s, %(fast)s, "
        "e.account_id, c.id, e.id || ':' || %(step)s || ':' || c.id "
        "FROM unnest(%(enrolments)s::bigint[], %(accounts)s::bigint[]) AS e(id, account_id) "
        "CROSS JOIN LATERAL (SELECT c.id FROM contacts_contact c "
        "WHERE c.workspace_id = %(ws)s AND c.account_id = e.account_id"
        + "".join(f" AND {condition}" for condition in where) + " OFFSET 0) AS c", params)


def _mark_clear(cursor, workspace_id: int, now: datetime, policy: engine.Policy) -> None:
    """One UPDATE over the batch. The history look-ups compare `planned_at + interval '0'` so
    PostgreSQL reads a person's or an account's touches by their own index: the batches before
    this one added thousands of touches near `now` that the statistics do not know yet, and a
    plain range on `planned_at` would tempt the planner into the (status, planned_at) index and
    a scan of all of them per candidate (seen: 3 s instead of 0.1 s per batch)."""
    caps = policy.caps
    if any(cap == 0 for cap in (caps.email_per_day, caps.email_per_7_days, caps.contact_per_7_days,
                                caps.account_per_7_days)):
        return                                         # a cap of 0 blocks everything: the engine says so
    zones = open_zones(now, policy.send_window_start, policy.send_window_end, policy.default_timezone)
    cursor.execute(f"""
        WITH per_account AS (SELECT account_id, count(*) AS n FROM {TABLE} GROUP BY account_id),
             per_contact AS (SELECT contact_id, count(*) AS n FROM {TABLE} GROUP BY contact_id),
             account_history AS (
                 SELECT t.account_id, count(*) AS n FROM campaigns_touch t
                 WHERE t.workspace_id = %(ws)s AND t.account_id IN (SELECT account_id FROM per_account)
                   AND t.status = ANY(%(counted)s) AND t.channel <> ALL(%(not_counted)s)
                   AND t.planned_at + interval '0' > %(since)s AND t.planned_at + interval '0' <= %(until)s
                 GROUP BY t.account_id)
        UPDATE {TABLE} pc SET clear = true
        FROM contacts_contact c, accounts_account a, per_account pa, per_contact pp
        WHERE pc.fast AND c.id = pc.contact_id AND a.id = pc.account_id
          AND pa.account_id = pc.account_id AND pp.contact_id = pc.contact_id AND pp.n = 1
          AND c.erased_at IS NULL
          AND (CASE pc.consent_column WHEN 'consent_email' THEN c.consent_email WHEN 'consent_ads' THEN c.consent_ads
               END) IS DISTINCT FROM 'opted_out'
          AND a.relationship <> ALL(%(excluded)s) AND a.relationship <> %(customer)s
          AND a.journey_stage IS DISTINCT FROM 'customer'
          AND NOT EXISTS (SELECT 1 FROM accounts_opportunity o
                          WHERE o.workspace_id = %(ws)s AND o.account_id = pc.account_id AND o.is_open)
          AND NOT EXISTS (SELECT 1 FROM accounts_hold h WHERE h.workspace_id = %(ws)s AND h.account_id = pc.account_id
                          AND h.released_at IS NULL AND h.expires_at > %(hold_after)s)
          AND (%(account_cap)s::int IS NULL OR pa.n + coalesce((SELECT ah.n FROM account_history ah
                                                               WHERE ah.account_id = pc.account_id), 0)
                                                <= %(account_cap)s::int)
          AND NOT EXISTS (SELECT 1 FROM campaigns_touch t
                          WHERE t.workspace_id = %(ws)s AND t.contact_id = pc.contact_id
                            AND t.planned_at + interval '0' > %(since)s AND t.planned_at + interval '0' <= %(until)s)
          AND NOT EXISTS (SELECT 1 FROM campaigns_touch t WHERE t.workspace_id = %(ws)s AND t.key = pc.key)
          AND (NOT pc.timed OR CASE WHEN coalesce(c.time_zone, '') <> '' THEN c.time_zone = ANY(%(open_zones)s)
                                    WHEN coalesce(c.country, '') <> '' AND upper(c.country) = ANY(%(mapped)s)
                                         THEN upper(c.country) = ANY(%(open_countries)s)
                                    ELSE %(default_open)s END)
          AND NOT EXISTS (SELECT 1 FROM campaigns_enrolment r JOIN campaigns_play rp ON rp.id = r.play_id
                          WHERE r.workspace_id = %(ws)s AND r.account_id = pc.account_id AND r.status = 'active'
                            AND r.play_id <> pc.play_id AND rp.priority < pc.play_priority)
        """, {"ws": workspace_id, "counted": list(COUNTED), "not_counted": sorted(engine.NOT_COUNTED),
              "since": now - timedelta(days=7), "until": now + timedelta(days=7),
              "excluded": list(NEVER_CONTACTED), "customer": Relationship.CUSTOMER,
              "hold_after": min(now, timezone.now()), "account_cap": caps.account_per_7_days,
              "open_zones": zones.names, "mapped": zones.mapped_countries, "open_countries": zones.open_countries,
              "default_open": zones.default_open})


@dataclass(frozen=True)
class OpenZones:
    names: list[str]               # valid IANA names where `now` is inside the send window
    mapped_countries: list[str]    # countries the planner maps to a zone (pytz's first)
    open_countries: list[str]      # … whose zone is valid and open now
    default_open: bool             # the workspace default zone is open now


@lru_cache(maxsize=8)
def open_zones(now: datetime, start, end, default: str) -> OpenZones:
    """Where `now` falls inside the local send window [start, end), as the planner resolves a
    person's zone (their own, else their country's first, else the workspace default)."""
    def is_open(name: str) -> bool:
        return start <= now.astimezone(ZoneInfo(name)).time() < end

    names = sorted(name for name in _valid_zones() if is_open(name))
    open_set = set(names)
    mapped = sorted(pytz.country_timezones.keys())
    countries = [c for c in mapped if country_timezone(c) in open_set]
    return OpenZones(names, mapped, countries, is_open(default))


@lru_cache(maxsize=1)
def _valid_zones() -> frozenset[str]:
    return frozenset(available_timezones())
