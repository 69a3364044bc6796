from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abm_platform.registry import NavItem, registry

        registry.add_nav(NavItem("Campaigns", "campaigns:index", "send", 50, "campaigns"))
