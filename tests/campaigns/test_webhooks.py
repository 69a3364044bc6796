"""Webhooks to other tools, end to end: a webhook step's touch is planned and sent through the
channel adapter, queued as signed deliveries, and POSTed to a real HTTP receiver (http.server in
a thread) that checks the HMAC signature. Failures are retried with back-off, the sixth failure
fails the delivery, and a replay sends it again."""
import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.models import CampaignStatus, DeliveryStatus, Touch, TouchStatus, WebhookDelivery
from campaigns.services.enrolment import play_enrol
from campaigns.services.planning import plan_due
from campaigns.services.sending import send_due
from campaigns.services.editing import webhook_subscription_create
from campaigns.services.webhooks import (
    BACKOFF, MAX_ATTEMPTS, _claim, webhook_delivery_replay, webhook_emit, webhook_signature, webhooks_deliver_due,
)
from tests.factories import (
    AccountFactory, CampaignFactory, ContactFactory, PlayFactory, StepFactory, WebhookSubscriptionFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "whsec-northwind-7f3a"


class Receiver:
    """A local HTTP endpoint that verifies X-ABM-Signature and answers with scripted codes."""

    def __init__(self, secret: str):
        self.secret = secret
        self.answers: list[int] = []      # next status codes; 200 once exhausted
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                # what the module docstring tells receivers to do: timestamp and delivery id are signed too
                signed = f"{self.headers['X-ABM-Timestamp']}.{self.headers['X-ABM-Delivery']}.".encode() + body
                expected = "sha256=" + hmac.new(receiver.secret.encode(), signed, hashlib.sha256).hexdigest()
                verified = hmac.compare_digest(expected, self.headers.get("X-ABM-Signature", ""))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "verified": verified,
                                          "path": self.path})
                status = (receiver.answers.pop(0) if receiver.answers else 200) if verified else 401
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/abm"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True      # the receiver listens on 127.0.0.1
    with Receiver(SECRET) as running:
        yield running


@pytest.fixture
def webhook_step(workspace, admin):
    """An active campaign whose play has one webhook step (event play.step) and one enrolled account."""
    account = AccountFactory(workspace=workspace, name="Initech", domain="initech.example", country="DE")
    contact = ContactFactory(workspace=workspace, account=account, email="ada@initech.example")
    campaign = CampaignFactory(workspace=workspace, owner=admin, status=CampaignStatus.ACTIVE)
    campaign.accounts.set([account])
    play = PlayFactory(workspace=workspace, campaign=campaign, name="Warehouse play")
    step = StepFactory(workspace=workspace, play=play, order=1, channel="webhook", config={"event": "play.step"})
    play_enrol(play=play, account_ids=[account.pk], reason="test")
    return {"step": step, "account": account, "contact": contact, "campaign": campaign, "play": play}


def _send_touches(workspace):
    now = timezone.now()
    plan_due(workspace_id=workspace.pk, now=now)
    return send_due(workspace_id=workspace.pk, now=now)


def test_a_webhook_step_is_posted_signed_and_retried_after_a_500(workspace, webhook_step, receiver):
    subscription = WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret=SECRET,
                                              events=["play.step"])
    receiver.answers = [500]

    assert _send_touches(workspace)["sent"] == 1
    touch = Touch.objects.for_workspace(workspace).get()
    delivery = WebhookDelivery.objects.for_workspace(workspace).get()
    assert delivery.subscription == subscription and delivery.idempotency_key == f"touch:{touch.pk}"
    assert touch.provider_id.startswith(f"webhook:touch:{touch.pk}")

    first = webhooks_deliver_due(workspace_id=workspace.pk)
    delivery.refresh_from_db()
    assert first == {"delivered": 0, "retrying": 1, "failed": 0, "skipped": 0}
    assert delivery.status == DeliveryStatus.RETRYING and delivery.attempts == 1
    assert delivery.last_status_code == 500 and delivery.log[0]["status_code"] == 500
    assert "duration_ms" in delivery.log[0] and delivery.log[0]["error"].startswith("HTTP 500")
    assert delivery.next_attempt_at - datetime.fromisoformat(delivery.log[0]["at"]) == BACKOFF[0]

    # Not due yet: nothing is sent before the back-off has passed.
    assert webhooks_deliver_due(workspace_id=workspace.pk)["retrying"] == 0 and len(receiver.requests) == 1

    second = webhooks_deliver_due(workspace_id=workspace.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert second["delivered"] == 1
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.delivered_at and delivery.attempts == 2
    assert [entry["status_code"] for entry in delivery.log] == [500, 200]

    # The receiver verified both signatures; both attempts carried the same id and body.
    assert [r["verified"] for r in receiver.requests] == [True, True]
    first_request, second_request = receiver.requests
    assert first_request["body"] == second_request["body"]
    assert first_request["headers"]["X-ABM-Delivery"] == second_request["headers"]["X-ABM-Delivery"] == str(delivery.pk)
    assert first_request["headers"]["X-ABM-Event"] == "play.step"
    assert first_request["headers"]["X-ABM-Timestamp"].isdigit()
    payload = json.loads(first_request["body"])
    assert payload["event"] == "play.step" and payload["workspace"] == workspace.pk and payload["occurred_at"]
    data = payload["data"]
    assert data["touch"] == {"id": touch.pk, "key": touch.key, "channel": "webhook"}
    assert data["account"]["name"] == "Initech" and data["account"]["domain"] == "initech.example"
    assert data["contact"] is None            # a webhook step is account-level
    assert data["campaign"] == {"id": webhook_step["campaign"].pk, "name": webhook_step["campaign"].name}
    assert data["play"] == {"id": webhook_step["play"].pk, "name": "Warehouse play"}
    assert data["step"] == {"id": webhook_step["step"].pk, "order": 1, "channel": "webhook"}

    # Delivered is final: another run sends nothing.
    assert webhooks_deliver_due(workspace_id=workspace.pk, now=timezone.now() + timedelta(hours=1))["delivered"] == 0
    assert len(receiver.requests) == 2


def test_back_off_doubles_until_the_sixth_failure_then_a_replay_delivers(workspace, webhook_step, receiver):
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret=SECRET, events=["play.step"])
    receiver.answers = [503] * MAX_ATTEMPTS
    _send_touches(workspace)
    delivery = WebhookDelivery.objects.for_workspace(workspace).get()

    gaps = []
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        webhooks_deliver_due(workspace_id=workspace.pk, now=now)
        delivery.refresh_from_db()
        if delivery.status == DeliveryStatus.RETRYING:
            gaps.append(delivery.next_attempt_at - datetime.fromisoformat(delivery.log[-1]["at"]))
            now = delivery.next_attempt_at
    assert gaps == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == MAX_ATTEMPTS == 6
    assert delivery.next_attempt_at is None and len(delivery.log) == 6 and len(receiver.requests) == 6
    assert webhooks_deliver_due(workspace_id=workspace.pk, now=now + timedelta(days=1))["failed"] == 0

    replayed = webhook_delivery_replay(delivery=delivery)
    assert replayed.status == DeliveryStatus.PENDING and replayed.attempts == 0
    assert webhooks_deliver_due(workspace_id=workspace.pk)["delivered"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.last_status_code == 200
    assert delivery.log[-2] == {"at": delivery.log[-2]["at"], "replayed": True}
    assert len({r["headers"]["X-ABM-Delivery"] for r in receiver.requests}) == 1   # the same delivery, 7 times

    with pytest.raises(ValidationError):
        webhook_delivery_replay(delivery=delivery)      # only a failed one


def test_a_receiver_with_another_secret_rejects_the_delivery(workspace, webhook_step, receiver):
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret="not-the-receivers-secret",
                               events=["play.step"])
    _send_touches(workspace)
    webhooks_deliver_due(workspace_id=workspace.pk)
    delivery = WebhookDelivery.objects.for_workspace(workspace).get()
    assert receiver.requests[0]["verified"] is False
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_status_code == 401


def test_handing_the_same_touch_over_twice_queues_one_delivery_per_subscription(workspace, webhook_step, receiver):
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret=SECRET, events=["play.step"])
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret=SECRET, events=["*"])
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret=SECRET, events=["account.mqa"])
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret=SECRET, events=["play.step"],
                               is_active=False)
    _send_touches(workspace)
    touch = Touch.objects.for_workspace(workspace).get()
    from campaigns.channels.webhook import WebhookChannel
    WebhookChannel().deliver(Touch.objects.for_workspace(workspace).select_related("step").get(pk=touch.pk))
    assert WebhookDelivery.objects.for_workspace(workspace).count() == 2   # play.step and "*" listeners


def test_a_step_naming_subscriptions_reaches_only_this_workspaces_active_ones(
        workspace, other_workspace, webhook_step, receiver):
    mine = WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret=SECRET, events=[])
    theirs = WebhookSubscriptionFactory(workspace=other_workspace, url=receiver.url, secret=SECRET,
                                        events=["play.step"])
    step = webhook_step["step"]
    step.config = {"event": "play.step", "subscription_ids": [mine.pk, theirs.pk]}
    step.save()
    _send_touches(workspace)
    assert list(WebhookDelivery.objects.for_workspace(workspace).values_list("subscription_id", flat=True)) == [mine.pk]
    assert not WebhookDelivery.objects.for_workspace(other_workspace).exists()


def test_a_webhook_step_nobody_listens_to_fails_its_touch_with_the_reason(workspace, webhook_step):
    counts = _send_touches(workspace)
    touch = Touch.objects.for_workspace(workspace).get()
    assert counts["failed"] == 1 and touch.status == TouchStatus.FAILED
    assert "No active webhook subscription receives 'play.step'" in touch.error


def test_two_workers_never_send_the_same_attempt(workspace, webhook_step, receiver):
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret=SECRET, events=["play.step"])
    _send_touches(workspace)
    delivery = WebhookDelivery.objects.for_workspace(workspace).get()
    now = timezone.now()
    assert _claim(workspace.pk, delivery.pk, 0, now) is True
    assert _claim(workspace.pk, delivery.pk, 0, now) is False          # the other worker read the same row
    # Claimed (leased) by the first worker: a run now finds nothing due and sends nothing.
    assert webhooks_deliver_due(workspace_id=workspace.pk, now=now) == {
        "delivered": 0, "retrying": 0, "failed": 0, "skipped": 0}
    assert receiver.requests == []


def test_a_worker_lost_during_the_last_attempt_fails_the_delivery_without_a_seventh_post(
        workspace, webhook_step, receiver):
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret=SECRET, events=["play.step"])
    _send_touches(workspace)
    delivery = WebhookDelivery.objects.for_workspace(workspace).get()
    now = timezone.now()
    WebhookDelivery.objects.for_workspace(workspace).filter(pk=delivery.pk).update(
        attempts=MAX_ATTEMPTS - 1, status=DeliveryStatus.RETRYING, next_attempt_at=now)
    assert _claim(workspace.pk, delivery.pk, MAX_ATTEMPTS - 1, now)     # the worker then dies mid-POST
    later = now + timedelta(minutes=6)                                  # the lease has run out
    assert webhooks_deliver_due(workspace_id=workspace.pk, now=later)["failed"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and "state unknown" in delivery.log[-1]["error"]
    assert receiver.requests == []


def test_platform_events_go_to_listeners_once_per_key(workspace, other_workspace, receiver):
    listener = WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret=SECRET, events=["account.mqa"])
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret=SECRET, events=["touch.sent"])
    WebhookSubscriptionFactory(workspace=other_workspace, url=receiver.url, secret=SECRET, events=["account.mqa"])

    payload = {"account": {"id": 7, "name": "Initech"}, "score": 81}
    assert webhook_emit(workspace_id=workspace.pk, event="account.mqa", payload=payload, key="mqa:7:run-3") == 1
    assert webhook_emit(workspace_id=workspace.pk, event="account.mqa", payload=payload, key="mqa:7:run-3") == 1
    assert webhook_emit(workspace_id=workspace.pk, event="nobody.listens", payload=payload) == 0
    delivery = WebhookDelivery.objects.for_workspace(workspace).get()
    assert delivery.subscription == listener and delivery.payload["data"] == payload
    assert not WebhookDelivery.objects.for_workspace(other_workspace).exists()

    assert webhooks_deliver_due(workspace_id=workspace.pk)["delivered"] == 1
    assert json.loads(receiver.requests[0]["body"])["data"] == payload and receiver.requests[0]["verified"]


def test_private_addresses_are_refused_unless_allowed(workspace, webhook_step, receiver, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret=SECRET, events=["play.step"])
    _send_touches(workspace)
    webhooks_deliver_due(workspace_id=workspace.pk)
    delivery = WebhookDelivery.objects.for_workspace(workspace).get()
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.RETRYING and "non-public address" in delivery.log[0]["error"]


def test_the_signature_covers_the_timestamp_and_the_delivery_id(workspace, webhook_step, receiver):
    """A captured request sent again under a fresh timestamp or another delivery id fails the check."""
    WebhookSubscriptionFactory(workspace=workspace, url=receiver.url, secret=SECRET, events=["play.step"])
    _send_touches(workspace)
    webhooks_deliver_due(workspace_id=workspace.pk)
    sent = receiver.requests[0]
    headers, body = sent["headers"], sent["body"]
    assert sent["verified"]

    def valid(timestamp, delivery):
        expected = webhook_signature(SECRET, body, timestamp=timestamp, delivery_id=delivery)
        return hmac.compare_digest(expected, headers["X-ABM-Signature"])

    assert valid(headers["X-ABM-Timestamp"], headers["X-ABM-Delivery"])
    assert not valid(str(int(headers["X-ABM-Timestamp"]) + 600), headers["X-ABM-Delivery"])
    assert not valid(headers["X-ABM-Timestamp"], headers["X-ABM-Delivery"] + "0")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:6379\\@8.8.8.8/",          # 8.8.8.8 to urlsplit, 127.0.0.1 to requests
    "http://user:secret@hooks.example.com/",
    "http://hooks.example.com /x",
])
def test_a_url_parsers_read_differently_is_refused_when_saved_and_when_sent(workspace, webhook_step, settings, url):
    with pytest.raises(ValidationError) as refused:
        webhook_subscription_create(workspace=workspace, name="Sneaky", url=url, events=["play.step"])
    assert "url" in refused.value.message_dict

    # one stored before this check existed is refused at sending, before any connection
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    WebhookSubscriptionFactory(workspace=workspace, url=url, secret=SECRET, events=["play.step"])
    _send_touches(workspace)
    webhooks_deliver_due(workspace_id=workspace.pk)
    delivery = WebhookDelivery.objects.for_workspace(workspace).get()
    assert delivery.attempts == 1 and delivery.log[0]["error"].startswith("refused: a webhook URL")
