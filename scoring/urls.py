from django.urls import path

from scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.ScoringIndexView.as_view(), name="index"),
]
