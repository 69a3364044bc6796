"""Account intent from weekly topic surge scores (DOMAIN.md §1.2).

    uₜ = wₜ · max(0, Sₜ − 50)/50 · 0.5^(max(0, ageₜ − 7)/14)      latest week per selected topic
    k  = max(3, ⌈0.25·|T|⌉)                                         the topic threshold
    intent = min(100, Σ 100·uₜ/k)    (if capped, every topic's points scale by 100/raw)

A surge on one topic of twelve cannot make intent high on its own: it takes k topics at full
surge to reach 100. Scores below 50 (the company's usual level) count nothing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from scoring.engine.reasons import Reason, settle

SURGE_THRESHOLD = 60
STALE_HALF_LIFE_DAYS = 14


@dataclass(frozen=True)
class TopicScore:
    topic: str
    weight: float
    score: int
    week_start: date


@dataclass(frozen=True)
class IntentResult:
    value: int
    reasons: list[Reason]
    surging_topics: list[str]
    strong: bool
    max_score: int


def topic_threshold(selected_topic_count: int) -> int:
    return max(3, math.ceil(0.25 * selected_topic_count))


def intent_score(latest: Sequence[TopicScore], *, selected_topic_count: int, as_of: date) -> IntentResult:
    if selected_topic_count == 0:
        return IntentResult(0, [Reason(0, "intent not scored: no intent topics selected", "intent")], [], False, 0)
    k = topic_threshold(selected_topic_count)
    raw = []
    for topic in latest:
        age = (as_of - topic.week_start).days
        u = topic.weight * max(0, topic.score - 50) / 50 * 0.5 ** (max(0, age - 7) / STALE_HALF_LIFE_DAYS)
        if u > 0:
            week = topic.week_start.isocalendar().week
            raw.append(Reason(100 * u / k, f"intent surge on '{topic.topic}' (score {topic.score}, week {week})",
                              "intent"))
    total = sum(r.points for r in raw)
    if total > 100:
        raw = [r.scaled(100 / total) for r in raw]
        total = 100
    surging = sorted((t.topic for t in latest if t.score >= SURGE_THRESHOLD))
    strong = len(surging) >= max(1, math.ceil(0.25 * selected_topic_count))
    max_score = max((t.score for t in latest), default=0)
    value = round(total)
    if not latest:
        return IntentResult(0, [Reason(0, "no intent data for this account's domain", "intent")], [], False, 0)
    if not raw:
        return IntentResult(0, [Reason(0, f"no topic above the usual level (highest {max_score})", "intent")],
                            [], False, max_score)
    return IntentResult(value, settle(value, raw), surging, strong, max_score)
