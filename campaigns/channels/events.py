"""Event and webinar invitations: the step's template sent through the e-mail channel, with the
person's signed registration link in it (campaigns/services/events.py)."""
from __future__ import annotations

import copy

from campaigns.channels.base import Delivered
from campaigns.channels.email import EmailChannel
from campaigns.services.events import invitation_template, registration_url, step_event


class EventInviteChannel:
    def __init__(self, email: EmailChannel | None = None) -> None:
        self.email = email or EmailChannel()

    def deliver(self, touch) -> Delivered:
        step_event(touch.step)          # an invitation to no event fails the touch, with the reason
        if touch.step.template is None:
            raise ValueError("The step has no template.")
        # The e-mail channel renders `step.template`; it gets copies (never saved) that carry the
        # link, so the stored template and the touch stay as they are.
        step = copy.copy(touch.step)
        step.template = invitation_template(touch.step.template, registration_url(touch.pk))
        invitation = copy.copy(touch)
        invitation.step = step
        return self.email.deliver(invitation)
