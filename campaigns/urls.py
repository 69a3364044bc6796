from django.urls import path

from campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.CampaignsIndexView.as_view(), name="index"),
]
