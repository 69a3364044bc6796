from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abm_platform.registry import NavItem, registry

        registry.add_nav(NavItem("Accounts", "accounts:index", "building", 10, "accounts"))
