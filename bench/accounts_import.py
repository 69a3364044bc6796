"""Import of 100k accounts from CSV through the real import path (parse, validate, upsert in
chunks, identifiers, technologies, tier history), then the same file again (all unchanged).

Baseline in the same run: COPY of the same CSV into a scratch table — the floor for moving
those bytes into the database. Target (issue #3): 100k accounts in under 60 s.
"""
import argparse
import csv
import tempfile
import time
from pathlib import Path

from _setup import synthetic_records

from django.db import connection

COLUMNS = ["external_id", "name", "domain", "industry", "employees", "annual_revenue", "currency", "country",
           "technologies", "tier"]


def write_csv(path: Path, n: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for record in synthetic_records(n, seed=11):
            writer.writerow({k: record[k] for k in COLUMNS})


def copy_baseline(path: Path) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_copy (" + ", ".join(f"{c} text" for c in COLUMNS) + ")")
        with path.open("rb") as handle, cursor.cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
            while data := handle.read(1 << 20):
                copy.write(data)
        cursor.execute("DROP TABLE bench_copy")
    return time.perf_counter() - start


def main() -> None:
    from abm_platform.models import User, Workspace
    from abm_platform.services.workspaces import workspace_create
    from accounts.models import Account, Tier
    from accounts.services.imports import import_execute, import_kind

    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp()) / "accounts.csv"
    write_csv(path, args.accounts)
    print(f"database: {connection.vendor}; file: {args.accounts:,} rows, {path.stat().st_size / 1e6:.1f} MB")

    slug = f"bench-import-{int(time.time())}"
    owner, _ = User.objects.get_or_create(email="bench-import@bench.local")
    workspace = workspace_create(name=slug, slug=slug, owner=owner)
    Tier.objects.for_workspace(workspace).update(max_accounts=None)
    kind = import_kind("accounts")

    baseline = copy_baseline(path) if connection.vendor == "postgresql" else None
    start = time.perf_counter()
    first = import_execute(workspace=workspace, kind=kind, path=path, by=owner, reason="bench")
    first_seconds = time.perf_counter() - start
    start = time.perf_counter()
    second = import_execute(workspace=workspace, kind=kind, path=path, by=owner, reason="bench again")
    second_seconds = time.perf_counter() - start

    assert Account.objects.for_workspace(workspace).count() == args.accounts - first.summary["rejected"]
    print(f"first import : {first_seconds:6.1f} s  {args.accounts / first_seconds:8,.0f} rows/s   {first.summary}")
    print(f"re-import    : {second_seconds:6.1f} s  {args.accounts / second_seconds:8,.0f} rows/s   {second.summary}")
    if baseline:
        print(f"COPY baseline: {baseline:6.1f} s  → import is {first_seconds / baseline:.0f}× the raw COPY")
    print("target: 100k accounts in under 60 s")
    Workspace.objects.filter(pk=workspace.pk).delete()


if __name__ == "__main__":
    main()
