"""Ingesting signals: checked, resolved to accounts in batches, stored once, and what cannot be
resolved is kept, counted and retried later."""
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services.upsert import accounts_upsert
from contacts.models import Contact
from insights.signals.models import EngagementEvent, IntentSignal, IntentTopic, TriggerEvent, UnresolvedSignal
from insights.signals.services.ingest import signals_ingest
from insights.signals.services.unresolved import unresolved_signals_retry

pytestmark = pytest.mark.django_db

NOW = timezone.now()
MONDAY = date.today() - timedelta(days=date.today().weekday() + 7)


def _rows(*rows):
    return list(enumerate(rows, start=2))


def engagement(**row):
    row.setdefault("type", "web_visit")
    row.setdefault("occurred_at", (NOW - timedelta(days=1)).isoformat())
    row.setdefault("source", "hubspot")
    return row


def test_the_same_batch_twice_is_stored_once_and_the_second_run_reports_duplicates(workspace, hanse):
    rows = _rows(engagement(external_id="e1", email="ceo@hanse-cargo.de"),
                 engagement(external_id="e2", account_domain="polar-freight.se"))

    first = signals_ingest(workspace=workspace, kind="engagement", rows=rows)
    second = signals_ingest(workspace=workspace, kind="engagement", rows=rows)

    assert first.counts() == {"kind": "engagement", "total": 2, "created": 2, "duplicates": 0, "unresolved": 0,
                              "rejected": 0}
    assert second.counts()["created"] == 0 and second.counts()["duplicates"] == 2
    assert EngagementEvent.objects.for_workspace(workspace).count() == 2


def test_a_row_repeated_inside_one_batch_is_one_event(workspace, hanse):
    rows = _rows(engagement(external_id="e1", email="ceo@hanse-cargo.de"),
                 engagement(external_id="e1", email="ceo@hanse-cargo.de"))
    report = signals_ingest(workspace=workspace, kind="engagement", rows=rows)
    assert (report.created, report.duplicates) == (1, 1)


def test_events_without_an_id_are_still_idempotent(workspace, hanse):
    rows = _rows(engagement(email="ceo@hanse-cargo.de", url="https://northwind.example/pricing"))
    signals_ingest(workspace=workspace, kind="engagement", rows=rows)
    again = signals_ingest(workspace=workspace, kind="engagement", rows=rows)
    assert again.duplicates == 1 and EngagementEvent.objects.for_workspace(workspace).count() == 1


def test_a_known_email_gives_the_person_and_their_account_and_weighs_their_seniority(workspace, hanse):
    signals_ingest(workspace=workspace, kind="engagement", rows=_rows(
        engagement(external_id="ceo", email="CEO@Hanse-Cargo.de", url="https://northwind.example/pricing"),
        engagement(external_id="picker", email="picker@hanse-cargo.de", type="webinar_attendance"),
    ))
    ceo = EngagementEvent.objects.for_workspace(workspace).get(external_id="ceo")
    picker = EngagementEvent.objects.for_workspace(workspace).get(external_id="picker")
    hanna = Contact.objects.for_workspace(workspace).get(email="ceo@hanse-cargo.de")
    assert ceo.account_id == hanse["hanse"] and ceo.contact_id == hanna.pk
    assert ceo.minutes == 10.0 and ceo.is_high_value and ceo.channel == "web"  # (1 + 4) × C-level 2.0
    assert picker.minutes == 15.0 and picker.channel == "events" and picker.half_life_days == 60  # 30 × 0.5
    assert abs(ceo.occurred_day - ceo.occurred_at.timestamp() / 86400) < 1e-9


def test_an_unknown_company_email_matches_the_account_by_domain_without_a_person(workspace, hanse):
    signals_ingest(workspace=workspace, kind="engagement", rows=_rows(
        engagement(external_id="x", email="new.buyer@logistics.hanse-cargo.de", type="meeting",
                   duration_seconds=2700)))
    event = EngagementEvent.objects.for_workspace(workspace).get()
    assert event.account_id == hanse["hanse"] and event.contact_id is None
    assert event.minutes == 45 and event.half_life_days == 90  # actual minutes, anonymous weight 1.0


def test_a_subdomain_finds_the_accounts_domain(workspace, hanse):
    report = signals_ingest(workspace=workspace, kind="trigger", rows=_rows(
        {"type": "funding", "occurred_on": "2026-01-15", "summary": "Series B", "source": "crunchbase",
         "external_id": "cb-1", "account_domain": "https://www.shop.Polar-Freight.se/en/"}))
    assert report.created == 1
    assert TriggerEvent.objects.for_workspace(workspace).get().account_id == hanse["polar"]


def test_free_mail_never_matches_by_domain(workspace, hanse):
    accounts_upsert(workspace=workspace, records=[{"name": "Google", "domain": "gmail.com"}])
    report = signals_ingest(workspace=workspace, kind="engagement", rows=_rows(
        engagement(external_id="g", email="someone.new@gmail.com")))
    assert report.unresolved == 1 and report.created == 0
    kept = UnresolvedSignal.objects.for_workspace(workspace).get()
    assert kept.key == "someone.new@gmail.com" and "free-mail" in kept.reason
    assert kept.payload["source"] == "hubspot" and kept.resolved_at is None


def test_a_known_free_mail_person_linked_to_an_account_is_resolved_through_the_person(workspace, hanse):
    anna = Contact.objects.for_workspace(workspace).get(email="anna.freelance@gmail.com")
    Contact.objects.for_workspace(workspace).filter(pk=anna.pk).update(account_id=hanse["hanse"])
    report = signals_ingest(workspace=workspace, kind="engagement", rows=_rows(
        engagement(external_id="a", email="anna.freelance@gmail.com")))
    assert report.created == 1
    assert EngagementEvent.objects.for_workspace(workspace).get().contact_id == anna.pk


def test_unknown_domains_are_kept_counted_once_and_stored_after_the_account_exists(workspace, hanse):
    rows = _rows(
        {"provider": "bombora", "week_start": MONDAY.isoformat(), "domain": "kiwi-parcel.co.nz",
         "company_name": "Kiwi Parcel", "topic": "Parcel Tracking", "score": "71"},
        engagement(external_id="k1", email="ops@kiwi-parcel.co.nz"),
    )
    intent = signals_ingest(workspace=workspace, kind="intent", rows=rows[:1])
    event = signals_ingest(workspace=workspace, kind="engagement", rows=rows[1:])
    signals_ingest(workspace=workspace, kind="engagement", rows=rows[1:])  # sent again: still one kept row
    assert intent.unresolved == 1 and event.unresolved == 1
    assert UnresolvedSignal.objects.for_workspace(workspace).count() == 2

    nothing_yet = unresolved_signals_retry(workspace=workspace)
    assert nothing_yet["resolved"] == 0 and nothing_yet["still_unresolved"] == 2

    accounts_upsert(workspace=workspace, records=[{"name": "Kiwi Parcel Ltd", "domain": "kiwi-parcel.co.nz"}])
    retried = unresolved_signals_retry(workspace=workspace)

    assert retried["resolved"] == 2 and retried["still_unresolved"] == 0
    assert IntentSignal.objects.for_workspace(workspace).get().score == 71
    assert EngagementEvent.objects.for_workspace(workspace).get().source == "hubspot"
    assert not UnresolvedSignal.objects.for_workspace(workspace).filter(resolved_at__isnull=True).exists()
    assert set(UnresolvedSignal.objects.for_workspace(workspace).values_list("attempts", flat=True)) == {3}


def test_intent_creates_unknown_topics_unselected_and_keys_by_provider_domain_topic_week(workspace, hanse):
    row = {"provider": "Bombora", "week_start": MONDAY.isoformat(), "domain": "www.hanse-cargo.de",
           "company_name": "Hanse", "topic": "Warehouse  Automation", "topic_category": "Logistics", "score": 66,
           "bucket_code": "B", "metro": "Hamburg", "metro_score": "70", "country": "de"}
    first = signals_ingest(workspace=workspace, kind="intent", rows=_rows(row))
    second = signals_ingest(workspace=workspace, kind="intent", rows=_rows({**row, "topic": "warehouse automation"}))
    assert (first.created, first.topics_created, second.duplicates) == (1, 1, 1)
    topic = IntentTopic.objects.for_workspace(workspace).get()
    assert (topic.name, topic.category, topic.is_selected) == ("Warehouse Automation", "Logistics", False)
    signal = IntentSignal.objects.for_workspace(workspace).get()
    assert (signal.domain, signal.provider, signal.country, signal.metro_score) == ("hanse-cargo.de", "bombora", "DE",
                                                                                    70)


def test_bad_rows_are_rejected_with_line_column_and_reason_and_the_good_rows_land(workspace, hanse):
    report = signals_ingest(workspace=workspace, kind="intent", rows=_rows(
        {"provider": "bombora", "week_start": MONDAY.isoformat(), "domain": "hanse-cargo.de", "topic": "A",
         "score": 101},
        {"provider": "bombora", "week_start": "31/02/2026", "domain": "hanse-cargo.de", "topic": "A", "score": 60},
        {"provider": "bombora", "week_start": MONDAY.isoformat(), "domain": "hanse-cargo.de", "topic": "A",
         "score": 60},
    ))
    assert (report.created, report.rejected) == (1, 2)
    assert report.errors == [
        {"line": 2, "column": "score", "reason": "Must be between 0 and 100.", "value": "101"},
        {"line": 3, "column": "week_start", "reason": "'31/02/2026' is not a date; use YYYY-MM-DD.",
         "value": "31/02/2026"},
    ]


@pytest.mark.parametrize("row,column", [
    ({"type": "fax", "occurred_at": "2026-01-01T10:00:00Z", "email": "ceo@hanse-cargo.de"}, "type"),
    ({"type": "web_visit", "occurred_at": "yesterday", "email": "ceo@hanse-cargo.de"}, "occurred_at"),
    ({"type": "web_visit", "occurred_at": "2099-01-01T10:00:00Z", "email": "ceo@hanse-cargo.de"}, "occurred_at"),
    ({"type": "web_visit", "occurred_at": "2026-01-01T10:00:00Z"}, "email"),
    ({"type": "meeting", "occurred_at": "2026-01-01T10:00:00Z", "email": "x@y.de", "duration_seconds": "-5"},
     "duration_seconds"),
    ({"type": "web_visit", "occurred_at": "2026-01-01T10:00:00Z", "email": "not-an-email"}, "email"),
    ({"type": "form_fill", "occurred_at": "2026-01-01T10:00:00Z", "email": "x@y.de", "details": "{broken"}, "details"),
])
def test_engagement_row_errors(workspace, hanse, row, column):
    report = signals_ingest(workspace=workspace, kind="engagement", rows=_rows({"source": "crm", **row}))
    assert report.rejected == 1 and report.errors[0]["column"] == column and report.errors[0]["line"] == 2


def test_a_row_that_is_not_an_object_is_rejected_not_a_crash(workspace, hanse):
    report = signals_ingest(workspace=workspace, kind="trigger", rows=[(1, ["funding"]), (2, "x")])
    assert report.rejected == 2 and report.errors[0]["reason"].startswith("Each row must be an object")


def test_resolution_costs_the_same_queries_for_ten_rows_as_for_a_thousand(workspace, hanse):
    def run(n, offset):
        rows = _rows(*[engagement(external_id=f"q{offset + i}", email=["ceo@hanse-cargo.de", "x@polar-freight.se",
                                                                       "y@unknown-co.de"][i % 3])
                       for i in range(n)])
        with CaptureQueriesContext(connection) as queries:
            signals_ingest(workspace=workspace, kind="engagement", rows=rows)
        return len(queries)

    run(3, 0)  # settings created, rules read
    assert run(1000, 10_000) == run(10, 20_000)


def test_new_signals_queue_one_campaign_trigger_evaluation_per_window(workspace, hanse,
                                                                      django_capture_on_commit_callbacks):
    from unittest import mock

    from django.core.cache import cache

    cache.clear()
    rows = _rows(engagement(external_id="t1", email="ceo@hanse-cargo.de"))
    with mock.patch("insights.signals.services.notify.current_app") as app, \
            django_capture_on_commit_callbacks(execute=True):
        signals_ingest(workspace=workspace, kind="engagement", rows=rows)
        signals_ingest(workspace=workspace, kind="engagement", rows=_rows(engagement(external_id="t2",
                                                                                     email="ceo@hanse-cargo.de")))
        signals_ingest(workspace=workspace, kind="engagement", rows=rows)  # nothing new
    app.signature.assert_called_once_with("campaigns.evaluate_triggers",
                                          kwargs={"workspace_id": workspace.pk, "run_id": None})
    app.signature.return_value.apply_async.assert_called_once_with(countdown=60)
