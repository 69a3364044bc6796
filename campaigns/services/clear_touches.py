"""Touches no suppression rule can stop, found and written in SQL (PostgreSQL).

The suppression engine (campaigns/engine/suppression.py) stays the one authority on every touch
a rule could apply to. Most touches of a large send meet none: the person is not erased and has
not opted out of the channel, the account is not excluded, has no open opportunity, no hold and
is no customer, the person has had nothing in the 7 days either side of the touch's moment and
gets one touch in this batch, the account stays under its cap with everything it has and gets
around then, the person's time zone is one the engine reads, and no play of higher priority has
the account. Carrying those rows through Python one at a time made planning 14× slower than
writing them.

Quiet hours (rule 6) do not make a touch unclear: outside the send window where the person is,
the touch is written `deferred` to the next window start, with the time and the reason the
engine's own `quiet_hours_deferral` gives for that zone (computed once per zone and batch, in
`zone_moments`) — the moment the caps above are checked at.

`stage` puts every candidate (enrolment × fitting person) of a batch into a temporary table with
the step's audience filter applied in SQL (the same test as `audience._fits`), and marks as
*clear* the candidates that pass conditions **stricter** than the rules — a customer account, a
time zone the check cannot read, a person with any touch near the touch's moment, an account that
could reach its cap, an existing row for the key: not clear. `write` inserts the clear ones into
the outbox as `planned` at `now` or `deferred` to the window start, the rows the engine writes
for a touch it lets through or defers. The rest go to the engine with their full context,
unchanged. A clear touch cannot change the engine's decision on
another touch: its person has no other touch in the batch, and its account's caps cannot bind.

tests/campaigns/test_clear_touches.py plans random scenarios with and without this path and
compares every row and every enrolment.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import pytz
from django.db import connection
from django.utils import timezone

from abm_platform.bulk import cursor_without_jit
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
ZONE_TABLE = "plan_zone"
COUNTRY_TABLE = "plan_country_zone"


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
    with clear touches and the latest moment among them (they move on like any enrolment whose
    touches were planned, timed from that moment), and how many clear touches there are."""

    unclear: list[tuple[int, int, int]] = field(default_factory=list)    # (enrolment, step, contact)
    gaps: set[int] = field(default_factory=set)                           # enrolments nobody fits
    clear_enrolments: dict[int, datetime] = field(default_factory=dict)
    clear: int = 0


def stage(workspace_id: int, groups: list[tuple[Step, int, int, list[tuple[int, int]]]], now: datetime,
          policy: engine.Policy) -> Staged:
    """`groups`: per step, (step, its play's priority, campaign id, [(enrolment id, account id)]).
    JIT compilation is off for these statements: they run in well under a second, and compiling
    them (30–40 ms each, chosen for their row estimates) cost more than it saved."""
    staged = Staged()
    with cursor_without_jit() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {TABLE} (enrolment_id bigint, step_id bigint, "
                       "campaign_id bigint, play_id bigint, play_priority int, channel varchar(20), "
                       "timed boolean, fast boolean, account_id bigint, contact_id bigint, "
                       "key varchar(80), zone text, reachable boolean, "
                       "clear boolean NOT NULL DEFAULT false, planned_at timestamptz, "
                       "status varchar(20), block_code varchar(40), block_reason varchar(255))")
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {ZONE_TABLE} (name text PRIMARY KEY, until timestamptz, "
                       "reason text)")
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {COUNTRY_TABLE} (country text PRIMARY KEY, zone text)")
        cursor.execute(f"TRUNCATE {TABLE}, {ZONE_TABLE}, {COUNTRY_TABLE}")
        zones = zone_moments(now, policy)
        cursor.execute(f"INSERT INTO {ZONE_TABLE} SELECT * FROM unnest(%s::text[], %s::timestamptz[], %s::text[])",
                       [zones.names, zones.until, zones.reasons])
        cursor.execute(f"INSERT INTO {COUNTRY_TABLE} SELECT * FROM unnest(%s::text[], %s::text[])",
                       [zones.countries, zones.country_zones])
        cursor.execute(f"ANALYZE {ZONE_TABLE}, {COUNTRY_TABLE}")
        for step, priority, campaign_id, enrolments in groups:
            _add_candidates(cursor, workspace_id, step, priority, campaign_id, enrolments, policy.default_timezone)
        cursor.execute(f"ANALYZE {TABLE}")
        _mark_clear(cursor, workspace_id, now, policy, zones)
        cursor.execute(f"SELECT enrolment_id, step_id, contact_id FROM {TABLE} WHERE NOT clear")
        staged.unclear = cursor.fetchall()
        cursor.execute(f"SELECT enrolment_id, max(planned_at), count(*) FROM {TABLE} WHERE clear GROUP BY enrolment_id")
        for enrolment_id, latest, clear in cursor.fetchall():
            staged.clear_enrolments[enrolment_id] = latest
            staged.clear += clear
    with_people = staged.clear_enrolments.keys() | {enrolment_id for enrolment_id, _, _ in staged.unclear}
    staged.gaps = {e for *_, enrolments in groups for e, _ in enrolments if e not in with_people}
    return staged


def write(workspace_id: int, created: datetime) -> dict[str, int]:
    """Insert the staged clear touches (in the caller's transaction); a key that exists by now
    (a planner racing on the same batch) is skipped. Returns how many were written, by status."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH written AS (INSERT INTO campaigns_touch (workspace_id, key, enrolment_id, step_id, campaign_id, "
            "account_id, contact_id, channel, is_operational, status, planned_at, block_code, block_reason, variant, "
            "subject, attempts, error, provider_id, created_at) "
            f"SELECT %(ws)s, key, enrolment_id, step_id, campaign_id, account_id, contact_id, channel, false, "
            f"status, planned_at, block_code, block_reason, '', '', 0, '', '', %(created)s FROM {TABLE} WHERE clear "
            "ON CONFLICT (workspace_id, key) DO NOTHING RETURNING status) "
            "SELECT status, count(*) FROM written GROUP BY status",
            {"ws": workspace_id, "created": created})
        return dict(cursor.fetchall())


def _add_candidates(cursor, workspace_id, step: Step, priority: int, campaign_id: int, enrolments,
                    default_zone: str) -> None:
    """The step's people in each enrolled account, filtered like `audience._fits`, with the
    time zone the engine would put them in (their own, else their country's first, else the
    workspace default) and whether rule 1 could let them through (not erased, not opted out of
    the channel): the contact rows are read once, here."""
    audience = step.audience_filter or {}
    where, params = [], {"ws": workspace_id, "step": step.pk, "campaign": campaign_id, "play": step.play_id,
                         "priority": priority, "channel": step.channel,
                         "consent": CHANNELS.get(step.channel, (None, False))[0],
                         "timed": CHANNELS.get(step.channel, (None, False))[1], "fast": eligible(step),
                         "enrolments": [e for e, _ in enrolments], "accounts": [a for _, a in enrolments],
                         "default_zone": default_zone}
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
        f"INSERT INTO {TABLE} (enrolment_id, step_id, campaign_id, play_id, play_priority, channel, "
        "timed, fast, account_id, contact_id, key, zone, reachable) "
        "SELECT e.id, %(step)s, %(campaign)s, %(play)s, %(priority)s, %(channel)s, %(timed)s, %(fast)s, "
        "e.account_id, c.id, e.id || ':' || %(step)s || ':' || c.id, "
        "CASE WHEN c.time_zone <> '' THEN c.time_zone WHEN m.zone IS NOT NULL THEN m.zone "
        # Python's str.upper() and PostgreSQL's upper() differ beyond ASCII ('ß' → 'SS'): such a
        # country gets no zone here, so the touch is left to the engine.
        "     WHEN coalesce(c.country, '') ~ '[^\\x01-\\x7f]' THEN NULL ELSE %(default_zone)s END, c.reachable "
        "FROM unnest(%(enrolments)s::bigint[], %(accounts)s::bigint[]) AS e(id, account_id) "
        "CROSS JOIN LATERAL (SELECT c.id, coalesce(c.time_zone, '') AS time_zone, c.country, "
        "  c.erased_at IS NULL AND (CASE %(consent)s::text WHEN 'consent_email' THEN c.consent_email "
        "                           WHEN 'consent_ads' THEN c.consent_ads END) IS DISTINCT FROM 'opted_out' AS reachable "
        "FROM contacts_contact c "
        "WHERE c.workspace_id = %(ws)s AND c.account_id = e.account_id"
        + "".join(f" AND {condition}" for condition in where) + " OFFSET 0) AS c "
        f"LEFT JOIN {COUNTRY_TABLE} m ON m.country = upper(c.country)", params)


def _mark_clear(cursor, workspace_id: int, now: datetime, policy: engine.Policy, zones: ZoneMoments) -> None:
    """One UPDATE over the batch: a clear candidate gets its row's status, moment and reason.
    A candidate's moment is `now`, or the next window start in its zone when quiet hours defer
    it; a person's history is checked around that moment, an account's over every moment the
    batch can have. The history look-ups compare `planned_at + interval '0'` so PostgreSQL reads
    a person's or an account's touches by their own index: the batches before this one added
    thousands of touches near `now` that the statistics do not know yet, and a plain range on
    `planned_at` would tempt the planner into the (status, planned_at) index and a scan of all
    of them per candidate (seen: 3 s instead of 0.1 s per batch)."""
    caps = policy.caps
    if any(cap == 0 for cap in (caps.email_per_day, caps.email_per_7_days, caps.contact_per_7_days,
                                caps.account_per_7_days)):
        return                                         # a cap of 0 blocks everything: the engine says so
    week = timedelta(days=7)
    cursor.execute(f"""
        WITH per_account AS (SELECT account_id, count(*) AS n FROM {TABLE} GROUP BY account_id),
             per_contact AS (SELECT contact_id, count(*) AS n FROM {TABLE} GROUP BY contact_id),
             account_history AS (
                 SELECT t.account_id, count(*) AS n FROM campaigns_touch t
                 WHERE t.workspace_id = %(ws)s AND t.account_id IN (SELECT account_id FROM per_account)
                   AND t.status = ANY(%(counted)s) AND t.channel <> ALL(%(not_counted)s)
                   AND t.planned_at + interval '0' > %(since)s AND t.planned_at + interval '0' <= %(until_latest)s
                 GROUP BY t.account_id),
             judged AS (
                 SELECT pc.key, CASE WHEN pc.timed AND z.until IS NOT NULL THEN z.until ELSE %(now)s END AS at,
                        pc.timed AND z.until IS NOT NULL AS deferred, z.reason
                 FROM {TABLE} pc LEFT JOIN {ZONE_TABLE} z ON z.name = pc.zone
                 WHERE pc.fast AND (NOT pc.timed OR z.name IS NOT NULL))
        UPDATE {TABLE} pc SET clear = true, planned_at = j.at,
               status = CASE WHEN j.deferred THEN %(deferred)s ELSE %(planned)s END,
               block_code = CASE WHEN j.deferred THEN %(quiet_hours)s ELSE '' END,
               block_reason = CASE WHEN j.deferred THEN j.reason ELSE '' END
        FROM judged j, accounts_account a, per_account pa, per_contact pp
        WHERE j.key = pc.key AND a.id = pc.account_id AND pc.reachable
          AND pa.account_id = pc.account_id AND pp.contact_id = pc.contact_id AND pp.n = 1
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
                            AND t.planned_at + interval '0' > j.at - interval '7 days'
                            AND t.planned_at + interval '0' <= j.at + interval '7 days')
          AND NOT EXISTS (SELECT 1 FROM campaigns_touch t WHERE t.workspace_id = %(ws)s AND t.key = pc.key)
          AND NOT EXISTS (SELECT 1 FROM campaigns_enrolment r JOIN campaigns_play rp ON rp.id = r.play_id
                          WHERE r.workspace_id = %(ws)s AND r.account_id = pc.account_id AND r.status = 'active'
                            AND r.play_id <> pc.play_id AND rp.priority < pc.play_priority)
        """, {"ws": workspace_id, "now": now, "counted": list(COUNTED), "not_counted": sorted(engine.NOT_COUNTED),
              "since": now - week, "until_latest": zones.latest + week,
              "deferred": TouchStatus.DEFERRED, "planned": TouchStatus.PLANNED, "quiet_hours": engine.QUIET_HOURS,
              "excluded": list(NEVER_CONTACTED), "customer": Relationship.CUSTOMER,
              "hold_after": min(now, timezone.now()), "account_cap": caps.account_per_7_days})


@dataclass(frozen=True)
class ZoneMoments:
    """Per valid IANA zone, what rule 6 does to a touch planned at `now` there: the window start
    it is deferred to and the engine's reason (None and '' when the window is open); and how the
    planner maps a country to a zone (pytz's first)."""

    names: list[str]
    until: list[datetime | None]
    reasons: list[str]
    latest: datetime               # the latest moment a touch of this batch can get
    countries: list[str]
    country_zones: list[str]


@lru_cache(maxsize=8)
def zone_moments(now: datetime, policy: engine.Policy) -> ZoneMoments:
    names, until, reasons = [], [], []
    for name in sorted(engine.known_time_zones()):
        deferral = engine.quiet_hours_deferral(now, ZoneInfo(name), name, policy)
        names.append(name)
        until.append(deferral.until if deferral else None)
        reasons.append(deferral.reason[:255] if deferral else "")
    countries = sorted(pytz.country_timezones.keys())
    return ZoneMoments(names, until, reasons, max([now, *(u for u in until if u is not None)]),
                       countries, [country_timezone(c) for c in countries])
