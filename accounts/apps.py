from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abm_platform.registry import NavItem, Panel, Step, registry
        from accounts.panels import dashboard_panel
        from accounts.demo import accounts_demo_seed
        from accounts.services.opportunities import stages_seed_defaults
        from accounts.services.tiers import tiers_seed_defaults

        registry.add_nav(NavItem("Accounts", "accounts:index", "building", 10, "accounts"))
        registry.add_workspace_setup_step(Step("accounts.tiers", 10, tiers_seed_defaults))
        registry.add_workspace_setup_step(Step("accounts.opportunity_stages", 11, stages_seed_defaults))
        registry.add_demo_seed_step(Step("accounts", 10, accounts_demo_seed))
        registry.add_panel("dashboard", Panel("accounts", 10, "accounts/_dashboard_panel.html", dashboard_panel))
