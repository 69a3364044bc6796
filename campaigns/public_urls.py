"""Public campaign endpoints (event registration, website personalisation), mounted at /p/ by
abm_platform/urls.py. No session: a signed token or the workspace's tracking key is the key."""
from django.urls import path

from campaigns.views.public import EventRegistrationView, WebPersonalisationView

app_name = "campaign-public"
urlpatterns = [
    path("e/<str:token>", EventRegistrationView.as_view(), name="event-register"),
    path("personalise", WebPersonalisationView.as_view(), name="personalise"),
]
