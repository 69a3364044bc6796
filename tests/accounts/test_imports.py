"""Account imports from CSV and XLSX: the file reader, header checks and mapping, the background
job with its report, idempotency, the command line, the API and the wizard pages."""
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import accounts.tasks  # noqa: F401  registers the import tasks for eager mode
from abm_platform.models import Job
from abm_platform.tenancy.roles import Role
from accounts.models import Account, AccountIdentifier, AccountTechnology, AttributeDefinition, AttributeType
from accounts.services import imports
from accounts.services.imports import (
    ACCOUNT_IMPORT, ImportFileError, import_execute, import_file_path, import_file_store, import_start,
)
from accounts.services.tiers import tiers_seed_defaults
from tests.conftest import client_for

DATA = Path(__file__).resolve().parents[1] / "data"
# Runs what a request or service queued with transaction.on_commit (the job's task, eagerly).
run_on_commit = TestCase.captureOnCommitCallbacks
HEADER = "external_id,name,domain,employees,country\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def tiers(workspace):
    tiers_seed_defaults(workspace=workspace)


def run_import(workspace, content: bytes | str, filename: str = "accounts.csv", *, kind: str = "accounts",
               mapping: dict | None = None, by=None) -> Job:
    """Upload `content` and run its import job (eagerly, as the worker would)."""
    data = content.encode() if isinstance(content, str) else content
    upload = import_file_store(workspace=workspace, file=io.BytesIO(data), filename=filename)
    with run_on_commit(execute=True):
        job = import_start(workspace=workspace, kind=kind, upload=upload, filename=filename, mapping=mapping, by=by)
    job.refresh_from_db()
    return job


def accounts_of(workspace):
    return Account.objects.for_workspace(workspace)


def csv_rows(count: int, start: int = 0) -> str:
    return HEADER + "".join(f"crm-{i},Company {i},company{i}.com,{i},DE\n" for i in range(start, start + count))


# --- the job and its report ---------------------------------------------------------------------

def test_a_csv_file_lands_and_the_job_reports_its_counts(workspace, members, tiers):
    job = run_import(workspace, (DATA / "accounts.csv").read_bytes(), by=members[Role.MARKETING])

    assert job.status == "succeeded", job.error
    assert job.result == {"file": "accounts.csv", "total": 5, "created": 4, "updated": 0, "unchanged": 0,
                          "rejected": 1}
    assert job.progress_done == job.progress_total == 5
    nordlicht = accounts_of(workspace).select_related("tier", "owner").get(external_id="crm-100")
    assert (nordlicht.domain, nordlicht.employees, nordlicht.tier.name, nordlicht.owner.email) == (
        "nordlicht-logistik.de", 1200, "Tier 1 — Strategic", "marketing@northwind.test")
    fulfilment = accounts_of(workspace).get(external_id="crm-101")
    assert fulfilment.parent_id == nordlicht.pk and fulfilment.country == "DE"
    assert set(AccountTechnology.objects.for_workspace(workspace).filter(account=nordlicht)
               .values_list("name", flat=True)) == {"SAP", "Salesforce"}
    assert set(AccountIdentifier.objects.for_workspace(workspace).filter(account__external_id="crm-103", kind="domain")
               .values_list("value", flat=True)) == {"blueharbor.com", "blue-harbor.io", "blueharbor.net"}


def test_a_bad_row_is_reported_with_its_line_column_reason_and_value(workspace, members, tiers):
    job = run_import(workspace, (DATA / "accounts.csv").read_bytes())

    assert job.error_report == [{"line": 4, "column": "employees", "reason": "'not many' is not a whole number",
                                 "value": "not many"}]
    assert not accounts_of(workspace).filter(external_id="crm-102").exists()  # rejected whole


def test_the_same_file_twice_changes_nothing(workspace, members, tiers):
    content = (DATA / "accounts.csv").read_bytes()
    first = run_import(workspace, content)
    history_rows = Account.history.filter(workspace=workspace).count()

    second = run_import(workspace, content)

    assert second.result == {**first.result, "created": 0, "unchanged": 4}
    assert second.error_report == first.error_report
    assert accounts_of(workspace).count() == 4
    assert Account.history.filter(workspace=workspace).count() == history_rows


def test_running_the_same_job_again_changes_nothing(workspace, members, tiers):
    job = run_import(workspace, (DATA / "accounts.csv").read_bytes())
    Job.objects.for_workspace(workspace).filter(pk=job.pk).update(status="queued")  # e.g. redelivered

    accounts.tasks.import_accounts.apply(kwargs={"job_id": job.pk})

    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2
    assert (job.result["created"], job.result["unchanged"], job.result["rejected"]) == (0, 4, 1)
    assert len(job.error_report) == 1


def test_an_empty_cell_leaves_the_stored_value_alone(workspace):
    run_import(workspace, HEADER + "crm-1,Acme,acme.com,500,DE\n")

    job = run_import(workspace, HEADER + "crm-1,Acme AG,,,\n")

    assert job.result["updated"] == 1
    acme = accounts_of(workspace).get()
    assert (acme.name, acme.domain, acme.employees, acme.country) == ("Acme AG", "acme.com", 500, "DE")


def test_line_numbers_are_the_rows_a_spreadsheet_shows(workspace):
    content = HEADER + "crm-1,Acme,acme.com,5,DE\n\n" + '"crm-2","Two\nLines",two.com,x,DE\n' + "crm-3,C,c.com,y,DE\n"

    job = run_import(workspace, content)

    assert [(e["line"], e["column"]) for e in job.error_report] == [(4, "employees"), (5, "employees")]
    assert job.result["total"] == 3  # the blank row is skipped, not counted


def test_a_cell_without_a_column_header_rejects_its_row(workspace):
    job = run_import(workspace, HEADER + "crm-1,Acme,acme.com,5,DE,surprise\ncrm-2,Beta,beta.com,5,DE,\n")

    assert job.result["rejected"] == 1 and job.result["created"] == 1
    assert job.error_report == [{"line": 2, "column": "(column 6)", "value": "surprise",
                                 "reason": "This cell has no column header: name the column or clear the cell."}]


def test_rows_spanning_several_chunks_report_progress_and_resolve_parents(workspace, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    content = ("external_id,name,domain,parent_external_id\n" + "".join(
        f"c{i},C{i},c{i}.com,{'c0' if i else ''}\n" for i in range(5)))

    job = run_import(workspace, content)

    assert job.result["created"] == 5 and job.progress_done == 5 and job.progress_total == 5
    parent = accounts_of(workspace).get(external_id="c0")
    assert accounts_of(workspace).filter(parent=parent).count() == 4


# --- file formats -------------------------------------------------------------------------------

def test_an_xlsx_workbook_imports_like_a_csv(workspace):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["External ID", "Name", "Domain", "Employees", "Annual revenue", "Country"])
    sheet.append(["crm-1", "Acme", "acme.com", 1200, 2500000.5, "NA"])  # NA is Namibia, not "missing"
    sheet.append([None] * 6)
    sheet.append(["crm-2", "Beta", "beta.com", "many", None, "DE"])
    buffer = io.BytesIO()
    book.save(buffer)

    job = run_import(workspace, buffer.getvalue(), "accounts.xlsx")

    assert job.status == "succeeded", job.error
    assert (job.result["created"], job.result["rejected"]) == (1, 1)
    assert job.error_report[0]["line"] == 4 and job.error_report[0]["column"] == "Employees"
    acme = accounts_of(workspace).get()
    assert (acme.employees, str(acme.annual_revenue), acme.country) == (1200, "2500000.50", "NA")


def test_a_semicolon_csv_with_bom_from_excel_imports(workspace):
    job = run_import(workspace, (DATA / "accounts_excel_de.csv").read_bytes(), "accounts_excel_de.csv")

    assert job.result["created"] == 2, job.error_report
    assert set(accounts_of(workspace).values_list("name", "city")) == {
        ("Müller Spedition GmbH", "Düsseldorf"), ("Größer & Söhne KG", "Köln")}


def test_a_windows_1252_csv_keeps_its_umlauts(workspace):
    content = "external_id;name;domain\ncrm-1;Bäckerei Müller;baeckerei.de\n".encode("cp1252")

    run_import(workspace, content)

    assert accounts_of(workspace).get().name == "Bäckerei Müller"


def test_a_utf16_tab_separated_file_imports(workspace):
    content = "external_id\tname\tdomain\ncrm-1\tŁódź Cargo\tlodz-cargo.pl\n".encode("utf-16")

    run_import(workspace, content, "export.txt")

    assert accounts_of(workspace).get().name == "Łódź Cargo"


def test_a_binary_file_is_refused_with_a_clear_message(workspace):
    upload = import_file_store(workspace=workspace, file=io.BytesIO(b"\x00\x01PK\x00garbage"), filename="data.csv")

    with pytest.raises(ImportFileError, match="not a text"):
        import_start(workspace=workspace, kind="accounts", upload=upload)


def test_a_workbook_that_unpacks_far_beyond_its_size_is_refused_before_it_is_read(workspace):
    """A zip bomb dressed as XLSX: a 20 MB sheet of the same byte packs into ~20 kB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("xl/worksheets/sheet1.xml", b" " * 20_000_000)
    assert len(buffer.getvalue()) < 100_000
    upload = import_file_store(workspace=workspace, file=io.BytesIO(buffer.getvalue()), filename="bomb.xlsx")

    with pytest.raises(ImportFileError, match="unpacks to 20 MB"):
        import_start(workspace=workspace, kind="accounts", upload=upload)


def test_an_old_xls_workbook_is_refused(workspace):
    with pytest.raises(ImportFileError, match="save the sheet as .xlsx"):
        import_file_store(workspace=workspace, file=io.BytesIO(b"x"), filename="old.xls")


# --- header checks and mapping ------------------------------------------------------------------

def test_unknown_columns_are_refused_listing_the_allowed_ones(workspace):
    upload = import_file_store(workspace=workspace, file=io.BytesIO(b"external_id,name,colour\nc1,A,red\n"),
                               filename="a.csv")

    with pytest.raises(ImportFileError) as refused:
        import_start(workspace=workspace, kind="accounts", upload=upload)

    (problem,) = refused.value.problems
    assert problem["column"] == "colour" and problem["line"] == 1
    assert "Allowed columns: external_id, name, domain" in problem["reason"]
    assert Job.objects.for_workspace(workspace).count() == 0


def test_an_opportunities_file_offered_as_accounts_says_what_it_looks_like(workspace):
    upload = import_file_store(workspace=workspace, file=io.BytesIO(b"external_id,stage,amount,created_date\n"),
                               filename="a.csv")

    with pytest.raises(ImportFileError) as refused:
        import_start(workspace=workspace, kind="accounts", upload=upload)

    reasons = [p["reason"] for p in refused.value.problems]
    assert reasons[0].startswith("Unknown column. Map it to a field or skip it. Allowed columns:")
    assert reasons[1:] == ["Unknown column. Map it to a field or skip it."] * 2 + [
        "This looks like a file of opportunities: import it as opportunities."]


def test_a_column_for_an_undefined_custom_attribute_says_so(workspace):
    upload = import_file_store(workspace=workspace, file=io.BytesIO(b"external_id,attr_volume\nc1,5\n"),
                               filename="a.csv")

    with pytest.raises(ImportFileError, match="no custom attribute 'volume'"):
        import_start(workspace=workspace, kind="accounts", upload=upload)


def test_a_file_without_a_key_column_is_refused(workspace):
    upload = import_file_store(workspace=workspace, file=io.BytesIO(b"name,industry\nAcme,Retail\n"),
                               filename="a.csv")

    with pytest.raises(ImportFileError, match="Add an external_id or a domain"):
        import_start(workspace=workspace, kind="accounts", upload=upload)


def test_headers_match_case_spaces_and_common_crm_names(workspace):
    job = run_import(workspace, "CRM ID,Company Name,Website,Employee Count\nc1,Acme,https://www.acme.com/,12\n")

    assert job.result["created"] == 1
    assert accounts_of(workspace).values_list("external_id", "name", "domain", "employees").get() == (
        "c1", "Acme", "acme.com", 12)


def test_a_mapping_renames_and_skips_columns(workspace):
    content = "Kunde,Firma,Web,Notizen\nk-1,Acme,acme.com,call back\n"

    job = run_import(workspace, content, mapping={"Kunde": "external_id", "Firma": "name", "Web": "domain",
                                                  "Notizen": ""})

    assert job.result["created"] == 1
    assert job.params["mapping"] == {"Kunde": "external_id", "Firma": "name", "Web": "domain", "Notizen": ""}
    assert accounts_of(workspace).values_list("external_id", "name", "domain").get() == ("k-1", "Acme", "acme.com")


def test_a_mapping_to_an_unknown_field_or_twice_to_one_field_is_refused(workspace):
    upload = import_file_store(workspace=workspace, file=io.BytesIO(b"a,b,c\n1,2,3\n"), filename="a.csv")

    with pytest.raises(ImportFileError) as refused:
        import_start(workspace=workspace, kind="accounts", upload=upload,
                     mapping={"a": "external_id", "b": "external_id", "c": "colour"})

    reasons = [p["reason"] for p in refused.value.problems]
    assert "'colour' is not a field of accounts imports." in reasons
    assert "Columns a, b are all imported as external_id; choose one." in reasons


def test_custom_attributes_import_typed(workspace):
    AttributeDefinition.objects.for_workspace(workspace).create(key="volume", label="Volume", type=AttributeType.NUMBER)

    job = run_import(workspace, "external_id,name,attr_volume\nc1,A,1200\nc2,B,lots\n")

    assert job.result["created"] == 1
    assert accounts_of(workspace).get().attributes == {"volume": 1200.0}
    assert job.error_report[0]["column"] == "attr_volume" and job.error_report[0]["line"] == 3


def test_uploads_are_kept_per_workspace(workspace, other_workspace):
    upload = import_file_store(workspace=workspace, file=io.BytesIO(b"x"), filename="a.csv")

    assert import_file_path(workspace_id=workspace.pk, upload=upload).exists()
    assert not import_file_path(workspace_id=other_workspace.pk, upload=upload).exists()
    with pytest.raises(ImportFileError):
        import_file_path(workspace_id=workspace.pk, upload="../../etc/passwd")


# --- query budget -------------------------------------------------------------------------------

def _import_queries(workspace, tmp_path, content: str) -> tuple[int, int]:
    """(statements other than INSERT, INSERT statements) of one import."""
    path = tmp_path / "rows.csv"
    path.write_text(content)
    with CaptureQueriesContext(connection) as queries:
        outcome = import_execute(workspace=workspace, kind=ACCOUNT_IMPORT, path=path)
    assert outcome.summary["rejected"] == 0
    inserts = sum(1 for q in queries if q["sql"].lstrip().upper().startswith("INSERT"))
    return len(queries) - inserts, inserts


def _same_budget(few, many, rows: int) -> bool:
    # Inserts are batched as large as the database allows: PostgreSQL takes a chunk in one
    # statement per table; SQLite caps a statement at 999 parameters, so ~40 rows of a wide table.
    return many[0] == few[0] and (many[1] == few[1] or connection.vendor == "sqlite" and many[1] <= rows // 10)


def test_a_chunk_costs_the_same_queries_for_150_rows_as_for_900(workspace, tmp_path, tiers):
    # Both above the upsert's per-account history limit (100: a big batch is recorded by its job)
    # and below SQLite's 999 parameters per statement (Django splits longer reads there).
    few = _import_queries(workspace, tmp_path, csv_rows(150))
    many = _import_queries(workspace, tmp_path, csv_rows(900, start=1000))
    assert _same_budget(few, many, 900), (few, many)  # creating

    again_few = _import_queries(workspace, tmp_path, csv_rows(150))
    again_many = _import_queries(workspace, tmp_path, csv_rows(900, start=1000))
    assert again_few == again_many and again_many[1] == 0  # re-running: all unchanged, nothing written


def test_each_further_chunk_costs_the_same_queries(workspace, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 50)
    one, two, ten = (sum(_import_queries(workspace, tmp_path, csv_rows(n, start=s)))
                     for n, s in ((50, 0), (100, 1000), (500, 2000)))
    assert ten - one == 9 * (two - one)


def test_a_big_import_refreshes_the_planner_statistics(workspace, tmp_path, monkeypatch):
    analysed = []
    monkeypatch.setattr(imports, "ANALYZE_AFTER_ROWS", 3)
    monkeypatch.setattr(imports, "analyze", lambda *models: analysed.extend(models))

    _import_queries(workspace, tmp_path, csv_rows(2))
    assert analysed == []
    _import_queries(workspace, tmp_path, csv_rows(3, start=10))
    assert analysed == [Account, AccountIdentifier, AccountTechnology]


def test_dry_run_checks_everything_and_keeps_nothing(workspace, tmp_path, members, tiers):
    path = tmp_path / "a.csv"
    path.write_bytes((DATA / "accounts.csv").read_bytes())

    outcome = import_execute(workspace=workspace, kind=ACCOUNT_IMPORT, path=path, dry_run=True)

    assert (outcome.summary["created"], outcome.summary["rejected"]) == (4, 1)
    assert accounts_of(workspace).count() == 0


# --- command line -------------------------------------------------------------------------------

def test_the_command_imports_creates_a_job_and_exits_1_when_rows_are_rejected(workspace, members, tiers, capsys):
    with pytest.raises(CommandError) as failed:
        call_command("import_accounts", "--workspace", "northwind", str(DATA / "accounts.csv"))

    assert failed.value.returncode == 1
    out = capsys.readouterr().out
    assert "5 rows, 4 created, 0 updated, 0 unchanged, 1 rejected." in out
    assert "line 4, column employees: 'not many' is not a whole number (value: 'not many')" in out
    job = Job.objects.for_workspace(workspace).get()
    assert (job.kind, job.status, job.result["created"]) == ("account_import", "succeeded", 4)
    assert accounts_of(workspace).count() == 4


def test_the_command_exits_0_when_every_row_lands(workspace, capsys):
    call_command("import_accounts", "--workspace", "northwind", str(DATA / "accounts_excel_de.csv"))

    assert "2 created" in capsys.readouterr().out


def test_the_command_dry_run_changes_nothing(workspace, members, tiers, capsys):
    with pytest.raises(CommandError):
        call_command("import_accounts", "--workspace", "northwind", "--dry-run", str(DATA / "accounts.csv"))

    assert "Dry run, nothing was changed" in capsys.readouterr().out
    assert accounts_of(workspace).count() == 0 and Job.objects.for_workspace(workspace).count() == 0


def test_the_command_refuses_a_bad_header_with_exit_2(workspace, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,colour\nAcme,red\n")

    with pytest.raises(CommandError) as refused:
        call_command("import_accounts", "--workspace", "northwind", str(path))

    assert refused.value.returncode == 2
    assert "line 1, column colour: Unknown column" in str(refused.value)
    assert Job.objects.for_workspace(workspace).count() == 0


def test_the_command_maps_columns_and_records_the_author(workspace, members, tmp_path, capsys):
    path = tmp_path / "crm.csv"
    path.write_text("Kunde,Firma,Web\nk-1,Acme,acme.com\n")

    call_command("import_accounts", "--workspace", "northwind", "--map", "Kunde=external_id", "--map", "Firma=name",
                 "--map", "Web=domain", "--by", "sales@northwind.test", str(path))

    job = Job.objects.for_workspace(workspace).get()
    assert job.created_by == members[Role.SALES]
    assert Account.history.filter(workspace=workspace).get().history_user == members[Role.SALES]


def test_the_command_refuses_an_unknown_workspace(db):
    with pytest.raises(CommandError, match="No workspace") as refused:
        call_command("import_accounts", "--workspace", "nope", str(DATA / "accounts.csv"))
    assert refused.value.returncode == 2


# --- API ----------------------------------------------------------------------------------------

def _upload(client, content: bytes, name="accounts.csv", **fields):
    file = io.BytesIO(content)
    file.name = name
    with run_on_commit(execute=True):
        return client.post(reverse("api:account-import-list"), {"file": file, **fields}, format="multipart")


def test_api_upload_answers_202_with_the_job_which_then_reports(workspace, admin, members, tiers):
    client = client_for(admin)

    response = _upload(client, (DATA / "accounts.csv").read_bytes())

    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["kind"], body["status"]) == ("account_import", "queued")
    job = client.get(reverse("api:job-detail", kwargs={"pk": body["id"]})).json()
    assert job["status"] == "succeeded"
    assert job["result"]["created"] == 4 and job["result"]["rejected"] == 1
    assert job["error_report"][0]["line"] == 4


def test_api_upload_with_a_mapping(workspace, admin):
    response = _upload(client_for(admin), b"Kunde,Firma\nk-1,Acme\n",
                       mapping=json.dumps({"Kunde": "external_id", "Firma": "name"}))

    assert response.status_code == 202
    assert accounts_of(workspace).get().external_id == "k-1"


def test_api_upload_with_a_bad_header_is_400_listing_each_problem(workspace, admin):
    response = _upload(client_for(admin), b"name,colour\nAcme,red\n")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["message"].startswith("The file cannot be imported")
    assert {(p["line"], p["column"]) for p in body["extra"]["errors"]} == {(1, "colour"), (1, "external_id")}
    assert Job.objects.for_workspace(workspace).count() == 0


def test_api_upload_with_bad_mapping_json_is_400(workspace, admin):
    response = _upload(client_for(admin), b"a\n1\n", mapping="{not json")

    assert response.status_code == 400
    assert "mapping" in response.json()["extra"]["fields"]


def test_an_integration_key_may_import(workspace, api_key_client):
    response = _upload(api_key_client("read_write"), HEADER.encode() + b"c1,A,a.com,1,DE\n")

    assert response.status_code == 202
    assert accounts_of(workspace).count() == 1


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EXECUTIVE])
def test_api_readers_cannot_import(workspace, members, role):
    response = _upload(client_for(members[role]), HEADER.encode() + b"c1,A,a.com,1,DE\n")

    assert response.status_code == 403
    assert accounts_of(workspace).count() == 0


def test_a_read_only_key_cannot_import(workspace, api_key_client):
    assert _upload(api_key_client("read"), HEADER.encode()).status_code == 403


def test_api_error_report_is_csv(workspace, admin, members, tiers):
    client = client_for(admin)
    job_id = _upload(client, (DATA / "accounts.csv").read_bytes()).json()["id"]

    response = client.get(reverse("api:account-import-errors", kwargs={"pk": job_id}))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines() == ["line,column,reason,value", "4,employees,'not many' is not a whole number,not many"]


def test_api_error_report_of_a_job_that_is_not_an_import_is_404(workspace, admin):
    job = Job.objects.for_workspace(workspace).create(kind="workspace_export")

    assert client_for(admin).get(reverse("api:account-import-errors", kwargs={"pk": job.pk})).status_code == 404


# --- the wizard ---------------------------------------------------------------------------------

def _wizard_upload(client, content: bytes, name="accounts.csv", kind="accounts"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("accounts:import_start"), {"kind": kind, "file": file}, format="multipart")


def test_the_wizard_uploads_maps_with_a_preview_and_starts_the_job(workspace, admin, tiers):
    client = client_for(admin)
    content = b"Kunde,name,domain,Notes\n" + b"".join(b"k-%d,Firm %d,firm%d.com,n\n" % (i, i, i) for i in range(12))

    uploaded = _wizard_upload(client, content)
    assert uploaded.status_code == 302 and "/accounts/import/map/?" in uploaded["Location"]

    page = client.get(uploaded["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "12 rows to import" in html and "Firm 9" in html and "Firm 10" not in html  # preview: first 10
    assert 'name="column_1"' in html and "not recognised" in html
    form = page.context["form"]
    assert [form[f"column_{i}"].value() for i in range(4)] == ["", "name", "domain", ""]

    params = dict(kind="accounts", upload=page.context["upload"], name="accounts.csv",
                  column_0="external_id", column_1="name", column_2="domain", column_3="")
    with run_on_commit(execute=True):
        started = client.post(reverse("accounts:import_map"), params, format="multipart")

    job = Job.objects.for_workspace(workspace).get()
    assert started.status_code == 302 and started["Location"] == reverse("jobs:detail", kwargs={"pk": job.pk})
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["created"] == 12
    assert job.params["mapping"] == {"Kunde": "external_id", "Notes": ""}
    assert accounts_of(workspace).filter(external_id="k-3", name="Firm 3").exists()


def test_the_mapping_page_explains_why_it_cannot_start(workspace, admin):
    client = client_for(admin)
    location = _wizard_upload(client, b"name,domain\nAcme,acme.com\n")["Location"]
    upload = client.get(location).context["upload"]

    response = client.post(reverse("accounts:import_map"), dict(kind="accounts", upload=upload, name="a.csv",
                                                                column_0="name", column_1=""), format="multipart")

    assert response.status_code == 200
    assert "The import cannot start yet" in response.content.decode()
    assert "Add an external_id or a domain" in response.content.decode()
    assert Job.objects.for_workspace(workspace).count() == 0


def test_the_wizard_refuses_other_files_with_a_message(workspace, admin):
    response = _wizard_upload(client_for(admin), b"%PDF-1.4", name="deck.pdf")

    assert response.status_code == 200
    assert "Upload a CSV or XLSX file." in response.content.decode()


def test_another_workspaces_upload_cannot_be_mapped(workspace, other_workspace, admin):
    foreign = import_file_store(workspace=other_workspace, file=io.BytesIO(HEADER.encode()), filename="a.csv")

    response = client_for(admin).get(reverse("accounts:import_map"), {"kind": "accounts", "upload": foreign})

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:import_start"))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EXECUTIVE])
def test_readers_cannot_open_the_wizard(members, role):
    client = client_for(members[role])
    assert client.get(reverse("accounts:import_start")).status_code == 403
    assert _wizard_upload(client, HEADER.encode()).status_code == 403


def test_the_error_report_downloads_as_csv_from_the_job_page(workspace, admin, members, tiers):
    job = run_import(workspace, (DATA / "accounts.csv").read_bytes())
    client = client_for(admin)

    page = client.get(reverse("jobs:detail", kwargs={"pk": job.pk})).content.decode()
    download = client.get(reverse("accounts:import_errors", kwargs={"pk": job.pk}))

    assert "Rejected rows (1)" in page and "Download error report (CSV)" in page and "not many" in page
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="import-{job.pk}-rejected-rows.csv"'
    assert b"".join(download.streaming_content).decode().splitlines()[1].startswith("4,employees,")


def test_the_template_lists_the_columns_and_custom_attributes(workspace, admin):
    AttributeDefinition.objects.for_workspace(workspace).create(key="volume", label="Volume", type=AttributeType.NUMBER)

    response = client_for(admin).get(reverse("accounts:import_template"), {"kind": "accounts"})

    header = b"".join(response.streaming_content).decode("utf-8-sig").strip()
    assert header == ",".join([*imports.ACCOUNT_COLUMNS, "attr_volume"])


@pytest.mark.django_db
def test_subsidiaries_listed_chunks_before_their_parent_still_land(workspace, admin, tmp_path, monkeypatch):
    """A CRM export sorted by name puts subsidiaries anywhere; the parent may come thousands of
    rows later, in another chunk."""
    from accounts.models import Account
    from accounts.services import imports

    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    path = tmp_path / "hierarchy.csv"
    path.write_text("external_id,name,domain,parent_external_id\n"
                    "sub-1,Acme UK,acme.co.uk,hq\nsub-2,Acme FR,acme.fr,hq\nx,Other,other.com,\n"
                    "hq,Acme Holding,acme.com,\n", encoding="utf-8")
    outcome = imports.import_execute(workspace=workspace, kind=imports.import_kind("accounts"), path=path, by=admin)
    assert outcome.summary["created"] == 4 and outcome.summary["rejected"] == 0 and outcome.errors == []
    assert set(Account.objects.for_workspace(workspace).filter(parent__external_id="hq")
               .values_list("external_id", flat=True)) == {"sub-1", "sub-2"}


@pytest.mark.django_db
def test_old_uploads_are_purged_on_schedule(workspace, settings, tmp_path):
    import os
    import time

    from abm_platform.celery import app
    from accounts.tasks import import_files_purge_task

    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "imports" / str(workspace.pk)
    folder.mkdir(parents=True)
    old, fresh = folder / ("0" * 32 + ".csv"), folder / ("1" * 32 + ".csv")
    old.write_text("x"), fresh.write_text("y")
    eight_days_ago = time.time() - 8 * 86400
    os.utime(old, (eight_days_ago, eight_days_ago))
    assert import_files_purge_task.delay().result == 1
    assert not old.exists() and fresh.exists()
    assert app.conf.beat_schedule["purge-old-import-uploads"]["task"] == import_files_purge_task.name


@pytest.mark.django_db
def test_options_describes_the_upload_instead_of_a_500(admin):
    """Found by the API fuzz test: DRF's OPTIONS metadata asks the view for its serializer."""
    response = client_for(admin).options(reverse("api:account-import-list"))
    assert response.status_code == 200
    assert {"file", "kind", "mapping"} <= set(response.json()["actions"]["POST"])
