from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class AbmPlatformConfig(AppConfig):
    name = "abm_platform"
    label = "abm_platform"
    verbose_name = "Platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abm_platform import lookups  # noqa: F401  (registers `__any`)
        from abm_platform.registry import NavItem, registry

        _import_task_modules()

        registry.add_nav(NavItem("Dashboard", "dashboard", "home", 0, "dashboard"))
        registry.add_nav(NavItem("Jobs", "jobs:list", "activity", 80, "jobs"))
        registry.add_nav(NavItem("Settings", "settings:workspace", "settings", 90, "settings"))


def _import_task_modules() -> None:
    """Register every app's Celery tasks in this process too (Celery's autodiscovery only runs
    in workers): eager mode and `signature(name).delay()` need the task known by name."""
    import importlib
    import importlib.util

    from django.apps import apps

    for config in apps.get_app_configs():
        if importlib.util.find_spec(f"{config.name}.tasks") is not None:
            importlib.import_module(f"{config.name}.tasks")


class AbmAdminConfig(AdminConfig):
    """Django admin with a site that workspace admins may use for their own workspaces."""

    default_site = "abm_platform.admin_site.WorkspaceAdminSite"
