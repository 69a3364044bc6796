from abm_platform.ui.sections import SectionIndexView


class InsightsIndexView(SectionIndexView):
    title = "Insights"
    description = "Account-level outcomes: engagement of target accounts, journey stages, pipeline, win rate and velocity."
    empty_title = "No insights yet"
    empty_text = "Reports fill in as signals arrive and campaigns run. Connect a data provider in Settings to start."
    icon = "chart"
