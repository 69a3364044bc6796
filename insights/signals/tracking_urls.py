"""Public tracking endpoints, mounted at /t/ by abm_platform/urls.py (no session, no CSRF)."""
from django.urls import path

from insights.signals.views.tracking import TrackingPageviewView, TrackingPixelView

app_name = "signal-tracking"
urlpatterns = [
    path("pageview", TrackingPageviewView.as_view(), name="pageview"),
    path("pixel.gif", TrackingPixelView.as_view(), name="pixel"),
]
