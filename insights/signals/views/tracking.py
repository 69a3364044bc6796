"""The public tracking endpoint a customer's website calls for page views of known contacts.

    POST /t/pageview      k=<tracking key>&c=<contact token>&u=<page URL>[&d=<seconds>]   → 204
    GET  /t/pixel.gif?k=…&c=…&u=…                                                         → 1×1 GIF

Form-encoded (what `navigator.sendBeacon` sends without a CORS preflight) or JSON. No session,
no CSRF (nothing here acts for a signed-in user); any origin may call it. Forged or foreign
tokens are ignored (and counted); each caller address may record RATE_LIMIT calls per minute
per key, beyond that the answer is 429 and nothing is recorded.
"""
import base64
import json

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from abm_platform.rate_limits import client_address, within_rate
from insights.signals.services.tracking import tracking_pageview_record, tracking_settings_for_key

RATE_LIMIT = 120  # page views per minute per tracking key and caller address
MAX_BODY_BYTES = 8 * 1024
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "POST, GET, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    response["Cache-Control"] = "no-store"
    return response


def _record(params, request) -> int:
    """204 recorded or ignored, 429 over the rate limit."""
    key = str(params.get("k", ""))[:64]
    settings = tracking_settings_for_key(key)
    if settings is None:
        return 204  # not a key of ours: nothing to count it against
    if not within_rate(f"signals:track:{key}:{client_address(request)}", RATE_LIMIT):
        return 429
    tracking_pageview_record(settings=settings, token=str(params.get("c", ""))[:200], url=str(params.get("u", "")),
                             duration=params.get("d"))
    return 204


@method_decorator(csrf_exempt, name="dispatch")
class TrackingPageviewView(View):
    http_method_names = ["post", "options"]

    def options(self, request, *args, **kwargs):
        return _cors(HttpResponse(status=204))

    def post(self, request):
        if len(request.body) > MAX_BODY_BYTES:
            return _cors(HttpResponse(status=413))
        params = request.POST
        if request.content_type == "application/json":
            try:
                params = json.loads(request.body or b"{}")
            except (json.JSONDecodeError, UnicodeDecodeError):
                params = {}
            if not isinstance(params, dict):
                params = {}
        return _cors(HttpResponse(status=_record(params, request)))


class TrackingPixelView(View):
    http_method_names = ["get"]

    def get(self, request):
        status = _record(request.GET, request)
        return _cors(HttpResponse(PIXEL, content_type="image/gif", status=200 if status == 204 else status))
