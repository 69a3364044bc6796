"""Fuzzing the API from its own OpenAPI schema: bad input gets a clear 4xx, never a 500.

Schemathesis generates requests (valid and invalid) for every operation of /api/v1/schema/ and
sends them through the WSGI application in-process, signed with an API key of a workspace that
has some data. Half the path ids are those of that data, so detail views and actions run on real
objects instead of answering 404. Each operation is its own test in pytest-django's rolled-back
transaction with fresh data, so DELETEs are fuzzed like the rest: one that deletes the object
only leaves later examples of the same operation a 404, and nothing leaks into the next one.

Nothing is excluded: no operation sends e-mail or calls a webhook itself (sending and deliveries
are periodic tasks; a webhook URL is checked by its text when saved, not fetched), and Celery
tasks the API queues run eagerly in-process (tests/conftest.py). `no_outbound_http` makes sure.
"""
import os

import pytest
import requests
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings

import schemathesis
from abm_platform.services.api_keys import api_key_create
from abm_platform.tenancy.roles import Role
from abm_platform.wsgi import application
from schemathesis.checks import not_a_server_error
from tests.factories import (
    AccountFactory, AccountGroupFactory, AccountPlanFactory, AttributeDefinitionFactory, CampaignFactory,
    ContactFactory, ContactScoreFactory, ContentTemplateFactory, EngagementEventFactory, HoldFactory,
    IcpCriterionFactory, IntentSignalFactory, IntentTopicFactory, JobFactory, MatchReviewFactory,
    MembershipFactory, OpportunityFactory, OwnerConsentFactory, PersonaFactory, PlanStepFactory, PlayFactory,
    PredictiveModelFactory, SalesTaskFactory, ScoreSnapshotFactory, ScoringRunFactory, ScoringWeightsFactory,
    SegmentMemberFactory, SignalProviderFactory, StepFactory, TargetListEventFactory, TargetListNominationFactory,
    TierFactory, TitleRuleFactory, TriggerEventFactory, UnresolvedSignalFactory, UserFactory,
    WebhookSubscriptionFactory, WorkspaceFactory,
)

# Loaded once at collection, through the app like every request after it (the schema view needs
# no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture
def fuzz_workspace(db):
    """A workspace with a little of everything, and `{path prefix: id}` of one object per detail route."""
    workspace = WorkspaceFactory(name="Fuzz", slug="fuzz")
    admin = MembershipFactory(workspace=workspace, role=Role.ADMIN, user=UserFactory(email="admin@fuzz.test")).user
    viewer = MembershipFactory(workspace=workspace, role=Role.VIEWER, user=UserFactory(email="viewer@fuzz.test"))
    tier = TierFactory(workspace=workspace)
    accounts = [AccountFactory(workspace=workspace, tier=tier) for _ in range(3)]
    contacts = [ContactFactory(workspace=workspace, account=account) for account in accounts]
    ContactFactory(workspace=workspace, account=None)   # an unlinked one, for matching
    segment = SegmentMemberFactory(workspace=workspace, account=accounts[0]).segment
    plan = AccountPlanFactory(workspace=workspace, account=accounts[0])
    nomination = TargetListNominationFactory(workspace=workspace, account=accounts[1])
    campaign = CampaignFactory(workspace=workspace, owner=admin)
    play = PlayFactory(workspace=workspace, campaign=campaign)
    step = StepFactory(workspace=workspace, play=play)
    task = SalesTaskFactory(workspace=workspace)
    run = ScoringRunFactory(workspace=workspace)
    key, raw_key = api_key_create(workspace=workspace, name="fuzz key", scope="read_write", by=admin)
    ids = {
        "account-attributes": AttributeDefinitionFactory(workspace=workspace).pk,
        "account-groups": AccountGroupFactory(workspace=workspace).pk,
        "account-imports": JobFactory(workspace=workspace, kind="account_import").pk,
        "account-plans": plan.pk,
        "accounts": accounts[0].pk,
        "api-keys": key.pk,
        "buying-groups": accounts[0].pk,
        "campaigns": campaign.pk,
        "contacts": contacts[0].pk,
        "content-templates": ContentTemplateFactory(workspace=workspace).pk,
        "holds": HoldFactory(workspace=workspace, account=accounts[2]).pk,
        "jobs": JobFactory(workspace=workspace).pk,
        "match-reviews": MatchReviewFactory(workspace=workspace, contact=contacts[1]).pk,
        "members": viewer.pk,
        "opportunities": OpportunityFactory(workspace=workspace, account=accounts[0]).pk,
        "opportunity-stages": OpportunityFactory(workspace=workspace, account=accounts[1]).stage_id,
        "owner-consents": OwnerConsentFactory(workspace=workspace, play=play, account=accounts[0]).pk,
        "personas": PersonaFactory(workspace=workspace).pk,
        "plan-steps": PlanStepFactory(workspace=workspace, plan=plan).pk,
        "plays": play.pk,
        "sales-tasks": task.pk,
        "scoring/account-scores": ScoreSnapshotFactory(workspace=workspace, run=run, account=accounts[0]).pk,
        "scoring/contact-scores": ContactScoreFactory(workspace=workspace, run=run, contact=contacts[0],
                                                      account_id=accounts[0].pk).pk,
        "scoring/icp-criteria": IcpCriterionFactory(workspace=workspace).pk,
        "scoring/models": PredictiveModelFactory(workspace=workspace).pk,
        "scoring/runs": run.pk,
        "scoring/score-history": ScoreSnapshotFactory(workspace=workspace, run=run, account=accounts[1]).pk,
        "scoring/weights": ScoringWeightsFactory(workspace=workspace).pk,
        "segments": segment.pk,
        "signals/engagement": EngagementEventFactory(workspace=workspace, account=accounts[0]).pk,
        "signals/intent": IntentSignalFactory(workspace=workspace, account=accounts[0]).pk,
        "signals/providers": SignalProviderFactory(workspace=workspace).pk,
        "signals/topics": IntentTopicFactory(workspace=workspace).pk,
        "signals/triggers": TriggerEventFactory(workspace=workspace, account=accounts[0]).pk,
        "signals/unresolved": UnresolvedSignalFactory(workspace=workspace).pk,
        "steps": step.pk,
        "target-list-events": TargetListEventFactory(workspace=workspace, target_list=nomination.target_list).pk,
        "target-list-nominations": nomination.pk,
        "target-lists": nomination.target_list_id,
        "tiers": tier.pk,
        "title-rules": TitleRuleFactory(workspace=workspace).pk,
        "touches": task.touch_id,
        "webhook-subscriptions": WebhookSubscriptionFactory(workspace=workspace).pk,
    }
    return {"Authorization": f"Api-Key {raw_key}"}, ids


@pytest.fixture
def in_process_requests():
    """Like Django's test client: a request's end must not close the test's connection (and
    with it the transaction that holds the fixture data)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def no_outbound_http(monkeypatch):
    """A request that reached out to another host would fail the test (as a 500) instead."""

    def refuse(*args, **kwargs):
        raise AssertionError("The API called out over HTTP while being fuzzed.")

    monkeypatch.setattr(requests.Session, "send", refuse)


def _route(path: str) -> str:
    """'/api/v1/scoring/runs/{id}/recompute/' -> 'scoring/runs'."""
    return path.removeprefix("/api/v1/").split("/{", 1)[0]


@schema.parametrize()
@settings(
    # A few per operation keeps the file near a minute; FUZZ_EXAMPLES=50 digs deeper, by hand.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "5")),
    derandomize=True,          # the same requests on every run
    database=None,             # nothing remembered between runs either
    deadline=None,
    # Random (positive and negative) cases only. FUZZ_COVERAGE=1 adds Schemathesis' coverage
    # phase (boundary values and each kind of wrong value per field): far more requests, by hand.
    phases=[Phase.explicit, Phase.generate] if os.environ.get("FUZZ_COVERAGE") else [Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_bad_input_never_gets_a_server_error(case, fuzz_workspace, in_process_requests, no_outbound_http):
    headers, ids = fuzz_workspace
    generated = str((case.path_parameters or {}).get("id", ""))
    if generated.isascii() and generated.isdigit() and int(generated) % 2 == 0:
        # The even ids become the id of a real object, so the view gets past its 404; the others
        # stay as generated (odd, negative, huge, not a number: a 404 or 400, never a 500).
        case.path_parameters["id"] = ids[_route(case.operation.path)]
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error])
