from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Scoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from abm_platform.registry import NavItem, Panel, Step, registry
        from scoring.demo import scoring_demo_seed
        from scoring.panels import account_score_panel, contact_score_panel

        registry.add_nav(NavItem("Scoring", "scoring:index", "gauge", 40, "scoring"))
        # After the signals demo (30): the ICP, agreed weights, a trained model and score history.
        registry.add_demo_seed_step(Step("scoring", 40, scoring_demo_seed))
        # Drawn before the buying group (order 10): the score and its reasons come first.
        registry.add_panel("account", Panel("score", 5, "scoring/_account_score_panel.html",
                                            context=account_score_panel))
        # Drawn by the contact page once it renders its registered panels (the registry supports it).
        registry.add_panel("contact", Panel("score", 5, "scoring/_contact_score_panel.html",
                                            context=contact_score_panel))
