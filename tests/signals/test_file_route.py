"""The set-based route for big engagement files (services/file_route.py) stores what the row
path stores, row for row, with the same counts and errors; it only takes rows it can check,
resolve and weigh exactly as the row path does and leaves the others to it."""
from datetime import timedelta

import pytest
from django.db import connection  # noqa: F401 — read by the skipif condition

from insights.signals.adapters import FileAdapter
from insights.signals.services import file_route
from insights.signals.services.ingest import signals_ingest_from
from tests.signals.conftest import hanse_cast
from tests.signals.test_ingest_fast import NOW, _comparable, random_rows, stored, write_csv

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the route is PostgreSQL's")]

# Rows in the shape the SQL takes, and near misses it must leave to the row path (or store the same).
COMMON = "%Y-%m-%dT%H:%M:%SZ"
EDGES = [
    {"type": "web_visit", "occurred_at": "2026-02-30T10:00:00Z", "email": "ceo@hanse-cargo.de", "external_id": "x1"},
    {"type": "web_visit", "occurred_at": "0000-01-01T00:00:00Z", "email": "ceo@hanse-cargo.de", "external_id": "x2"},
    {"type": "web_visit", "occurred_at": "2025-13-01T00:00:00Z", "email": "ceo@hanse-cargo.de", "external_id": "x3"},
    {"type": "web_visit", "occurred_at": "2025-06-01T24:00:00Z", "email": "ceo@hanse-cargo.de", "external_id": "x4"},
    {"type": "web_visit", "occurred_at": "2024-02-29 23:59:59", "email": "ceo@hanse-cargo.de", "external_id": "x5"},
    {"type": "web_visit", "occurred_at": "2025-06-01T10:00:00+00:00", "email": "jürgen@hanse-cargo.de",
     "external_id": "x6"},
    {"type": "Wëb visit", "occurred_at": "2025-06-01T10:00:00Z", "email": "ceo@hanse-cargo.de", "external_id": "x7"},
    {"type": "meeting", "occurred_at": "2025-06-01T10:00:00z", "email": "picker@hanse-cargo.de",
     "duration_seconds": "5400", "external_id": "x8"},
    {"type": "meeting", "occurred_at": "2025-06-01T10:00:00Z", "email": "picker@hanse-cargo.de",
     "duration_seconds": "86400", "external_id": "x9"},
    {"type": "call", "occurred_at": "2025-06-01T10:00:00Z", "account_external_id": "P-1", "external_id": "x10",
     "source": "Gong"},
    {"type": "web_visit", "occurred_at": "2025-06-01T10:00:00Z", "email": "new.person@polar-freight.se",
     "external_id": "x11"},
    {"type": "web_visit", "occurred_at": "2025-06-01T10:00:00Z", "email": "a\tb@hanse-cargo.de", "external_id": "x12"},
    {"type": "web_visit", "occurred_at": "2025-06-01T10:00:00Z", "contact_id": "0012", "external_id": "x13"},
]


def mixed_rows() -> list[dict]:
    """The row path's random rows (a third with a problem), two thirds of them given a moment in
    the common export format, plus the edge rows, plus 60 rows sent twice."""
    rows = random_rows(2500, seed=11)
    for i, row in enumerate(rows):
        if i % 3:
            row["occurred_at"] = (NOW - timedelta(days=i % 300, minutes=i)).strftime(COMMON)
            row.setdefault("external_id", f"m-{i}")
            row.pop("details", None)
        if i % 4 == 0:
            row.pop("details", None)
    return rows + EDGES + rows[:60]


def test_the_route_stores_what_the_row_path_stores(tmp_path, workspace, other_workspace, monkeypatch):
    hanse_cast(workspace)
    hanse_cast(other_workspace)
    path = write_csv(tmp_path / "events.csv", mixed_rows())
    seen = []
    store = file_route.file_store

    def spy(*args, **kwargs):
        result = store(*args, **kwargs)
        seen.append(result)
        return result

    monkeypatch.setattr(file_route, "ROUTE_MIN_BYTES", 0)
    monkeypatch.setattr(file_route, "file_store", spy)
    done = []
    by_route = signals_ingest_from(FileAdapter(path=path, kind="engagement", source="Upload"), workspace=workspace,
                                   now=NOW, progress=done.append)
    by_route_again = signals_ingest_from(FileAdapter(path=path, kind="engagement", source="Upload"),
                                         workspace=workspace, now=NOW)
    monkeypatch.setattr(file_route, "ROUTE_MIN_BYTES", 10**12)
    by_rows = signals_ingest_from(FileAdapter(path=path, kind="engagement", source="Upload"),
                                  workspace=other_workspace, now=NOW)
    by_rows_again = signals_ingest_from(FileAdapter(path=path, kind="engagement", source="Upload"),
                                        workspace=other_workspace, now=NOW)

    assert len(seen) == 2, "the route ran for both ingests of the first workspace only"
    first = seen[0]
    assert first.created == first.taken > 400 and len(first.left_lines) > 400   # both ways carry real weight
    assert seen[1].taken == first.taken and seen[1].created == 0   # all duplicates the second time
    assert by_route.as_dict() == by_rows.as_dict()
    assert by_route_again.as_dict() == by_rows_again.as_dict()
    assert by_route.created > 600 and by_route.unresolved > 50 and by_route.rejected > 50 and by_route.duplicates > 0
    assert _comparable(stored(workspace), workspace) == _comparable(stored(other_workspace), other_workspace)
    assert done[0] == first.taken and done[-1] == by_route.total and done == sorted(done)


def test_a_forced_source_and_a_tab_separated_file_go_the_same_way_on_three_connections(
        tmp_path, workspace, other_workspace, monkeypatch, settings):
    settings.SIGNAL_FILE_CONNECTIONS = 3
    hanse_cast(workspace)
    hanse_cast(other_workspace)
    rows = mixed_rows()[:800]
    path = tmp_path / "events.tsv"
    csv_path = write_csv(tmp_path / "events.csv", rows)
    path.write_text(csv_path.read_text(encoding="utf-8").replace(",", "\t"), encoding="utf-8")   # no commas in cells
    monkeypatch.setattr(file_route, "ROUTE_MIN_BYTES", 0)
    by_route = signals_ingest_from(FileAdapter(path=path, kind="engagement", source="Drop-Box", force_source=True),
                                   workspace=workspace, now=NOW)
    monkeypatch.setattr(file_route, "ROUTE_MIN_BYTES", 10**12)
    by_rows = signals_ingest_from(FileAdapter(path=path, kind="engagement", source="Drop-Box", force_source=True),
                                  workspace=other_workspace, now=NOW)

    assert by_route.as_dict() == by_rows.as_dict() and by_route.created > 100
    assert _comparable(stored(workspace), workspace) == _comparable(stored(other_workspace), other_workspace)
    assert {row[6] for row in stored(workspace)[0]} == {"drop-box"}


def test_small_files_and_other_kinds_keep_the_row_path(tmp_path, workspace):
    path = write_csv(tmp_path / "events.csv", random_rows(10, seed=1))
    assert not file_route.route_applies(FileAdapter(path=path, kind="engagement"))   # below ROUTE_MIN_BYTES
    assert not file_route.route_applies(FileAdapter(path=path, kind="trigger"))
