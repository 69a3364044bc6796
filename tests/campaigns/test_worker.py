"""Campaign delivery through real Celery workers (PostgreSQL + Redis; `.ci/run`): a trigger
sent by name enrols, `plan_and_send` plans through the suppression engine and its senders
deliver over SMTP to a local aiosmtpd server — and a worker killed at a batch boundary neither
loses nor duplicates a message.

Why these tests start their own workers instead of the shared `celery_worker`: a worker reads
its settings (the SMTP host and port among them) from its environment once, at start, and the
shared worker is started once per pytest process by whichever test needs it first. So each test
here starts the SMTP server first and then a worker whose environment points EMAIL_HOST/PORT at
it; the messages the worker hands off are then observed where a recipient would see them.
These workers run the prefork pool (one child per sender): the parent keeps answering remote
control while a child sends, which the crash test needs to stop the worker's consumer at the
right moment. Skipped on SQLite or without a redis:// broker, like the other worker tests.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from accounts.models import Relationship
from campaigns.models import CampaignStatus, Enrolment, Touch, TouchStatus, TriggerKind
from campaigns.services.enrolment import play_enrol
from contacts.models import Contact
from tests.factories import (
    AccountFactory, CampaignFactory, ContactFactory, ContentTemplateFactory, PlayFactory, ScoreSnapshotFactory,
    ScoringRunFactory, StepFactory,
)
from tests.fixtures.worker import (
    ARTIFACTS_DIR, REPO_ROOT, _delete_queue, _skip_reason, _stop, _wait_until_up, _worker_database_url,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DEADLINE = 90.0


class Workers:
    """Workers for one test, all consuming one queue of their own, with SMTP pointed at the
    test's server. `start()` adds one, `kill(w)` SIGKILLs one (parent and children)."""

    def __init__(self, database_url: str, broker_url: str, smtp_port: int):
        self.queue = f"test-campaigns-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.env = dict(os.environ, DJANGO_SETTINGS_MODULE="abm_platform.settings", DATABASE_URL=database_url,
                        DB_CONN_MAX_AGE="0", CELERY_BROKER_URL=broker_url, CELERY_TASK_ALWAYS_EAGER="0",
                        CELERY_TASK_DEFAULT_QUEUE=self.queue, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port),
                        PUBLIC_BASE_URL="http://testserver", PYTHONUNBUFFERED="1")
        self.env.pop("EMAIL_BACKEND", None)
        self.running: list[dict] = []

    def start(self, concurrency: int = 1) -> dict:
        name = f"{self.queue}-{len(self.running)}"
        hostname = f"{name}@localhost"
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        log_path = ARTIFACTS_DIR / f"celery-worker-{name}.log"
        command = [sys.executable, "-m", "celery", "-A", "abm_platform", "worker", "--pool", "prefork",
                   "--concurrency", str(concurrency), "--queues", self.queue, "--hostname", hostname,
                   "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"]
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        worker = {"process": process, "hostname": hostname, "log_path": log_path}
        self.running.append(worker)
        _wait_until_up(current_app, process, hostname, log_path)
        return worker

    def kill(self, worker: dict) -> None:
        os.killpg(worker["process"].pid, signal.SIGKILL)
        worker["process"].wait(timeout=15)

    def log(self) -> str:
        return "\n".join(w["log_path"].read_text(errors="replace") for w in self.running)

    def stop_all(self) -> None:
        for worker in self.running:
            _stop(worker["process"])
        _delete_queue(current_app, self.queue)


@pytest.fixture
def workers(django_db_setup, smtp, settings):
    from django.db import connection

    reason = _skip_reason(connection, settings.CELERY_BROKER_URL)
    if reason:
        pytest.skip(reason)
    pool = Workers(_worker_database_url(connection.settings_dict), settings.CELERY_BROKER_URL, smtp.port)
    saved = {key: current_app.conf[key] for key in ("task_always_eager", "task_default_queue")}
    current_app.conf.task_always_eager = False
    current_app.conf.task_default_queue = pool.queue
    try:
        yield pool
    finally:
        current_app.conf.update(saved)
        pool.stop_all()


def wait_for(condition, what: str, workers: Workers, timeout: float = DEADLINE):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} not within {timeout:.0f}s; worker logs:\n{workers.log()[-4000:]}")


def succeeded(task: str, workers: Workers) -> int:
    return len(re.findall(rf"Task campaigns\.{task}\[[^\]]+\] succeeded", workers.log()))


def local_midday_zone() -> str:
    """An IANA zone where it is about noon now, so quiet hours defer nothing."""
    offset = 12 - timezone.now().hour
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def delay(task: str, **kwargs) -> None:
    """Enqueue by name, as the layers below do (DESIGN.md §3.1)."""
    current_app.signature(task, kwargs=kwargs).delay()


def campaign_with_accounts(workspace, admin, n: int, *, trigger=TriggerKind.BECAME_MQA):
    zone = local_midday_zone()
    accounts = [AccountFactory(workspace=workspace, name=f"Worker {i}") for i in range(n)]
    for account in accounts:
        ContactFactory(workspace=workspace, account=account, first_name="Ada", roles=["decision_maker"],
                       time_zone=zone, email=f"ada@w{account.pk}.example")
        ContactFactory(workspace=workspace, account=account, first_name="Uwe", roles=["user"], time_zone=zone,
                       email=f"uwe@w{account.pk}.example")
    campaign = CampaignFactory(workspace=workspace, owner=admin, status=CampaignStatus.ACTIVE)
    campaign.accounts.set(accounts)
    play = PlayFactory(workspace=workspace, campaign=campaign, trigger=trigger)
    template = ContentTemplateFactory(workspace=workspace, subject="{{ account.name }} for {{ person.first_name }}")
    StepFactory(workspace=workspace, play=play, order=1, template=template,
                audience_filter={"roles": ["decision_maker"]})
    return accounts, play


def test_a_trigger_by_name_then_plan_and_send_deliver_each_message_once_with_two_parallel_senders(
        workspace, admin, smtp, workers):
    # Given 40 accounts in an active campaign whose play starts when an account becomes MQA,
    # and a recompute that just finished in which 30 of them (and one outsider) became MQA
    accounts, play = campaign_with_accounts(workspace, admin, 40)
    outsider = AccountFactory(workspace=workspace)
    run = ScoringRunFactory(workspace=workspace, finished_at=timezone.now())
    for account in accounts[:30] + [outsider]:
        ScoreSnapshotFactory(workspace=workspace, run=run, account=account, score=80, is_mqa=True,
                             facts={"mqa_change": "entered"})
    workers.start(concurrency=2)

    # When scoring announces the run by task name, and the beat's plan_and_send runs with two senders
    delay("campaigns.evaluate_triggers", workspace_id=workspace.pk, run_id=run.pk)
    wait_for(lambda: Enrolment.objects.for_workspace(workspace).count() == 30, "30 enrolments", workers)
    delay("campaigns.plan_and_send", workspace_id=workspace.pk, send_workers=2, send_batch=5)
    touches = Touch.objects.for_workspace(workspace)
    wait_for(lambda: touches.filter(status=TouchStatus.SENT).count() == 30 and smtp.count() >= 30, "30 sent",
             workers)
    wait_for(lambda: len(re.findall(r"sender \d of workspace \d+ done", workers.log())) >= 2, "both senders done",
             workers)

    # Then every decision maker of the 30 got exactly one message, nobody else any
    ids = smtp.message_ids()
    assert smtp.count() == 30 and set(ids.values()) == {1}
    expected = set(Contact.objects.for_workspace(workspace).filter(
        account__in=accounts[:30], first_name="Ada").values_list("email", flat=True))
    assert {m["To"] for m in smtp.messages} == expected
    assert all(m["Subject"].endswith("for Ada") for m in smtp.messages)
    assert touches.count() == 30 and set(touches.values_list("status", flat=True)) == {TouchStatus.SENT}
    assert set(touches.values_list("provider_id", flat=True)) == set(ids)
    # And the two senders shared the work through their claims (per-sender counts in the log add up)
    sent = [int(n) for n in re.findall(r"sender \d of workspace \d+ done: \{'sent': (\d+)", workers.log())]
    assert sum(sent) == 30, workers.log()[-3000:]
    # And a second beat tick changes nothing
    delay("campaigns.plan_and_send", workspace_id=workspace.pk, send_workers=2, send_batch=5)
    wait_for(lambda: len(re.findall(r"sender \d of workspace \d+ done", workers.log())) >= 4, "second tick",
             workers)
    assert smtp.count() == 30 and touches.count() == 30


def test_a_worker_killed_at_a_batch_boundary_loses_and_duplicates_nothing(workspace, admin, smtp, workers):
    # Given 12 enrolled accounts whose decision makers will get an e-mail, one competitor and
    # one person who opted out (both blocked), and a sender working in batches of 4
    accounts, play = campaign_with_accounts(workspace, admin, 14, trigger=TriggerKind.MANUAL)
    accounts[12].relationship = Relationship.COMPETITOR
    accounts[12].save()
    Contact.objects.for_workspace(workspace).filter(account=accounts[13], first_name="Ada").update(
        consent_email="opted_out")
    play_enrol(play=play, account_ids=[a.pk for a in accounts], reason="test")
    smtp.hold_at = 1                                   # the server answers the first message only when told
    first = workers.start()

    # When the worker plans and starts sending, and stops taking tasks while batch 1 is in hand
    delay("campaigns.plan_and_send", workspace_id=workspace.pk, send_workers=1, send_batch=4, max_batches=1)
    assert smtp.holding.wait(DEADLINE), workers.log()[-3000:]
    assert current_app.control.cancel_consumer(workers.queue, destination=[first["hostname"]], reply=True, timeout=10)
    smtp.release.set()
    wait_for(lambda: "'continued': True" in workers.log(), "batch 1 done, continuation queued", workers)
    wait_for(lambda: succeeded("send_due", workers) == 1, "batch 1 acknowledged", workers)
    touches = Touch.objects.for_workspace(workspace)
    statuses = Counter(touches.values_list("status", flat=True))
    # a clean batch boundary: 4 sent, nothing in hand, the rest waiting in the outbox
    assert statuses == {TouchStatus.SENT: 4, TouchStatus.PLANNED: 8, TouchStatus.BLOCKED: 2}, statuses
    assert smtp.count() == 4

    # ... and it is killed there (SIGKILL, parent and child: no shutdown, no goodbye)
    workers.kill(first)
    assert first["process"].returncode is not None

    # Then a new worker takes the queued continuation and the next beat tick finds nothing left
    workers.start()
    wait_for(lambda: touches.filter(status=TouchStatus.SENT).count() == 12, "all 12 sent", workers)
    wait_for(lambda: "'continued'" not in re.findall(r"sender 0 of workspace \d+ done: (.*)", workers.log())[-1],
             "the end of the sender's chain", workers)
    senders_done = succeeded("send_due", workers)
    delay("campaigns.plan_and_send", workspace_id=workspace.pk, send_workers=1, send_batch=4)
    wait_for(lambda: succeeded("send_due", workers) > senders_done, "the next tick's sender", workers)

    # And every planned touch ended sent or blocked, each exactly once, and arrived exactly once
    statuses = Counter(touches.values_list("status", flat=True))
    assert statuses == {TouchStatus.SENT: 12, TouchStatus.BLOCKED: 2}, statuses
    assert touches.count() == 14 and touches.values("key").distinct().count() == 14
    ids = smtp.message_ids()
    assert len(ids) == 12 and set(ids.values()) == {1}, ids
    assert set(touches.filter(status=TouchStatus.SENT).values_list("provider_id", flat=True)) == set(ids)
    assert set(touches.filter(status=TouchStatus.BLOCKED).values_list("block_code", flat=True)) == {
        "excluded_account", "opted_out"}
    assert sorted(m["To"] for m in smtp.messages) == sorted(Contact.objects.for_workspace(workspace).filter(
        account__in=accounts[:12], first_name="Ada").values_list("email", flat=True))


def test_a_worker_killed_during_a_hand_off_never_sends_that_touch_twice(workspace, admin, smtp, workers):
    # Given 6 planned e-mails and a server that holds its answer to the third message
    accounts, play = campaign_with_accounts(workspace, admin, 6, trigger=TriggerKind.MANUAL)
    play_enrol(play=play, account_ids=[a.pk for a in accounts], reason="test")
    smtp.hold_at = 3
    first = workers.start()
    delay("campaigns.plan_and_send", workspace_id=workspace.pk, send_workers=1, send_batch=10)
    assert smtp.holding.wait(DEADLINE), workers.log()[-3000:]

    # When the worker is killed while the third message is in the hand-off
    workers.kill(first)
    smtp.release.set()
    touches = Touch.objects.for_workspace(workspace)
    assert Counter(touches.values_list("status", flat=True)) == {
        TouchStatus.SENT: 2, TouchStatus.SENDING: 1, TouchStatus.PLANNED: 3}
    in_hand = touches.get(status=TouchStatus.SENDING)

    # Then the next worker sends the rest but not the touch whose fate is unknown …
    workers.start()
    delay("campaigns.plan_and_send", workspace_id=workspace.pk, send_workers=1, send_batch=10)
    wait_for(lambda: touches.filter(status=TouchStatus.SENT).count() == 5, "the other 5 sent", workers)
    wait_for(lambda: succeeded("send_due", workers) >= 1, "the sender done", workers)
    assert smtp.count() == 6 and set(smtp.message_ids().values()) == {1}
    # … which, once stale, is marked failed for a person to check and replay (at most once)
    from campaigns.services.sending import STALE_AFTER, send_due
    send_due(workspace_id=workspace.pk, now=timezone.now() + STALE_AFTER + timedelta(minutes=1))
    in_hand.refresh_from_db()
    assert in_hand.status == TouchStatus.FAILED and in_hand.error.startswith("Delivery state unknown")
    assert smtp.count() == 6
