"""Signal pages under /insights/signals/ (namespace insights:signals)."""
from django.urls import path

from insights.signals.views import config, imports, overview, topics, unresolved

app_name = "signals"
urlpatterns = [
    path("", overview.SignalsOverviewView.as_view(), name="overview"),
    path("refresh/", overview.SignalsRefreshView.as_view(), name="refresh"),
    path("activity/", overview.EngagementActivityView.as_view(), name="activity"),
    path("topics/", topics.TopicListView.as_view(), name="topics"),
    path("topics/<int:pk>/", topics.TopicUpdateView.as_view(), name="topic"),
    path("import/", imports.SignalImportView.as_view(), name="import"),
    path("import/template.csv", imports.SignalImportTemplateView.as_view(), name="import_template"),
    path("import/<int:pk>/", imports.SignalImportDetailView.as_view(), name="import_detail"),
    path("import/<int:pk>/errors.csv", imports.SignalImportErrorsView.as_view(), name="import_errors"),
    path("unresolved/", unresolved.UnresolvedListView.as_view(), name="unresolved"),
    path("settings/", config.SignalSettingsView.as_view(), name="settings"),
    path("settings/tracking-key/", config.TrackingKeyView.as_view(), name="tracking_key"),
    path("providers/", config.ProviderCreateView.as_view(), name="providers"),
    path("providers/<int:pk>/", config.ProviderUpdateView.as_view(), name="provider"),
]
