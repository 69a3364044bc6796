from django.urls import path

from accounts.views import accounts as account_views
from accounts.views import imports, target_lists

app_name = "accounts"
urlpatterns = [
    path("", account_views.AccountListView.as_view(), name="index"),
    *target_lists.urlpatterns,
    *imports.urlpatterns,
]
