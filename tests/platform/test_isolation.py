"""Generated isolation tests: every endpoint and page, found by walking the URL configuration,
refuses another workspace's objects with a 404 and never lists them. New endpoints are covered
without writing a test; a new tenant-owned model must add a factory to tests/factories.py."""
import pytest
from django.urls import reverse

from abm_platform.models import ApiKey
from abm_platform.tenancy.models import workspace_scoped_models
from tests.conftest import client_for
from tests.factories import FACTORIES, JobFactory
from tests.routes import all_routes

# Views that are not behind the workspace base classes, each for a reason.
PUBLIC_OR_SELF_SCOPED = {
    "login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "healthz",
    "api:schema", "api:docs", "api:redoc",
    "no_workspace",  # the page for users who have no workspace
    "workspace_switch",  # checks membership itself; tested below
    # Reached by e-mail recipients; the signed token names the touch (tests/campaigns/test_delivery.py).
    # The customer's website reports page views with the workspace's tracking key and a signed
    # contact token (tests/signals/test_tracking.py).
    "signal-tracking:pageview", "signal-tracking:pixel",
    "campaign-tracking:unsubscribe", "campaign-tracking:open", "campaign-tracking:click",
    # Event registration links and the website personalisation endpoint (tests/campaigns/test_events.py,
    # test_personalisation.py): a signed token or the workspace's tracking key.
    "campaign-public:event-register", "campaign-public:personalise",
}

ROUTES = all_routes()
DETAIL_ROUTES = [r for r in ROUTES if "pk" in r.kwargs and (r.is_api or r.is_page)]
API_LIST_ROUTES = [r for r in ROUTES if r.is_api and r.actions.get("get") == "list"]


def _own_routes():
    return [r for r in ROUTES if not r.name.startswith("admin:") and not r.name.startswith("api:api-root")]


def test_every_route_is_workspace_scoped_or_explicitly_public():
    unguarded = [r.name for r in _own_routes()
                 if not (r.is_api or r.is_page) and r.name not in PUBLIC_OR_SELF_SCOPED]
    assert unguarded == [], f"views outside WorkspaceView/WorkspaceViewSet: {unguarded}"


def test_every_object_route_names_a_workspace_scoped_model():
    unscoped = [r.name for r in DETAIL_ROUTES if r.model not in FACTORIES]
    assert unscoped == [], f"object routes without a tenant-owned model (or a factory): {unscoped}"


def test_every_tenant_model_has_a_factory():
    missing = [m.__name__ for m in workspace_scoped_models() if m not in FACTORIES]
    assert missing == []


def test_the_walk_finds_the_known_endpoints():
    names = {r.name for r in ROUTES}
    assert {"api:job-detail", "api:membership-detail", "api:apikey-detail", "jobs:detail", "settings:member"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("route", DETAIL_ROUTES, ids=lambda r: r.name)
def test_other_workspace_object_is_404_for_every_method(route, admin, other_workspace):
    foreign = FACTORIES[route.model](workspace=other_workspace)
    url = reverse(route.name, kwargs={"pk": foreign.pk})
    client = client_for(admin)
    methods = list(route.actions) if route.is_api else [m for m in ("get", "post") if hasattr(route.view, m)]
    for method in methods:
        response = getattr(client, method)(url, {}, format="json") if method != "get" else client.get(url)
        assert response.status_code == 404, f"{method.upper()} {url} → {response.status_code}"
    # and the foreign row is untouched
    assert type(foreign).unscoped_objects.filter(pk=foreign.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("route", API_LIST_ROUTES, ids=lambda r: r.name)
def test_api_lists_never_show_other_workspace_rows(route, admin, workspace, other_workspace):
    model = route.model
    mine = FACTORIES[model](workspace=workspace)
    foreign = FACTORIES[model](workspace=other_workspace)
    response = client_for(admin).get(reverse(route.name), {"page_size": 500})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert mine.pk in ids and foreign.pk not in ids


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in _own_routes() if r.is_api or r.is_page], ids=lambda r: r.name)
def test_anonymous_callers_are_refused(route, client, workspace):
    kwargs = {"pk": 1} if "pk" in route.kwargs else {}
    response = client.get(reverse(route.name, kwargs=kwargs))
    if route.is_api:
        assert response.status_code == 401
    else:
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_no_serializer_accepts_a_workspace_field(admin, workspace, other_workspace):
    client = client_for(admin)
    response = client.post(reverse("api:apikey-list"), {"name": "x", "scope": "read", "workspace": other_workspace.pk},
                           format="json")
    assert response.status_code == 201
    assert ApiKey.objects.for_workspace(other_workspace).count() == 0
    assert ApiKey.objects.for_workspace(workspace).filter(name="x").exists()


@pytest.mark.django_db
def test_switching_to_a_workspace_you_do_not_belong_to_is_404(admin, other_workspace):
    response = client_for(admin).post(reverse("workspace_switch"), {"workspace": other_workspace.pk},
                                      format="multipart")
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_api_key_only_sees_its_own_workspace(api_key_client, workspace, other_workspace):
    mine, theirs = JobFactory(workspace=workspace), JobFactory(workspace=other_workspace)
    client = api_key_client("read")
    ids = {row["id"] for row in client.get(reverse("api:job-list")).json()["results"]}
    assert ids == {mine.pk}
    assert client.get(reverse("api:job-detail", kwargs={"pk": theirs.pk})).status_code == 404
