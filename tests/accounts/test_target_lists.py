"""Collaborative target lists: marketing and sales nominate, teammates endorse or object, the
list is submitted, an executive decides; approved accounts become targets with their tier.

The cast (tests/conftest.py `members`): admin, marketing, sales, executive and viewer of
Northwind; Globex is another workspace."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abm_platform.models import ApiKeyScope
from accounts.models import (
    Account, NominationFeedback, NominationStatus, TargetList, TargetListEvent, TargetListNomination, TargetListStatus,
    TierChange,
)
from accounts.services.target_lists import (
    account_find, nomination_approve, nomination_give_feedback, nomination_reject, nomination_set_pilot,
    nomination_withdraw, target_list_approve_all, target_list_create, target_list_nominate, target_list_reject_all,
    target_list_reopen, target_list_submit,
)
from tests.conftest import client_for
from tests.factories import AccountFactory, AccountIdentifierFactory, TargetListFactory, TierFactory, UserFactory

ENDORSE, OBJECT = NominationFeedback.Kind.ENDORSE, NominationFeedback.Kind.OBJECT


@pytest.fixture
def marketer(members):
    return members["marketing"]


@pytest.fixture
def seller(members):
    return members["sales"]


@pytest.fixture
def executive(members):
    return members["executive"]


@pytest.fixture
def tier1(workspace):
    return TierFactory(workspace=workspace, name="Tier 1 — Strategic", order=1, max_accounts=50)


@pytest.fixture
def target_list(workspace, marketer):
    return target_list_create(workspace=workspace, by=marketer, name="FY27 H1 program",
                              criteria="EU logistics, 500+ employees")


@pytest.fixture
def acme(workspace):
    return AccountFactory(workspace=workspace, name="Acme Logistics", domain="acme.com")


@pytest.fixture
def globex_account(other_workspace):
    return AccountFactory(workspace=other_workspace, name="Foreign Co", domain="foreign.com")


def nominate(target_list, by, account=None, tier=None, rationale="Expanding into the US"):
    account = account or AccountFactory(workspace=target_list.workspace)
    return target_list_nominate(target_list=target_list, by=by, account=account, rationale=rationale,
                                proposed_tier=tier)


def in_review(target_list, by):
    target_list_submit(target_list=target_list, by=by)
    target_list.refresh_from_db()
    return target_list


def steps(target_list) -> list[str]:
    return list(TargetListEvent.objects.for_workspace(target_list.workspace).filter(target_list=target_list)
                .order_by("created_at", "id").values_list("action", flat=True))


def assert_one_error_shape(response, status=400, contains=""):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "code", "extra"}
    assert contains in body["message"], body


# --- services: the workflow ------------------------------------------------------------------

def test_it_records_every_step_of_the_workflow(target_list, marketer, seller, executive, tier1):
    # Given three nominations with feedback and a pilot
    a = nominate(target_list, marketer, tier=tier1)
    b = nominate(target_list, seller)
    c = nominate(target_list, seller)
    nomination_give_feedback(nomination=a, by=seller, kind=ENDORSE, comment="We know their CFO")
    nomination_give_feedback(nomination=b, by=marketer, kind=OBJECT, comment="No budget this year")
    nomination_set_pilot(nomination=a, by=marketer, is_pilot=True)
    # When it is submitted and decided one by one, then the rest at once
    target_list_submit(target_list=target_list, by=marketer)
    nomination_approve(nomination=a, by=executive, comment="Go")
    nomination_reject(nomination=b, by=executive, comment="Not now")
    target_list_approve_all(target_list=target_list, by=executive)
    # Then every step is on the timeline, in order
    assert steps(target_list) == [
        "created", "nominated", "nominated", "nominated", "endorsed", "objected", "pilot_marked", "submitted",
        "approved", "rejected", "approved", "approved_remaining", "decided",
    ]
    target_list.refresh_from_db()
    assert target_list.status == TargetListStatus.DECIDED and target_list.decided_at is not None
    statuses = dict(TargetListNomination.objects.for_workspace(target_list.workspace).values_list("pk", "status"))
    assert statuses == {a.pk: "approved", b.pk: "rejected", c.pk: "approved"}


def test_approved_accounts_become_targets_in_their_proposed_tier(workspace, target_list, marketer, executive, tier1,
                                                                 acme):
    nomination = nominate(target_list, marketer, account=acme, tier=tier1)
    target_list_submit(target_list=target_list, by=marketer)

    nomination_approve(nomination=nomination, by=executive, comment="Strategic for EMEA")

    acme.refresh_from_db()
    assert acme.is_target and acme.tier == tier1
    change = TierChange.objects.for_workspace(workspace).get(account=acme)
    assert change.to_tier == tier1 and change.changed_by == executive
    assert change.reason == "Approved on target list FY27 H1 program"
    nomination.refresh_from_db()
    assert (nomination.decided_by, nomination.decision_comment) == (executive, "Strategic for EMEA")


def test_approval_without_a_proposed_tier_keeps_the_current_tier(workspace, target_list, marketer, executive, tier1):
    account = AccountFactory(workspace=workspace, tier=tier1)
    nomination = nominate(target_list, marketer, account=account)
    target_list_submit(target_list=target_list, by=marketer)

    nomination_approve(nomination=nomination, by=executive)

    account.refresh_from_db()
    assert account.is_target and account.tier == tier1
    assert not TierChange.objects.for_workspace(workspace).filter(account=account).exists()


def test_rejected_accounts_do_not_become_targets(target_list, marketer, executive, acme, tier1):
    nomination = nominate(target_list, marketer, account=acme, tier=tier1)
    target_list_submit(target_list=target_list, by=marketer)

    target_list_reject_all(target_list=target_list, by=executive, comment="Out of ICP")

    acme.refresh_from_db()
    assert not acme.is_target and acme.tier is None
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.REJECTED and nomination.decision_comment == "Out of ICP"


def test_approving_past_a_tiers_maximum_is_refused_and_nothing_changes(workspace, target_list, marketer, executive):
    small = TierFactory(workspace=workspace, name="Tier 1", max_accounts=1)
    nominate(target_list, marketer, tier=small)
    nominate(target_list, marketer, tier=small)
    target_list_submit(target_list=target_list, by=marketer)

    with pytest.raises(ValidationError, match="at most 1 accounts"):
        target_list_approve_all(target_list=target_list, by=executive)

    assert set(TargetListNomination.objects.for_workspace(workspace).values_list("status", flat=True)) == {"proposed"}
    assert not Account.objects.for_workspace(workspace).filter(is_target=True).exists()
    assert "approved" not in steps(target_list)


def test_approve_all_costs_the_same_queries_for_3_or_20_nominations(workspace, marketer, executive, tier1):
    def decide(n):
        target_list = target_list_create(workspace=workspace, by=marketer, name=f"List {n}")
        for _ in range(n):
            nominate(target_list, marketer, tier=tier1)
        target_list_submit(target_list=target_list, by=marketer)
        with CaptureQueriesContext(connection) as queries:
            assert target_list_approve_all(target_list=target_list, by=executive) == n
        return len(queries)

    assert decide(3) == decide(20)


# --- services: the rules ---------------------------------------------------------------------

def test_an_account_can_be_nominated_only_once_per_list(target_list, marketer, seller, acme):
    nominate(target_list, marketer, account=acme)
    with pytest.raises(ValidationError, match="Acme Logistics is already on “FY27 H1 program” \\(proposed\\)"):
        nominate(target_list, seller, account=acme)


def test_a_withdrawn_nomination_can_be_made_again_with_fresh_feedback(target_list, marketer, seller, acme):
    nomination = nominate(target_list, marketer, account=acme)
    nomination_give_feedback(nomination=nomination, by=seller, kind=OBJECT, comment="Wrong timing")
    nomination_withdraw(nomination=nomination, by=marketer)

    again = nominate(target_list, seller, account=acme, rationale="New CTO, new budget")

    assert again.pk == nomination.pk
    assert (again.status, again.nominated_by, again.rationale) == ("proposed", seller, "New CTO, new budget")
    assert not again.feedback.exists()


def test_only_the_nominator_withdraws(target_list, marketer, seller):
    nomination = nominate(target_list, marketer)
    with pytest.raises(PermissionDenied):
        nomination_withdraw(nomination=nomination, by=seller)
    nomination_withdraw(nomination=nomination, by=marketer, comment="Duplicate of the parent")
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.WITHDRAWN


def test_feedback_is_one_per_person_and_can_change(target_list, marketer, seller):
    nomination = nominate(target_list, marketer)
    nomination_give_feedback(nomination=nomination, by=seller, kind=ENDORSE)
    nomination_give_feedback(nomination=nomination, by=seller, kind=OBJECT, comment="They just signed a competitor")

    feedback = list(nomination.feedback.values_list("author", "kind", "comment"))
    assert feedback == [(seller.pk, "object", "They just signed a competitor")]
    assert steps(nomination.target_list)[-2:] == ["endorsed", "objected"]


def test_nobody_endorses_their_own_nomination(target_list, marketer):
    nomination = nominate(target_list, marketer)
    with pytest.raises(ValidationError, match="You nominated this account"):
        nomination_give_feedback(nomination=nomination, by=marketer, kind=ENDORSE)


def test_an_objection_says_why(target_list, marketer, seller):
    nomination = nominate(target_list, marketer)
    with pytest.raises(ValidationError, match="Say why you object"):
        nomination_give_feedback(nomination=nomination, by=seller, kind=OBJECT, comment="  ")


def test_the_pilot_has_at_most_three_accounts(target_list, marketer):
    nominations = [nominate(target_list, marketer) for _ in range(4)]
    for nomination in nominations[:3]:
        nomination_set_pilot(nomination=nomination, by=marketer, is_pilot=True)

    with pytest.raises(ValidationError, match="at most 3 accounts"):
        nomination_set_pilot(nomination=nominations[3], by=marketer, is_pilot=True)

    nomination_set_pilot(nomination=nominations[0], by=marketer, is_pilot=False)
    nomination_set_pilot(nomination=nominations[3], by=marketer, is_pilot=True)
    pilots = TargetListNomination.objects.for_workspace(target_list.workspace).filter(is_pilot=True)
    assert set(pilots.values_list("pk", flat=True)) == {n.pk for n in nominations[1:]}


def test_a_rejected_account_leaves_the_pilot_and_cannot_rejoin(target_list, marketer, executive):
    nomination = nominate(target_list, marketer)
    nominate(target_list, marketer)
    nomination_set_pilot(nomination=nomination, by=marketer, is_pilot=True)
    target_list_submit(target_list=target_list, by=marketer)
    nomination_reject(nomination=nomination, by=executive, comment="Too small")

    nomination.refresh_from_db()
    assert not nomination.is_pilot
    with pytest.raises(ValidationError, match="only proposed or approved"):
        nomination_set_pilot(nomination=nomination, by=marketer, is_pilot=True)


def test_a_decided_list_is_reopened_and_expanded(target_list, marketer, seller, executive, acme):
    first = nominate(target_list, marketer, account=acme)
    target_list_submit(target_list=target_list, by=marketer)
    target_list_approve_all(target_list=target_list, by=executive)

    target_list_reopen(target_list=target_list, by=marketer, comment="Pilot went well: expand")
    second = nominate(target_list, seller)
    target_list_submit(target_list=target_list, by=marketer)
    nomination_approve(nomination=second, by=executive)

    target_list.refresh_from_db()
    first.refresh_from_db()
    assert target_list.status == TargetListStatus.DECIDED
    assert first.status == NominationStatus.APPROVED  # the first round's decision stands
    assert steps(target_list)[-5:] == ["reopened", "nominated", "submitted", "approved", "decided"]


WRONG_STATES = {
    "nominate on a list in review": (
        "in_review", lambda tl, people, n: nominate(tl, people["sales"]), "is in review: nominations are closed"),
    "nominate on a decided list": (
        "decided", lambda tl, people, n: nominate(tl, people["sales"]), "is decided: reopen it first"),
    "approve on an open list": (
        "open", lambda tl, people, n: nomination_approve(nomination=n, by=people["executive"]),
        "still open (not submitted yet)"),
    "approve all on an open list": (
        "open", lambda tl, people, n: target_list_approve_all(target_list=tl, by=people["executive"]),
        "still open"),
    "approve twice": (
        "decided", lambda tl, people, n: nomination_approve(nomination=n, by=people["executive"]),
        "already decided"),
    "submit twice": (
        "in_review", lambda tl, people, n: target_list_submit(target_list=tl, by=people["marketing"]),
        "only an open list can be submitted"),
    "reopen an open list": (
        "open", lambda tl, people, n: target_list_reopen(target_list=tl, by=people["marketing"]),
        "only a decided list can be reopened"),
    "withdraw while in review": (
        "in_review", lambda tl, people, n: nomination_withdraw(nomination=n, by=people["marketing"]),
        "ask the approver to reject"),
    "reject without a comment": (
        "in_review", lambda tl, people, n: nomination_reject(nomination=n, by=people["executive"], comment=""),
        "Say why you reject"),
    "endorse on a decided list": (
        "decided", lambda tl, people, n: nomination_give_feedback(nomination=n, by=people["sales"], kind=ENDORSE),
        "feedback is closed"),
}


@pytest.mark.parametrize("case", WRONG_STATES, ids=list(WRONG_STATES))
def test_a_step_in_the_wrong_state_is_a_clear_error(case, target_list, members):
    state, act, message = WRONG_STATES[case]
    nomination = nominate(target_list, members["marketing"])
    if state in ("in_review", "decided"):
        target_list_submit(target_list=target_list, by=members["marketing"])
    if state == "decided":
        target_list_approve_all(target_list=target_list, by=members["executive"])
    target_list.refresh_from_db()
    before = steps(target_list)

    with pytest.raises(ValidationError) as error:
        act(target_list, members, nomination)

    assert message in " ".join(error.value.messages)
    assert steps(target_list) == before


def test_submitting_needs_a_proposed_nomination(target_list, marketer):
    with pytest.raises(ValidationError, match="Nominate at least one account"):
        target_list_submit(target_list=target_list, by=marketer)


def test_another_workspaces_account_cannot_be_nominated(target_list, marketer, globex_account):
    with pytest.raises(ValidationError):
        nominate(target_list, marketer, account=globex_account)


@pytest.mark.parametrize("reference", ["acme.com", "WWW.Acme.com", "https://acme.com/about", "crm-77", "acme logistics",
                                       "acme.de"])
def test_an_account_is_found_by_domain_crm_id_or_name(reference, workspace, other_workspace):
    acme = AccountFactory(workspace=workspace, name="Acme Logistics", domain="acme.com", external_id="crm-77")
    AccountIdentifierFactory(workspace=workspace, account=acme, value="acme.de")
    AccountFactory(workspace=other_workspace, name="Acme Logistics", domain="acme.com")
    assert account_find(workspace=workspace, reference=reference) == acme


def test_an_ambiguous_or_unknown_reference_finds_nothing(workspace):
    AccountFactory(workspace=workspace, name="Twin")
    AccountFactory(workspace=workspace, name="Twin")
    assert account_find(workspace=workspace, reference="Twin") is None
    assert account_find(workspace=workspace, reference="nobody.example") is None


# --- API -------------------------------------------------------------------------------------

def test_the_approval_workflow_through_the_api(workspace, members, tier1, acme):
    marketer, seller, executive = (client_for(members[r]) for r in ("marketing", "sales", "executive"))
    other = AccountFactory(workspace=workspace, name="Beta Freight")

    # Marketing opens a list; marketing and sales nominate
    response = marketer.post(reverse("api:targetlist-list"), {"name": "FY27 H1", "criteria": "EU logistics"})
    assert response.status_code == 201, response.content
    list_id = response.json()["id"]
    response = seller.post(reverse("api:nomination-list"), {"target_list": list_id, "account": acme.pk,
                                                            "proposed_tier": tier1.pk, "rationale": "Champion in IT"})
    assert response.status_code == 201, response.content
    acme_id = response.json()["id"]
    beta_id = marketer.post(reverse("api:nomination-list"), {"target_list": list_id, "account": other.pk,
                                                             "rationale": "Intent surge"}).json()["id"]
    # Teammates review, marketing picks the pilot and submits
    response = marketer.post(reverse("api:nomination-endorse", kwargs={"pk": acme_id}), {"comment": "Agreed"})
    assert response.status_code == 200 and response.json()["endorsements"] == 1
    response = seller.post(reverse("api:nomination-object", kwargs={"pk": beta_id}), {"comment": "Churn risk"})
    assert response.status_code == 200 and response.json()["objections"] == 1
    assert marketer.post(reverse("api:nomination-set-pilot", kwargs={"pk": acme_id}), {"is_pilot": True}).json()[
        "is_pilot"]
    response = marketer.post(reverse("api:targetlist-submit", kwargs={"pk": list_id}), {})
    assert response.json()["status"] == "in_review"
    # The executive decides
    response = executive.post(reverse("api:nomination-approve", kwargs={"pk": acme_id}), {"comment": "Yes"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = executive.post(reverse("api:nomination-reject", kwargs={"pk": beta_id}), {"comment": "Churn risk"})
    assert response.status_code == 200

    body = marketer.get(reverse("api:targetlist-detail", kwargs={"pk": list_id})).json()
    assert body["status"] == "decided"
    assert body["nominations"] == {"proposed": 0, "approved": 1, "rejected": 1, "withdrawn": 0, "pilot": 1}
    acme.refresh_from_db()
    assert acme.is_target and acme.tier == tier1
    events = marketer.get(reverse("api:targetlistevent-list"), {"target_list": list_id}).json()["results"]
    assert [e["action"] for e in events] == ["created", "nominated", "nominated", "endorsed", "objected",
                                             "pilot_marked", "submitted", "approved", "rejected", "decided"]


def test_approve_all_and_reject_all_through_the_api(target_list, members):
    nominate(target_list, members["marketing"])
    nominate(target_list, members["sales"])
    in_review(target_list, members["marketing"])
    executive = client_for(members["executive"])

    response = executive.post(reverse("api:targetlist-reject-all", kwargs={"pk": target_list.pk}), {})
    assert_one_error_shape(response, contains="Invalid input.")
    assert response.json()["extra"]["fields"] == {"comment": ["This field is required."]}

    response = executive.post(reverse("api:targetlist-approve-all", kwargs={"pk": target_list.pk}), {"comment": "Go"})
    assert response.status_code == 200
    assert response.json()["decided"] == 2 and response.json()["target_list"]["status"] == "decided"

    response = client_for(members["marketing"]).post(reverse("api:targetlist-reopen", kwargs={"pk": target_list.pk}))
    assert response.status_code == 200 and response.json()["status"] == "open"


ROLE_CASES = [
    # (who, method, url name, needs, payload, allowed)
    ("sales", "post", "api:targetlist-list", None, {"name": "Mine"}, False),
    ("viewer", "post", "api:targetlist-list", None, {"name": "Mine"}, False),
    ("marketing", "post", "api:targetlist-list", None, {"name": "Mine"}, True),
    ("sales", "patch", "api:targetlist-detail", "list", {"name": "Renamed"}, False),
    ("viewer", "post", "api:nomination-list", "nominate", {}, False),
    ("executive", "post", "api:nomination-list", "nominate", {}, False),
    ("sales", "post", "api:nomination-list", "nominate", {}, True),
    ("viewer", "post", "api:nomination-endorse", "nomination", {}, False),
    ("executive", "post", "api:nomination-endorse", "nomination", {}, True),
    ("sales", "post", "api:nomination-set-pilot", "nomination", {"is_pilot": True}, False),
    ("marketing", "post", "api:nomination-set-pilot", "nomination", {"is_pilot": True}, True),
    ("sales", "post", "api:targetlist-submit", "list", {}, False),
    ("marketing", "post", "api:targetlist-submit", "list", {}, True),
    ("marketing", "post", "api:nomination-approve", "nomination", {}, False),
    ("sales", "post", "api:nomination-reject", "nomination", {"comment": "no"}, False),
    ("marketing", "post", "api:targetlist-approve-all", "list", {}, False),
    ("executive", "post", "api:targetlist-reopen", "list", {}, False),
    ("viewer", "get", "api:targetlist-list", None, {}, True),
    ("viewer", "get", "api:nomination-list", None, {}, True),
]


@pytest.mark.parametrize("who,method,url_name,needs,payload,allowed", ROLE_CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in ROLE_CASES])
def test_who_may_do_what(who, method, url_name, needs, payload, allowed, members, target_list, acme):
    nomination = nominate(target_list, members["admin"])
    kwargs = {"pk": nomination.pk if needs == "nomination" else target_list.pk} if needs in ("list",
                                                                                          "nomination") else {}
    if needs == "nominate":
        payload = {"target_list": target_list.pk, "account": acme.pk, "rationale": "Fit"}

    response = getattr(client_for(members[who]), method)(reverse(url_name, kwargs=kwargs), payload)

    if allowed:
        assert response.status_code in (200, 201), response.content
    else:
        assert_one_error_shape(response, status=403)
        assert response.json()["code"] == "permission_denied"


def test_an_api_key_reads_target_lists_but_takes_no_decisions(api_key_client, target_list, acme):
    client = api_key_client(ApiKeyScope.READ_WRITE)
    assert client.get(reverse("api:targetlist-detail", kwargs={"pk": target_list.pk})).status_code == 200
    response = client.post(reverse("api:nomination-list"),
                           {"target_list": target_list.pk, "account": acme.pk, "rationale": "From the CRM"})
    assert response.status_code == 403


def test_a_wrong_state_is_a_400_with_the_one_error_shape(target_list, members):
    nomination = nominate(target_list, members["marketing"])
    response = client_for(members["executive"]).post(reverse("api:nomination-approve", kwargs={"pk": nomination.pk}),
                                                     {"comment": "Yes"})
    assert_one_error_shape(response, contains="“FY27 H1 program” is still open (not submitted yet)")
    assert response.json()["code"] == "invalid"
    assert "non_field_errors" in response.json()["extra"]["fields"]


def test_a_fourth_pilot_is_a_400(target_list, members):
    client = client_for(members["marketing"])
    nominations = [nominate(target_list, members["marketing"]) for _ in range(4)]
    for nomination in nominations[:3]:
        assert client.post(reverse("api:nomination-set-pilot", kwargs={"pk": nomination.pk}), {}).status_code == 200
    response = client.post(reverse("api:nomination-set-pilot", kwargs={"pk": nominations[3].pk}), {"is_pilot": True})
    assert_one_error_shape(response, contains="The pilot has at most 3 accounts")


def test_a_duplicate_nomination_is_a_400(target_list, members, acme):
    nominate(target_list, members["marketing"], account=acme)
    response = client_for(members["sales"]).post(reverse("api:nomination-list"),
                                                 {"target_list": target_list.pk, "account": acme.pk, "rationale": "x"})
    assert_one_error_shape(response, contains="Acme Logistics is already on")


def test_withdrawing_someone_elses_nomination_is_a_403(target_list, members):
    nomination = nominate(target_list, members["marketing"])
    response = client_for(members["sales"]).post(reverse("api:nomination-withdraw", kwargs={"pk": nomination.pk}))
    assert_one_error_shape(response, status=403, contains="Only the person who nominated")


def test_another_workspaces_account_or_list_is_not_accepted(target_list, members, globex_account, other_workspace):
    client = client_for(members["sales"])
    response = client.post(reverse("api:nomination-list"),
                           {"target_list": target_list.pk, "account": globex_account.pk, "rationale": "x"})
    assert_one_error_shape(response)
    assert "account" in response.json()["extra"]["fields"]

    foreign_list = TargetListFactory(workspace=other_workspace)
    mine = AccountFactory(workspace=target_list.workspace)
    response = client.post(reverse("api:nomination-list"),
                           {"target_list": foreign_list.pk, "account": mine.pk, "rationale": "x"})
    assert_one_error_shape(response)
    assert "target_list" in response.json()["extra"]["fields"]
    assert not TargetListNomination.objects.unscoped().filter(target_list=foreign_list).exists()


def test_nominations_are_filtered_by_list_and_status(workspace, target_list, members):
    mine = nominate(target_list, members["marketing"])
    other_list = target_list_create(workspace=workspace, by=members["marketing"], name="Other")
    nominate(other_list, members["marketing"])
    client = client_for(members["viewer"])

    rows = client.get(reverse("api:nomination-list"), {"target_list": target_list.pk}).json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert client.get(reverse("api:nomination-list"), {"status": "approved"}).json()["count"] == 0
    lists = client.get(reverse("api:targetlist-list"), {"status": "open", "q": "fy27"}).json()
    assert [r["id"] for r in lists["results"]] == [target_list.pk]


def _queries(client, url, params=None) -> int:
    client.get(url, params)  # warm the session's workspace choice
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def _add_nominations(target_list, members, n, tier):
    for _ in range(n):
        nomination = nominate(target_list, UserFactory(), tier=tier,
                              account=AccountFactory(workspace=target_list.workspace, tier=tier))
        nomination_give_feedback(nomination=nomination, by=members["sales"], kind=ENDORSE, comment="yes")
        nomination_give_feedback(nomination=nomination, by=members["executive"], kind=OBJECT, comment="no")


def test_list_api_queries_do_not_grow_with_nominations(workspace, target_list, members, tier1):
    client = client_for(members["viewer"])
    _add_nominations(target_list, members, 2, tier1)
    few = (_queries(client, reverse("api:nomination-list"), {"target_list": target_list.pk}),
           _queries(client, reverse("api:targetlist-list")),
           _queries(client, reverse("api:targetlistevent-list")))
    _add_nominations(target_list, members, 15, tier1)
    for _ in range(5):
        target_list_create(workspace=workspace, by=UserFactory(), name="Another")
    many = (_queries(client, reverse("api:nomination-list"), {"target_list": target_list.pk}),
            _queries(client, reverse("api:targetlist-list")),
            _queries(client, reverse("api:targetlistevent-list")))
    assert many == few


# --- pages -----------------------------------------------------------------------------------

def test_the_list_page_shows_lists_with_state_and_counts(target_list, members):
    nominate(target_list, members["marketing"])
    response = client_for(members["viewer"]).get(reverse("accounts:target_lists"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "FY27 H1 program" in html and "Open for nominations" in html
    assert "New list" not in html  # a viewer does not create lists


def test_marketing_creates_a_list_on_the_page(workspace, members):
    response = client_for(members["marketing"]).post(reverse("accounts:target_lists"),
                                                     {"name": "FY27 H2", "criteria": "US retail"}, format="multipart")
    assert response.status_code == 302
    created = TargetList.objects.for_workspace(workspace).get()
    assert response["Location"] == reverse("accounts:target_list_detail", kwargs={"pk": created.pk})
    assert (created.name, created.criteria, created.created_by) == ("FY27 H2", "US retail", members["marketing"])
    assert steps(created) == ["created"]


def test_sales_may_not_create_a_list_on_the_page(members):
    response = client_for(members["sales"]).post(reverse("accounts:target_lists"), {"name": "x"}, format="multipart")
    assert response.status_code == 403


def test_a_seller_nominates_by_domain_on_the_page(target_list, members, tier1, acme):
    client = client_for(members["sales"])
    response = client.post(reverse("accounts:target_list_detail", kwargs={"pk": target_list.pk}),
                           {"account": "www.ACME.com", "proposed_tier": tier1.pk, "rationale": "Champion in IT"},
                           format="multipart")
    assert response.status_code == 302 and "#nomination-" in response["Location"]
    nomination = TargetListNomination.objects.for_workspace(target_list.workspace).get()
    assert (nomination.account, nomination.proposed_tier, nomination.nominated_by) == (acme, tier1, members["sales"])


def test_a_refused_nomination_keeps_the_form_and_says_why(target_list, members, acme):
    nominate(target_list, members["marketing"], account=acme)
    response = client_for(members["sales"]).post(
        reverse("accounts:target_list_detail", kwargs={"pk": target_list.pk}),
        {"account": "acme.com", "rationale": "My own reasons"}, format="multipart")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme Logistics is already on" in html and "My own reasons" in html


def test_the_executive_decides_on_the_page(target_list, members, acme, tier1):
    a = nominate(target_list, members["marketing"], account=acme, tier=tier1)
    b = nominate(target_list, members["sales"])
    in_review(target_list, members["marketing"])
    client = client_for(members["executive"])
    page = client.get(reverse("accounts:target_list_detail", kwargs={"pk": target_list.pk})).content.decode()
    assert "Approve all remaining" in page and "Nominate an account" not in page

    response = client.post(reverse("accounts:nomination_decide", kwargs={"pk": a.pk}),
                           {"decision": "approve", "comment": "Yes"}, format="multipart")
    assert response.status_code == 302
    response = client.post(reverse("accounts:nomination_decide", kwargs={"pk": b.pk}),
                           {"decision": "reject", "comment": ""}, format="multipart", follow=True)
    assert "Say why you reject" in response.content.decode()  # refused, shown as a message
    client.post(reverse("accounts:target_list_decide", kwargs={"pk": target_list.pk}),
                {"decision": "reject", "comment": "Not this half"}, format="multipart")

    target_list.refresh_from_db()
    acme.refresh_from_db()
    assert target_list.status == TargetListStatus.DECIDED and acme.is_target and acme.tier == tier1


@pytest.mark.parametrize("who,url_name,data", [
    ("sales", "accounts:target_list_submit", {}),
    ("marketing", "accounts:nomination_decide", {"decision": "approve"}),
    ("viewer", "accounts:nomination_feedback", {"kind": "endorse"}),
    ("sales", "accounts:nomination_pilot", {"is_pilot": "true"}),
    ("executive", "accounts:target_list_detail", {"account": "x", "rationale": "y"}),
])
def test_page_steps_refuse_roles_that_may_not_take_them(who, url_name, data, target_list, members):
    nomination = nominate(target_list, members["admin"])
    pk = target_list.pk if url_name.startswith("accounts:target_list") else nomination.pk
    response = client_for(members[who]).post(reverse(url_name, kwargs={"pk": pk}), data, format="multipart")
    assert response.status_code == 403


def test_the_page_shows_each_role_only_its_forms(target_list, members):
    nominate(target_list, members["marketing"])
    url = reverse("accounts:target_list_detail", kwargs={"pk": target_list.pk})
    viewer = client_for(members["viewer"]).get(url).content.decode()
    seller = client_for(members["sales"]).get(url).content.decode()
    marketer = client_for(members["marketing"]).get(url).content.decode()
    assert "Nominate an account" not in viewer and "Endorse" not in viewer and "Submit for approval" not in viewer
    assert "Nominate an account" in seller and "Endorse" in seller and "Submit for approval" not in seller
    assert "Withdraw" in marketer and "Add to pilot" in marketer and "Submit for approval" in marketer


def _list_with(workspace, members, n, tier, *, submitted=False):
    target_list = target_list_create(workspace=workspace, by=members["marketing"], name=f"List of {n}")
    _add_nominations(target_list, members, n, tier)
    pilots = TargetListNomination.objects.for_workspace(workspace).filter(target_list=target_list)[:2]
    for nomination in pilots:
        nomination_set_pilot(nomination=nomination, by=members["marketing"], is_pilot=True)
    if submitted:
        target_list_submit(target_list=target_list, by=members["marketing"])
    return reverse("accounts:target_list_detail", kwargs={"pk": target_list.pk})


@pytest.mark.parametrize("who,submitted", [("marketing", False), ("executive", True), ("sales", False)])
def test_the_detail_page_queries_do_not_grow_with_nominations(who, submitted, workspace, members, tier1):
    client = client_for(members[who])
    small = _list_with(workspace, members, 2, tier1, submitted=submitted)
    large = _list_with(workspace, members, 25, tier1, submitted=submitted)
    assert _queries(client, large) == _queries(client, small)


def test_the_list_page_queries_do_not_grow_with_lists(workspace, members, tier1):
    client = client_for(members["marketing"])
    _list_with(workspace, members, 2, tier1)
    few = _queries(client, reverse("accounts:target_lists"))
    for n in range(12):
        _list_with(workspace, members, 1, tier1, submitted=bool(n % 2))
    assert _queries(client, reverse("accounts:target_lists")) == few


@pytest.mark.django_db
def test_an_id_filter_past_any_id_is_a_400_not_a_500(admin, workspace):
    """Found by the API fuzz test: `?nomination=-1.2e183` reached SQLite through a foreign key
    look-up (which Django does not guard) and raised OverflowError."""
    client = client_for(admin)
    for params in ({"nomination": "-1.2e183"}, {"target_list": str(2**64)}, {"target_list": "1.5"}):
        response = client.get(reverse("api:targetlistevent-list"), params)
        assert response.status_code == 400 and set(params) <= set(response.json()["extra"]["fields"])
    response = client.get(reverse("api:nomination-list"), {"account": str(2**64)})
    assert response.status_code == 400 and "account" in response.json()["extra"]["fields"]
