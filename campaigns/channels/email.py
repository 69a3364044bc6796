"""E-mail through Django's e-mail backend (SMTP from the environment), with a signed one-click
unsubscribe (RFC 8058 `List-Unsubscribe` + `List-Unsubscribe-Post`), an open pixel and signed
click redirects. The Message-ID is derived from the touch key, so a receiving system can tell
a repeated hand-off from a new message."""
from __future__ import annotations

import re
import smtplib
from html import escape, unescape

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from campaigns.channels.base import Delivered, DeliveryError
from campaigns.services.content import render_touch
from campaigns.services.tracking import click_url, open_pixel_url, unsubscribe_url

HREF = re.compile(r'href="(https?://[^"]+)"')


class EmailChannel:
    def deliver(self, touch) -> Delivered:
        contact = touch.contact
        if contact is None or not contact.email:
            raise ValueError("An e-mail touch needs a person with an e-mail address.")
        if touch.step.template is None:
            raise ValueError("The step has no template.")
        rendered = render_touch(template=touch.step.template, key=touch.key, account=touch.account, contact=contact,
                                html=True)
        unsubscribe = unsubscribe_url(touch.pk)
        text = f"{rendered.body_text}\n\n—\nUnsubscribe: {unsubscribe}\n"
        html_body = rendered.body_html or "<p>" + escape(rendered.body_text).replace("\n\n", "</p><p>").replace(
            "\n", "<br>") + "</p>"
        # The href is HTML (`&amp;`); the address a browser follows, and the redirect's target, is not.
        html_body = HREF.sub(lambda m: f'href="{escape(click_url(touch.pk, unescape(m.group(1))))}"', html_body)
        html_body += (f'<p style="font-size:12px;color:#64748b"><a href="{escape(unsubscribe)}">Unsubscribe</a></p>'
                      f'<img src="{escape(open_pixel_url(touch.pk))}" width="1" height="1" alt="">')
        message = EmailMultiAlternatives(
            subject=rendered.subject or touch.step.template.name, body=text,
            from_email=settings.DEFAULT_FROM_EMAIL, to=[contact.email],
            headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                     "Message-ID": f"<touch-{touch.key.replace(':', '.')}.{touch.workspace_id}@abm-platform>",
                     "X-ABM-Touch": str(touch.pk)})
        message.attach_alternative(html_body, "text/html")
        try:
            message.send(fail_silently=False)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError) as error:
            raise DeliveryError(f"SMTP unavailable: {error}") from error
        return Delivered(provider_id=message.extra_headers["Message-ID"], subject=rendered.subject, variant=rendered.variant)
