from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Scoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abm_platform.registry import NavItem, registry

        registry.add_nav(NavItem("Scoring", "scoring:index", "gauge", 40, "scoring"))
