"""The accounts upsert engine: matching, idempotency, per-field errors, identity conflicts."""
import pytest

from accounts.models import Account, AccountIdentifier, AccountTechnology, AttributeDefinition, TierChange
from accounts.services.tiers import tiers_seed_defaults
from accounts.services.upsert import accounts_upsert


@pytest.fixture
def tiers(workspace):
    tiers_seed_defaults(workspace=workspace)


def upsert(workspace, *records, by=None):
    return accounts_upsert(workspace=workspace, records=list(records), by=by)


SIEMENS = {"external_id": "crm-1", "name": "Siemens UK", "domain": "WWW.Siemens.co.uk",
           "other_domains": "siemens.com; https://new.siemens.de/path", "employees": "1,200",
           "annual_revenue": "5000000", "country": "United Kingdom", "technologies": "SAP; Salesforce; sap"}


@pytest.mark.django_db
def test_a_new_record_creates_an_account_with_normalised_domains(workspace):
    (result,) = upsert(workspace, SIEMENS)
    assert result.status == "created", result.errors
    account = Account.objects.for_workspace(workspace).get(pk=result.account_id)
    assert (account.domain, account.country, account.employees, account.currency) == ("siemens.co.uk", "GB", 1200, "USD")
    identifiers = set(AccountIdentifier.objects.for_workspace(workspace).values_list("kind", "value", "is_primary"))
    assert identifiers == {("external_id", "crm-1", True), ("domain", "siemens.co.uk", True),
                           ("domain", "siemens.com", False), ("domain", "siemens.de", False)}
    assert sorted(AccountTechnology.objects.for_workspace(workspace).values_list("name", flat=True)) == ["SAP", "Salesforce"]


@pytest.mark.django_db
def test_the_same_record_twice_changes_nothing(workspace):
    upsert(workspace, SIEMENS)
    (again,) = upsert(workspace, SIEMENS)
    assert again.status == "unchanged"
    assert Account.objects.for_workspace(workspace).count() == 1


@pytest.mark.django_db
def test_matching_falls_back_to_any_domain_and_adopts_the_crm_id(workspace):
    upsert(workspace, {"name": "Acme", "domain": "acme.com", "other_domains": "acme.de"})
    (result,) = upsert(workspace, {"external_id": "crm-9", "domain": "acme.de", "industry": "Logistics"})
    assert result.status == "updated"
    account = Account.objects.for_workspace(workspace).get()
    assert (account.external_id, account.industry, account.domain) == ("crm-9", "Logistics", "acme.de")


@pytest.mark.django_db
def test_a_domain_of_another_account_is_rejected_with_its_column(workspace):
    upsert(workspace, {"external_id": "a", "name": "A", "domain": "a.com"},
           {"external_id": "b", "name": "B", "domain": "b.com"})
    (result,) = upsert(workspace, {"external_id": "b", "other_domains": "a.com"})
    assert result.status == "error"
    assert result.errors[0][0] == "other_domains" and "already belongs to another account" in result.errors[0][1]


@pytest.mark.django_db
def test_bad_rows_list_every_problem_and_good_rows_still_land(workspace, tiers):
    results = upsert(workspace,
                     {"external_id": "ok", "name": "Good GmbH", "domain": "good.de", "tier": "Tier 2 — One-to-few"},
                     {"external_id": "bad", "name": "", "domain": "not a domain", "employees": "many",
                      "country": "Atlantis", "tier": "Platinum", "owner_email": "ghost@nowhere.test"})
    assert results[0].status == "created"
    assert results[1].status == "error"
    assert {column for column, _ in results[1].errors} == {"name", "domain", "employees", "country", "tier",
                                                            "owner_email"}
    assert Account.objects.for_workspace(workspace).count() == 1


@pytest.mark.django_db
def test_duplicates_within_a_batch_are_caught(workspace):
    results = upsert(workspace, {"name": "One", "domain": "dup.com"}, {"name": "Two", "domain": "dup.com"})
    assert [r.status for r in results] == ["created", "error"]
    assert "appears more than once in this batch" in results[1].errors[0][1]


@pytest.mark.django_db
def test_parents_may_come_later_in_the_same_batch(workspace):
    results = upsert(workspace, {"external_id": "sub", "name": "Siemens UK", "domain": "siemens.co.uk",
                                 "parent_external_id": "hq"},
                     {"external_id": "hq", "name": "Siemens AG", "domain": "siemens.com"})
    assert [r.status for r in results] == ["created", "created"]
    sub = Account.objects.for_workspace(workspace).get(external_id="sub")
    assert sub.parent.external_id == "hq"
    (missing,) = upsert(workspace, {"external_id": "orphan", "name": "X", "domain": "x.com", "parent_external_id": "nope"})
    assert missing.status == "error" and missing.errors == [("parent_external_id", "No account with CRM id 'nope'.")]


@pytest.mark.django_db
def test_tier_moves_are_recorded(workspace, tiers, admin):
    upsert(workspace, {"external_id": "t", "name": "T", "domain": "t.com", "tier": "1"}, by=admin)
    upsert(workspace, {"external_id": "t", "tier": "Tier 3 — One-to-many"}, by=admin)
    moves = list(TierChange.objects.for_workspace(workspace).order_by("id").values_list("from_tier__order",
                                                                                        "to_tier__order"))
    assert moves == [(None, 1), (1, 3)]


@pytest.mark.django_db
def test_custom_attributes_are_typed(workspace):
    AttributeDefinition.objects.for_workspace(workspace).create(key="shipments", label="Shipments / month", type="number")
    AttributeDefinition.objects.for_workspace(workspace).create(key="model", label="Fulfilment", type="choice",
                                                                choices=["3PL", "In-house"])
    (ok,) = upsert(workspace, {"name": "A", "domain": "a.com", "attr_shipments": "12,000", "attr_model": "3pl"})
    assert ok.status == "created"
    assert Account.objects.for_workspace(workspace).get().attributes == {"shipments": 12000.0, "model": "3PL"}
    (bad,) = upsert(workspace, {"name": "B", "domain": "b.com", "attr_model": "drones", "attr_colour": "red"})
    assert {c for c, _ in bad.errors} == {"attr_model", "attr_colour"}


@pytest.mark.django_db
def test_other_workspaces_domains_do_not_conflict(workspace, other_workspace):
    upsert(other_workspace, {"name": "Acme", "domain": "acme.com"})
    (result,) = upsert(workspace, {"name": "Acme", "domain": "acme.com"})
    assert result.status == "created"


@pytest.mark.django_db
def test_an_upsert_cannot_overfill_a_tier(workspace):
    from tests.factories import TierFactory

    TierFactory(workspace=workspace, name="Strategic", max_accounts=2)
    results = upsert(workspace, *[{"name": f"C{i}", "domain": f"c{i}.com", "tier": "Strategic"} for i in range(3)])
    assert [r.status for r in results] == ["created", "created", "error"]
    assert results[2].errors == [("tier", "Strategic holds at most 2 accounts and is full.")]
