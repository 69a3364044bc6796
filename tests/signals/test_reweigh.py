"""Reweighing stored engagement in SQL gives what ingesting with the same rules gives, and picks
up rule and seniority changes retroactively."""
import random
from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Contact
from insights.signals.engine.rules import TYPES, rule_set
from insights.signals.models import EngagementEvent
from insights.signals.services.ingest import IngestContext, signals_ingest
from insights.signals.services.reweigh import engagement_reweigh
from insights.signals.services.settings import signal_settings_update

pytestmark = pytest.mark.django_db


def _mixed_rows(n: int) -> list:
    rng = random.Random(3)
    when = timezone.now() - timedelta(days=3)
    people = ["ceo@hanse-cargo.de", "picker@hanse-cargo.de", "new.person@hanse-cargo.de", ""]
    details = [{}, {"premium": True}, {"form_type": "demo_request"}, {"status": "booth_visit"}, {"connected": False}]
    urls = ["", "https://x.example/pricing", "https://x.example/careers", "https://x.example/blog",
            "https://x.example/DEMO"]
    rows = []
    for i in range(n):
        email = rng.choice(people)
        row = {"type": rng.choice(TYPES), "occurred_at": when.isoformat(), "source": "mix", "external_id": str(i),
               "url": rng.choice(urls), "details": rng.choice(details)}
        if rng.random() < 0.5:
            row["duration_seconds"] = rng.choice([0, 600, 5400, 40000])
        row.update({"email": email} if email else {"account_domain": "polar-freight.se"})
        rows.append((i + 1, row))
    return rows


def _weights(workspace):
    return {e: (m, h, v) for e, m, h, v in EngagementEvent.objects.for_workspace(workspace).values_list(
        "external_id", "minutes", "half_life_days", "is_high_value")}


def test_the_sql_reweigh_agrees_with_ingest_for_every_type_variant_page_and_person(workspace, hanse):
    rules = rule_set({"web_visit": {"minutes": 2, "high_value_bonus": 3}, "meeting": {"minutes": 20}},
                     high_value_paths=["/pricing", "/demo"], excluded_paths=["/careers"])
    signals_ingest(workspace=workspace, kind="engagement", rows=_mixed_rows(300),
                   context=IngestContext(workspace=workspace, rules=rules))
    ingested = _weights(workspace)
    EngagementEvent.objects.for_workspace(workspace).update(minutes=-1, half_life_days=1, is_high_value=False)

    result = engagement_reweigh(workspace=workspace, rules=rules)

    assert result["events"] == len(ingested) == 300
    reweighed = _weights(workspace)
    for key, (minutes, half_life, high_value) in ingested.items():
        assert reweighed[key][0] == pytest.approx(minutes) and reweighed[key][1:] == (half_life, high_value), key


def test_a_rule_change_applies_to_events_already_stored(workspace, hanse):
    signals_ingest(workspace=workspace, kind="engagement", rows=[(1, {
        "type": "email_open", "occurred_at": "2026-01-05T10:00:00Z", "source": "esp", "external_id": "o1",
        "email": "ceo@hanse-cargo.de"})])
    assert EngagementEvent.objects.for_workspace(workspace).get().minutes == pytest.approx(0.2)

    signal_settings_update(workspace=workspace, engagement_rules={"email_open": {"minutes": 0.5, "half_life_days": 7}})
    engagement_reweigh(workspace=workspace)

    event = EngagementEvent.objects.for_workspace(workspace).get()
    assert event.minutes == pytest.approx(1.0) and event.half_life_days == 7


def test_a_seniority_change_is_picked_up(workspace, hanse):
    signals_ingest(workspace=workspace, kind="engagement", rows=[(1, {
        "type": "webinar_attendance", "occurred_at": "2026-01-05T10:00:00Z", "source": "zoom", "external_id": "w",
        "email": "picker@hanse-cargo.de"})])
    assert EngagementEvent.objects.for_workspace(workspace).get().minutes == 15  # practitioner 0.5
    Contact.objects.for_workspace(workspace).filter(email="picker@hanse-cargo.de").update(seniority="vp")

    engagement_reweigh(workspace=workspace)

    assert EngagementEvent.objects.for_workspace(workspace).get().minutes == 45  # VP 1.5


def test_reweigh_never_touches_another_workspace(workspace, other_workspace, hanse):
    from tests.factories import EngagementEventFactory

    theirs = EngagementEventFactory(workspace=other_workspace, minutes=123.0)
    engagement_reweigh(workspace=workspace)
    theirs.refresh_from_db()
    assert theirs.minutes == 123.0


def test_a_reweigh_with_nothing_changed_writes_nothing(workspace, hanse):
    signals_ingest(workspace=workspace, kind="engagement", rows=_mixed_rows(50))
    assert engagement_reweigh(workspace=workspace)["events"] == 0
    Contact.objects.for_workspace(workspace).filter(email="ceo@hanse-cargo.de").update(seniority="manager")
    changed = engagement_reweigh(workspace=workspace)["events"]
    assert 0 < changed == EngagementEvent.objects.for_workspace(workspace).filter(
        contact__email="ceo@hanse-cargo.de").exclude(minutes=0).count()
