"""Feasibility measurement, not the product's ingest: could a file of engagement events reach
20,000 events/s on this machine if PostgreSQL did the row work instead of Python?

`bench/signals_ingest.py` shows the product's file adapter is bound by its Python (parse, check,
resolve, weigh, COPY formatting: ~80 µs of CPU per event on one core, because of the GIL). This
script takes the other route on the same kind of file and the same `bench-signals` workspace:

1. COPY the CSV as it is into an UNLOGGED scratch table (every cell text, rows numbered);
2. Python classifies only what repeats: each distinct domain (registrable domain and free-mail
   verdict, `insights.signals.services.resolve`) and each distinct (type, URL) clause
   (`insights.signals.engine.rules.applicable_clause`), into small tables;
3. one `INSERT … SELECT … ON CONFLICT DO NOTHING` per connection checks nothing, resolves
   (person by e-mail, account by CRM id, by domain, by the e-mail's domain), weighs (the
   clause, the duration, the person's seniority) and stores — with 1 connection, then with 2
   connections each taking half of the rows, so the insert uses both cores.

What it leaves out, so its figure is an upper bound for that route: the row checks and their
error messages (the file has no bad rows), storing the ~10 % unresolved rows with their reasons
(they are only left out of the insert here), `details` and variants, external ids derived from
a digest, duplicates inside one file split across the two connections, a person on file
without an account, progress reporting. A product-grade version with all of these (commit
f6f4501) measured slower than the row path on this 2-core machine and was reverted (fa622f1);
see the README.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/abm_bench .venv/bin/python bench/signals_ingest_sql_route.py
"""
import argparse
import tempfile
import threading
import time
from pathlib import Path

import _setup  # noqa: F401  (Django)
import psycopg
from django.conf import settings
from signals_ingest import bench_workspace, event_rows, write_csv

from insights.signals.engine.rules import (
    ANONYMOUS_WEIGHT, CHANNEL_OF, MAX_MEETING_MINUTES, SENIORITY_WEIGHTS, UNKNOWN_PERSON_WEIGHT, applicable_clause,
)
from insights.signals.services.resolve import _mail_domain_verdict, registrable
from insights.signals.services.settings import signal_settings_get, workspace_rule_set

SCRATCH = "bench_route_raw, bench_route_domain, bench_route_clause, bench_route_seniority"
CSV_COLUMNS = "type, occurred_at, source, external_id, email, account_domain, account_external_id, url, duration_seconds"

INSERT = """
  INSERT INTO insights_engagementevent (workspace_id, account_id, contact_id, type, channel, occurred_at, occurred_day,
         source, external_id, url, duration_seconds, minutes, half_life_days, is_high_value, details, variant, received_at)
  SELECT %(workspace)s, coalesce(person.account_id, crm.account_id, by_domain.account_id, by_mail.account_id),
         person.id, clause.type, clause.channel, r.occurred_at::timestamptz,
         extract(epoch FROM r.occurred_at::timestamptz) / 86400.0, lower(btrim(r.source)), r.external_id,
         coalesce(r.url, ''), nullif(r.duration_seconds, '')::int,
         (CASE WHEN clause.per_duration AND r.duration_seconds <> ''
               THEN least(%(max_minutes)s, r.duration_seconds::int / 60.0) ELSE clause.minutes END)
         * CASE WHEN person.id IS NULL THEN %(anonymous)s ELSE coalesce(weight.weight, %(unknown_person)s) END,
         clause.half_life, clause.high_value, '{}', '', now()
    FROM bench_route_raw r
    JOIN bench_route_clause clause ON clause.type = lower(btrim(r.type)) AND clause.url = coalesce(r.url, '')
    LEFT JOIN contacts_contact person ON person.workspace_id = %(workspace)s AND person.email = lower(btrim(r.email))
         AND person.email <> '' AND person.erased_at IS NULL
    LEFT JOIN bench_route_seniority weight ON weight.seniority = person.seniority
    LEFT JOIN accounts_accountidentifier crm ON crm.workspace_id = %(workspace)s AND crm.kind = 'external_id'
         AND crm.value = r.account_external_id
    LEFT JOIN bench_route_domain named ON named.domain = lower(btrim(r.account_domain))
    LEFT JOIN accounts_accountidentifier by_domain ON by_domain.workspace_id = %(workspace)s
         AND by_domain.kind = 'domain' AND by_domain.value = named.registrable
    LEFT JOIN bench_route_domain mail ON person.id IS NULL AND mail.domain = split_part(lower(btrim(r.email)), '@', 2)
    LEFT JOIN accounts_accountidentifier by_mail ON by_mail.workspace_id = %(workspace)s
         AND by_mail.kind = 'domain' AND by_mail.value = mail.company_domain
   WHERE r.line %% %(parts)s = %(part)s
     AND coalesce(person.account_id, crm.account_id, by_domain.account_id, by_mail.account_id) IS NOT NULL
  ON CONFLICT DO NOTHING"""


def conninfo() -> str:
    db = settings.DATABASES["default"]
    return (f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} "
            f"user={db['USER'] or 'postgres'}")


def prepare(connection, path: Path, rules) -> tuple[int, int]:
    """Steps 1–2: the raw rows, and Python's verdicts on what repeats. Returns (domains, clauses)."""
    connection.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
    connection.execute("CREATE UNLOGGED TABLE bench_route_raw (line bigserial, " +
                       ", ".join(f"{c} text" for c in CSV_COLUMNS.split(", ")) + ")")
    with path.open("rb") as handle, connection.cursor().copy(
            f"COPY bench_route_raw ({CSV_COLUMNS}) FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
        while data := handle.read(1 << 20):
            copy.write(data)
    domains = connection.execute(
        "SELECT DISTINCT lower(btrim(account_domain)) FROM bench_route_raw WHERE account_domain <> '' "
        "UNION SELECT DISTINCT split_part(lower(btrim(email)), '@', 2) FROM bench_route_raw WHERE email <> ''").fetchall()
    connection.execute("CREATE UNLOGGED TABLE bench_route_domain (domain text PRIMARY KEY, registrable text, "
                       "company_domain text)")
    with connection.cursor().copy("COPY bench_route_domain FROM STDIN") as copy:
        for (domain,) in domains:
            copy.write_row((domain, registrable(domain), _mail_domain_verdict(domain)[0]))
    clauses = connection.execute("SELECT DISTINCT lower(btrim(type)), coalesce(url, '') FROM bench_route_raw").fetchall()
    connection.execute("CREATE UNLOGGED TABLE bench_route_clause (type text, url text, channel text, minutes float8, "
                       "per_duration bool, half_life float8, high_value bool, PRIMARY KEY (type, url))")
    with connection.cursor().copy("COPY bench_route_clause FROM STDIN") as copy:
        for event_type, url in clauses:
            clause = applicable_clause(rules, event_type, variant="", url=url)
            copy.write_row((event_type, url, CHANNEL_OF[event_type], clause.minutes, clause.per_duration,
                            clause.half_life_days, clause.high_value))
    connection.execute("CREATE UNLOGGED TABLE bench_route_seniority (seniority text PRIMARY KEY, weight float8)")
    with connection.cursor().copy("COPY bench_route_seniority FROM STDIN") as copy:
        for seniority, weight in SENIORITY_WEIGHTS.items():
            copy.write_row((seniority, weight))
    connection.execute("ANALYZE bench_route_raw")
    connection.commit()
    return len(domains), len(clauses)


def store(workspace_id: int, parts: int) -> int:
    """Step 3 on `parts` connections at once; returns the rows stored."""
    stored = []

    def one(part: int) -> None:
        with psycopg.connect(conninfo()) as connection:
            connection.execute("SET jit = off")
            stored.append(connection.execute(INSERT, {
                "workspace": workspace_id, "parts": parts, "part": part, "max_minutes": MAX_MEETING_MINUTES,
                "anonymous": ANONYMOUS_WEIGHT, "unknown_person": UNKNOWN_PERSON_WEIGHT}).rowcount)

    threads = [threading.Thread(target=one, args=(part,)) for part in range(parts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(stored)


def run(workspace_id: int, path: Path, events: int, rules, parts: int) -> float:
    with psycopg.connect(conninfo(), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE insights_engagementevent")
    start = time.perf_counter()
    with psycopg.connect(conninfo()) as connection:
        domains, clauses = prepare(connection, path, rules)
    prepared = time.perf_counter()
    stored = store(workspace_id, parts)
    took = time.perf_counter() - start
    print(f"  {parts} connection(s): {took:5.1f} s = {events / took:7,.0f} events/s   (COPY + Python's "
          f"{domains:,} domains and {clauses} clauses {prepared - start:.1f} s, INSERT … SELECT "
          f"{time.perf_counter() - prepared:.1f} s; {stored:,} stored)", flush=True)
    with psycopg.connect(conninfo(), autocommit=True) as connection:
        connection.execute("DELETE FROM insights_engagementevent WHERE workspace_id = %s", [workspace_id])
        connection.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
    return events / took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    workspace, accounts = bench_workspace(100_000, 1_000_000)
    path = Path(tempfile.mkdtemp()) / "events.csv"
    write_csv(path, event_rows(args.events, run=f"route{int(time.time())}", accounts=accounts, contacts=1_000_000,
                               seed=3))
    rules = workspace_rule_set(signal_settings_get(workspace=workspace.pk))
    print(f"set-based route, {args.events:,} events (the file adapter's mix), best of {args.repeat}:")
    best = {parts: max(run(workspace.pk, path, args.events, rules, parts) for _ in range(args.repeat))
            for parts in (1, 2)}
    print(f"best: 1 connection {best[1]:,.0f} events/s, 2 connections {best[2]:,.0f} events/s "
          f"(target ≥ 20,000 through the file adapter; an upper bound for this route, see the docstring)")


if __name__ == "__main__":
    main()
