from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abm_platform.registry import NavItem, Panel, Step, registry
        from campaigns.demo import campaigns_demo_seed
        from campaigns.panels import account_touches_panel, contact_touches_panel

        registry.add_nav(NavItem("Campaigns", "campaigns:index", "send", 50, "campaigns"))
        # After the buying group (10), recent signals (20) and trigger events (30).
        registry.add_panel("account", Panel("touches", 40, "campaigns/_account_touches_panel.html",
                                            context=account_touches_panel))
        # Drawn once the contact page renders registry.panels["contact"] (as the account page does).
        registry.add_panel("contact", Panel("touches", 30, "campaigns/_contact_touches_panel.html",
                                            context=contact_touches_panel))
        # After accounts (10), contacts (20), signals (30) and scoring (40): a campaign needs them all.
        registry.add_demo_seed_step(Step("campaigns", 50, campaigns_demo_seed))
