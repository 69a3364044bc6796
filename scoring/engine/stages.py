"""MQA with hysteresis, journey stage and tier suggestion (DOMAIN.md §1.6, §2.3, §5).

MQA: enter when score ≥ threshold and fit ≥ min fit; once in, leave only after two consecutive
runs below threshold − margin (no flapping around the line).

Journey stage, evaluated bottom-up, first match wins:
    customer     an opportunity was won
    opportunity  an opportunity is open
    mqa          the account is MQA
    engaged      ≥ 10 weighted engagement minutes in the last 90 days (Demandbase's "Engaged")
    aware        any selected intent topic ≥ 50 in the last 30 days, or any engagement in 90 days
    target       otherwise
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

ENGAGED_MINUTES_90 = 10.0
AWARE_INTENT = 50


@dataclass(frozen=True)
class MqaState:
    is_mqa: bool
    below_exit_runs: int
    change: str = ""            # "entered" | "left" | ""


def mqa_next(*, score: int, fit: int | None, was_mqa: bool, below_exit_runs: int,
             threshold: int, min_fit: int, exit_margin: int) -> MqaState:
    fit_ok = fit is None or fit >= min_fit
    if not was_mqa:
        if score >= threshold and fit_ok:
            return MqaState(True, 0, "entered")
        return MqaState(False, 0)
    if score < threshold - exit_margin:
        runs = below_exit_runs + 1
        if runs >= 2:
            return MqaState(False, 0, "left")
        return MqaState(True, runs)
    return MqaState(True, 0)


@dataclass(frozen=True)
class StageFacts:
    has_won: bool
    has_open_opportunity: bool
    is_mqa: bool
    minutes_90: float
    max_intent_30: int
    any_engagement_90: bool


def journey_stage(facts: StageFacts) -> tuple[str, str]:
    """The stage and the rule that put the account there."""
    if facts.has_won:
        return "customer", "an opportunity was won"
    if facts.has_open_opportunity:
        return "opportunity", "an opportunity is open"
    if facts.is_mqa:
        return "mqa", "marketing-qualified by score"
    if facts.minutes_90 >= ENGAGED_MINUTES_90:
        return "engaged", f"{facts.minutes_90:.0f} engagement minutes in 90 days"
    if facts.max_intent_30 >= AWARE_INTENT:
        return "aware", f"intent {facts.max_intent_30} on a selected topic in 30 days"
    if facts.any_engagement_90:
        return "aware", "engaged in the last 90 days"
    return "target", "no signal yet"


def tier_suggestion(*, score: int, fit: int | None, thresholds: Mapping[int, int], min_fit: int) -> int | None:
    """The most strategic tier (lowest order) whose minimum score the account reaches; only
    for accounts that fit (fit ≥ min fit, or no ICP). A suggestion: humans decide tiers."""
    if fit is not None and fit < min_fit:
        return None
    for order in sorted(thresholds):
        if score >= thresholds[order]:
            return order
    return None
