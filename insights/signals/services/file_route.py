"""A big engagement file stored by PostgreSQL itself (the set-based route of `signals_ingest_from`).

Through the row path (services/ingest.py) a file is limited by Python: parsing, checking,
resolving, weighing and formatting cost ~80 µs of CPU per event on one core. Here Python only
reads the cells and COPYs them into a scratch table, and classifies what repeats — each distinct
domain (registrable domain, free-mail verdict) and each distinct (type, URL) weighing clause;
then one `INSERT … SELECT … ON CONFLICT DO NOTHING` per connection checks, resolves, weighs and
stores the rows, on SIGNAL_FILE_CONNECTIONS connections at once (2), so the work uses as many
cores: unlike the row path, which one Python thread bounds, this route grows with the machine.

Same outcome as the row path, row for row (tests/signals/test_file_route.py): the SQL takes
only rows in the common shape that it can check, resolve and weigh exactly as the row path
would, and every other row — one its checks do not cover (non-ASCII text, another date format,
a number written as 12.0 …), a `details` cell, no external id, a key twice in the file, a row no
account matches — goes through the row path by its line, so rejections, unresolved rows and
their wording are the row path's own.

Used for CSV/TSV files of at least ROUTE_MIN_BYTES, on PostgreSQL, outside a transaction (the
second connection must see what the first committed). Each connection's share lands in one
transaction; a failure part-way leaves what committed, and ingesting the file again stores the
rest (the rest are duplicates). A file the CSV reader gives up on part-way raises the row path's
error before anything is stored. Scratch tables are UNLOGGED `_signal_route_*_<random>`, dropped
at the end.
"""
from __future__ import annotations

import threading
import uuid
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction

from insights.signals.adapters import FileAdapter
from insights.signals.engine import rows as row_engine
from insights.signals.engine.rules import (
    ANONYMOUS_WEIGHT, CHANNEL_OF, MAX_MEETING_MINUTES, SENIORITY_WEIGHTS, TYPES, UNKNOWN_PERSON_WEIGHT,
    applicable_clause,
)
from insights.signals.models import EngagementEvent
from insights.signals.services.resolve import _mail_domain_verdict, registrable

ROUTE_MIN_BYTES = 2_000_000   # ~20k events: smaller files are quick enough through the row path
ROUTE_EXTENSIONS = ("csv", "tsv", "txt")
# The moments the SQL reads itself: what datetime.fromisoformat reads the same way, in UTC.
MOMENT_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([Zz]|\+00:00)?$"
# The columns the SQL reads, in the scratch table's order (`details` only has to be empty).
COLUMNS = ("type", "occurred_at", "source", "external_id", "email", "contact_id", "account_domain",
           "account_external_id", "url", "duration_seconds", "details")

# Which rows the SQL takes (`ok`), with their cleaned values. Each condition is one the row path
# (engine.rows.check_engagement_many) also applies, narrowed to what SQL computes identically.
CHECKED_SQL = f"""
    SELECT line, type, source, external_id, email, contact_id, account_domain, account_external_id, url,
           duration_seconds, moment,
           ok AND moment IS NOT NULL AND moment <= %(latest)s AND moment >= %(earliest)s AS ok
      FROM (
        SELECT r.line, t.type, s.source, r.external_id, lower(r.email) AS email,
               CASE WHEN r.contact_id ~ '^[1-9][0-9]{{{{0,17}}}}$' THEN r.contact_id::bigint END AS contact_id,
               lower(r.account_domain) AS account_domain, r.account_external_id, r.url,
               CASE WHEN r.duration_seconds ~ '^[0-9]{{{{1,5}}}}$' THEN r.duration_seconds::int END AS duration_seconds,
               -- Nested CASEs: no cast runs on a value an outer test refused.
               CASE WHEN r.occurred_at ~ %(moment_pattern)s
               THEN CASE WHEN substr(r.occurred_at, 12, 2)::int <= 23 AND substr(r.occurred_at, 15, 2)::int <= 59
                              AND substr(r.occurred_at, 18, 2)::int <= 59 AND substr(r.occurred_at, 1, 4)::int >= 1
                              AND substr(r.occurred_at, 9, 2)::int BETWEEN 1 AND
                                  CASE substr(r.occurred_at, 6, 2)::int
                                       WHEN 2 THEN CASE WHEN substr(r.occurred_at, 1, 4)::int %% 4 = 0
                                                         AND (substr(r.occurred_at, 1, 4)::int %% 100 <> 0
                                                              OR substr(r.occurred_at, 1, 4)::int %% 400 = 0)
                                                        THEN 29 ELSE 28 END
                                       WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30 WHEN 11 THEN 30
                                       WHEN 1 THEN 31 WHEN 3 THEN 31 WHEN 5 THEN 31 WHEN 7 THEN 31 WHEN 8 THEN 31
                                       WHEN 10 THEN 31 WHEN 12 THEN 31 ELSE 0 END
               THEN (substr(r.occurred_at, 1, 10) || ' ' || substr(r.occurred_at, 12, 8))::timestamp AT TIME ZONE 'UTC'
               END END AS moment,
               (t.type IS NOT NULL AND s.source <> '' AND char_length(coalesce(r.source, '')) <= 50
                AND coalesce(r.external_id, '') <> '' AND char_length(r.external_id) <= 200
                AND char_length(coalesce(r.email, '')) <= 254
                AND (coalesce(r.email, '') = '' OR lower(r.email) ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$')
                AND (coalesce(r.contact_id, '') = '' OR r.contact_id ~ '^[1-9][0-9]{{{{0,17}}}}$')
                AND char_length(coalesce(r.account_domain, '')) <= 253
                AND char_length(coalesce(r.account_external_id, '')) <= 100
                AND char_length(coalesce(r.url, '')) <= 500
                AND (coalesce(r.duration_seconds, '') = ''
                     OR (r.duration_seconds ~ '^[0-9]{{{{1,5}}}}$' AND r.duration_seconds::int <= %(max_duration)s))
                AND coalesce(r.details, '') = ''
                AND (coalesce(r.email, '') <> '' OR coalesce(r.contact_id, '') <> ''
                     OR coalesce(r.account_domain, '') <> '' OR coalesce(r.account_external_id, '') <> '')
               ) AS ok
          FROM {{raw}} r
          LEFT JOIN LATERAL (SELECT replace(replace(lower(r.type), '-', '_'), ' ', '_') AS name) n ON true
          LEFT JOIN LATERAL (SELECT CASE WHEN n.name = ANY(%(types)s) THEN n.name END AS type) t ON true
          LEFT JOIN LATERAL (SELECT lower(coalesce(nullif(r.source, ''), %(default_source)s)) AS source) s ON true
      ) checked"""

# The rows the SQL stores: checked, resolved (person by id, else by e-mail; account by the
# person, the CRM id, the domain, the e-mail's company domain — in the row path's order), weighed
# (the clause, the duration for meetings, the person's seniority) and not sharing their key with
# another row of the file (`keys_twice`); each connection takes the lines of its `part`.
ACCEPTED_SQL = f"""
    CREATE TEMPORARY TABLE {{accepted}} AS
    WITH checked AS ({CHECKED_SQL} WHERE line %% %(parts)s = %(part)s)
    SELECT k.line, %(workspace)s::bigint AS workspace_id,
           coalesce(person.account_id, crm.account_id, by_domain.account_id, by_mail.account_id) AS account_id,
           person.id AS contact_id, k.type, clause.channel, k.moment AS occurred_at,
           CAST(extract(epoch FROM k.moment) AS double precision) / 86400.0 AS occurred_day,
           k.source, k.external_id, coalesce(k.url, '') AS url, k.duration_seconds,
           (CASE WHEN clause.per_duration AND k.duration_seconds IS NOT NULL
                 THEN least(%(max_minutes)s::double precision, k.duration_seconds / 60.0::double precision)
                 ELSE clause.minutes END)
           * (CASE WHEN person.id IS NULL THEN %(anonymous)s::double precision
                   ELSE coalesce(weight.weight, %(unknown_person)s::double precision) END) AS minutes,
           clause.half_life AS half_life_days, clause.high_value AS is_high_value
      FROM checked k
      JOIN {{clauses}} clause ON clause.type = k.type AND clause.url = coalesce(k.url, '')
      LEFT JOIN contacts_contact by_id ON k.contact_id IS NOT NULL AND by_id.workspace_id = %(workspace)s
           AND by_id.id = k.contact_id AND by_id.erased_at IS NULL
      LEFT JOIN contacts_contact by_email ON by_id.id IS NULL AND coalesce(k.email, '') <> ''
           AND by_email.workspace_id = %(workspace)s AND by_email.email = k.email AND by_email.email <> ''
           AND by_email.erased_at IS NULL
      LEFT JOIN LATERAL (SELECT coalesce(by_id.id, by_email.id) AS id,
                                coalesce(by_id.account_id, by_email.account_id) AS account_id,
                                coalesce(by_id.seniority, by_email.seniority) AS seniority) person ON true
      LEFT JOIN {{seniority}} weight ON weight.seniority = coalesce(person.seniority, '')
      LEFT JOIN accounts_accountidentifier crm ON coalesce(k.account_external_id, '') <> ''
           AND crm.workspace_id = %(workspace)s AND crm.kind = 'external_id' AND crm.value = k.account_external_id
      LEFT JOIN {{domains}} named ON named.domain = k.account_domain
      LEFT JOIN accounts_accountidentifier by_domain ON named.registrable <> ''
           AND by_domain.workspace_id = %(workspace)s AND by_domain.kind = 'domain'
           AND by_domain.value = named.registrable
      LEFT JOIN {{domains}} mail ON coalesce(k.email, '') <> '' AND person.account_id IS NULL
           AND mail.domain = split_part(k.email, '@', 2)
      LEFT JOIN accounts_accountidentifier by_mail ON mail.company_domain <> ''
           AND by_mail.workspace_id = %(workspace)s AND by_mail.kind = 'domain'
           AND by_mail.value = mail.company_domain
     WHERE k.ok AND NOT EXISTS (SELECT 1 FROM {{keys_twice}} twice
                                 WHERE twice.source = k.source AND twice.external_id = k.external_id)
       AND coalesce(person.account_id, crm.account_id, by_domain.account_id, by_mail.account_id) IS NOT NULL"""

STORE_SQL = """
    INSERT INTO {events} (workspace_id, account_id, contact_id, type, channel, occurred_at, occurred_day, source,
                          external_id, url, duration_seconds, minutes, half_life_days, is_high_value, details,
                          variant, received_at)
    SELECT workspace_id, account_id, contact_id, type, channel, occurred_at, occurred_day, source, external_id, url,
           duration_seconds, minutes, half_life_days, is_high_value, '{{}}', '', %(now)s
      FROM {accepted}
    ON CONFLICT DO NOTHING"""

KEYS_TWICE_SQL = """
    CREATE UNLOGGED TABLE {keys_twice} AS
    SELECT lower(coalesce(nullif(source, ''), %(default_source)s)) AS source, external_id
      FROM {raw} GROUP BY 1, 2 HAVING count(*) > 1"""


def route_applies(adapter) -> bool:
    """Whether `signals_ingest_from` stores `adapter`'s file by this route."""
    return (isinstance(adapter, FileAdapter) and adapter.kind == row_engine.ENGAGEMENT
            and adapter.extension in ROUTE_EXTENSIONS and connection.vendor == "postgresql"
            and not connection.in_atomic_block and adapter.path.exists()
            and adapter.path.stat().st_size >= ROUTE_MIN_BYTES)


class RouteResult:
    """What the SQL stored, and the lines it left to the row path."""

    def __init__(self, *, taken: int, created: int, left_lines: set[int], total: int) -> None:
        self.taken, self.created, self.left_lines, self.total = taken, created, left_lines, total


def file_store(adapter: FileAdapter, *, workspace_id: int, source: str, now: datetime, rules) -> RouteResult:
    """Store what the SQL can take of `adapter`'s file (`source`: the default source, as the row
    path cleans it); the result says which lines are left to the row path."""
    suffix = uuid.uuid4().hex[:12]
    tables = {name: f"_signal_route_{name}_{suffix}" for name in ("raw", "domains", "clauses", "seniority",
                                                                  "keys_twice")}
    try:
        lines = _copy_cells(adapter, tables["raw"])
        _classify(tables, rules)
        params = {"workspace": workspace_id, "types": list(TYPES), "default_source": source,
                  "latest": now + row_engine.FUTURE_SKEW,
                  "earliest": datetime.combine(row_engine.EARLIEST, datetime.min.time(), tzinfo=now.tzinfo),
                  "max_duration": row_engine.MAX_DURATION_SECONDS, "max_minutes": MAX_MEETING_MINUTES,
                  "anonymous": ANONYMOUS_WEIGHT, "unknown_person": UNKNOWN_PERSON_WEIGHT, "now": now,
                  "moment_pattern": MOMENT_PATTERN, "parts": settings.SIGNAL_FILE_CONNECTIONS}
        with connection.cursor() as cursor:
            cursor.execute(KEYS_TWICE_SQL.format(**tables), params)
        taken, created = _store_in_parts(tables, params)
        return RouteResult(taken=len(taken), created=created, left_lines=set(lines) - taken, total=len(lines))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(tables.values()))


def _copy_cells(adapter: FileAdapter, raw: str) -> int:
    """COPY the file's cells into a scratch table (stripped as the row path strips them; a row
    with a cell PostgreSQL cannot take, or any non-ASCII text, goes in with its line only and is
    left to the row path). Returns the lines."""
    stamp = adapter.source if adapter.force_source and adapter.source else None
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE UNLOGGED TABLE {raw} (line integer PRIMARY KEY, "
                       + ", ".join(f"{name} text" for name in COLUMNS) + ")")
        lines = []
        with adapter.cells() as (names, rows), cursor.cursor.copy(
                f"COPY {raw} (line, {', '.join(COLUMNS)}) FROM STDIN") as copy:
            positions = [names.index(name) if name in names else None for name in COLUMNS]
            for line, cells in rows:
                lines.append(line)
                values = [cells[p].strip() if p is not None and p < len(cells) else "" for p in positions]
                if stamp is not None:
                    values[2] = stamp
                text = "".join(values)
                if not (text.isascii() and text.isprintable()):   # no NUL, control or non-ASCII character
                    values = [None] * len(COLUMNS)   # type NULL: never taken
                copy.write_row([line, *values])
        cursor.execute(f"ANALYZE {raw}")
    return lines


def _classify(tables: dict[str, str], rules) -> None:
    """Python's verdicts on what repeats, as small tables: each distinct domain (account domain
    or e-mail domain) → registrable domain and company domain ('' for free-mail); each distinct
    (type, URL) → its weighing clause; each seniority → its weight."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT lower(account_domain) FROM {tables['raw']} WHERE account_domain <> '' "
                       f"UNION SELECT DISTINCT split_part(lower(email), '@', 2) FROM {tables['raw']} "
                       f"WHERE strpos(email, '@') > 0")
        domains = [domain for (domain,) in cursor.fetchall()]
        cursor.execute(f"SELECT DISTINCT replace(replace(lower(type), '-', '_'), ' ', '_'), coalesce(url, '') "
                       f"FROM {tables['raw']} WHERE type IS NOT NULL")
        combos = [(t, url) for t, url in cursor.fetchall() if t in CHANNEL_OF]
        cursor.execute(f"CREATE UNLOGGED TABLE {tables['domains']} (domain text PRIMARY KEY, registrable text, "
                       f"company_domain text)")
        cursor.execute(f"CREATE UNLOGGED TABLE {tables['clauses']} (type text, url text, channel text, "
                       f"minutes double precision, per_duration boolean, half_life double precision, "
                       f"high_value boolean, PRIMARY KEY (type, url))")
        cursor.execute(f"CREATE UNLOGGED TABLE {tables['seniority']} (seniority text PRIMARY KEY, "
                       f"weight double precision)")
        with cursor.cursor.copy(f"COPY {tables['domains']} FROM STDIN") as copy:
            for domain in domains:
                copy.write_row((domain, registrable(domain), _mail_domain_verdict(domain)[0]))
        with cursor.cursor.copy(f"COPY {tables['clauses']} FROM STDIN") as copy:
            for event_type, url in combos:
                clause = applicable_clause(rules, event_type, variant="", url=url)
                copy.write_row((event_type, url, CHANNEL_OF[event_type], clause.minutes, clause.per_duration,
                                clause.half_life_days, clause.high_value))
        with cursor.cursor.copy(f"COPY {tables['seniority']} FROM STDIN") as copy:
            for seniority, weight in SENIORITY_WEIGHTS.items():
                copy.write_row((seniority, weight))
        for name in ("domains", "clauses", "seniority"):
            cursor.execute(f"ANALYZE {tables[name]}")


def _store_in_parts(tables: dict[str, str], params: dict) -> tuple[set[int], int]:
    """SIGNAL_FILE_CONNECTIONS connections at once, each checking, resolving and storing the lines of its part in
    one transaction (rows already stored are skipped: duplicates). Returns (the lines taken,
    how many were new)."""
    taken: list[list[int]] = []
    created: list[int] = []
    errors: list[BaseException] = []

    def part(number: int) -> None:
        accepted = f"_signal_route_accepted_{number}"
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # The parts already use the cores: no parallel workers, no JIT compiling per part.
                cursor.execute("SELECT set_config('jit', 'off', true), "
                               "set_config('max_parallel_workers_per_gather', '0', true)")
                cursor.execute(ACCEPTED_SQL.format(**tables, accepted=accepted), {**params, "part": number})
                cursor.execute(STORE_SQL.format(events=EngagementEvent._meta.db_table, accepted=accepted), params)
                created.append(cursor.rowcount)
                cursor.execute(f"SELECT line FROM {accepted}")
                taken.append([line for (line,) in cursor.fetchall()])
                cursor.execute(f"DROP TABLE {accepted}")
        except BaseException as error:  # noqa: BLE001 — re-raised in the calling thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=part, args=(number,), name=f"signal-route-{number}")
               for number in range(params["parts"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return {line for part_lines in taken for line in part_lines}, sum(created)
