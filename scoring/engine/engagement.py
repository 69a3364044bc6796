"""First-party engagement with recency decay and breadth (DOMAIN.md §1.3, plus our breadth rule).

Volume: E = Σ events minutes · 0.5^(age/half-life), minutes already weighted by activity and the
person's seniority at ingest; volume = 100 · (1 − e^(−E/E_ref)) (E_ref = 50 → 10 min ≈ 18,
100 min ≈ 86).

Breadth (our rule, so one enthusiastic intern does not make an account hot):
    b = min(1, 0.4 + 0.2·people + 0.1·roles)
people = distinct known people with ≥ 1 decayed minute in 90 days, roles = distinct buying-group
roles among them. Anonymous traffic alone reaches at most 40 % of the volume score, one person
without a role 60 %, one decision maker 70 %, two people in two roles 100 %.

engagement = round(volume · b). Reasons: the volume split by channel in proportion to each
channel's decayed minutes, then one negative "breadth" line for what b took away.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from scoring.engine.reasons import Reason, settle

CHANNEL_WORDS = {   # (one, many)
    "web": ("web visit", "web visits"), "email": ("e-mail open, click or reply", "e-mail opens, clicks and replies"),
    "ads": ("ad interaction", "ad interactions"), "content": ("content download or form", "content downloads and forms"),
    "events": ("webinar or event", "webinars and events"), "meetings": ("meeting", "meetings"),
    "calls": ("call", "calls"),
}


@dataclass(frozen=True)
class ChannelActivity:
    decayed_minutes: float
    events: int
    people: int = 0


@dataclass(frozen=True)
class EngagementInput:
    channels: Mapping[str, ChannelActivity] = field(default_factory=dict)
    people_90: int = 0
    roles_90: int = 0
    minutes_90: float = 0.0          # undecayed weighted minutes in 90 days (journey stage rule)


@dataclass(frozen=True)
class EngagementResult:
    value: int
    reasons: list[Reason]
    decayed_minutes: float
    breadth_factor: float


def _words(channel: str, count: int) -> str:
    one, many = CHANNEL_WORDS.get(channel, (channel, channel))
    return one if count == 1 else many


def breadth_factor(people: int, roles: int) -> float:
    return min(1.0, 0.4 + 0.2 * people + 0.1 * roles)


def engagement_score(data: EngagementInput, *, ref_minutes: float = 50.0) -> EngagementResult:
    total = sum(c.decayed_minutes for c in data.channels.values())
    if total <= 0:
        return EngagementResult(0, [Reason(0, "no engagement in the last 365 days", "engagement")], 0.0, 0.0)
    volume = 100 * (1 - math.exp(-total / ref_minutes))
    factor = breadth_factor(data.people_90, data.roles_90)
    value = round(volume * factor)
    reasons = []
    for channel, activity in sorted(data.channels.items(), key=lambda kv: -kv[1].decayed_minutes):
        if activity.decayed_minutes <= 0:
            continue
        who = f" by {activity.people} {'person' if activity.people == 1 else 'people'}" if activity.people else ""
        reasons.append(Reason(volume * activity.decayed_minutes / total,
                              f"{activity.events} {_words(channel, activity.events)}{who}", "engagement"))
    if factor < 1:
        people = data.people_90
        reasons.append(Reason(volume * factor - volume,
                              f"narrow engagement: {people} known {'person' if people == 1 else 'people'} "
                              f"in {data.roles_90} buying-group {'role' if data.roles_90 == 1 else 'roles'} (90 days)",
                              "engagement"))
    return EngagementResult(value, settle(value, reasons), total, factor)


def contact_engagement(decayed_minutes: float, *, ref_minutes: float = 25.0) -> int:
    """One person's engagement 0–100 (half the account reference: one person is one person)."""
    return round(100 * (1 - math.exp(-max(0.0, decayed_minutes) / ref_minutes)))
