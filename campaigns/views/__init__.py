from abm_platform.ui.sections import SectionIndexView


class CampaignsIndexView(SectionIndexView):
    title = "Campaigns"
    description = "Plays across channels, audiences by buying-group role and DISC style, pilots you can expand."
    empty_title = "No campaigns yet"
    empty_text = "Start a campaign as a pilot on two or three target accounts, then expand it when it works."
    icon = "send"
