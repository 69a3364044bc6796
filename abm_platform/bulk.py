"""Fast inserts of plain rows for the hot paths (imports, ingestion, score snapshots).

Django's bulk_create builds a model instance per row and compiles each value; at hundreds of
thousands of rows that Python work dominates. `insert_rows` takes tuples instead: COPY on
PostgreSQL, executemany elsewhere. Callers pass the workspace id in every row themselves.
"""
import gc
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, transaction


def insert_rows(model, fields: list[str], rows: Iterable[tuple]) -> int:
    """Insert `rows` (tuples in the order of `fields`, model field names) into model's table.
    No ids come back, no signals fire, no history is written: use it for child rows."""
    rows = list(rows)
    if not rows:
        return 0
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
    return len(rows)


def analyze(*models) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load, so the next query plans with
    the real row counts instead of waiting for autovacuum (a 100k import otherwise leaves
    lists on sequential scans for minutes)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector while building many small objects that live
    together (a scoring chunk makes ~1M): each collection would walk all of them again, which
    cost more than the work itself. Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def cursor_without_jit():
    """A cursor in a transaction (a savepoint inside a caller's) whose statements PostgreSQL does
    not JIT-compile: for statements that run in well under a second, where compiling (30–40 ms
    each, chosen for their row estimates) costs more than it saves. The setting is restored at
    the end, since a local setting made in a savepoint would outlive it; if the block fails, the
    rollback restores it."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            yield cursor
            return
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        previous = cursor.fetchone()[0]
        yield cursor
        cursor.execute("SELECT set_config('jit', %s, true)", [previous])
