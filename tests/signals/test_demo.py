"""The demo signals: realistic noise with a planted pattern before every opportunity."""
from datetime import timedelta
from statistics import mean

import pytest
from django.db.models import Avg
from django.utils import timezone

from accounts.models import Account
from accounts.services.opportunities import stages_seed_defaults
from accounts.services.upsert import accounts_upsert
from contacts.services.upsert import contacts_upsert
from insights.signals.demo import signals_demo_seed
from insights.signals.models import EngagementEvent, IntentSignal, IntentTopic, SignalProvider, TriggerEvent
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_program(workspace):
    stages_seed_defaults(workspace=workspace)
    accounts_upsert(workspace=workspace, records=[
        {"name": f"Company {n}", "domain": f"company-{n}.com", "city": "Hamburg"} for n in range(12)])
    accounts = list(Account.objects.for_workspace(workspace).order_by("pk"))
    contacts_upsert(workspace=workspace, records=[
        {"email": f"p{i}@company-{n}.com", "first_name": f"P{i}", "job_title": title}
        for n in range(6) for i, title in enumerate(["CEO", "Head of Logistics", "Warehouse Manager", "Analyst"])],
        source="import")
    deal_day = timezone.localdate() - timedelta(days=120)
    with_deal = accounts[:3]
    for account in with_deal:
        OpportunityFactory(workspace=workspace, account=account, created_date=deal_day)
    return {"with_deal": with_deal, "without": accounts[3:], "deal_day": deal_day}


def test_the_demo_plants_rising_intent_and_broad_engagement_before_each_deal(workspace, small_program):
    signals_demo_seed(workspace=workspace)
    deal_day = small_program["deal_day"]
    before = (deal_day - timedelta(weeks=10), deal_day)
    selected = IntentSignal.objects.for_workspace(workspace).filter(topic__is_selected=True)

    for account in small_program["with_deal"]:
        ramp = selected.filter(account=account, week_start__range=(deal_day - timedelta(weeks=3), deal_day))
        earlier = selected.filter(account=account, week_start__lt=before[0] - timedelta(weeks=8))
        assert ramp.aggregate(a=Avg("score"))["a"] > earlier.aggregate(a=Avg("score"))["a"] + 15
        window = EngagementEvent.objects.for_workspace(workspace).filter(
            account=account, occurred_at__date__range=(deal_day - timedelta(weeks=8), deal_day))
        assert window.exclude(contact=None).values("contact").distinct().count() >= 3
        assert window.filter(is_high_value=True).exists()
        assert window.filter(type="meeting").exists() and window.filter(type="form_fill", variant="demo_request")

    noise = [s for s in selected.filter(account__in=small_program["without"]).values_list("score", flat=True)]
    assert 35 < mean(noise) < 55  # the rest hovers around the baseline

    assert IntentTopic.objects.for_workspace(workspace).count() == 12
    assert IntentTopic.objects.for_workspace(workspace).filter(is_selected=True).count() == 8
    assert SignalProvider.objects.for_workspace(workspace).count() == 3
    assert TriggerEvent.objects.for_workspace(workspace).exists()


def test_the_demo_runs_once(workspace, small_program):
    signals_demo_seed(workspace=workspace)
    counts = (IntentSignal.objects.for_workspace(workspace).count(),
              EngagementEvent.objects.for_workspace(workspace).count())
    signals_demo_seed(workspace=workspace)
    assert (IntentSignal.objects.for_workspace(workspace).count(),
            EngagementEvent.objects.for_workspace(workspace).count()) == counts
