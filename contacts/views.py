from abm_platform.ui.sections import SectionIndexView


class ContactsIndexView(SectionIndexView):
    title = "Contacts"
    description = "People in your target accounts, matched to their company, with buying-group roles and DISC styles."
    empty_title = "No contacts yet"
    empty_text = "Import contacts or push leads from your CRM; each is matched to its account automatically."
    icon = "users"
