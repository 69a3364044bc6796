"""End to end in headless Chromium against the live server: sign-in, the dashboard, the
workspace switcher, the section empty states, jobs, a workspace export, the settings pages and
the viewer's read-only view. Each step saves a screenshot under test-artifacts/screenshots/."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

import abm_platform.tasks  # noqa: F401  registers the export task; the web process alone does not (see below)
from abm_platform.models import Job
from abm_platform.tenancy.roles import Role
from tests.factories import JobFactory, MembershipFactory
from tests.fixtures.browser import DESKTOP, MOBILE

# The export is enqueued by name (`current_app.signature(name).delay()`), which honours eager
# mode only when the task is registered in this process. Nothing in the web process imports the
# apps' tasks modules (autodiscovery runs only inside a worker), so without the import above a
# UI export stays "Queued" forever under eager mode: the message goes to the memory:// broker.

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTIONS = [
    # (nav label, path, page heading, empty-state heading)
    ("Accounts", "/accounts/", "Accounts", "No accounts yet"),
    ("Contacts", "/contacts/", "Contacts", None),
    ("Scoring", "/scoring/", "Hot accounts", None),
    ("Campaigns", "/campaigns/", "Campaigns", None),
    ("Insights", "/insights/", "Insights", None),
]


@pytest.fixture
def two_workspace_admin(admin, workspace, other_workspace):
    """The admin of Northwind is also admin of Globex; Northwind has some job history."""
    MembershipFactory(workspace=other_workspace, user=admin, role=Role.ADMIN)
    now = timezone.now()
    JobFactory(workspace=workspace, kind="account_import", status="succeeded", created_by=admin,
               progress_done=1200, progress_total=1200, message="1,200 accounts imported",
               started_at=now - timedelta(minutes=9), finished_at=now - timedelta(minutes=8))
    JobFactory(workspace=workspace, kind="score_recompute", status="running", created_by=admin,
               progress_done=450, progress_total=1000, message="Scoring accounts",
               started_at=now - timedelta(minutes=1), heartbeat_at=now)
    JobFactory(workspace=workspace, kind="contact_import", status="failed", created_by=admin,
               progress_done=30, progress_total=80, error="Column “email” is missing.",
               started_at=now - timedelta(hours=2), finished_at=now - timedelta(hours=2))
    return admin


def topbar_workspace(page):
    return page.locator("#workspace-switcher option:checked")


def test_login_rejects_a_wrong_password_then_signs_in(page, live_url, login, admin, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto(live_url("/jobs/"))
    # Not signed in: sent to the login page, which remembers where we were going.
    expect(page).to_have_url(re.compile(r"/login/\?next=/jobs/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#workspace-switcher")).to_have_count(0)
    screenshot(page, "01-login")

    page.get_by_label("E-mail").fill(admin.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("enter a correct")
    expect(page.get_by_label("E-mail")).to_have_value(admin.email)
    screenshot(page, "01-login-error")

    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_url("/jobs/"))
    expect(page.get_by_role("heading", name="Jobs", level=1)).to_be_visible()

    # Logging out ends the session: the app pages ask for a sign-in again.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(live_url("/login/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#workspace-switcher")).to_have_count(0)
    page.goto(live_url("/settings/"))
    expect(page).to_have_url(re.compile(r"/login/\?next=/settings/$"))
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url(live_url("/password-reset/"))
    expect(page.get_by_role("button", name="Send the link")).to_be_visible()
    screenshot(page, "01-password-reset")


def test_dashboard_switcher_sections_and_jobs(page, live_url, login, two_workspace_admin, screenshot):
    user = two_workspace_admin
    login(page, user.email)

    # First workspace by name: Globex, which has no jobs yet.
    expect(page).to_have_url(live_url("/"))
    expect(topbar_workspace(page)).to_have_text("Globex")
    expect(page.locator("#workspace-switcher option")).to_have_count(2)
    expect(page.get_by_role("heading", name="Globex", level=1)).to_be_visible()
    expect(page.locator(".role-badge")).to_have_text("admin")
    expect(page.locator(".user-name")).to_have_text(user.get_full_name())
    expect(page.get_by_text("No background jobs yet")).to_be_visible()
    expect(page.locator(".sidebar a[aria-current=page]")).to_have_text("Dashboard")
    screenshot(page, "02-dashboard-globex")

    # Switch with the topbar select (autosubmits).
    page.locator("#workspace-switcher").select_option(label="Northwind")
    expect(page.locator(".flash-success")).to_contain_text("Switched to Northwind.")
    expect(page).to_have_url(live_url("/"))
    expect(topbar_workspace(page)).to_have_text("Northwind")
    expect(page.get_by_role("heading", name="Northwind", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Globex")).to_have_count(0)
    recent = page.locator(".jobs-table")
    expect(recent).to_contain_text("Account import #")
    expect(recent).to_contain_text("Score recompute #")
    expect(page.get_by_text("No background jobs yet")).to_have_count(0)
    expect(page).to_have_title(re.compile(r"Northwind$"))
    screenshot(page, "03-dashboard")

    # Every section shows its empty state, reached through the sidebar.
    for label, path, heading, empty_heading in SECTIONS:
        page.locator(".sidebar").get_by_role("link", name=label).click()
        expect(page).to_have_url(live_url(path))
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        expect(page.locator(".empty-state h2")).to_be_visible()
        if empty_heading:
            expect(page.locator(".empty-state h2")).to_have_text(empty_heading)
        expect(page.locator(".sidebar a[aria-current=page]")).to_have_text(label)
        expect(topbar_workspace(page)).to_have_text("Northwind")
        screenshot(page, f"04-section-{label.lower()}")

    # Switching on a section page stays on that section.
    page.locator("#workspace-switcher").select_option(label="Globex")
    expect(page).to_have_url(live_url("/insights/"))
    expect(topbar_workspace(page)).to_have_text("Globex")
    page.locator("#workspace-switcher").select_option(label="Northwind")
    expect(topbar_workspace(page)).to_have_text("Northwind")

    # Jobs: the list shows every job with status and progress; a running one keeps it polling.
    page.locator(".sidebar").get_by_role("link", name="Jobs").click()
    expect(page).to_have_url(live_url("/jobs/"))
    rows = page.locator(".jobs-table tbody tr")
    expect(rows).to_have_count(3)
    running = rows.filter(has_text="Score recompute")
    expect(running.locator(".status")).to_have_text("Running")
    expect(running.locator("progress")).to_have_attribute("value", "45")
    expect(running).to_contain_text("450 / 1000")
    expect(rows.filter(has_text="Account import").locator(".status")).to_have_text("Succeeded")
    expect(rows.filter(has_text="Contact import").locator(".status")).to_have_text("Failed")
    expect(page.locator("section.card[hx-get]")).to_have_count(1)
    screenshot(page, "05-jobs-list")

    # Filter by status.
    page.locator(".filter-bar select").select_option("failed")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/jobs/\?status=failed"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Contact import")
    screenshot(page, "05-jobs-list-filtered")

    # The failed job's page says what went wrong.
    rows.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator(".job-progress .status")).to_have_text("Failed")
    expect(page.locator(".report-error")).to_contain_text("Column “email” is missing.")
    screenshot(page, "06-job-detail-failed")

    # The running job's page polls and offers cancelling.
    page.goto(live_url("/jobs/"))
    rows.filter(has_text="Score recompute").get_by_role("link").click()
    expect(page.locator("#job-progress")).to_have_attribute("data-status", "running")
    expect(page.locator("#job-progress")).to_have_attribute("hx-trigger", "every 1s")
    expect(page.get_by_role("button", name="Cancel job")).to_be_visible()
    screenshot(page, "06-job-detail-running")
    page.get_by_role("button", name="Cancel job").click()
    expect(page.locator(".flash-success")).to_contain_text("cancelled")
    expect(page.locator("#job-progress")).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_role("button", name="Cancel job")).to_have_count(0)


def test_export_from_settings_reaches_succeeded(page, live_url, login, admin, settings, tmp_path, screenshot):
    settings.MEDIA_ROOT = tmp_path
    login(page, admin.email)

    page.locator(".sidebar").get_by_role("link", name="Settings").click()
    expect(page).to_have_url(live_url("/settings/"))
    expect(page.locator(".tabs a.active")).to_have_text("Workspace")
    expect(page.get_by_label("Name")).to_have_value("Northwind")
    expect(page.get_by_role("button", name="Save")).to_be_enabled()
    expect(page.get_by_text("No background jobs yet")).to_be_visible()
    screenshot(page, "07-settings-workspace")

    export_card = page.locator("section.card", has=page.get_by_role("heading", name="Export all data"))
    export_card.get_by_role("button", name="Start export").click()

    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    job_id = int(re.search(r"/jobs/(\d+)/$", page.url).group(1))
    expect(page.locator(".flash-success")).to_contain_text("Export started")
    expect(page.get_by_role("heading", name=f"Workspace export #{job_id}")).to_be_visible()
    progress = page.locator("#job-progress")
    expect(progress).to_have_attribute("data-status", "succeeded", timeout=15_000)
    expect(progress.locator(".status")).to_have_text("Succeeded")
    bar = progress.locator("progress")
    expect(bar).to_have_attribute("value", "100")
    expect(bar).to_have_attribute("max", "100")
    expect(progress.locator(".report-ok")).to_contain_text("Total rows")
    expect(progress.get_by_role("button", name="Download export")).to_be_visible()
    expect(progress).not_to_have_attribute("hx-get", re.compile(".*"))
    screenshot(page, "08-job-detail-export")

    job = Job.objects.unscoped().get(pk=job_id)
    assert job.status == "succeeded"
    assert job.progress_total and job.progress_done == job.progress_total
    assert (tmp_path / job.result["file"]).is_file()

    with page.expect_download() as download:
        progress.get_by_role("button", name="Download export").click()
    assert download.value.suggested_filename == f"workspace-export-{job_id}.zip"

    # Listed on the jobs page and under the export card.
    page.goto(live_url("/jobs/"))
    row = page.locator(".jobs-table tbody tr", has_text=f"Workspace export #{job_id}")
    expect(row.locator(".status")).to_have_text("Succeeded")
    expect(row.locator("progress")).to_have_attribute("value", "100")
    screenshot(page, "09-jobs-list-after-export")
    page.goto(live_url("/settings/"))
    expect(export_card.locator(".jobs-table")).to_contain_text(f"#{job_id}")
    screenshot(page, "09-settings-workspace-after-export")


def test_admin_settings_members_api_keys_audit(page, live_url, login, admin, members, screenshot):
    login(page, admin.email)

    page.goto(live_url("/settings/members/"))
    expect(page.locator(".tabs a.active")).to_have_text("Members")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(len(Role.values))
    for role, user in members.items():
        row = rows.filter(has_text=user.email)
        expect(row.locator("select[name=role]")).to_have_value(role)
    # No "Remove" for yourself.
    expect(rows.filter(has_text=admin.email).get_by_role("button", name="Remove")).to_have_count(0)
    expect(page.get_by_role("heading", name=f"Members ({len(Role.values)})")).to_be_visible()
    screenshot(page, "10-settings-members")

    page.get_by_role("link", name="API keys").click()
    expect(page).to_have_url(live_url("/settings/api-keys/"))
    expect(page.get_by_text("No API keys yet")).to_be_visible()
    page.get_by_label("Name").fill("Salesforce sync")
    page.get_by_label("Scope").select_option(index=1)
    page.get_by_role("button", name="Create key").click()
    key_box = page.locator(".new-key")
    expect(key_box).to_contain_text("Your new key “Salesforce sync”")
    expect(key_box).to_contain_text("It will not be shown again.")
    raw_key = page.locator("#new-key").inner_text().strip()
    assert raw_key.startswith("abm_") and len(raw_key) > 30
    keys = page.locator("section.card", has=page.get_by_role("heading", name="Keys", exact=True))
    expect(keys.locator("tbody tr")).to_have_count(1)
    expect(keys).to_contain_text("Salesforce sync")
    expect(keys.locator(".status")).to_have_text("Active")
    expect(keys).not_to_contain_text(raw_key)  # only the prefix is listed
    screenshot(page, "11-settings-api-keys-new-key")

    # Shown once: a fresh visit shows the key listed but not the secret.
    page.goto(live_url("/settings/api-keys/"))
    expect(page.locator(".new-key")).to_have_count(0)
    expect(page.get_by_text(raw_key)).to_have_count(0)
    screenshot(page, "11-settings-api-keys")

    # Revoke, confirming the dialog.
    page.once("dialog", lambda dialog: dialog.accept())
    keys.get_by_role("button", name="Revoke").click()
    expect(page.locator(".flash-success")).to_contain_text("revoked")
    expect(keys.locator(".status")).to_contain_text("Revoked")

    page.get_by_role("link", name="Audit log").click()
    expect(page).to_have_url(live_url("/settings/audit/"))
    expect(page.locator(".tabs a.active")).to_have_text("Audit log")
    table = page.locator("table")
    screenshot(page, "12-settings-audit")
    newest, second = table.locator("tbody tr").nth(0), table.locator("tbody tr").nth(1)
    expect(newest).to_contain_text(admin.get_full_name())
    expect(newest).to_contain_text("changed api key Salesforce sync")
    expect(newest).to_contain_text("revoked at: – →")
    expect(second).to_contain_text("created api key Salesforce sync")
    expect(table).to_contain_text("created workspace Northwind")


def test_viewer_sees_settings_read_only_and_no_admin_pages(page, live_url, login, members, screenshot):
    viewer = members[Role.VIEWER]
    login(page, viewer.email)
    expect(page.locator(".role-badge")).to_have_text("viewer")

    page.locator(".sidebar").get_by_role("link", name="Settings").click()
    expect(page.get_by_text("read only: only admins change settings")).to_be_visible()
    expect(page.get_by_label("Name")).to_be_disabled()
    expect(page.get_by_label("Name")).to_have_value("Northwind")
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.get_by_role("heading", name="Export all data")).to_have_count(0)
    tabs = page.locator(".tabs a")
    expect(tabs).to_have_count(1)
    expect(tabs).to_have_text("Workspace")
    screenshot(page, "13-settings-viewer")

    for path in ("/settings/members/", "/settings/api-keys/", "/settings/audit/"):
        response = page.goto(live_url(path))
        assert response.status == 403, path
        expect(page.get_by_role("heading", name="You can't open this page")).to_be_visible()
        expect(page.locator(".error-code")).to_contain_text("403")
        # Still inside the app shell, in the same workspace.
        expect(topbar_workspace(page)).to_have_text("Northwind")
    screenshot(page, "14-forbidden-viewer")

    response = page.goto(live_url("/jobs/999999/"))
    assert response.status == 404
    expect(page.get_by_role("heading", name="This page does not exist")).to_be_visible()
    screenshot(page, "14-not-found")

    # Nor can a viewer start an export by posting the form directly (with a valid CSRF token).
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(live_url("/settings/export/"), form={"format": "csv"},
                                 headers={"X-CSRFToken": csrf, "Referer": live_url("/settings/")})
    assert response.status == 403
    assert not Job.objects.unscoped().exists()


def test_mobile_dashboard(page, live_url, login, two_workspace_admin, screenshot):
    login(page, two_workspace_admin.email, viewport=MOBILE)
    expect(page).to_have_url(live_url("/"))
    sidebar = page.locator("#sidebar")
    toggle = page.locator("[data-toggle-sidebar]")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(sidebar).not_to_be_in_viewport()
    expect(page.locator("#workspace-switcher")).to_be_visible()
    page.locator("#workspace-switcher").select_option(label="Northwind")
    expect(topbar_workspace(page)).to_have_text("Northwind")
    expect(page.locator(".jobs-table tbody tr")).to_have_count(3)
    # On a phone the job tables keep job, status and progress only.
    expect(page.locator(".jobs-table th", has_text="Started by")).to_be_hidden()
    expect(page.locator(".jobs-table progress").first).to_be_visible()
    # Nothing overflows sideways at 390 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    screenshot(page, "15-mobile-dashboard", full_page=False)
    screenshot(page, "15-mobile-dashboard-full")

    toggle.click()
    expect(sidebar).to_be_in_viewport(ratio=1)
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(sidebar.get_by_role("link", name="Jobs")).to_be_visible()
    screenshot(page, "16-mobile-sidebar-open", full_page=False)
    # A tap outside closes it again.
    page.mouse.click(MOBILE["width"] - 20, MOBILE["height"] // 2)
    expect(sidebar).not_to_be_in_viewport()
    toggle.click()
    expect(sidebar).to_be_in_viewport(ratio=1)
    sidebar.get_by_role("link", name="Jobs").click()
    expect(page).to_have_url(live_url("/jobs/"))
    expect(sidebar).not_to_be_in_viewport()
    expect(topbar_workspace(page)).to_have_text("Northwind")
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    screenshot(page, "17-mobile-jobs")
