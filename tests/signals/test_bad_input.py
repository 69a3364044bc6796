"""Input the database cannot store, or Python cannot convert, is a row error: the row is rejected
with a reason and the rest of the file or push is stored. Before, each of these aborted the
whole ingest (a COPY into jsonb or text failing, an OverflowError, a RecursionError)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from insights.signals.engine import rows as row_engine
from insights.signals.models import EngagementEvent, UnresolvedSignal
from insights.signals.services.ingest import signals_ingest

NOW = timezone.now()
GOOD = {"type": "web_visit", "occurred_at": (NOW - timedelta(days=1)).isoformat(), "source": "site",
        "email": "ceo@hanse-cargo.de", "url": "https://www.vendor.example/pricing", "duration_seconds": "40"}

BAD_CELLS = [
    ("url", "https://www.vendor.example/\x00pricing", "NUL character"),
    ("external_id", "e-\ud800", "unpaired surrogate"),
    ("occurred_at", "0001-01-01T00:30:00+01:00", "too long ago"),
    ("occurred_at", "9999-12-31T23:30:00-05:00", "in the future"),
    ("details", '{"a": NaN}', "Not valid JSON"),
    ("details", '{"a": Infinity}', "Not valid JSON"),
    ("details", '{"b": "x\\u0000y"}', "NUL character"),
    ("details", '{"c": "\\ud800"}', "unpaired surrogate"),
    ("details", "[" * 5000, "Not valid JSON"),
    ("details", {"pushed": {"nested": "a\x00b"}}, "NUL character"),
    ("details", {"pushed": float("nan")}, "NaN and Infinity"),
]


@pytest.mark.parametrize(("column", "value", "reason"), BAD_CELLS)
def test_a_bad_cell_is_a_row_error_on_both_checks(column, value, reason):
    raw = GOOD | {column: value}

    checked = row_engine.check_row(row_engine.ENGAGEMENT, raw, now=NOW)

    assert [e["column"] for e in checked.errors] == [column]
    assert reason in checked.errors[0]["reason"]
    assert "\x00" not in checked.errors[0]["value"]   # the echo of the value is storable too
    # the column-wise check leaves the row to the full check, which reports it
    assert row_engine.check_engagement_many([raw], now=NOW) == [None]


def test_whole_numbers_beyond_two_to_the_53_stay_exact():
    raw = GOOD | {"contact_id": "9007199254740993"}

    assert row_engine.check_row(row_engine.ENGAGEMENT, raw, now=NOW).values["contact_id"] == 9007199254740993
    assert row_engine.check_engagement_many([raw], now=NOW)[0]["contact_id"] == 9007199254740993


@pytest.mark.django_db
def test_an_ingest_with_bad_rows_stores_the_good_ones(workspace, hanse):
    bad = [GOOD | {column: value, "external_id": f"bad-{i}"}
           for i, (column, value, _) in enumerate(BAD_CELLS) if column != "external_id"]
    # resolves to no account, and carries a column the check does not read, with a NUL in it
    unknown = GOOD | {"email": "someone@unknown-co.example", "external_id": "u-1", "campaign": "spring\x00sale"}
    rows = list(enumerate([GOOD | {"external_id": "good-1"}, *bad, unknown], start=2))

    report = signals_ingest(workspace=workspace, kind="engagement", rows=rows)

    assert (report.created, report.rejected, report.unresolved) == (1, len(bad), 1)
    assert list(EngagementEvent.objects.for_workspace(workspace).values_list("external_id", flat=True)) == ["good-1"]
    kept = UnresolvedSignal.objects.for_workspace(workspace).get()
    assert kept.payload["campaign"] == "spring\ufffdsale"
    assert {e["line"] for e in report.errors} == set(range(3, 3 + len(bad)))
