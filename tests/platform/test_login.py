"""Sign-in: a wrong password is an ordinary form error; after five wrong guesses for one account
from one address, that account is refused from that address, even with the right password, until
the window has passed. Other accounts and other addresses are not affected."""
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from abm_platform import login_throttle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # tests/factories.py


@pytest.fixture
def here():
    """An address of this test's own: the counts live in a cache other tests share."""
    return f"test-{uuid.uuid4().hex}"


def sign_in(email, password, address):
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": email, "password": password})
    return response, client


def test_a_wrong_password_is_a_form_error_and_the_right_one_signs_in(here):
    user = UserFactory()

    wrong, _ = sign_in(user.email, "guess", here)
    right, client = sign_in(user.email, PASSWORD, here)

    assert wrong.status_code == 200 and "correct" in wrong.content.decode()
    assert right.status_code == 302 and client.session.get("_auth_user_id") == str(user.pk)


def test_five_wrong_guesses_lock_the_account_from_that_address(here):
    user, colleague = UserFactory(), UserFactory()
    for _ in range(login_throttle.LIMIT_PER_ACCOUNT):
        assert sign_in(user.email, "guess", here)[0].status_code == 200

    locked, client = sign_in(user.email, PASSWORD, here)
    assert locked.status_code == 200 and "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session

    assert sign_in(colleague.email, PASSWORD, here)[0].status_code == 302          # another account
    assert sign_in(user.email, PASSWORD, f"other-{here}")[0].status_code == 302    # another address
    cache.delete_many(login_throttle.failure_keys(user.email, here))               # the window has passed
    assert sign_in(user.email, PASSWORD, here)[0].status_code == 302


def test_one_address_guessing_many_accounts_is_stopped(here, monkeypatch):
    monkeypatch.setattr(login_throttle, "LIMIT_PER_ADDRESS", 3)
    user = UserFactory()
    for n in range(3):
        sign_in(f"nobody{n}@example.com", "guess", here)

    assert "Too many failed sign-ins" in sign_in(user.email, PASSWORD, here)[0].content.decode()


def test_a_successful_sign_in_clears_the_accounts_count(here):
    user = UserFactory()
    for _ in range(login_throttle.LIMIT_PER_ACCOUNT - 1):
        sign_in(user.email, "guess", here)
    assert sign_in(user.email, PASSWORD, here)[0].status_code == 302
    for _ in range(login_throttle.LIMIT_PER_ACCOUNT - 1):
        sign_in(user.email, "guess", here)

    assert sign_in(user.email, PASSWORD, here)[0].status_code == 302
