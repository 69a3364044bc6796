"""`/api/v1/signals/…` (included by abm_platform/urls.py into the API's URL list)."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from insights.signals.api import views

router = SimpleRouter()
router.include_format_suffixes = False
router.register("signals/intent", views.IntentSignalViewSet, basename="signal-intent")
router.register("signals/engagement", views.EngagementEventViewSet, basename="signal-engagement")
router.register("signals/triggers", views.TriggerEventViewSet, basename="signal-trigger")
router.register("signals/unresolved", views.UnresolvedSignalViewSet, basename="signal-unresolved")
router.register("signals/topics", views.IntentTopicViewSet, basename="signal-topic")
router.register("signals/providers", views.SignalProviderViewSet, basename="signal-provider")

signal_settings = views.SignalSettingsViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
signal_refresh = views.SignalRefreshViewSet.as_view({"post": "create"})

urlpatterns = [
    path("signals/settings/", signal_settings, name="signal-settings"),
    path("signals/refresh/", signal_refresh, name="signal-refresh"),
    *router.urls,
]
