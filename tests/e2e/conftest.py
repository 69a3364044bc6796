"""What every browser test here needs besides tests/fixtures/browser.py (Chromium, the live
server, `login`, `screenshot`): a signed-in page per person, and a screenshot taken from the top.

    def test_it(as_person, shot, members):
        page = as_person(members["marketing"].email)           # desktop, own cookies
        phone = as_person(members["sales"].email, viewport=MOBILE)
        shot(page, "campaigns-01-list")
"""
from __future__ import annotations

from typing import Callable

import pytest

from tests.fixtures.browser import DESKTOP


@pytest.fixture
def as_person(browser, login) -> Callable:
    """`as_person(email, viewport=DESKTOP)`: a page in a fresh browser context (its own cookies,
    so several people can be signed in at once) signed in through the real login form.

    The contexts close before the live server stops: an open keep-alive connection would
    otherwise end in the server's thread after the test and fail there."""
    contexts = []

    def open_page(email: str, viewport: dict = DESKTOP, password: str | None = None):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        if password is None:
            return login(context.new_page(), email, viewport=viewport)
        return login(context.new_page(), email, password, viewport=viewport)

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def shot(screenshot) -> Callable:
    """`shot(page, name)`: a whole-page screenshot taken from the top (scrolled, the sticky top
    bar would be drawn halfway down the picture)."""

    def take(page, name: str):
        page.evaluate("window.scrollTo(0, 0)")
        return screenshot(page, name)

    return take
