from django.urls import include, path

from abm_platform.ui import views

jobs_patterns = (
    [
        path("", views.JobListView.as_view(), name="list"),
        path("<int:pk>/", views.JobDetailView.as_view(), name="detail"),
        path("<int:pk>/cancel/", views.JobCancelView.as_view(), name="cancel"),
        path("<int:pk>/download/", views.JobDownloadView.as_view(), name="download"),
    ],
    "jobs",
)

settings_patterns = (
    [
        path("", views.WorkspaceSettingsView.as_view(), name="workspace"),
        path("export/", views.WorkspaceExportView.as_view(), name="export"),
        path("members/", views.MemberListView.as_view(), name="members"),
        path("members/<int:pk>/", views.MemberUpdateView.as_view(), name="member"),
        path("api-keys/", views.ApiKeyListView.as_view(), name="api_keys"),
        path("api-keys/<int:pk>/revoke/", views.ApiKeyRevokeView.as_view(), name="api_key_revoke"),
        path("audit/", views.AuditLogView.as_view(), name="audit"),
    ],
    "settings",
)

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("no-workspace/", views.no_workspace, name="no_workspace"),
    path("workspaces/switch/", views.workspace_switch, name="workspace_switch"),
    path("jobs/", include(jobs_patterns)),
    path("settings/", include(settings_patterns)),
]
