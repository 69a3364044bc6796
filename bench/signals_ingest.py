"""Signal ingestion throughput: engagement events through the file adapter and through the push
endpoint, resolved against 100k accounts and 1M contacts (e-mail → person → account, unknown
company e-mail → account by domain, free-mail and unknown domains → unresolved).

Baseline in the same run: COPY of the same CSV file into a scratch table — the floor for moving
those bytes into the database. Target (issue #5): ≥ 20,000 events/s through the file adapter.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/abm_bench .venv/bin/python bench/signals_ingest.py

The workspace `bench-signals` (accounts, identifiers, contacts) is created once with COPY and
reused; every run ingests a new file with new event ids, then the same file again (all
duplicates), then pushes batches of 5,000 through the API.
"""
import argparse
import csv
import json
import os
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _setup import percentile

from django.db import connection

SLUG = "bench-signals"
TLDS = ["com", "de", "co.uk", "fr"]
SENIORITIES = ["c_level", "vp", "director", "manager", "practitioner", ""]
FREE_MAIL = ["gmail.com", "outlook.com", "web.de", "yahoo.fr"]
PAGES = ["/", "/pricing", "/demo", "/blog/peak-season", "/product/sorting", "/careers", "/customers"]
TYPES = ["web_visit"] * 5 + ["email_open"] * 3 + ["email_click", "content_download", "webinar_attendance"]
CSV_COLUMNS = ["type", "occurred_at", "source", "external_id", "email", "account_domain", "account_external_id",
               "url", "duration_seconds"]


def copy_rows(model, rows: list[dict]) -> None:
    """COPY plain dicts into a model's table, filling every other column that exists in the
    database with the field's default (works while other apps have unapplied migrations)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        existing = {c.name for c in connection.introspection.get_table_description(cursor, table)}
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.column in existing]
    defaults = {}
    for f in fields:
        value = f.get_default() if f.has_default() else (None if f.null else "")
        defaults[f.attname] = json.dumps(value) if isinstance(value, dict | list) else value
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row.get(f.attname, defaults[f.attname]) for f in fields])


def bench_workspace(accounts: int, contacts: int):
    """The workspace with `accounts` accounts (domain + CRM id each) and `contacts` people."""
    from abm_platform.bulk import analyze
    from abm_platform.models import User, Workspace
    from abm_platform.services.workspaces import workspace_create
    from accounts.models import Account, AccountIdentifier
    from contacts.models import Contact

    workspace = Workspace.objects.filter(slug=SLUG).first()
    if workspace is None:
        owner, _ = User.objects.get_or_create(email=f"bench@{SLUG}.local")
        workspace = workspace_create(name="Bench signals", slug=SLUG, owner=owner)
    now = datetime.now(timezone.utc)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_account WHERE workspace_id = %s", [workspace.pk])
        have = cursor.fetchone()[0]
    if have < accounts:
        print(f"copying {accounts - have:,} accounts …", flush=True)
        rng = random.Random(7)
        rows = [{"workspace_id": workspace.pk, "name": f"Signal Bench {i:07d} GmbH", "external_id": f"SB-{i:07d}",
                 "domain": f"signal-bench-{i}.{rng.choice(TLDS)}", "country": "DE", "created_at": now,
                 "updated_at": now} for i in range(have, accounts)]
        copy_rows(Account, rows)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, domain, external_id FROM accounts_account WHERE workspace_id = %s AND id NOT IN "
                           "(SELECT account_id FROM accounts_accountidentifier WHERE workspace_id = %s)",
                           [workspace.pk, workspace.pk])
            new = cursor.fetchall()
        copy_rows(AccountIdentifier, [
            {"workspace_id": workspace.pk, "account_id": pk, "kind": kind, "value": value, "is_primary": True}
            for pk, domain, external_id in new for kind, value in (("domain", domain), ("external_id", external_id))])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM contacts_contact WHERE workspace_id = %s", [workspace.pk])
        have_people = cursor.fetchone()[0]
        cursor.execute("SELECT id, domain FROM accounts_account WHERE workspace_id = %s ORDER BY id", [workspace.pk])
        account_rows = cursor.fetchall()
    if have_people < contacts:
        print(f"copying {contacts - have_people:,} contacts …", flush=True)
        rng = random.Random(11)
        for start in range(have_people, contacts, 200_000):
            rows = []
            for i in range(start, min(contacts, start + 200_000)):
                pk, domain = account_rows[i % len(account_rows)]
                rows.append({"workspace_id": workspace.pk, "account_id": pk, "email": f"person{i}@{domain}",
                             "first_name": "P", "last_name": str(i), "seniority": rng.choice(SENIORITIES),
                             "match_status": "auto", "created_at": now, "updated_at": now})
            copy_rows(Contact, rows)
    analyze(Account, AccountIdentifier, Contact)
    return workspace, account_rows


def event_rows(n: int, *, run: str, accounts: list, contacts: int, seed: int) -> list[dict]:
    """A realistic mix: 50 % known people, 15 % unknown people at account domains, 20 %
    anonymous visits by (sub)domain, 5 % by CRM id, 5 % free-mail, 5 % unknown companies."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    rows = []
    for i in range(n):
        pick = rng.random()
        pk, domain = accounts[rng.randrange(len(accounts))]
        row = {"type": rng.choice(TYPES), "source": "bench", "external_id": f"{run}-{i}",
               "occurred_at": (now - timedelta(seconds=rng.randrange(90 * 86400))).strftime("%Y-%m-%dT%H:%M:%SZ")}
        if pick < 0.50:
            person = rng.randrange(contacts)  # contact i works at account i mod |accounts|
            row["email"] = f"person{person}@{accounts[person % len(accounts)][1]}"
        elif pick < 0.65:
            row["email"] = f"new.buyer{i}@{domain}"
        elif pick < 0.85:
            row["account_domain"] = f"www.{domain}"
        elif pick < 0.90:
            row["account_external_id"] = f"SB-{rng.randrange(len(accounts)):07d}"
        elif pick < 0.95:
            row["email"] = f"someone{i}@{rng.choice(FREE_MAIL)}"
        else:
            row["account_domain"] = f"not-an-account-{i}.com"
        if row["type"] == "web_visit":
            row["url"] = "https://www.vendor.example" + rng.choice(PAGES)
            row["duration_seconds"] = rng.randrange(5, 600)
        rows.append(row)
    return rows


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def copy_baseline(path: Path) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_signal_copy (" + ", ".join(f"{c} text" for c in CSV_COLUMNS) + ")")
        with path.open("rb") as handle, cursor.cursor.copy(
                "COPY bench_signal_copy FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
            while data := handle.read(1 << 20):
                copy.write(data)
        cursor.execute("DROP TABLE bench_signal_copy")
    return time.perf_counter() - start


def insert_floor(workspace) -> tuple[float | None, int]:
    """What the database alone needs to store the rows the file ingest just stored: the same
    resolved rows (new ids and event ids) inserted with the statement the ingest uses for each
    batch (`INSERT … SELECT … ON CONFLICT DO NOTHING`), then removed. The events table's
    indexes are maintained row by row, so this is the ceiling for any ingest on this machine."""
    if connection.vendor != "postgresql":
        return None, 0
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_floor AS SELECT * FROM insights_engagementevent WHERE workspace_id = %s",
                       [workspace.pk])
        cursor.execute("UPDATE bench_floor SET id = nextval(pg_get_serial_sequence('insights_engagementevent', 'id')), "
                       "external_id = 'floor-' || external_id")
        rows = cursor.rowcount
        start = time.perf_counter()
        cursor.execute("INSERT INTO insights_engagementevent SELECT * FROM bench_floor ON CONFLICT DO NOTHING")
        took = time.perf_counter() - start
        cursor.execute("DELETE FROM insights_engagementevent WHERE workspace_id = %s AND external_id LIKE 'floor-%%'",
                       [workspace.pk])
        cursor.execute("DROP TABLE bench_floor")
    return took, rows


def push_client(workspace):
    """An API client with a read-write key of the workspace."""
    from rest_framework.test import APIClient

    from abm_platform.services.api_keys import api_key_create

    _, raw_key = api_key_create(workspace=workspace, name=f"bench {time.time():.0f}", scope="read_write")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def main() -> None:
    from django.conf import settings

    from insights.signals.adapters import FileAdapter
    from insights.signals.models import EngagementEvent, UnresolvedSignal
    from insights.signals.services.ingest import signals_ingest_from

    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--push-events", type=int, default=100_000)
    args = parser.parse_args()
    settings.DEBUG = False  # no query log kept in memory
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_key"] = "100000/min"

    workspace, accounts = bench_workspace(args.accounts, args.contacts)
    run = f"r{int(time.time())}"
    path = Path(tempfile.mkdtemp()) / "events.csv"
    write_csv(path, event_rows(args.events, run=run, accounts=accounts, contacts=args.contacts, seed=int(time.time())))
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'insights_engagementevent'"
                       if connection.vendor == "postgresql" else "SELECT count(*) FROM insights_engagementevent")
        table_rows = cursor.fetchone()[0]
    print(f"database: {connection.vendor}; {len(accounts):,} accounts, {args.contacts:,} contacts; "
          f"file: {args.events:,} events, {path.stat().st_size / 1e6:.1f} MB; "
          f"events table before: ~{table_rows:,} rows (all workspaces); load average {os.getloadavg()[0]:.1f}")

    from abm_platform.bulk import analyze

    if connection.vendor == "postgresql":
        # As autovacuum would leave it: earlier runs' deleted rows are dead index entries and heap
        # holes until vacuumed, and they slow every insert (measured: floor 16k rows/s → 27k).
        with connection.cursor() as cursor:
            for model in (EngagementEvent, UnresolvedSignal):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    else:
        analyze(EngagementEvent, UnresolvedSignal)
    baseline = copy_baseline(path) if connection.vendor == "postgresql" else None
    start, cpu = time.perf_counter(), time.process_time()
    first = signals_ingest_from(FileAdapter(path=path, kind="engagement", source="bench"), workspace=workspace)
    first_s, first_cpu = time.perf_counter() - start, time.process_time() - cpu
    floor_s, floor_rows = insert_floor(workspace)
    start = time.perf_counter()
    again = signals_ingest_from(FileAdapter(path=path, kind="engagement", source="bench"), workspace=workspace)
    again_s = time.perf_counter() - start
    print(f"file adapter, new events  : {first_s:6.1f} s  {args.events / first_s:9,.0f} events/s   {first.counts()}")
    print(f"  of which this process's CPU: {first_cpu:.1f} s ({args.events / first_cpu:,.0f} events per CPU-second "
          f"of Python); the rest is waiting for PostgreSQL")
    print(f"file adapter, same file   : {again_s:6.1f} s  {args.events / again_s:9,.0f} events/s   {again.counts()}")
    if baseline:
        print(f"COPY baseline (same CSV)  : {baseline:6.2f} s  {args.events / baseline:9,.0f} rows/s"
              f"   → ingest is {first_s / baseline:.0f}× the raw COPY")

    if floor_s:
        print(f"database floor            : {floor_s:6.1f} s  {floor_rows / floor_s:9,.0f} rows/s   the same "
              f"{floor_rows:,} resolved rows inserted again with one INSERT … SELECT (no Python at all)")

    client = push_client(workspace)
    rows = event_rows(args.push_events, run=f"{run}p", accounts=accounts, contacts=args.contacts, seed=5)
    latencies, created = [], 0
    start = time.perf_counter()
    for offset in range(0, len(rows), 5000):
        began = time.perf_counter()
        response = client.post("/api/v1/signals/engagement/", rows[offset:offset + 5000], format="json")
        latencies.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.content[:300]
        created += response.json()["created"]
    push_s = time.perf_counter() - start
    print(f"push API, batches of 5,000: {push_s:6.1f} s  {len(rows) / push_s:9,.0f} events/s   "
          f"batch p50 {sorted(latencies)[len(latencies) // 2]:.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
          f"{created:,} created")
    print("target: ≥ 20,000 events/s through the file adapter")
    if connection.vendor == "postgresql":
        # The insert touches ~4 random index pages per event: whether they fit in shared_buffers
        # decides most of the database's share, so say how big both are.
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('shared_buffers'), "
                           "pg_size_pretty(pg_indexes_size('insights_engagementevent'))")
            buffers, indexes = cursor.fetchone()
        print(f"shared_buffers {buffers}; indexes of the events table {indexes}; "
              f"load average now {os.getloadavg()[0]:.1f}")
    # The events table is shared with other benches (scoring reads it): leave it as it was.
    with connection.cursor() as cursor:
        for model in (EngagementEvent, UnresolvedSignal):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE workspace_id = %s", [workspace.pk])
    analyze(EngagementEvent, UnresolvedSignal)


if __name__ == "__main__":
    main()
