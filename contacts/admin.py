from django.contrib import admin

from abm_platform.admin import WorkspaceScopedAdmin
from contacts.models import MatchingSettings, Persona, TitleRule


@admin.register(MatchingSettings)
class MatchingSettingsAdmin(WorkspaceScopedAdmin):
    list_display = ["workspace", "auto_threshold", "review_threshold"]


@admin.register(TitleRule)
class TitleRuleAdmin(WorkspaceScopedAdmin):
    list_display = ["pattern", "field", "value", "priority", "workspace"]
    list_filter = ["field"]


@admin.register(Persona)
class PersonaAdmin(WorkspaceScopedAdmin):
    list_display = ["name", "priority", "workspace"]
