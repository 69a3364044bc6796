from abm_platform.ui.sections import SectionIndexView


class ScoringIndexView(SectionIndexView):
    title = "Scoring"
    description = "Fit, intent, engagement and predictive scores, with the reasons behind every number."
    empty_title = "Nothing scored yet"
    empty_text = "Define your ideal customer profile, then run a recompute to score every account."
    icon = "gauge"
