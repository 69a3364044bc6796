from django.urls import path

from contacts.views import contacts, edit, personas, reviews

app_name = "contacts"
urlpatterns = [
    path("", contacts.ContactListView.as_view(), name="index"),
    path("new/", edit.ContactCreateView.as_view(), name="create"),
    path("<int:pk>/", contacts.ContactDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", edit.ContactEditView.as_view(), name="edit"),
    path("<int:pk>/profile/", contacts.ContactProfileView.as_view(), name="profile"),
    path("<int:pk>/disc/questionnaire/", contacts.ContactDiscQuestionnaireView.as_view(), name="disc_questionnaire"),
    path("<int:pk>/disc/", contacts.ContactDiscRecordView.as_view(), name="disc_record"),
    path("<int:pk>/lifecycle/", contacts.ContactLifecycleView.as_view(), name="lifecycle"),
    path("<int:pk>/consent/", contacts.ContactConsentView.as_view(), name="consent"),
    path("<int:pk>/erase/", contacts.ContactEraseView.as_view(), name="erase"),
    path("review/", reviews.ReviewQueueView.as_view(), name="review_queue"),
    path("review/<int:pk>/decide/", reviews.MatchReviewDecideView.as_view(), name="review_decide"),
    path("review/match-unlinked/", reviews.MatchUnlinkedView.as_view(), name="match_unlinked"),
    path("personas/", personas.PersonaListView.as_view(), name="personas"),
    path("personas/new/", personas.PersonaCreateView.as_view(), name="persona_create"),
    path("personas/<int:pk>/", personas.PersonaDetailView.as_view(), name="persona_detail"),
]
