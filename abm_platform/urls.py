from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from abm_platform.api.urls import base_urlpatterns, docs_urlpatterns, router
from abm_platform.login_throttle import ThrottledAuthenticationForm
from accounts.api.urls import urlpatterns as accounts_api
from campaigns.api.urls import urlpatterns as campaigns_api
from contacts.api.urls import urlpatterns as contacts_api
from insights.signals.api.urls import urlpatterns as signals_api
from scoring.api.urls import urlpatterns as scoring_api

# The wiring (DESIGN.md §3.1 exempts urls.py): each app's API routes under /api/v1/, its pages below.
api_urlpatterns = [*docs_urlpatterns, *base_urlpatterns, *router.urls, *accounts_api, *contacts_api,
                   *signals_api, *scoring_api, *campaigns_api]

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True,
                                                authentication_form=ThrottledAuthenticationForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_urlpatterns, "api"))),
    path("accounts/", include("accounts.urls")),
    path("contacts/", include("contacts.urls")),
    path("insights/", include("insights.urls")),
    path("scoring/", include("scoring.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("t/", include("insights.signals.tracking_urls")),   # public: the website's page-view tracking
    path("c/", include("campaigns.tracking_urls")),   # public: signed e-mail links
    path("p/", include("campaigns.public_urls")),     # public: event registration, website personalisation
    path("", include("abm_platform.ui.urls")),
]
