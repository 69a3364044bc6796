"""Public e-mail tracking endpoints, mounted at /c/ by abm_platform/urls.py (signed tokens)."""
from django.urls import path

from campaigns.views.tracking import ClickView, OpenPixelView, UnsubscribeView

app_name = "campaign-tracking"
urlpatterns = [
    path("u/<str:token>", UnsubscribeView.as_view(), name="unsubscribe"),
    path("o/<str:token>.gif", OpenPixelView.as_view(), name="open"),
    path("k/<str:token>", ClickView.as_view(), name="click"),
]
