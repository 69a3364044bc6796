"""Account export to CSV: the import's columns, the list's filters, streaming in chunks, and an
export that imports back unchanged."""
import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abm_platform.tenancy.roles import Role
from accounts.models import AccountGroup, AttributeDefinition, AttributeType
from accounts.services.imports import ACCOUNT_COLUMNS
from accounts.services.tiers import tiers_seed_defaults
from accounts.services.upsert import accounts_upsert
from tests.accounts.test_imports import run_import
from tests.conftest import client_for

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def book(workspace, members):
    """Five accounts from the sample file, with a group, custom attributes and a subsidiary."""
    tiers_seed_defaults(workspace=workspace)
    AccountGroup.objects.for_workspace(workspace).create(name="Enterprise")
    AttributeDefinition.objects.for_workspace(workspace).create(key="volume", label="Volume", type=AttributeType.NUMBER)
    AttributeDefinition.objects.for_workspace(workspace).create(key="own_fleet", label="Own fleet",
                                                                type=AttributeType.BOOLEAN)
    AttributeDefinition.objects.for_workspace(workspace).create(key="model", label="Model", type=AttributeType.CHOICE,
                                                                choices=["3PL", "In-house"])
    job = run_import(workspace, (DATA / "accounts.csv").read_bytes())
    assert job.result["created"] == 4
    results = accounts_upsert(workspace=workspace, records=[
        {"external_id": "crm-100", "group": "Enterprise", "sdr_email": "admin@northwind.test",
         "attr_volume": "1250.5", "attr_own_fleet": "yes", "attr_model": "3pl"},
        {"external_id": "crm-103", "attr_volume": "90000"},
        {"external_id": "crm-105", "name": "=HYPERLINK(\"http://evil\")", "domain": "evil-formula.com",
         "country": "AT"},
    ])
    assert all(r.status != "error" for r in results), [r.errors for r in results]


def export(client, **params) -> list[dict]:
    response = client.get(reverse("accounts:export"), params)
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_export_has_the_import_columns_and_every_account(workspace, book, admin):
    rows = export(client_for(admin))

    assert list(rows[0]) == [*ACCOUNT_COLUMNS, "attr_model", "attr_own_fleet", "attr_volume"]
    by_id = {r["external_id"]: r for r in rows}
    assert set(by_id) == {"crm-100", "crm-101", "crm-103", "crm-104", "crm-105"}
    nordlicht = by_id["crm-100"]
    shown = ("domain", "other_domains", "technologies", "tier", "group", "owner_email", "sdr_email",
             "annual_revenue", "attr_volume", "attr_own_fleet", "attr_model")
    assert {k: nordlicht[k] for k in shown} == {
        "domain": "nordlicht-logistik.de", "other_domains": "nordlicht.eu", "technologies": "SAP; Salesforce",
        "tier": "Tier 1 — Strategic", "group": "Enterprise", "owner_email": "marketing@northwind.test",
        "sdr_email": "admin@northwind.test", "annual_revenue": "85000000.00", "attr_volume": "1250.5",
        "attr_own_fleet": "true", "attr_model": "3PL"}
    assert by_id["crm-101"]["parent_external_id"] == "crm-100"
    assert by_id["crm-105"]["name"] == "'=HYPERLINK(\"http://evil\")"  # a spreadsheet will not run it


def test_the_export_takes_the_list_filters(workspace, book, admin):
    rows = export(client_for(admin), country="DE", employees_min="1000")

    assert [r["external_id"] for r in rows] == ["crm-100"]


def test_invalid_filters_go_back_to_the_list_with_a_message(workspace, book, admin):
    response = client_for(admin).get(reverse("accounts:export"), {"employees_min": "lots"})

    assert response.status_code == 302 and response["Location"] == reverse("accounts:index")


def test_an_export_imports_back_unchanged(workspace, book, admin):
    client = client_for(admin)
    first = client.get(reverse("accounts:export"))
    content = b"".join(first.streaming_content)

    job = run_import(workspace, content, "export.csv")

    assert job.status == "succeeded" and job.error_report == []
    assert job.result == {"file": "export.csv", "total": 5, "created": 0, "updated": 0, "unchanged": 5,
                          "rejected": 0}
    assert b"".join(client.get(reverse("accounts:export")).streaming_content) == content


def test_an_export_loads_into_an_empty_workspace_identically(workspace, other_workspace, book, admin, outsider):
    from abm_platform.tenancy.roles import Role as R
    from tests.factories import MembershipFactory

    content = b"".join(client_for(admin).get(reverse("accounts:export")).streaming_content)
    tiers_seed_defaults(workspace=other_workspace)
    AccountGroup.objects.for_workspace(other_workspace).create(name="Enterprise")
    for key, kind, choices in (("volume", "number", []), ("own_fleet", "boolean", []), ("model", "choice",
                                                                                         ["3PL", "In-house"])):
        AttributeDefinition.objects.for_workspace(other_workspace).create(key=key, label=key, type=kind,
                                                                          choices=choices)
    for email in ("marketing@northwind.test", "sales@northwind.test", "admin@northwind.test"):
        MembershipFactory(workspace=other_workspace, user__email=email, role=R.MARKETING)

    job = run_import(other_workspace, content, "export.csv")

    assert job.result["created"] == 5, job.error_report
    copy = b"".join(client_for(outsider).get(reverse("accounts:export")).streaming_content)
    assert copy == content


def test_the_api_export_streams_csv_with_the_same_filters(workspace, book, api_key_client):
    client = api_key_client("read")

    response = client.get(reverse("api:accounts-export"), {"country": "DE"}, HTTP_ACCEPT="text/csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["external_id"] for r in rows) == ["crm-100", "crm-101"]


def test_the_api_export_refuses_invalid_filters_in_the_one_error_shape(workspace, book, admin):
    response = client_for(admin).get(reverse("api:accounts-export"), {"employees_min": "lots"})

    assert response.status_code == 400
    assert "employees_min" in response.json()["extra"]["fields"]


def test_other_workspaces_accounts_are_never_exported(workspace, other_workspace, book, outsider):
    accounts_upsert(workspace=other_workspace,
                    records=[{"external_id": "g-1", "name": "Globex", "domain": "globex.com"}])

    rows = export(client_for(outsider))

    assert [r["external_id"] for r in rows] == ["g-1"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EXECUTIVE])
def test_readers_may_export(workspace, book, members, role):
    assert len(export(client_for(members[role]))) == 5


def _export_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("api:accounts-export"))
        b"".join(response.streaming_content)
    return len(queries)


def test_export_queries_do_not_grow_with_rows(workspace, admin):
    client = client_for(admin)
    client.get(reverse("api:accounts-export"))  # warm the session
    accounts_upsert(workspace=workspace, records=[
        {"external_id": f"c{i}", "name": f"C{i}", "domain": f"c{i}.com", "other_domains": f"c{i}.de",
         "technologies": "SAP"} for i in range(5)])
    few = _export_queries(client)
    accounts_upsert(workspace=workspace, records=[
        {"external_id": f"c{i}", "name": f"C{i}", "domain": f"c{i}.com", "other_domains": f"c{i}.de",
         "technologies": "SAP"} for i in range(5, 300)])
    assert _export_queries(client) == few


def test_the_command_exports_a_filtered_list(workspace, book, tmp_path, capsys):
    out = tmp_path / "de.csv"

    call_command("export_accounts", "--workspace", "northwind", "country=DE", "--out", str(out))

    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert sorted(r["external_id"] for r in rows) == ["crm-100", "crm-101"]
    assert "2 accounts written" in capsys.readouterr().err


def test_the_command_refuses_invalid_filters(workspace, tmp_path):
    with pytest.raises(CommandError, match="employees_min") as refused:
        call_command("export_accounts", "--workspace", "northwind", "employees_min=lots", "--out", "-")
    assert refused.value.returncode == 2
