"""The standing cast: workspace A ("Northwind") with one member per role, workspace B
("Globex") whose admin is an outsider to A."""
import os

import pytest
from rest_framework.test import APIClient

from abm_platform.services.api_keys import api_key_create
from abm_platform.tenancy.roles import Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

# Playwright's sync API leaves an event loop running in this thread; the ORM then refuses to
# run. Tests only: the application itself never sets this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.fixtures.worker", "tests.fixtures.browser"]


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Northwind", slug="northwind")


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Globex", slug="globex")


@pytest.fixture
def members(workspace):
    """One user per role in workspace A, keyed by role."""
    return {
        role: MembershipFactory(workspace=workspace, role=role, user=UserFactory(email=f"{role}@northwind.test")).user
        for role in Role.values
    }


@pytest.fixture
def admin(members):
    return members[Role.ADMIN]


@pytest.fixture
def outsider(other_workspace):
    return MembershipFactory(workspace=other_workspace, role=Role.ADMIN,
                             user=UserFactory(email="charlie@globex.test")).user


def client_for(user) -> APIClient:
    """A signed-in client; JSON by default for the API, `format="multipart"` for forms."""
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def api_client_as():
    return client_for


@pytest.fixture
def api_key_client(workspace, admin):
    """An API client authenticated with a new key of the given scope."""

    def make(scope: str) -> APIClient:
        _, raw_key = api_key_create(workspace=workspace, name=f"{scope} key", scope=scope, by=admin)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
        return client

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Password hashing is deliberately slow; tests do not need that."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _celery_eager():
    """Tasks run in-process unless a test asks for the real worker (tests/fixtures/worker.py)."""
    from abm_platform.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    yield
