"""Channels delivered as files (campaigns/services/exports.py): an ad audience step's people go
to LinkedIn or Google as a list, a direct-mail step's to a print-and-post vendor. Delivering a
touch marks the person as part of the step's file; the file itself is exported from the sent
touches, so every export holds whoever was sent so far and nobody the suppression engine
blocked."""
from __future__ import annotations

from campaigns.channels.base import Delivered
from campaigns.services.content import render_touch


def _person(touch):
    if touch.contact is None:
        raise ValueError(f"A {touch.get_channel_display().lower()} touch needs a person.")
    return touch.contact


class AdAudienceChannel:
    def deliver(self, touch) -> Delivered:
        _person(touch)
        return Delivered(provider_id=f"ad_audience:step:{touch.step_id}")


class DirectMailChannel:
    def deliver(self, touch) -> Delivered:
        """Renders the piece now, so a broken template fails the touch (with its error) instead
        of a vendor printing it."""
        contact = _person(touch)
        if touch.step.template is None:
            return Delivered(provider_id=f"direct_mail:step:{touch.step_id}")
        rendered = render_touch(template=touch.step.template, key=touch.key, account=touch.account, contact=contact)
        return Delivered(provider_id=f"direct_mail:step:{touch.step_id}", subject=rendered.subject,
                         variant=rendered.variant)
