"""Public campaign endpoints, reached without signing in (mounted at /p/ by abm_platform/urls.py):

    GET  /p/e/<token>          the event/webinar registration page an invitation links to
    POST /p/e/<token>          register (recorded once per invitation)
    GET  /p/personalise?k=…    website personalisation for a visitor's account (JSON, any origin)

A signed token or the workspace's tracking key is the only key; nothing here reads a session,
so there is no CSRF to protect. Registration asks for a click (POST) instead of registering on
GET, because mail scanners open links in e-mails before any person does.
"""
from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from abm_platform.rate_limits import client_address, within_rate
from campaigns.services.events import event_registration_record, registration_touch, step_event
from campaigns.services.personalisation import personalisation_for_visitor

PERSONALISATION_RATE_LIMIT = 300     # requests per minute per caller address, whatever the key
MAX_PARAMETER = 300

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;
color:#0f172a}}button{{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#2563eb;
color:#fff;cursor:pointer}}</style></head><body>{content}</body></html>"""


def _page(title: str, content, status: int = 200) -> HttpResponse:
    response = HttpResponse(format_html(_PAGE, title=title, content=content), status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"     # the token is in the URL
    return response


def _invitation(token: str):
    touch = registration_touch(token)
    if touch is None:
        raise Http404("This link is not valid.")
    try:
        return touch, step_event(touch.step)
    except ValueError:
        raise Http404("This event is no longer open for registration.") from None


@method_decorator(csrf_exempt, name="dispatch")
class EventRegistrationView(View):
    http_method_names = ["get", "post"]

    def get(self, request, token):
        _, event = _invitation(token)
        return _page(f"Register: {event.name}", format_html(
            '<h1>{}</h1><form method="post"><button type="submit">Register</button></form>', event.name))

    def post(self, request, token):
        touch, event = _invitation(token)
        event_registration_record(touch=touch)
        link = format_html('<p><a href="{}">Go to the event page</a></p>', event.url) if event.url else ""
        return _page(f"Registered: {event.name}", format_html(
            "<h1>You are registered</h1><p>{}</p>{}", event.name, link))


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    response["Cache-Control"] = "private, no-store"
    return response


class WebPersonalisationView(View):
    http_method_names = ["get", "options"]

    def options(self, request, *args, **kwargs):
        return _cors(HttpResponse(status=204))

    def get(self, request):
        # per visitor, whatever key they name (a request with a made-up key still costs a look-up)
        if not within_rate(f"campaigns:personalise:{client_address(request)}", PERSONALISATION_RATE_LIMIT):
            return _cors(JsonResponse({"message": "Too many requests."}, status=429))
        params = {name: str(request.GET.get(name, ""))[:MAX_PARAMETER] for name in ("k", "c", "d", "slot")}
        found = personalisation_for_visitor(key=params["k"], token=params["c"], domain=params["d"], slot=params["slot"])
        if found is None:
            return _cors(JsonResponse({"message": "Not found."}, status=404))
        return _cors(JsonResponse(found.as_dict()))
