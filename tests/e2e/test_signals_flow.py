"""Signals end to end in headless Chromium: an admin uploads an engagement file with a bad row,
an unknown company and a repeated row; the import runs in the background and its report shows
the counts and the rejected row (downloadable); the unresolved row waits in its list; the account
page shows the new engagement and a trigger event; the settings page shows the rules.
Screenshots: test-artifacts/screenshots/signals-*.png."""
import csv
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.services.upsert import accounts_upsert
from contacts.services.upsert import contacts_upsert
from insights.signals.models import EngagementEvent, UnresolvedSignal
from insights.signals.services.ingest import signals_ingest
from tests.fixtures.browser import MOBILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def program(workspace, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (hanse,) = accounts_upsert(workspace=workspace, records=[
        {"external_id": "H-1", "name": "Hanse Cargo GmbH", "domain": "hanse-cargo.de", "country": "DE"}])
    contacts_upsert(workspace=workspace, records=[
        {"email": "hanna.berg@hanse-cargo.de", "first_name": "Hanna", "last_name": "Berg", "job_title": "COO"}])
    signals_ingest(workspace=workspace, kind="trigger", rows=[(1, {
        "type": "funding", "occurred_on": (timezone.localdate() - timedelta(days=12)).isoformat(),
        "summary": "Hanse Cargo raises EUR 40M to automate its Hamburg hub", "source": "newsfeed",
        "external_id": "n-1", "source_url": "https://news.example/hanse-cargo", "account_domain": "hanse-cargo.de"})])
    when = (timezone.now() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = tmp_path / "hubspot-week-12.csv"
    path.write_text(
        "type,occurred_at,email,url,external_id,details\n"
        f"web_visit,{when},hanna.berg@hanse-cargo.de,https://www.northwind.example/pricing,hs-1,\n"
        f"webinar_attendance,{when},hanna.berg@hanse-cargo.de,,hs-2,\n"
        f"web_visit,{when},hanna.berg@hanse-cargo.de,https://www.northwind.example/pricing,hs-1,\n"
        f"email_click,{when},buyer@kiwi-parcel.co.nz,,hs-3,\n"
        f"fax,{when},hanna.berg@hanse-cargo.de,,hs-4,\n", encoding="utf-8")
    return {"hanse": hanse.account_id, "file": path}


def test_upload_a_signal_file_follow_the_job_and_see_the_signals_on_the_account(
        page, live_url, login, admin, workspace, program, screenshot):
    login(page, admin.email)

    page.goto(live_url("/insights/signals/"))
    expect(page.get_by_role("heading", name="Signals", level=1)).to_be_visible()
    expect(page.locator(".sidebar a[aria-current=page]")).to_have_text("Signals")
    expect(page.get_by_role("button", name="Refresh now")).to_be_visible()
    screenshot(page, "signals-01-overview")

    page.get_by_role("link", name="Import").click()
    expect(page).to_have_url(re.compile(r"/insights/signals/import/$"))
    page.get_by_label("Engagement").check()
    page.get_by_label("File", exact=True).set_input_files(str(program["file"]))
    page.get_by_label("Source", exact=True).fill("hubspot")
    screenshot(page, "signals-02-upload")
    page.get_by_role("button", name="Upload and ingest").click()

    expect(page).to_have_url(re.compile(r"/insights/signals/import/\d+/$"))
    report = page.locator("#import-report")
    expect(report).to_have_attribute("data-status", "succeeded", timeout=20_000)
    counts = report.locator(".report-counts")
    expect(counts.locator("div", has_text="Stored")).to_contain_text("2")
    expect(counts.locator("div", has_text="Duplicates")).to_contain_text("1")
    expect(counts.locator("div", has_text="Unresolved")).to_contain_text("1")
    expect(counts.locator("div", has_text="Rejected")).to_contain_text("1")
    rejected = page.locator("#rejected-rows")
    expect(rejected.get_by_role("heading")).to_have_text("Rejected rows (1)")
    expect(rejected.locator("tbody tr")).to_have_count(1)
    expect(rejected.locator("tbody tr").first).to_contain_text("Unknown type 'fax'")
    screenshot(page, "signals-03-report")
    with page.expect_download() as download_info:
        rejected.get_by_role("button", name="Download rejected rows (CSV)").click()
    rows = list(csv.reader(Path(download_info.value.path()).read_text().splitlines()))
    assert rows[0] == ["line", "column", "reason", "value"]
    assert rows[1][:2] == ["6", "type"] and rows[1][2].startswith("Unknown type 'fax'") and rows[1][3] == "fax"

    page.goto(live_url("/insights/signals/unresolved/"))
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr").first).to_contain_text("buyer@kiwi-parcel.co.nz")
    screenshot(page, "signals-04-unresolved")

    page.goto(live_url(f"/accounts/{program['hanse']}/"))
    signals = page.locator("#recent-signals")
    expect(signals).to_contain_text("Webinar attendance")
    expect(signals).to_contain_text("Hanna Berg")
    expect(signals).to_contain_text("high-value")
    triggers = page.locator("#trigger-events")
    expect(triggers).to_contain_text("Hanse Cargo raises EUR 40M")
    expect(triggers.get_by_role("link", name="source ↗")).to_have_attribute("href", "https://news.example/hanse-cargo")
    screenshot(page, "signals-05-account")

    page.goto(live_url("/insights/signals/settings/"))
    expect(page.get_by_role("heading", name="Engagement rules")).to_be_visible()
    screenshot(page, "signals-06-settings")

    page.set_viewport_size(MOBILE)
    page.goto(live_url("/insights/signals/activity/"))
    expect(page.locator("tbody tr")).to_have_count(2)
    screenshot(page, "signals-07-activity-mobile")

    assert EngagementEvent.objects.for_workspace(workspace).count() == 2
    assert UnresolvedSignal.objects.for_workspace(workspace).filter(resolved_at__isnull=True).count() == 1
