from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abm_platform.registry import NavItem, registry

        registry.add_nav(NavItem("Insights", "insights:index", "chart", 60, "insights"))
