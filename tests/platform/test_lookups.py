"""`__any` (abm_platform/lookups.py) selects what `__in` selects; on PostgreSQL with one array
parameter however long the list."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from campaigns.models import Step
from contacts.models import Contact
from tests.factories import AccountFactory, ContactFactory, StepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(workspace):
    accounts = [AccountFactory(workspace=workspace) for _ in range(3)]
    return accounts, [ContactFactory(workspace=workspace, account=a) for a in accounts for _ in range(2)]


@pytest.mark.parametrize("values", ["none", "only_null", "some", "all_with_unknown_and_null"])
def test_any_selects_what_in_selects(workspace, people, values):
    accounts, contacts = people
    ids = {"none": [], "only_null": [None], "some": [contacts[0].pk, contacts[3].pk],
           "all_with_unknown_and_null": [c.pk for c in contacts] + [10**12, None]}[values]
    scoped = Contact.objects.for_workspace(workspace)
    assert set(scoped.filter(pk__any=ids)) == set(scoped.filter(pk__in=ids))
    assert set(scoped.filter(pk__any=ids)) == {c for c in contacts if c.pk in ids}


def test_any_on_a_foreign_key_and_with_other_filters(workspace, people):
    accounts, contacts = people
    scoped = Contact.objects.for_workspace(workspace)
    chosen = {accounts[0].pk, accounts[2].pk}
    assert set(scoped.filter(account_id__any=chosen)) == {c for c in contacts if c.account_id in chosen}
    assert set(scoped.filter(account__any=chosen).exclude(pk=contacts[0].pk)) == {
        c for c in contacts[1:] if c.account_id in chosen}


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the array parameter is PostgreSQL's")
def test_thousands_of_ids_are_one_array_parameter(workspace, people):
    ids = list(range(1, 5001))
    with CaptureQueriesContext(connection) as queries:
        list(Contact.objects.for_workspace(workspace).filter(pk__any=ids))
    sql = queries.captured_queries[-1]["sql"]
    assert "= ANY(" in sql and " IN (" not in sql


def test_any_on_a_reverse_relation_falls_back_to_in(workspace, people):
    accounts, contacts = people
    scoped = Account.objects.for_workspace(workspace)
    chosen = [contacts[0].pk, contacts[5].pk]
    assert set(scoped.filter(contacts__any=chosen)) == set(scoped.filter(contacts__in=chosen)) == {
        accounts[0], accounts[2]}


def test_a_json_key_named_any_is_still_a_key(workspace):
    step = StepFactory(workspace=workspace, audience_filter={"any": 1})
    StepFactory(workspace=workspace, audience_filter={"roles": ["user"]})
    assert list(Step.objects.for_workspace(workspace).filter(audience_filter__any=1)) == [step]
