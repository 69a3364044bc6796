"""One interface for every channel: deliver one claimed touch, return what the provider said.
Raise `DeliveryError` for a failure worth retrying later; anything else fails the touch."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class DeliveryError(Exception):
    """A temporary failure (SMTP down, receiver 5xx): the touch is retried later."""


@dataclass(frozen=True)
class Delivered:
    provider_id: str = ""
    subject: str = ""
    variant: str = ""


class ChannelAdapter(Protocol):
    def deliver(self, touch) -> Delivered: ...
