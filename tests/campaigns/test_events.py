"""Events and webinars end to end: an event_invite step sends the invitation over real SMTP (a
local aiosmtpd server) through the e-mail channel with a signed registration link; the public
page records the registration once; the attendance list imported afterwards records each
attendance once. Both become engagement events through the signals ingestion."""
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import include, path
from django.utils import timezone

from abm_platform.urls import urlpatterns as root_urlpatterns
from campaigns.models import CampaignStatus, ContentTemplate, Touch, TouchStatus
from campaigns.services.enrolment import play_enrol
from campaigns.services.events import (
    event_attendance_import, event_registration_record, invitation_template, registration_token,
)
from campaigns.services.planning import plan_due
from campaigns.services.sending import send_due
from insights.signals.models import EngagementEvent, UnresolvedSignal
from tests.factories import (
    AccountFactory, CampaignFactory, ContactFactory, ContentTemplateFactory, PlayFactory, StepFactory, TouchFactory,
)

# Until abm_platform/urls.py mounts the public campaign URLs, this module is the URL conf.
urlpatterns = [path("p/", include("campaigns.public_urls")), *root_urlpatterns]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

WEBINAR = {"id": "wh-live-2026-05", "kind": "webinar", "name": "Warehouse automation live",
           "starts_at": "2026-05-12T15:00:00+00:00", "url": "https://events.example.com/wh-live"}


def _send_window():
    """The next 10:00 UTC from now: inside every contact's send window (they are on UTC) and not
    before the enrolments are due."""
    now = timezone.now()
    at = now.replace(hour=10, minute=0, second=0, microsecond=0)
    return at if at >= now else at + timedelta(days=1)


@pytest.fixture
def invitation(workspace, admin):
    """A webinar invitation step for the decision maker of one account, enrolled and due."""
    account = AccountFactory(workspace=workspace, name="Initech", domain="initech.example", country="DE")
    ada = ContactFactory(workspace=workspace, account=account, first_name="Ada", email="ada@initech.example",
                         roles=["decision_maker"], time_zone="UTC")
    campaign = CampaignFactory(workspace=workspace, owner=admin, status=CampaignStatus.ACTIVE)
    campaign.accounts.set([account])
    play = PlayFactory(workspace=workspace, campaign=campaign)
    template = ContentTemplateFactory(
        workspace=workspace, channel="event_invite", subject="{{ person.first_name }}, join us live",
        body='Hi {{ person.first_name }},\n\n<a href="{{ registration_url }}">Save your seat</a> for our webinar.')
    step = StepFactory(workspace=workspace, play=play, order=1, channel="event_invite", template=template,
                       config={"event": WEBINAR})
    play_enrol(play=play, account_ids=[account.pk], reason="test")
    return {"account": account, "ada": ada, "step": step, "template": template, "campaign": campaign}


def _invite(workspace):
    now = _send_window()
    plan_due(workspace_id=workspace.pk, now=now)
    return send_due(workspace_id=workspace.pk, now=now)


def test_an_invitation_carries_a_registration_link_that_registers_once(workspace, invitation, smtp):
    assert _invite(workspace)["sent"] == 1
    message = smtp.messages[0]
    assert message["To"] == "ada@initech.example" and message["Subject"] == "Ada, join us live"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"   # an e-mail like any other
    link = re.search(r"http://testserver(/p/e/[^\s)]+)", smtp.text(message)).group(1)
    assert "{{" not in smtp.html(message) and "/c/k/" in smtp.html(message)   # the link is click-tracked too

    browser = Client()
    page = browser.get(link)
    assert page.status_code == 200 and "Warehouse automation live" in page.content.decode()
    assert not EngagementEvent.objects.for_workspace(workspace).exists()      # opening the page is not registering

    done = browser.post(link)
    assert done.status_code == 200 and "You are registered" in done.content.decode()
    assert 'href="https://events.example.com/wh-live"' in done.content.decode()
    browser.post(link)                                                         # again: still one registration
    event = EngagementEvent.objects.for_workspace(workspace).get()
    assert (event.type, event.contact, event.account) == ("webinar_registration", invitation["ada"],
                                                          invitation["account"])
    assert event.details["event_id"] == "wh-live-2026-05" and event.channel == "events"
    touch = Touch.objects.for_workspace(workspace).get()
    assert event.external_id == f"touch-{touch.pk}-webinar_registration"


def test_a_template_without_the_placeholder_gets_a_register_paragraph(workspace, invitation, smtp):
    template = invitation["template"]
    template.body = "Hi {{ person.first_name }},\n\nour event is coming."
    template.save()
    _invite(workspace)
    text = smtp.text(smtp.messages[0])
    assert "our event is coming." in text and re.search(r"Register here \(http://testserver/p/e/[^\s)]+\)", text)
    template.refresh_from_db()
    assert "Register here" not in template.body            # the stored template is untouched


def test_forged_or_foreign_registration_links_are_404(workspace, invitation):
    browser = Client()
    assert browser.get("/p/e/forged-token").status_code == 404
    assert browser.post("/p/e/forged-token").status_code == 404
    email_touch = TouchFactory(workspace=workspace, channel="email", contact=invitation["ada"])
    assert browser.post(f"/p/e/{registration_token(email_touch.pk)}").status_code == 404   # not an invitation
    assert not EngagementEvent.objects.for_workspace(workspace).exists()


def test_an_invitation_step_without_an_event_fails_its_touch(workspace, invitation, smtp):
    step = invitation["step"]
    step.config = {}
    step.save()
    assert _invite(workspace)["failed"] == 1
    touch = Touch.objects.for_workspace(workspace).get()
    assert touch.status == TouchStatus.FAILED and "needs Step.config" in touch.error and smtp.messages == []


def test_an_erased_person_registers_nothing(workspace, invitation, smtp):
    _invite(workspace)
    touch = Touch.objects.for_workspace(workspace).select_related("step", "contact").get()
    touch.contact.erased_at = timezone.now()
    touch.contact.save()
    assert event_registration_record(touch=touch) is False
    assert not EngagementEvent.objects.for_workspace(workspace).exists()


def test_attendance_import_records_each_attendee_once(workspace, other_workspace, invitation):
    ada, account = invitation["ada"], invitation["account"]
    bo = ContactFactory(workspace=workspace, account=account, first_name="Bo", email="bo@initech.example")
    outsider = ContactFactory(workspace=other_workspace, email="carla@globex.example")
    attendees = [ada.pk, "BO@Initech.example", "newcomer@initech.example", "someone@gmail.com", "not an address",
                 str(outsider.pk), str(ada.pk)]

    report = event_attendance_import(workspace=workspace, event_id="wh-live-2026-05", attendees=attendees)
    assert (report["created"], report["duplicates"], report["unresolved"], report["rejected"]) == (3, 1, 1, 2)
    assert [(e["line"], e["reason"][:20]) for e in report["errors"]] == [
        (5, "Neither a contact id"), (6, f"No contact with id {outsider.pk}"[:20])]
    events = EngagementEvent.objects.for_workspace(workspace).order_by("pk")
    assert {e.type for e in events} == {"webinar_attendance"}
    assert [(e.contact_id, e.account_id) for e in events] == [(ada.pk, account.pk), (bo.pk, account.pk),
                                                              (None, account.pk)]   # newcomer: by company domain
    assert all(e.occurred_at.isoformat() == WEBINAR["starts_at"] for e in events)
    assert UnresolvedSignal.objects.for_workspace(workspace).count() == 1   # free-mail: kept for a later retry
    assert not EngagementEvent.objects.for_workspace(other_workspace).exists()

    again = event_attendance_import(workspace=workspace, event_id="wh-live-2026-05", attendees=attendees)
    assert again["created"] == 0 and again["duplicates"] == 4
    assert EngagementEvent.objects.for_workspace(workspace).count() == 3


def test_attendance_of_an_unknown_event_is_refused(workspace, other_workspace, invitation):
    with pytest.raises(ValidationError):
        event_attendance_import(workspace=workspace, event_id="no-such-event", attendees=["ada@initech.example"])
    with pytest.raises(ValidationError):   # the event belongs to another workspace
        event_attendance_import(workspace=other_workspace, event_id="wh-live-2026-05", attendees=[1])


def test_the_link_goes_into_every_variant_that_has_its_own_text():
    template = ContentTemplate(
        name="Invite", subject="Join us", body="Main {{ registration_url }}",
        ab_variants={"B": {"subject": "Seats are limited", "body": "Arm B, no placeholder"}},
        disc_variants={"D": {"body": "Short: {{registration_url}}"}, "S": {"subject": "Only a subject"}})
    invite = invitation_template(template, "https://abm.example/p/e/TOKEN")
    assert invite.body == "Main https://abm.example/p/e/TOKEN"
    assert invite.ab_variants["B"]["body"] == ('Arm B, no placeholder\n\n'
                                               '<p><a href="https://abm.example/p/e/TOKEN">Register here</a></p>')
    assert invite.disc_variants == {"D": {"body": "Short: https://abm.example/p/e/TOKEN"},
                                    "S": {"subject": "Only a subject"}}   # S uses the main body, which has it
    assert template.body == "Main {{ registration_url }}" and "TOKEN" not in str(template.ab_variants)
