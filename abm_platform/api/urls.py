"""`/api/v1/`: one router for every app's viewsets (each app adds its own in its api/urls.py),
plus the OpenAPI schema and offline docs."""
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from abm_platform.api import views

router = DefaultRouter()
router.include_format_suffixes = False
router.register("members", views.MembershipViewSet, basename="membership")
router.register("api-keys", views.ApiKeyViewSet, basename="apikey")
router.register("jobs", views.JobViewSet, basename="job")

current_workspace = views.CurrentWorkspaceViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
workspace_export = views.CurrentWorkspaceViewSet.as_view({"post": "export"})

docs_urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema", permission_classes=[AllowAny],
                                                 authentication_classes=[]), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema", permission_classes=[AllowAny],
                                                authentication_classes=[]), name="redoc"),
]

base_urlpatterns = [
    path("workspace/", current_workspace, name="workspace"),
    path("workspace/export/", workspace_export, name="workspace-export"),
]
