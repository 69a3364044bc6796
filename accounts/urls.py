from django.urls import path

from accounts.views import accounts as account_views

app_name = "accounts"
urlpatterns = [
    path("", account_views.AccountListView.as_view(), name="index"),
]
