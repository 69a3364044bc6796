"""Lists cost the same number of queries for 2 rows as for 30: no query per row."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import ApiKeyFactory, JobFactory, MembershipFactory

LISTS = [
    ("api:job-list", JobFactory),
    ("jobs:list", JobFactory),
    ("dashboard", JobFactory),
    ("api:apikey-list", ApiKeyFactory),
    ("settings:api_keys", ApiKeyFactory),
    ("api:membership-list", MembershipFactory),
    ("settings:members", MembershipFactory),
    ("settings:audit", MembershipFactory),
]


def _count(client, url) -> int:
    client.get(url)  # warm the session (the first request stores the chosen workspace)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name,factory", LISTS, ids=[n for n, _ in LISTS])
def test_list_queries_do_not_grow_with_rows(url_name, factory, admin, workspace):
    from tests.factories import UserFactory

    client = client_for(admin)
    url = reverse(url_name)

    def add(n):
        for _ in range(n):
            kwargs = {"workspace": workspace}
            if factory is ApiKeyFactory or factory is JobFactory:
                kwargs["created_by"] = UserFactory()
            factory(**kwargs)

    add(2)
    few = _count(client, url)
    add(28)
    assert _count(client, url) == few
