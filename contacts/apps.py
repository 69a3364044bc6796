from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abm_platform.registry import NavItem, registry

        registry.add_nav(NavItem("Contacts", "contacts:index", "users", 20, "contacts"))
