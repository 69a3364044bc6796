"""An account's postal address (street and postal code, with city, region and country) — what a
direct-mail vendor needs — lands through every write path: the CSV import (also under the
column names CRMs export), the API and the bulk upsert; it reads back in the API and the CSV
export, and an export imports back unchanged."""
import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Account
from accounts.services.imports import ACCOUNT_COLUMNS, ACCOUNT_IMPORT, auto_field
from accounts.services.upsert import accounts_upsert
from tests.accounts.test_imports import run_import
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _account(workspace, external_id):
    return Account.objects.for_workspace(workspace).get(external_id=external_id)


def test_the_import_reads_street_and_postal_code_also_as_crms_name_them(workspace, admin):
    job = run_import(workspace, (
        "external_id,name,domain,Billing Street,ZIP,City,Country\n"
        "crm-1,Nordlicht Logistik,nordlicht.de,Hafenstraße 12,20457,Hamburg,DE\n"
        'crm-2,Thames Freight,thamesfreight.co.uk,"1 Dock Road\nUnit 4",sw1a  1aa,London,GB\n'), by=admin)
    assert job.status == "succeeded", job.error_report
    nordlicht, thames = _account(workspace, "crm-1"), _account(workspace, "crm-2")
    assert (nordlicht.street, nordlicht.postal_code, nordlicht.city) == ("Hafenstraße 12", "20457", "Hamburg")
    assert (thames.street, thames.postal_code) == ("1 Dock Road, Unit 4", "SW1A 1AA")   # one label line, capitals

    # The same file again changes nothing; an empty cell leaves the stored address alone.
    again = run_import(workspace, "external_id,street,postal_code\ncrm-1,Hafenstraße 12,20457\ncrm-2,,\n", by=admin)
    assert again.result["unchanged"] == 2, again.result
    assert _account(workspace, "crm-2").street == "1 Dock Road, Unit 4"


@pytest.mark.parametrize("header, field", [
    ("Street", "street"), ("street_address", "street"), ("Address line 1", "street"), ("BillingStreet", "street"),
    ("Postal Code", "postal_code"), ("Postcode", "postal_code"), ("ZIP code", "postal_code"), ("PLZ", "postal_code"),
    ("BillingPostalCode", "postal_code"), ("Billing City", "city"), ("Billing State", "region"),
])
def test_crm_column_names_map_to_the_address_fields(workspace, header, field):
    assert auto_field(ACCOUNT_IMPORT, header, ACCOUNT_IMPORT.fields(workspace)) == field


def test_an_address_that_does_not_fit_is_rejected_with_its_column(workspace):
    (result,) = accounts_upsert(workspace=workspace, records=[
        {"external_id": "crm-9", "name": "Long Street Ltd", "street": "x" * 201, "postal_code": "1" * 21}])
    assert result.status == "error"
    assert {e for e, _ in result.errors} == {"street", "postal_code"}


def test_the_api_writes_and_reads_the_address(workspace, admin):
    client = client_for(admin)
    created = client.post(reverse("api:account-list"), {
        "external_id": "crm-7", "name": "Borealis Foods", "domain": "borealis-foods.se", "street": "Kungsgatan 3",
        "postal_code": "111 43", "city": "Stockholm", "country": "SE"}, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["street"], created.json()["postal_code"]) == ("Kungsgatan 3", "111 43")
    pk = created.json()["id"]
    patched = client.patch(reverse("api:account-detail", kwargs={"pk": pk}), {"postal_code": "111 44"}, format="json")
    assert patched.status_code == 200 and patched.json()["street"] == "Kungsgatan 3"
    assert client.get(reverse("api:account-detail", kwargs={"pk": pk})).json()["postal_code"] == "111 44"
    bulk = client.post(reverse("api:account-bulk-upsert"), {"records": [
        {"external_id": "crm-7", "street": "Drottninggatan 1"}]}, format="json").json()
    assert bulk["summary"]["updated"] == 1
    assert _account(workspace, "crm-7").street == "Drottninggatan 1"


def test_the_export_carries_the_address_and_imports_back_unchanged(workspace, admin):
    accounts_upsert(workspace=workspace, records=[
        {"external_id": "crm-3", "name": "Acme Logistics", "domain": "acme-logistics.de", "street": "Hafenweg 1",
         "postal_code": "20457", "city": "Hamburg", "country": "DE"}])
    response = client_for(admin).get(reverse("accounts:export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert list(row) == list(ACCOUNT_COLUMNS) and ACCOUNT_COLUMNS[-2:] == ("street", "postal_code")
    assert (row["street"], row["postal_code"]) == ("Hafenweg 1", "20457")
    job = run_import(workspace, text, by=admin)
    assert job.result["unchanged"] == 1, job.result
