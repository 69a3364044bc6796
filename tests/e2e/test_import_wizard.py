"""End to end in headless Chromium: the import wizard. Upload a CSV with one bad row, map the
column the wizard did not recognise, start, watch the job succeed with the bad row listed, and
download the error report. Screenshots: test-artifacts/screenshots/import-*.png."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from accounts.services.tiers import tiers_seed_defaults
from tests.fixtures.browser import MOBILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "wizard_accounts.csv"


@pytest.fixture
def northwind(workspace, admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    tiers_seed_defaults(workspace=workspace)
    return workspace


def test_import_a_csv_with_one_bad_row_through_the_wizard(page, live_url, login, admin, northwind, screenshot):
    login(page, admin.email)

    page.goto(live_url("/accounts/import/"))
    expect(page.get_by_role("heading", name="Import accounts or opportunities", level=1)).to_be_visible()
    expect(page.get_by_label("Accounts")).to_be_checked()
    expect(page.locator(".sidebar a[aria-current=page]")).to_have_text("Accounts")
    screenshot(page, "import-01-upload")

    page.get_by_label("File").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Upload and map columns").click()

    # Step 2: every column with samples and a field; the preview shows the rows as read.
    expect(page).to_have_url(re.compile(r"/accounts/import/map/\?"))
    expect(page.get_by_role("heading", name="Map columns", level=1)).to_be_visible()
    expect(page.get_by_text("5 rows to import")).to_be_visible()
    firma = page.get_by_label("Import Firma as")
    expect(firma).to_have_value("")  # not recognised: skipped unless chosen
    expect(page.get_by_label("Import CRM ID as")).to_have_value("external_id")
    expect(page.get_by_label("Import Website as")).to_have_value("website")
    expect(page.get_by_label("Import Notes as")).to_have_value("")
    preview = page.locator(".preview-table tbody tr")
    expect(preview).to_have_count(5)
    expect(preview.nth(2)).to_contain_text("a few")
    firma.select_option("name")
    screenshot(page, "import-02-map")

    page.locator(".wizard-actions").get_by_role("button", name="Start import").click()

    # Step 3: the job page follows the import to the end and lists the rejected row.
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator(".flash-success")).to_contain_text("Import of wizard_accounts.csv started")
    progress = page.locator("#job-progress")
    expect(progress).to_have_attribute("data-status", "succeeded", timeout=15_000)
    report = page.locator(".report-ok")
    expect(report).to_contain_text("Created")
    rejected = page.locator("#rejected-rows")
    expect(rejected.get_by_role("heading")).to_have_text("Rejected rows (1)")
    rows = rejected.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("4")
    expect(rows.first).to_contain_text("Employees")
    expect(rows.first).to_contain_text("'a few' is not a whole number")
    screenshot(page, "import-03-job")

    with page.expect_download() as download_info:
        rejected.get_by_role("button", name="Download error report (CSV)").click()
    download = download_info.value
    assert re.fullmatch(r"import-\d+-rejected-rows\.csv", download.suggested_filename)
    lines = Path(download.path()).read_text().splitlines()
    assert lines == ["line,column,reason,value", "4,Employees,'a few' is not a whole number,a few"]

    names = set(Account.objects.for_workspace(northwind).values_list("name", flat=True))
    assert names == {"Hanse Cargo GmbH", "Polar Freight AB", "Maple Route Inc", "Kiwi Parcel Ltd"}


def test_the_mapping_page_refuses_to_start_without_a_key_column(page, live_url, login, admin, northwind,
                                                                screenshot):
    login(page, admin.email, viewport=MOBILE)
    page.goto(live_url("/accounts/import/"))
    page.get_by_label("File").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_role("heading", name="Map columns", level=1)).to_be_visible()

    page.get_by_label("Import CRM ID as").select_option("")
    page.get_by_label("Import Website as").select_option("")
    page.locator(".wizard-actions").get_by_role("button", name="Start import").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The import cannot start yet")
    expect(alert).to_contain_text("Add an external_id or a domain")
    screenshot(page, "import-04-map-problem-mobile")
    assert Account.objects.for_workspace(northwind).count() == 0
