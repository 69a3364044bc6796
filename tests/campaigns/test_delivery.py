"""Campaign delivery end to end on the database: pilot → plan (through the suppression engine)
→ send over real SMTP (a local aiosmtpd server) → open, click and one-click unsubscribe come back
→ the next touch is blocked. Planning and sending are exactly once, also across a crash."""
import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Relationship
from campaigns.models import CampaignStatus, Enrolment, SalesTask, Touch, TouchStatus
from campaigns.services.enrolment import campaign_expand, campaign_start_pilot
from campaigns.services.planning import plan_due
from campaigns.services.sending import send_due
from contacts.models import Contact
from insights.signals.models import EngagementEvent
from insights.signals.services.settings import signal_settings_update
from insights.signals.services.tracking import tracking_token_read
from tests.factories import (
    AccountFactory, CampaignFactory, ContactFactory, ContentTemplateFactory, HoldFactory, PlayFactory, StepFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(workspace, admin):
    accounts = [AccountFactory(workspace=workspace, name=f"Pilot {n}", country="DE") for n in range(3)]
    for account in accounts:
        ContactFactory(workspace=workspace, account=account, first_name="Ada", roles=["decision_maker"],
                       seniority="c_level", time_zone="UTC", email=f"ada@pilot{account.pk}.example")
        ContactFactory(workspace=workspace, account=account, first_name="Uwe", roles=["user"],
                       seniority="practitioner", time_zone="UTC", email=f"uwe@pilot{account.pk}.example")
    campaign = CampaignFactory(workspace=workspace, owner=admin)
    campaign.accounts.set(accounts)
    play = PlayFactory(workspace=workspace, campaign=campaign)
    template = ContentTemplateFactory(workspace=workspace, subject="{{ account.name }}: a note for {{ person.first_name }}",
                                      body='Hi {{ person.first_name }},\n\nsee <a href="https://example.com/case">our case</a>.')
    StepFactory(workspace=workspace, play=play, order=1, template=template,
                audience_filter={"roles": ["decision_maker", "economic_buyer"], "seniorities": ["c_level", "vp"]})
    StepFactory(workspace=workspace, play=play, order=2, channel="sales_task", task_kind="call", delay_hours=0,
                audience_filter={"roles": ["decision_maker"]})
    return {"campaign": campaign, "accounts": accounts, "play": play}


def _in_window():
    """The next 10:00 UTC inside the send window, after the enrolments became due (now)."""
    now = timezone.now()
    ten = now.replace(hour=10, minute=0, second=0, microsecond=0)
    return ten if ten > now else ten + timedelta(days=1)


def test_pilot_plans_sends_over_smtp_and_feedback_comes_back(workspace, admin, campaign, smtp):
    pilot = campaign["accounts"][:2]
    campaign_start_pilot(campaign=campaign["campaign"], by=admin, account_ids=[a.pk for a in pilot])
    now = _in_window()
    counts = plan_due(workspace_id=workspace.pk, now=now)
    assert counts["planned"] == 2, counts      # one decision maker per pilot account; Uwe does not fit
    assert plan_due(workspace_id=workspace.pk, now=now).get("planned", 0) == 2, "step 2 is planned next"
    again = plan_due(workspace_id=workspace.pk, now=now)
    assert again.get("planned", 0) == 0 and Touch.objects.for_workspace(workspace).count() == 4

    sent = send_due(workspace_id=workspace.pk, now=now + timedelta(minutes=1))
    assert sent["sent"] == 4 and len(smtp.messages) == 2
    message = smtp.messages[0]
    assert message["Subject"].endswith("a note for Ada")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.search(r"<(http://testserver/c/u/[^>]+)>", "".join(message["List-Unsubscribe"].split())).group(1)
    html = smtp.html(message)
    click = re.search(r'href="(http://testserver/c/k/[^"]+)"', html).group(1)
    pixel = re.search(r'src="(http://testserver/c/o/[^"]+)"', html).group(1)
    assert SalesTask.objects.for_workspace(workspace).count() == 2

    browser = Client()
    assert browser.get(pixel.replace("http://testserver", "")).status_code == 200
    redirect = browser.get(click.replace("http://testserver", ""))
    assert redirect.status_code == 302 and redirect["Location"] == "https://example.com/case"
    assert browser.post(unsubscribe.replace("http://testserver", "")).status_code == 200
    assert browser.get(click.replace("http://testserver", "").replace("/c/k/", "/c/k/x")).status_code == 404
    kinds = sorted(EngagementEvent.objects.for_workspace(workspace).values_list("type", flat=True))
    assert kinds == ["email_click", "email_open"]
    recipient = Touch.objects.for_workspace(workspace).get(pk=int(message["X-ABM-Touch"])).contact
    recipient.refresh_from_db()
    assert recipient.consent_email == "opted_out"


def test_every_rule_blocks_with_its_reason_and_nothing_is_sent_twice(workspace, admin, campaign, smtp):
    first, second, third = campaign["accounts"]
    campaign_start_pilot(campaign=campaign["campaign"], by=admin, account_ids=[first.pk, second.pk])
    first.relationship = Relationship.COMPETITOR
    first.save()
    HoldFactory(workspace=workspace, account=second)
    counts = plan_due(workspace_id=workspace.pk, now=_in_window())
    assert counts["blocked"] == 2 and not counts.get("planned")
    blocks = dict(Touch.objects.for_workspace(workspace).values_list("account_id", "block_code"))
    assert blocks == {first.pk: "excluded_account", second.pk: "sales_active"}
    assert send_due(workspace_id=workspace.pk, now=_in_window())["sent"] == 0 and smtp.messages == []


def test_a_crash_between_sends_neither_duplicates_nor_skips(workspace, admin, campaign, smtp):
    campaign_start_pilot(campaign=campaign["campaign"], by=admin, account_ids=[a.pk for a in campaign["accounts"][:3]])
    now = _in_window()
    plan_due(workspace_id=workspace.pk, now=now)

    class Killed(Exception):
        pass

    def die_after_first(touch):
        raise Killed

    with pytest.raises(Killed):
        send_due(workspace_id=workspace.pk, now=now, on_sent=die_after_first)
    assert len(smtp.messages) == 1
    assert send_due(workspace_id=workspace.pk, now=now)["sent"] == 2
    assert send_due(workspace_id=workspace.pk, now=now)["sent"] == 0
    statuses = list(Touch.objects.for_workspace(workspace).values_list("status", flat=True))
    assert statuses == [TouchStatus.SENT] * 3
    assert sorted(m["To"] for m in smtp.messages) == sorted(
        Contact.objects.for_workspace(workspace).filter(first_name="Ada").values_list("email", flat=True))


def test_only_the_owner_expands_and_the_whole_audience_is_enrolled(workspace, admin, members, campaign):
    campaign_start_pilot(campaign=campaign["campaign"], by=admin, account_ids=[a.pk for a in campaign["accounts"][:2]])
    from django.core.exceptions import PermissionDenied, ValidationError
    with pytest.raises(PermissionDenied):
        campaign_expand(campaign=campaign["campaign"], by=members["marketing"], comment="looks good")
    with pytest.raises(ValidationError):
        campaign_expand(campaign=campaign["campaign"], by=admin, comment=" ")
    campaign_expand(campaign=campaign["campaign"], by=admin, comment="2 meetings from 2 pilot accounts")
    assert campaign["campaign"].status == CampaignStatus.ACTIVE
    assert Enrolment.objects.for_workspace(workspace).filter(status="active").count() == 3


def test_a_tracked_link_with_a_query_string_leads_where_its_href_pointed(workspace, admin, campaign, smtp):
    """An href is HTML: `&amp;` in it is `&` in the address the reader's browser follows, and
    the click redirect must lead there, not to `…?a=1&amp;b=2`."""
    template = campaign["play"].steps.get(order=1).template
    template.body = 'Hi,\n\n<a href="https://example.com/case?utm_source=abm&amp;utm_medium=email">our case</a>'
    template.save()
    campaign_start_pilot(campaign=campaign["campaign"], by=admin, account_ids=[a.pk for a in campaign["accounts"][:2]])
    now = _in_window()
    plan_due(workspace_id=workspace.pk, now=now)
    send_due(workspace_id=workspace.pk, now=now + timedelta(minutes=1))

    href = re.search(r'href="(http://testserver/c/k/[^"]+)"', smtp.html(smtp.messages[0])).group(1)
    redirect = Client().get(html.unescape(href).replace("http://testserver", ""))

    assert redirect.status_code == 302
    assert redirect["Location"] == "https://example.com/case?utm_source=abm&utm_medium=email"


def test_a_click_to_the_companys_own_website_carries_the_contact_token(workspace, admin, campaign, smtp):
    """The website's tracking snippet reads `abm_c` from the address: links to the workspace's
    own domains get it, links anywhere else do not."""
    signal_settings_update(workspace=workspace, website_domains=["example.com"])
    template = campaign["play"].steps.get(order=1).template
    template.body = ('<a href="https://www.example.com/case?utm_source=abm#top">case</a> '
                     '<a href="https://partner.example.org/page">partner</a>')
    template.save()
    campaign_start_pilot(campaign=campaign["campaign"], by=admin, account_ids=[a.pk for a in campaign["accounts"][:2]])
    now = _in_window()
    plan_due(workspace_id=workspace.pk, now=now)
    send_due(workspace_id=workspace.pk, now=now + timedelta(minutes=1))
    message = smtp.messages[0]
    ours, partner = (html.unescape(h).replace("http://testserver", "")
                     for h in re.findall(r'href="(http://testserver/c/k/[^"]+)"', smtp.html(message)))

    location = urlsplit(Client().get(ours)["Location"])
    query = parse_qs(location.query)
    assert (location.netloc, location.path, location.fragment) == ("www.example.com", "/case", "top")
    assert query["utm_source"] == ["abm"]
    person = Touch.objects.for_workspace(workspace).get(pk=int(message["X-ABM-Touch"])).contact
    assert tracking_token_read(query["abm_c"][0]) == (workspace.pk, person.pk)
    assert Client().get(partner)["Location"] == "https://partner.example.org/page"
