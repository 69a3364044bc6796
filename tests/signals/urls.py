"""The project's URL configuration plus the signals routes, for as long as abm_platform/urls.py
does not include them yet (see conftest.py). Once it does, this module is unused."""
from django.urls import include, path

from abm_platform import urls as project
from insights.signals.api.urls import urlpatterns as signals_api

urlpatterns = [
    path("api/v1/", include(([*project.api_urlpatterns, *signals_api], "api"))),
    path("t/", include("insights.signals.tracking_urls")),
    *[p for p in project.urlpatterns if str(p.pattern) != "api/v1/"],
]
