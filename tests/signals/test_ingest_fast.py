"""The fast ways through an ingest give what the row-by-row way gives: the column-wise check of
engagement rows, the read-ahead thread of a file, and (PostgreSQL) the set-based store."""
import csv
import json
import random
import threading
from datetime import timedelta

import pytest
from django.db import connection  # noqa: F401 — read by the skipif condition
from django.utils import timezone

from insights.signals.adapters import FileAdapter
from insights.signals.engine import rows as row_engine
from insights.signals.models import EngagementEvent, UnresolvedSignal
from insights.signals.services import ingest as ingest_service
from insights.signals.services.ingest import signals_ingest, signals_ingest_from
from insights.signals.services.read_ahead import read_ahead_of
from tests.signals.conftest import hanse_cast

NOW = timezone.now()
COLUMNS = ["type", "occurred_at", "source", "external_id", "email", "contact_id", "account_domain",
           "account_external_id", "url", "duration_seconds", "details"]

# Cells the generator draws from: (good values, values with a problem the check knows).
CELLS = {
    "type": (["web_visit", " Web Visit ", "email-open", "CONTENT_DOWNLOAD", "form_fill", "call", "event_attendance"],
             ["teleport", "x" * 45]),
    "occurred_at": ([(NOW - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"), (NOW - timedelta(hours=5)).isoformat(),
                     "2026-01-05", " 2025-12-24T10:00:00+02:00 "],
                    ["2031-01-01T00:00:00Z", "1999-12-31T23:00:00Z", "yesterday", "",
                     "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-05:00"]),
    "source": (["hubspot", " Marketo ", ""], ["s" * 51]),
    "external_id": (["", "e1", "e2", "E-3"], ["x" * 201]),
    "email": (["", "ceo@hanse-cargo.de", "CEO@Hanse-Cargo.de", "picker@hanse-cargo.de", "new.buyer@hanse-cargo.de",
               "buyer@shop.polar-freight.se", "anna.freelance@gmail.com", "someone@gmail.com", "x@unknown-co.com"],
              ["not-an-email", "a@b"]),
    # ids no contact has in either workspace (ids differ between the two workspaces compared)
    "contact_id": (["", "", "", "987654321", "987654322.0", "987654,0", "9007199254740993"],
                   ["0", "-3", "abc", "1e30", "inf"]),
    "account_domain": (["", "", "www.hanse-cargo.de", "Polar-Freight.SE", "not-an-account.com"], ["d" * 254]),
    "account_external_id": (["", "", "", "H-1", "P-1", "NOPE-9"], ["x" * 101]),
    "url": (["", "https://www.vendor.example/pricing", "https://www.vendor.example/careers"], ["u" * 501]),
    "duration_seconds": (["", "", "30", " 61 "], ["61.5", "99999999", "-1", "ten", "-inf", "nan"]),
    "details": (["", "", "", '{"form_type": "demo_request"}', '{"premium": true}', '{"booth_visit": true}',
                 '{"connected": false}'], ["[1, 2]", "{oops", "   ", json.dumps({"k": "v" * 5000}), '{"a": NaN}',
                                           '{"a": -Infinity}', '{"b": "x\\u0000y"}', '{"c": "\\ud800"}', "[" * 5000]),
}


def random_rows(n: int, seed: int) -> list[dict]:
    """Rows as a CSV gives them: text cells, blank cells left out; about a third with a problem."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        row = {column: rng.choice(bad if rng.random() < 0.03 else good) for column, (good, bad) in CELLS.items()}
        if row["external_id"] in ("e1", "e2", "E-3") and rng.random() < 0.5:
            row["external_id"] += f"-{i}"
        rows.append({k: v for k, v in row.items() if v.strip()})
    return rows


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def row_by_row(monkeypatch):
    """Switch the column-wise check off: every row goes through check_row."""
    def switch_off():
        monkeypatch.setattr(row_engine, "check_engagement_many", lambda raws, **_: [None] * len(raws))
    return switch_off


def stored(workspace) -> tuple[list, list]:
    events = list(EngagementEvent.objects.for_workspace(workspace).order_by("source", "external_id").values_list(
        "account_id", "contact_id", "type", "channel", "occurred_at", "occurred_day", "source", "external_id", "url",
        "duration_seconds", "minutes", "half_life_days", "is_high_value", "details", "variant"))
    unresolved = list(UnresolvedSignal.objects.for_workspace(workspace).order_by("fingerprint").values_list(
        "kind", "source", "key", "reason", "payload", "fingerprint"))
    return events, unresolved


def test_the_column_wise_check_takes_a_row_only_with_the_values_of_the_full_check():
    raws = random_rows(3000, seed=1) + [["not", "a", "dict"], {row_engine.PARSE_ERROR: "bad"},
                                        {"type": "web_visit", "occurred_at": "2026-01-05", "contact_id": 7},
                                        {"type": "web_visit", "occurred_at": "2026-01-05", "account_domain": "b.de",
                                         "details": {"premium": True}}]

    quick = row_engine.check_engagement_many(raws, now=NOW, default_source="upload")

    taken = 0
    for raw, values in zip(raws, quick):
        full = row_engine.check_row("engagement", raw, now=NOW, default_source="upload")
        if values is not None:
            taken += 1
            assert full.errors == [] and values == full.values, raw
    assert 1000 < taken < 2900  # both ways are exercised


def test_the_column_wise_check_takes_the_common_rows(row_by_row):
    raws = [{"type": "web_visit", "occurred_at": "2026-01-05T10:00:00Z", "email": "a@b.de"},
            {"type": "email_open", "occurred_at": "2026-01-05", "account_domain": "www.b.de", "source": "crm"}]
    quick = row_engine.check_engagement_many(raws, now=NOW, default_source="upload")
    assert None not in quick


@pytest.mark.django_db
def test_a_file_gives_the_same_counts_rows_and_errors_with_and_without_the_fast_check(
        tmp_path, workspace, other_workspace, hanse, row_by_row):
    rows = random_rows(1500, seed=2)
    rows += rows[:40]  # sent twice within the file
    path = write_csv(tmp_path / "events.csv", rows)

    fast = signals_ingest_from(FileAdapter(path=path, kind="engagement", source="upload"), workspace=workspace)
    fast_again = signals_ingest_from(FileAdapter(path=path, kind="engagement", source="upload"), workspace=workspace)
    row_by_row()
    hanse_cast(other_workspace)
    slow = signals_ingest(workspace=other_workspace, kind="engagement", source="upload",
                          rows=FileAdapter(path=path, kind="engagement", source="upload").rows())
    slow_again = signals_ingest(workspace=other_workspace, kind="engagement", source="upload",
                                rows=FileAdapter(path=path, kind="engagement", source="upload").rows())

    assert fast.as_dict() == slow.as_dict() and fast_again.as_dict() == slow_again.as_dict()
    assert fast.created > 100 and fast.unresolved > 50 and fast.rejected > 100 and fast.duplicates > 0
    assert _comparable(stored(workspace), workspace) == _comparable(stored(other_workspace), other_workspace)


def test_read_ahead_gives_the_items_in_order_and_raises_where_the_iterator_failed():
    def items():
        yield from range(5)
        raise ValueError("line 6 is broken")

    seen = []
    with pytest.raises(ValueError, match="line 6"), read_ahead_of(items(), depth=1) as ahead:
        for item in ahead:
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]


def test_leaving_a_read_ahead_early_stops_its_thread():
    with read_ahead_of(iter(range(1_000_000)), depth=2) as ahead:
        assert next(iter(ahead)) == 0
    # the block returned: the thread was joined (it would hang the test otherwise)


@pytest.mark.django_db
def test_batches_of_a_big_file_are_read_ahead_and_counted_like_one(tmp_path, workspace, hanse, monkeypatch):
    monkeypatch.setattr(ingest_service, "BATCH_SIZE", 100)
    rows = random_rows(450, seed=3)
    path = write_csv(tmp_path / "events.csv", rows)
    done = []

    report = signals_ingest_from(FileAdapter(path=path, kind="engagement", source="upload"), workspace=workspace,
                                 progress=done.append)

    assert done == [100, 200, 300, 400, 450] and report.total == 450
    assert [e["line"] for e in report.errors] == sorted(e["line"] for e in report.errors)


# --- helpers --------------------------------------------------------------------------------------

def _comparable(found, workspace):
    """Stored rows with the workspace's own ids replaced by names, so two workspaces compare."""
    from accounts.models import Account
    from contacts.models import Contact

    accounts = dict(Account.objects.for_workspace(workspace).values_list("pk", "domain"))
    people = dict(Contact.objects.for_workspace(workspace).values_list("pk", "email"))
    events, unresolved = found
    events = [(accounts[a], people.get(c), *rest) for a, c, *rest in events]
    return events, unresolved


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="resolution runs in the thread only on PostgreSQL")
def test_resolving_in_the_read_ahead_thread_gives_what_the_calling_thread_gives(
        tmp_path, workspace, other_workspace, monkeypatch):
    """PostgreSQL resolves a file's engagement batches in the read-ahead thread (outside a
    transaction, which the thread could not see); the results are those of the plain way."""
    monkeypatch.setattr(ingest_service, "BATCH_SIZE", 300)
    hanse_cast(workspace)
    hanse_cast(other_workspace)
    rows = random_rows(1200, seed=4)
    path = write_csv(tmp_path / "events.csv", rows + rows[:50])
    resolved_in = set()
    resolve = ingest_service.batch_resolve

    def spy(*args, **kwargs):
        resolved_in.add(threading.current_thread().name)
        return resolve(*args, **kwargs)

    monkeypatch.setattr(ingest_service, "batch_resolve", spy)

    threaded = signals_ingest_from(FileAdapter(path=path, kind="engagement", source="upload"), workspace=workspace)
    plain = signals_ingest(workspace=other_workspace, kind="engagement", source="upload",
                           rows=FileAdapter(path=path, kind="engagement", source="upload").rows())

    assert resolved_in == {"signals-read-ahead", threading.main_thread().name}
    assert threaded.as_dict() == plain.as_dict() and threaded.created > 100
    assert _comparable(stored(workspace), workspace) == _comparable(stored(other_workspace), other_workspace)
