from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abm_platform.registry import NavItem, Panel, Step, registry
        from contacts.demo import contacts_demo_seed
        from contacts.panels import dashboard_panel
        from contacts.views.panels import buying_group_panel

        registry.add_nav(NavItem("Contacts", "contacts:index", "users", 20, "contacts"))
        registry.add_panel("account", Panel("buying_group", 10, "contacts/_buying_group_panel.html",
                                            context=buying_group_panel))
        registry.add_demo_seed_step(Step("contacts", 20, contacts_demo_seed))
        registry.add_panel("dashboard", Panel("contacts", 20, "contacts/_dashboard_panel.html", dashboard_panel))
