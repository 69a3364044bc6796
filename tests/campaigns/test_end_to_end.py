"""The whole loop on the database, with nothing mocked but the clock of the send window:

a score recompute finishes → the `score_crossed` trigger of a pilot's play fires (the task the
recompute queues by name, run eagerly) → the account is enrolled → the e-mail step is planned
through the suppression engine → the touch is sent over real SMTP to a local aiosmtpd server →
the recipient opens the message and clicks its link (the signed URLs taken from the received
message, followed with the Django test client) → the open and the click come back as
engagement events of that person and account → the next recompute shows the account's
engagement component higher than before.

On the way: a colleague who opted out of e-mail fits the step's audience too; the engine blocks
her touch with its reason and the SMTP server never sees a message for her. The second pilot
account does not cross the threshold and is not enrolled."""
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import Enrolment, EnrolmentStatus, Touch, TouchStatus, TriggerKind
from campaigns.services.enrolment import campaign_start_pilot
from campaigns.services.planning import plan_due
from campaigns.services.reports import pilot_report
from campaigns.services.sending import send_due
from contacts.models import ConsentStatus
from contacts.services.privacy import contact_consent_set
from insights.signals.models import EngagementEvent
from insights.signals.services.ingest import signals_ingest
from scoring.models import ScoreSnapshot
from scoring.services.recompute import recompute_inline
from tests.factories import (
    AccountFactory, CampaignFactory, ContactFactory, ContentTemplateFactory, IcpCriterionFactory, PlayFactory,
    StepFactory,
)

pytestmark = pytest.mark.django_db

THRESHOLD = 20


def _next_ten_utc():
    """The next 10:00 UTC: inside the send window of the people (they live in UTC) and after the
    enrolment became due."""
    now = timezone.now()
    ten = now.replace(hour=10, minute=0, second=0, microsecond=0)
    return ten if ten > now else ten + timedelta(days=1)


def _path(url: str) -> str:
    assert url.startswith("http://testserver/"), url
    return url.removeprefix("http://testserver")


@pytest.fixture
def world(workspace, admin):
    """Two pilot accounts of a hand-picked audience: Acme (logistics, in the ICP, with a
    fortnight of web visits) and Borealis (food, outside the ICP, no activity). At Acme, Dora
    and Otto are both C-level decision makers; Otto opted out of e-mail."""
    IcpCriterionFactory(workspace=workspace, kind="industry", label="Logistics", config={"values": ["Logistics"]})
    acme = AccountFactory(workspace=workspace, name="Acme Logistics", domain="acme-logistics.example",
                          industry="Logistics", country="DE")
    borealis = AccountFactory(workspace=workspace, name="Borealis Foods", domain="borealis.example",
                              industry="Food", country="SE")
    people = {}
    for first, last in (("Dora", "Decker"), ("Otto", "Olsen")):
        people[first] = ContactFactory(
            workspace=workspace, account=acme, first_name=first, last_name=last, roles=["decision_maker"],
            seniority="c_level", time_zone="UTC", email=f"{first.lower()}@acme-logistics.example")
    ContactFactory(workspace=workspace, account=borealis, first_name="Bo", roles=["decision_maker"],
                   seniority="c_level", time_zone="UTC", email="bo@borealis.example")
    contact_consent_set(contact=people["Otto"], channel="email", status=ConsentStatus.OPTED_OUT,
                        how="unsubscribe link in the newsletter")
    # Anonymous visits of Acme's website pages over the last two weeks (the signals ingestion).
    signals_ingest(workspace=workspace, kind="engagement", source="website", rows=[
        (n, {"type": "web_visit", "occurred_at": (timezone.now() - timedelta(days=n)).isoformat(),
             "source": "website", "external_id": f"visit-{n}", "account_domain": "acme-logistics.example",
             "url": "https://www.northwind.example/pricing"}) for n in range(1, 15)])

    campaign = CampaignFactory(workspace=workspace, owner=admin, name="Warehouse automation")
    campaign.accounts.set([acme, borealis])
    play = PlayFactory(workspace=workspace, campaign=campaign, name="Hot accounts get a note",
                       trigger=TriggerKind.SCORE_CROSSED,
                       trigger_config={"threshold": THRESHOLD, "direction": "up", "margin": 10})
    template = ContentTemplateFactory(
        workspace=workspace, subject="{{ account.name }}: a note for {{ person.first_name }}",
        body='Hi {{ person.first_name }},\n\nsee <a href="https://example.com/case">how Northwind did it</a>.')
    StepFactory(workspace=workspace, play=play, order=1, template=template,
                audience_filter={"roles": ["decision_maker"], "seniorities": ["c_level"]})
    campaign_start_pilot(campaign=campaign, by=admin, account_ids=[acme.pk, borealis.pk])
    return {"acme": acme, "borealis": borealis, "people": people, "campaign": campaign, "play": play}


def _snapshot(workspace, run_id, account):
    return ScoreSnapshot.objects.for_workspace(workspace).get(run_id=run_id, account=account)


def test_trigger_enrol_plan_suppress_send_track_and_rescore(workspace, world, smtp,
                                                           django_capture_on_commit_callbacks):
    acme, borealis, dora, otto = world["acme"], world["borealis"], world["people"]["Dora"], world["people"]["Otto"]
    enrolments = Enrolment.objects.for_workspace(workspace).filter(play=world["play"])
    assert not enrolments.exists(), "a triggered play enrols nobody when the pilot starts"

    # 1. A recompute finishes; it queues the campaign triggers by name once committed.
    with django_capture_on_commit_callbacks(execute=True):
        first_run = recompute_inline(workspace=workspace)["run"]
    before = _snapshot(workspace, first_run, acme)
    assert before.score >= THRESHOLD > _snapshot(workspace, first_run, borealis).score, (
        before.score, before.reasons)
    enrolment = enrolments.get()
    assert enrolment.account == acme and enrolment.is_pilot and enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.trigger_reason == f"Trigger: score crossed above {THRESHOLD} (recompute {first_run})"

    # 2. Plan through the suppression engine, then send over SMTP.
    at = _next_ten_utc()
    assert plan_due(workspace_id=workspace.pk, now=at) == {"planned": 1, "blocked": 1, "enrolments_completed": 1}
    touches = Touch.objects.for_workspace(workspace).filter(enrolment=enrolment)
    blocked = touches.get(contact=otto)
    assert (blocked.status, blocked.block_code, blocked.block_rule) == (TouchStatus.BLOCKED, "opted_out", 1)
    assert "opted out" in blocked.block_reason.lower()
    assert send_due(workspace_id=workspace.pk, now=at + timedelta(minutes=1))["sent"] == 1
    sent = touches.get(contact=dora)
    assert sent.status == TouchStatus.SENT and sent.sent_at is not None

    assert smtp.count() == 1 and smtp.to(otto.email) == []
    (message,) = smtp.to(dora.email)
    assert message["Subject"] == "Acme Logistics: a note for Dora" and message["X-ABM-Touch"] == str(sent.pk)

    # 3. Dora opens the message and clicks its link: the signed URLs from the message itself.
    html = smtp.html(message)
    pixel = re.search(r'<img src="(http://testserver/c/o/[^"]+)"', html).group(1)
    click = re.search(r'href="(http://testserver/c/k/[^"]+)"', html).group(1)
    recipient = Client()
    opened = recipient.get(_path(pixel))
    assert opened.status_code == 200 and opened["Content-Type"] == "image/gif"
    redirect = recipient.get(_path(click))
    assert redirect.status_code == 302 and redirect["Location"] == "https://example.com/case"
    recipient.get(_path(pixel))                                      # a mail client loads the pixel again

    came_back = EngagementEvent.objects.for_workspace(workspace).filter(source="campaigns")
    assert sorted(came_back.values_list("type", "contact_id", "account_id")) == [
        ("email_click", dora.pk, acme.pk), ("email_open", dora.pk, acme.pk)]
    assert {e.details["touch"] for e in came_back} == {sent.pk}
    assert all(e.minutes > 0 for e in came_back)                     # they count, weighted by her seniority

    # 4. The next recompute reads them: Acme's engagement component rose. No second enrolment:
    #    the score stayed above the threshold, it did not cross it again.
    with django_capture_on_commit_callbacks(execute=True):
        second_run = recompute_inline(workspace=workspace)["run"]
    after = _snapshot(workspace, second_run, acme)
    assert after.engagement > before.engagement, (before.component_reasons, after.component_reasons)
    assert after.score >= before.score
    assert enrolments.count() == 1

    # The pilot report tells the same story.
    report = pilot_report(campaign=world["campaign"])
    assert (report.sent, report.blocked) == (1, 1)
    assert [(b.code, b.count) for b in report.blocked_by_reason] == [("opted_out", 1)]
    (arm,) = report.arms
    assert (arm.sent, arm.opened, arm.clicked) == (1, 1, 1)


def test_a_click_has_the_same_event_id_in_every_process(workspace, world):
    """Two web workers following the same click store one event: the id does not depend on
    Python's per-process string hashing (the digest below comes from `sha256sum`)."""
    from campaigns.services.feedback import touch_clicked
    from tests.factories import EnrolmentFactory, TouchFactory

    enrolment = EnrolmentFactory(workspace=workspace, play=world["play"], account=world["acme"])
    touch = TouchFactory(workspace=workspace, enrolment=enrolment, step=world["play"].steps.get(),
                         contact=world["people"]["Dora"], status=TouchStatus.SENT)
    touch_clicked(touch, "https://example.com/case")
    event = EngagementEvent.objects.for_workspace(workspace).get(source="campaigns")
    assert event.external_id == f"touch-{touch.pk}-email_click-c48df5757722"
