"""Insert rows, skipping any that would break a unique constraint (the same signal sent
twice), and say how many were new.

PostgreSQL: COPY into a session-local staging table (created once per connection, emptied
after every batch, so no catalogue churn per batch), then one
`INSERT … SELECT … ON CONFLICT DO NOTHING`. SQLite: executemany of
`INSERT … ON CONFLICT DO NOTHING`. Like abm_platform.bulk.insert_rows, no ids come back and no
signals fire; callers pass the workspace id in every row themselves.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import timezone

from django.db import connection, models, transaction


def insert_new_rows(model: type[models.Model], fields: list[str], rows: Sequence[tuple]) -> int:
    if not rows:
        return 0
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    model_fields = [model._meta.get_field(name) for name in fields]
    columns = ", ".join(quote(f.column) for f in model_fields)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            json_at = [i for i, f in enumerate(model_fields) if isinstance(f, models.JSONField)]
            digest = hashlib.sha1(columns.encode()).hexdigest()[:8]
            stage = quote(f"_signal_stage_{model._meta.db_table}_{digest}"[:63])
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} AS SELECT {columns} FROM {table} WITH NO DATA")
            with cursor.cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:  # most events carry no details: skip the encoder for those
                            value = row[i]
                            row[i] = "{}" if value.__class__ is dict and not value else json.dumps(value, default=str)
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} ON CONFLICT DO NOTHING")
            inserted = cursor.rowcount
            cursor.execute(f"DELETE FROM {stage}")
            return inserted
        converters = [_sqlite_converter(f) for f in model_fields]
        prepared = [tuple(value if convert is None or value is None else convert(value)
                          for convert, value in zip(converters, row)) for row in rows]
        placeholders = ", ".join(["%s"] * len(fields))
        before = connection.connection.total_changes
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT DO NOTHING", prepared)
        return connection.connection.total_changes - before


def _naive_utc_text(value) -> str:
    # What Django's SQLite backend stores for an aware datetime (adapt_datetimefield_value).
    return str(value.astimezone(timezone.utc).replace(tzinfo=None))


def _sqlite_converter(field: models.Field) -> Callable | None:
    """The few conversions SQLite needs, done without Django's per-value field machinery (the
    hot path of a big ingest): dates and datetimes as text, JSON as text, the rest as is."""
    if isinstance(field, models.DateTimeField):
        return _naive_utc_text
    if isinstance(field, models.DateField):
        return lambda value: value.isoformat()
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, default=str)
    return None
