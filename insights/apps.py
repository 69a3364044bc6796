from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abm_platform.registry import NavItem, Panel, Step, registry
        from insights.signals import panels
        from insights.signals.demo import signals_demo_seed

        registry.add_nav(NavItem("Signals", "insights:signals:overview", "search", 30, "insights:signals"))
        registry.add_nav(NavItem("Insights", "insights:index", "chart", 60, "insights"))
        registry.add_panel("account", Panel("trigger_events", 30, "insights/signals/_trigger_panel.html",
                                            panels.trigger_events_panel))
        registry.add_panel("account", Panel("recent_signals", 20, "insights/signals/_signals_panel.html",
                                            panels.recent_signals_panel))
        # Drawn once the contact page renders registry.panels["contact"] (as the account page does).
        registry.add_panel("contact", Panel("recent_engagement", 20, "insights/signals/_contact_panel.html",
                                            panels.contact_engagement_panel))
        registry.add_panel("dashboard", Panel("signals", 30, "insights/signals/_dashboard_panel.html",
                                              panels.dashboard_panel))
        # After accounts (10) and contacts (20): signals need both.
        registry.add_demo_seed_step(Step("signals", 30, signals_demo_seed))
