"""Public endpoints e-mail recipients reach: one-click unsubscribe (RFC 8058: a POST with no
questions asked; a GET shows a confirmation button), the open pixel and signed click redirects.
The signed token is the only key; nothing here needs or reads a session."""
from __future__ import annotations

import base64

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from campaigns.models import Touch
from campaigns.services.feedback import touch_clicked, touch_opened, touch_unsubscribed
from campaigns.services.tracking import click_destination, touch_from_token

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _touch(token: str, purpose: str) -> tuple[Touch, dict]:
    payload = touch_from_token(token, purpose)
    if payload is None:
        raise Http404("This link is not valid.")
    touch = Touch.objects.unscoped().select_related("contact", "campaign").filter(pk=payload["t"]).first()
    if touch is None:
        raise Http404("This link is no longer valid.")
    return touch, payload


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    def get(self, request, token):
        touch, _ = _touch(token, "unsubscribe")
        return render(request, "campaigns/unsubscribe.html", {"token": token, "done": False,
                                                               "email": touch.contact.email if touch.contact else ""})

    def post(self, request, token):
        touch, _ = _touch(token, "unsubscribe")
        touch_unsubscribed(touch)
        return render(request, "campaigns/unsubscribe.html", {"done": True,
                                                               "email": touch.contact.email if touch.contact else ""})


class OpenPixelView(View):
    def get(self, request, token):
        payload = touch_from_token(token, "open")
        touch = Touch.objects.unscoped().filter(pk=payload["t"]).first() if payload else None
        if touch is not None:
            touch_opened(touch)
        response = HttpResponse(PIXEL, content_type="image/gif")
        response["Cache-Control"] = "no-store"
        return response


class ClickView(View):
    def get(self, request, token):
        touch, payload = _touch(token, "click")
        touch_clicked(touch, payload["u"])
        return HttpResponseRedirect(click_destination(touch, payload["u"]))   # only ever a URL we signed ourselves
