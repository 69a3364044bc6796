from abm_platform.ui.sections import SectionIndexView


class AccountListView(SectionIndexView):
    title = "Accounts"
    description = "Companies you target, their tiers, target lists, holds and opportunities."
    empty_title = "No accounts yet"
    empty_text = "Import your target accounts from a CSV or XLSX file, or create them through the API from your CRM."
    icon = "building"
