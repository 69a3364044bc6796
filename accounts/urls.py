from django.urls import path

from accounts.views import accounts as account_views
from accounts.views import config, imports, target_lists

app_name = "accounts"
urlpatterns = [
    path("", account_views.AccountListView.as_view(), name="index"),
    path("bulk/", account_views.AccountBulkView.as_view(), name="bulk"),
    path("segments/new/", account_views.SegmentCreateView.as_view(), name="segment_create"),
    path("<int:pk>/", account_views.AccountDetailView.as_view(), name="detail"),
    path("<int:pk>/hold/", account_views.AccountHoldView.as_view(), name="hold"),
    path("<int:pk>/plan/", account_views.AccountPlanView.as_view(), name="plan"),
    path("holds/<int:pk>/release/", account_views.HoldReleaseView.as_view(), name="hold_release"),
    path("config/tiers/", config.TierConfigView.as_view(), name="tiers"),
    path("config/tiers/<int:pk>/", config.TierConfigView.as_view(), name="tier_edit"),
    path("config/groups/", config.GroupConfigView.as_view(), name="groups"),
    path("config/groups/<int:pk>/", config.GroupConfigView.as_view(), name="group_edit"),
    path("config/attributes/", config.AttributeConfigView.as_view(), name="attributes"),
    path("config/attributes/<int:pk>/", config.AttributeConfigView.as_view(), name="attribute_edit"),
    *target_lists.urlpatterns,
    *imports.urlpatterns,
]
