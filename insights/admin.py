"""Signals configuration in the Django admin, for operators and workspace admins (each sees only
the workspaces they administer). Everyday work happens on the Signals pages."""
from django.contrib import admin

from abm_platform.admin import WorkspaceScopedAdmin
from insights.signals.models import IntentTopic, SignalProvider, SignalSettings


@admin.register(IntentTopic)
class IntentTopicAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "category", "is_selected", "weight", "workspace"]
    list_filter = ["is_selected"]
    search_fields = ["name", "category"]


@admin.register(SignalProvider)
class SignalProviderAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "kind", "signal_kind", "is_active", "last_fetched_at", "workspace"]
    list_filter = ["kind", "signal_kind", "is_active"]
    # The drop folder is checked by the service (Signals → Settings): not editable here.
    readonly_fields = ["config", "last_fetched_at"]


@admin.register(SignalSettings)
class SignalSettingsAdmin(WorkspaceScopedAdmin):
    list_display = ["workspace", "refresh_every_days", "last_refresh_at", "next_refresh_at", "tracking_ignored"]
    readonly_fields = ["last_refresh_at", "tracking_ignored"]
