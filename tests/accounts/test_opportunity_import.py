"""Opportunity imports: the set-based upsert by CRM id (accounts by CRM id or domain, stages by
name), stage history, the open-deal flag, per-column errors, idempotency, the file import."""
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from abm_platform.tenancy.roles import Role
from accounts.models import Account, Opportunity, OpportunityStageChange
from accounts.services.opportunities import stages_seed_defaults
from accounts.services.opportunity_upsert import opportunities_upsert, parse_date
from accounts.services.upsert import accounts_upsert
from tests.accounts.test_imports import run_import

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def book(workspace):
    """Stages and three accounts: Nordlicht (crm-100), Blue Harbor (blueharbor.com), Kiwi (crm-104)."""
    stages_seed_defaults(workspace=workspace)
    accounts_upsert(workspace=workspace, records=[
        {"external_id": "crm-100", "name": "Nordlicht", "domain": "nordlicht-logistik.de"},
        {"external_id": "crm-103", "name": "Blue Harbor", "domain": "blueharbor.com"},
        {"external_id": "crm-104", "name": "Kiwi Parcel", "domain": "kiwiparcel.co.nz"},
    ])
    return {a.external_id: a for a in Account.objects.for_workspace(workspace)}


def upsert(workspace, *records, by=None):
    return opportunities_upsert(workspace=workspace, records=list(records), by=by)


def deals(workspace):
    return Opportunity.objects.for_workspace(workspace)


PROPOSAL = {"external_id": "opp-1", "account_external_id": "crm-100", "name": "WMS rollout", "stage": "proposal",
            "amount": "120,000", "currency": "eur", "created_date": "2025-01-15"}


def test_a_new_deal_lands_with_its_account_stage_history_and_open_flag(workspace, book, members):
    (result,) = upsert(workspace, PROPOSAL, by=members[Role.SALES])

    assert result.status == "created", result.errors
    deal = deals(workspace).select_related("stage").get()
    assert (deal.account_id, deal.stage.name, deal.amount, deal.currency, deal.is_open) == (
        book["crm-100"].pk, "Proposal", Decimal("120000.00"), "EUR", True)
    (change,) = OpportunityStageChange.objects.for_workspace(workspace)
    assert (change.from_stage_id, change.to_stage_id, change.changed_at.date(), change.changed_by) == (
        None, deal.stage_id, date(2025, 1, 15), members[Role.SALES])
    assert Account.objects.for_workspace(workspace).get(pk=book["crm-100"].pk).has_open_opportunity


def test_the_same_record_twice_changes_nothing(workspace, book):
    upsert(workspace, PROPOSAL)

    (again,) = upsert(workspace, PROPOSAL)

    assert again.status == "unchanged"
    assert OpportunityStageChange.objects.for_workspace(workspace).count() == 1
    assert Opportunity.history.filter(workspace=workspace).count() == 1


def test_a_stage_move_is_recorded_and_closing_clears_the_open_flag(workspace, book):
    upsert(workspace, PROPOSAL)

    (result,) = upsert(workspace, {"external_id": "opp-1", "stage": "Closed won", "closed_date": "2025-03-01"})

    assert result.status == "updated"
    deal = deals(workspace).select_related("stage").get()
    assert (deal.stage.name, deal.is_open, deal.closed_date, deal.name) == ("Closed won", False, date(2025, 3, 1),
                                                                           "WMS rollout")
    moves = list(OpportunityStageChange.objects.for_workspace(workspace).select_related("from_stage", "to_stage"))
    assert [(m.from_stage and m.from_stage.name, m.to_stage.name) for m in moves] == [
        (None, "Proposal"), ("Proposal", "Closed won")]
    assert not Account.objects.for_workspace(workspace).get(pk=book["crm-100"].pk).has_open_opportunity


def test_the_account_may_be_named_by_domain(workspace, book):
    (result,) = upsert(workspace, {**PROPOSAL, "account_external_id": "", "account_domain": "WWW.BlueHarbor.com"})

    assert result.status == "created", result.errors
    assert deals(workspace).get().account_id == book["crm-103"].pk


def test_moving_a_deal_to_another_account_refreshes_both_flags(workspace, book):
    upsert(workspace, PROPOSAL)

    upsert(workspace, {"external_id": "opp-1", "account_external_id": "crm-104"})

    flags = dict(Account.objects.for_workspace(workspace).values_list("external_id", "has_open_opportunity"))
    assert flags == {"crm-100": False, "crm-103": False, "crm-104": True}


def test_mrr_sets_arr_and_arr_sets_mrr(workspace, book):
    upsert(workspace, {**PROPOSAL, "is_recurring": "yes", "mrr": "1000"},
           {**PROPOSAL, "external_id": "opp-2", "is_recurring": "yes", "arr": "6000"})

    values = dict((o.external_id, (o.mrr, o.arr)) for o in deals(workspace))
    assert values == {"opp-1": (Decimal("1000.00"), Decimal("12000.00")), "opp-2": (Decimal("500.00"),
                                                                                   Decimal("6000.00"))}


@pytest.mark.parametrize("record,column,reason", [
    ({"stage": "Won-ish"}, "stage", "No stage named 'Won-ish' (stages: Discovery, Qualification"),
    ({"account_external_id": "crm-999"}, "account_external_id", "No account with CRM id 'crm-999'."),
    ({"account_external_id": "", "account_domain": "nowhere.com"}, "account_domain", "No account with the domain"),
    ({"account_domain": "kiwiparcel.co.nz"}, "account_domain", "belongs to another account than CRM id crm-100"),
    ({"stage": "Closed lost", "closed_date": "2025-02-01"}, "loss_reason", "Say why the deal was lost"),
    ({"stage": "Closed won", "closed_date": "2024-12-31"}, "closed_date", "cannot close before it was created"),
    ({"is_recurring": "yes"}, "mrr", "A recurring deal needs its MRR or ARR."),
    ({"amount": "-5"}, "amount", "is not a number ≥ 0"),
    ({"created_date": "03/04/2025"}, "created_date", "is not a date (use YYYY-MM-DD)"),
    ({"owner_email": "nobody@example.com"}, "owner_email", "is not a member of this workspace"),
    ({"external_id": ""}, "external_id", "Give the deal's CRM id"),
    ({"name": None}, "name", "A new deal needs a name."),
])
def test_a_bad_record_is_rejected_whole_naming_its_column(workspace, book, record, column, reason):
    full = {**PROPOSAL, **record}
    full = {k: v for k, v in full.items() if v is not None}

    (result,) = upsert(workspace, full)

    assert result.status == "error"
    assert any(c == column and reason in message for c, message in result.errors), result.errors
    assert deals(workspace).count() == 0


def test_good_records_land_beside_bad_ones(workspace, book):
    results = upsert(workspace, PROPOSAL, {**PROPOSAL, "external_id": "opp-2", "stage": "nope"},
                     {**PROPOSAL, "external_id": "opp-3"})

    assert [r.status for r in results] == ["created", "error", "created"]


def test_a_crm_id_twice_in_one_batch_is_rejected_the_second_time(workspace, book):
    results = upsert(workspace, PROPOSAL, {**PROPOSAL, "name": "Other"})

    assert [r.status for r in results] == ["created", "error"]
    assert results[1].errors[0][0] == "external_id"


def test_dates_from_spreadsheets_are_understood():
    expected = date(2025, 3, 31)
    assert parse_date("2025-03-31") == parse_date("2025-03-31 00:00:00") == parse_date("31.03.2025") == expected
    assert parse_date("2025-03-31T10:00:00Z") == date(2025, 3, 31)
    with pytest.raises(ValueError, match="not a date on the calendar"):
        parse_date("2025-02-30")


def _queries(workspace, count: int, start: int) -> tuple[int, int]:
    records = [{**PROPOSAL, "external_id": f"opp-{i}"} for i in range(start, start + count)]
    with CaptureQueriesContext(connection) as queries:
        results = upsert(workspace, *records)
    assert {r.status for r in results} <= {"created", "unchanged"}
    inserts = sum(1 for q in queries if q["sql"].lstrip().upper().startswith("INSERT"))
    return len(queries) - inserts, inserts


def test_a_batch_costs_the_same_queries_for_150_records_as_for_900(workspace, book):
    # Above the per-record history limit (100) and below SQLite's 999 parameters per statement.
    few, many = _queries(workspace, 150, 0), _queries(workspace, 900, 1000)
    assert many[0] == few[0]
    # SQLite caps an INSERT at 999 parameters; PostgreSQL takes the batch in one statement per table.
    assert many[1] == few[1] or connection.vendor == "sqlite" and many[1] <= 900 // 10
    assert _queries(workspace, 150, 0) == _queries(workspace, 900, 1000)  # unchanged: reads only


def test_a_small_batch_keeps_each_deals_history_a_big_one_does_not(workspace, book):
    upsert(workspace, PROPOSAL)
    upsert(workspace, *({**PROPOSAL, "external_id": f"opp-{i}"} for i in range(100, 250)))

    assert Opportunity.history.filter(workspace=workspace).count() == 1
    assert OpportunityStageChange.objects.for_workspace(workspace).count() == 151


# --- the file import ----------------------------------------------------------------------------

def test_an_opportunity_file_imports_and_reports_bad_rows(workspace, book, members):
    job = run_import(workspace, (DATA / "opportunities.csv").read_bytes(), "opportunities.csv",
                     kind="opportunities")

    assert job.kind == "opportunity_import" and job.status == "succeeded", job.error
    assert (job.result["created"], job.result["rejected"]) == (3, 1)
    assert job.error_report == [{"line": 5, "column": "account_external_id", "value": "crm-999",
                                 "reason": "No account with CRM id 'crm-999'."}]
    won = deals(workspace).select_related("stage").get(external_id="opp-2")
    assert (won.stage.name, won.account_id, won.closed_date) == ("Closed won", book["crm-103"].pk, date(2025, 2, 10))
    recurring = deals(workspace).get(external_id="opp-1")
    assert (recurring.mrr, recurring.arr, recurring.owner.email) == (Decimal("10000.00"), Decimal("120000.00"),
                                                                      "sales@northwind.test")

    again = run_import(workspace, (DATA / "opportunities.csv").read_bytes(), "opportunities.csv",
                       kind="opportunities")
    assert (again.result["unchanged"], again.result["created"], again.result["updated"]) == (3, 0, 0)
    assert OpportunityStageChange.objects.for_workspace(workspace).count() == 3


def test_the_opportunity_command_runs_the_same_import(workspace, book, members, capsys):
    with pytest.raises(CommandError) as failed:
        call_command("import_opportunities", "--workspace", "northwind", str(DATA / "opportunities.csv"))

    assert failed.value.returncode == 1
    assert "line 5, column account_external_id: No account with CRM id 'crm-999'." in capsys.readouterr().out
    assert deals(workspace).count() == 3


def test_the_wizard_maps_an_opportunity_file(workspace, book, admin):
    from tests.accounts.test_imports import _wizard_upload
    from tests.conftest import client_for

    client = client_for(admin)
    location = _wizard_upload(client, (DATA / "opportunities.csv").read_bytes(), "opportunities.csv",
                              kind="opportunities")["Location"]

    page = client.get(location)

    assert page.status_code == 200 and page.context["kind"].name == "opportunities"
    form = page.context["form"]
    assert [form[f"column_{i}"].value() for i in range(4)] == ["external_id", "account_external_id",
                                                               "account_domain", "name"]
    assert "Deal CRM id · external_id" in page.content.decode()
