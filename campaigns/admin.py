"""Admin for the campaign configuration a workspace admin may tune by hand: caps and quiet hours.
Campaigns, plays, templates and touches change through their pages and API (the services)."""
from django.contrib import admin

from abm_platform.admin import WorkspaceScopedAdmin
from campaigns.models import FrequencySettings


@admin.register(FrequencySettings)
class FrequencySettingsAdmin(WorkspaceScopedAdmin):
    list_display = ["workspace", "email_per_day", "email_per_7_days", "touches_per_contact_7_days",
                    "touches_per_account_7_days", "window_start_hour", "window_end_hour", "default_timezone"]
