"""The public tracking endpoint: a known contact's page views, with a signed token."""
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from contacts.models import Contact
from insights.signals.models import EngagementEvent, SignalSettings
from insights.signals.services.settings import signal_settings_get
from insights.signals.services.tracking import contact_tracking_token
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(workspace, hanse):
    cache.clear()
    settings = signal_settings_get(workspace=workspace)
    ceo = Contact.objects.for_workspace(workspace).get(email="ceo@hanse-cargo.de")
    return {"key": settings.tracking_key, "ceo": ceo, "token": contact_tracking_token(ceo)}


def test_a_page_view_of_a_known_contact_is_a_web_visit_of_them_and_their_account(client, site, workspace, hanse):
    response = client.post(reverse("signal-tracking:pageview"), {"k": site["key"], "c": site["token"],
                                                          "u": "https://www.northwind.example/pricing", "d": "42"},
                           HTTP_ORIGIN="https://www.northwind.example")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    event = EngagementEvent.objects.for_workspace(workspace).get()
    assert (event.contact_id, event.account_id, event.type, event.source) == (site["ceo"].pk, hanse["hanse"],
                                                                              "web_visit", "tracking")
    assert event.is_high_value and event.minutes == 10.0 and event.duration_seconds == 42


def test_the_same_page_in_the_same_minute_is_stored_once(client, site, workspace):
    for _ in range(3):
        client.post(reverse("signal-tracking:pageview"), {"k": site["key"], "c": site["token"],
                                                   "u": "https://www.northwind.example/blog"})
    client.post(reverse("signal-tracking:pageview"), {"k": site["key"], "c": site["token"],
                                               "u": "https://www.northwind.example/other"})
    assert EngagementEvent.objects.for_workspace(workspace).count() == 2


def test_json_bodies_and_the_pixel_work_too(client, site, workspace):
    assert client.post(reverse("signal-tracking:pageview"), {"k": site["key"], "c": site["token"],
                                                      "u": "https://www.northwind.example/a"},
                       content_type="application/json").status_code == 204
    pixel = client.get(reverse("signal-tracking:pixel"), {"k": site["key"], "c": site["token"],
                                                   "u": "https://www.northwind.example/b"})
    assert pixel.status_code == 200 and pixel["Content-Type"] == "image/gif" and pixel.content.startswith(b"GIF89a")
    assert EngagementEvent.objects.for_workspace(workspace).count() == 2


def test_cors_preflight_is_answered(client):
    response = client.options(reverse("signal-tracking:pageview"))
    assert response.status_code == 204 and "POST" in response["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("token", ["forged", "1.2:abcdefghijklmnopqrstuvwxyz0", ""])
def test_a_forged_token_is_ignored_and_counted(client, site, workspace, token):
    response = client.post(reverse("signal-tracking:pageview"), {"k": site["key"], "c": token,
                                                          "u": "https://www.northwind.example/pricing"})
    assert response.status_code == 204
    assert not EngagementEvent.objects.for_workspace(workspace).exists()
    assert SignalSettings.objects.for_workspace(workspace).get().tracking_ignored == 1


def test_an_expired_token_is_ignored_and_counted(client, site, workspace, monkeypatch):
    from insights.signals.services import tracking

    page = {"k": site["key"], "c": site["token"], "u": "https://www.northwind.example/pricing"}
    monkeypatch.setattr(tracking, "TRACKING_TOKEN_MAX_AGE", timedelta(seconds=-1))   # every token is too old
    client.post(reverse("signal-tracking:pageview"), page)
    assert not EngagementEvent.objects.for_workspace(workspace).exists()
    assert SignalSettings.objects.for_workspace(workspace).get().tracking_ignored == 1

    monkeypatch.setattr(tracking, "TRACKING_TOKEN_MAX_AGE", timedelta(days=180))
    client.post(reverse("signal-tracking:pageview"), page)
    assert EngagementEvent.objects.for_workspace(workspace).count() == 1


def test_a_token_of_another_workspace_is_ignored(client, site, workspace, other_workspace):
    stranger = ContactFactory(workspace=other_workspace)
    client.post(reverse("signal-tracking:pageview"), {"k": site["key"], "c": contact_tracking_token(stranger),
                                               "u": "https://www.northwind.example/pricing"})
    assert not EngagementEvent.objects.unscoped().exists()
    assert SignalSettings.objects.for_workspace(workspace).get().tracking_ignored == 1


def test_a_wrong_key_stores_nothing(client, site):
    response = client.post(reverse("signal-tracking:pageview"), {"k": "tk_nope", "c": site["token"],
                                                          "u": "https://www.northwind.example/pricing"})
    assert response.status_code == 204 and not EngagementEvent.objects.unscoped().exists()


def test_a_page_that_is_not_a_web_address_is_ignored(client, site, workspace):
    client.post(reverse("signal-tracking:pageview"), {"k": site["key"], "c": site["token"], "u": "javascript:alert(1)"})
    assert not EngagementEvent.objects.for_workspace(workspace).exists()


def test_calls_beyond_the_rate_limit_are_refused(client, site, workspace, monkeypatch):
    from insights.signals.views import tracking

    monkeypatch.setattr(tracking, "RATE_LIMIT", 3)
    codes = [client.post(reverse("signal-tracking:pageview"), {"k": site["key"], "c": site["token"],
                                                        "u": f"https://www.northwind.example/p{n}"}).status_code
             for n in range(5)]
    assert codes == [204, 204, 204, 429, 429]
    assert EngagementEvent.objects.for_workspace(workspace).count() == 3


def test_the_endpoint_needs_no_session_and_no_csrf_token(site, workspace):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("signal-tracking:pageview"), {"k": site["key"], "c": site["token"],
                                                      "u": "https://www.northwind.example/x"}).status_code == 204
    assert EngagementEvent.objects.for_workspace(workspace).count() == 1


def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(site, workspace, monkeypatch, settings):
    from django.test import Client

    from insights.signals.views import tracking

    monkeypatch.setattr(tracking, "RATE_LIMIT", 2)
    proxy = "10.0.0.2"   # every request reaches the app from the proxy

    def visit(forwarded_for, n):
        return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded_for).post(
            reverse("signal-tracking:pageview"),
            {"k": site["key"], "c": site["token"], "u": f"https://www.northwind.example/p{n}"}).status_code

    settings.TRUSTED_PROXIES = 1
    assert [visit("203.0.113.7", n) for n in range(3)] == [204, 204, 429]
    assert visit("198.51.100.9", 3) == 204                    # another visitor, another bucket
    # a client cannot pick its bucket: only the entry the trusted proxy added counts
    assert visit("1.2.3.4, 203.0.113.7", 4) == 429

    settings.TRUSTED_PROXIES = 0                              # no proxy declared: the header is ignored
    assert [visit(f"192.0.2.{n}", 10 + n) for n in range(3)] == [204, 204, 429]
