"""Website personalisation steps: nothing is sent anywhere. A sent touch means the account's
visitors now see the step's content on the customer's website (the public endpoint reads the
sent touches: campaigns/services/personalisation.py). Delivering renders the template once for
the account, so a broken template fails the touch with its error instead of showing nothing."""
from __future__ import annotations

from campaigns.channels.base import Delivered
from campaigns.services.content import render_touch


class WebPersonalisationChannel:
    def deliver(self, touch) -> Delivered:
        step = touch.step
        if step.template is None:
            # Content comes from the step's variants by tier and stage: nothing to check per account.
            return Delivered(provider_id=f"web_personalisation:step:{step.pk}")
        rendered = render_touch(template=step.template, key=touch.key, account=touch.account, contact=None)
        return Delivered(provider_id=f"web_personalisation:step:{step.pk}", subject=rendered.subject,
                         variant=rendered.variant)
