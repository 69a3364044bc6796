from django.urls import include, path

from insights.reports import views

app_name = "insights"
urlpatterns = [
    path("", views.InsightsIndexView.as_view(), name="index"),
    path("signals/", include("insights.signals.urls")),
]
