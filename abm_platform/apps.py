from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class AbmPlatformConfig(AppConfig):
    name = "abm_platform"
    label = "abm_platform"
    verbose_name = "Platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abm_platform.registry import NavItem, registry

        registry.add_nav(NavItem("Dashboard", "dashboard", "home", 0, "dashboard"))
        registry.add_nav(NavItem("Jobs", "jobs:list", "activity", 80, "jobs"))
        registry.add_nav(NavItem("Settings", "settings:workspace", "settings", 90, "settings"))


class AbmAdminConfig(AdminConfig):
    """Django admin with a site that workspace admins may use for their own workspaces."""

    default_site = "abm_platform.admin_site.WorkspaceAdminSite"
