"""`match_leads` (read-only evaluation) and `import_contacts` from the command line."""
import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.services.upsert import accounts_upsert
from contacts.models import Contact


@pytest.fixture
def accounts(workspace):
    accounts_upsert(workspace=workspace, records=[
        {"external_id": "SF-1", "name": "Acme Logistics GmbH", "domain": "acme-logistics.de", "country": "DE"},
        {"external_id": "SF-2", "name": "Siemens UK Ltd", "domain": "siemens.co.uk", "country": "GB"}])


@pytest.mark.django_db
def test_match_leads_writes_one_result_per_lead_and_creates_nothing(workspace, accounts, tmp_path):
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,email,company,website,phone,country,title\n"
                     "L1,jane@acme-logistics.de,,,,DE,COO\n"
                     "L2,max@gmail.com,Unknown Bakery,,,,Owner\n"
                     "L3,joe@gmail.com,,,,,\n", encoding="utf-8")
    out = tmp_path / "result.csv"
    call_command("match_leads", "--workspace", workspace.slug, str(leads), "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["lead_id"] for r in rows] == ["L1", "L2", "L3"]
    assert (rows[0]["account_external_id"], rows[0]["decision"]) == ("SF-1", "auto")
    assert rows[1]["decision"] == "none" and rows[1]["account_external_id"] == ""
    assert all(r["reasons"] for r in rows)
    assert Contact.objects.for_workspace(workspace).count() == 0


@pytest.mark.django_db
def test_import_contacts_upserts_matches_and_reports_bad_rows(workspace, accounts, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("email,first_name,job_title,country\n"
                    "ops@acme-logistics.de,Olga,Head of Operations,DE\n"
                    "not-an-email,Bad,CEO,DE\n", encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        call_command("import_contacts", "--workspace", workspace.slug, str(path))
    assert failed.value.returncode == 1
    contact = Contact.objects.for_workspace(workspace).get()
    assert contact.account.external_id == "SF-1" and contact.seniority == "director"
    with pytest.raises(CommandError):
        call_command("import_contacts", "--workspace", workspace.slug, str(path))
    assert Contact.objects.for_workspace(workspace).count() == 1  # the re-run changed nothing
