"""Score one range of accounts: inputs → components → composite, MQA, stage, tier suggestion,
contact scores. Pure arithmetic on what `inputs.load_inputs` read; no queries of its own except
through the predictive model's feature frame (built from the same inputs)."""
from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from datetime import datetime

from scoring.engine.composite import Component, composite_score, contact_fit, contact_rollup, contact_score
from scoring.engine.engagement import EngagementInput, contact_engagement, engagement_score
from scoring.engine.fit import Criterion, fit_score
from scoring.engine.intent import intent_score
from scoring.engine.reasons import Reason, settle
from scoring.engine.stages import StageFacts, journey_stage, mqa_next, tier_suggestion
from scoring.services.inputs import DECISION_ROLES, SENIOR, AccountInputs

TRIGGER_WORDS = {"funding": "funding round", "acquisition": "acquisition", "leadership_change": "leadership change",
                 "expansion": "expansion", "hiring_surge": "hiring surge", "product_launch": "product launch"}
BONUS_TRIGGERS = ("funding", "acquisition", "leadership_change", "expansion")


@dataclass(frozen=True)
class Settings:
    """What a run scores with (from ScoringWeights and the ICP), fixed for the whole run."""

    weights: dict[str, float]
    criteria: list[Criterion]
    selected_topic_count: int
    engagement_ref_minutes: float
    no_decision_maker_penalty: int
    trigger_bonus: int
    trigger_bonus_max: int
    mqa_threshold: int
    mqa_min_fit: int
    mqa_exit_margin: int
    mql_threshold: int
    tier_thresholds: dict[int, int]
    contact_weights: tuple[float, float]


@dataclass(frozen=True)
class Previous:
    score: int
    is_mqa: bool
    below_exit_runs: int
    journey_stage: str


@dataclass
class Predicted:
    percentile: int
    probability: float
    reasons: list[Reason]


@dataclass
class AccountResult:
    account_id: int
    fit: int | None
    intent: int
    engagement: int
    predictive: int | None
    probability: float | None
    score: int
    reasons: list[Reason]
    component_reasons: dict[str, list[dict]]
    facts: dict
    is_mqa: bool
    below_exit_runs: int
    journey_stage: str
    stage_cause: str
    previous_stage: str | None
    tier_order: int | None
    contact_rollup: int | None
    contacts: list[tuple[int, ContactResult]] = field(default_factory=list)


@dataclass(frozen=True)
class ContactResult:
    """A contact's score with its reasons, also as JSON and a digest (to skip unchanged rows)."""

    fit: int
    engagement: int
    score: int
    reasons: list[Reason]
    reasons_json: str
    digest: int


def score_account(inputs: AccountInputs, settings: Settings, *, as_of: datetime, previous: Previous | None,
                  predicted: Predicted | None) -> AccountResult:
    fit = fit_score(inputs.firmographics, settings.criteria)
    intent = intent_score(inputs.intent_latest, selected_topic_count=settings.selected_topic_count,
                          as_of=as_of.date())
    engaged = inputs.engaged_people_90
    roles = {role for person in engaged for role in person.roles}
    engagement = engagement_score(
        EngagementInput(inputs.channels, people_90=len(engaged), roles_90=len(roles), minutes_90=inputs.minutes_90),
        ref_minutes=settings.engagement_ref_minutes)
    components = {
        "fit": Component(fit.value, fit.reasons),
        "intent": Component(intent.value, intent.reasons),
        "engagement": Component(engagement.value, engagement.reasons),
        "predictive": Component(predicted.percentile if predicted else None, predicted.reasons if predicted else []),
    }
    composite = composite_score(components, settings.weights, adjustments=_adjustments(inputs, settings))
    state = mqa_next(score=composite.score, fit=fit.value, was_mqa=previous.is_mqa if previous else False,
                     below_exit_runs=previous.below_exit_runs if previous else 0,
                     threshold=settings.mqa_threshold, min_fit=settings.mqa_min_fit,
                     exit_margin=settings.mqa_exit_margin)
    stage, cause = journey_stage(StageFacts(
        has_won=inputs.has_won, has_open_opportunity=inputs.has_open_opportunity, is_mqa=state.is_mqa,
        minutes_90=inputs.minutes_90, max_intent_30=inputs.intent_max_30,
        any_engagement_90=inputs.any_engagement_90))
    contacts = _contact_scores(inputs, settings)
    return AccountResult(
        account_id=inputs.account_id, fit=fit.value, intent=intent.value, engagement=engagement.value,
        predictive=predicted.percentile if predicted else None,
        probability=predicted.probability if predicted else None,
        score=composite.score, reasons=composite.reasons,
        component_reasons={name: [r.as_dict() for r in c.reasons] for name, c in components.items()},
        facts={
            "weights": composite.weights_used, "surging_topics": intent.surging_topics,
            "strong_intent": intent.strong, "decayed_minutes": round(engagement.decayed_minutes, 1),
            "minutes_90": round(inputs.minutes_90, 1), "breadth_factor": round(engagement.breadth_factor, 2),
            "engaged_people_90": len(engaged), "engaged_roles_90": sorted(roles),
            "decision_maker_known": _decision_maker_known(inputs), "disqualified": fit.disqualified,
            "mqa_change": state.change, "stage_cause": cause,
        },
        is_mqa=state.is_mqa, below_exit_runs=state.below_exit_runs, journey_stage=stage, stage_cause=cause,
        previous_stage=previous.journey_stage if previous else None,
        tier_order=tier_suggestion(score=composite.score, fit=fit.value, thresholds=settings.tier_thresholds,
                                   min_fit=settings.mqa_min_fit),
        contact_rollup=contact_rollup([c.score for _, c in contacts]), contacts=contacts)


def _decision_maker_known(inputs: AccountInputs) -> bool:
    return any(DECISION_ROLES & set(person.roles) for person in inputs.people)


def _adjustments(inputs: AccountInputs, settings: Settings) -> list[Reason]:
    adjustments = []
    if settings.no_decision_maker_penalty and not _decision_maker_known(inputs):
        adjustments.append(Reason(-settings.no_decision_maker_penalty,
                                  "no decision maker or economic buyer known", "adjustment"))
    bonus_left = settings.trigger_bonus_max
    for kind in BONUS_TRIGGERS:
        count = inputs.triggers_90.get(kind, 0)
        if count and bonus_left > 0:
            points = min(bonus_left, settings.trigger_bonus * count)
            bonus_left -= points
            adjustments.append(Reason(points, f"{TRIGGER_WORDS[kind]} in the last 90 days", "adjustment"))
    return adjustments


# A contact's score depends only on seniority, roles, persona, engagement and the weights, which
# repeat across a million people: each combination is scored once per process.
_CONTACT_MEMO: dict[tuple, ContactResult] = {}


def _contact_scores(inputs: AccountInputs, settings: Settings) -> list[tuple[int, ContactResult]]:
    rows = []
    ref_minutes = settings.engagement_ref_minutes / 2
    for person in inputs.people:
        engagement = contact_engagement(person.decayed_365, ref_minutes=ref_minutes)
        key = (person.seniority, person.roles, person.has_persona, engagement, settings.contact_weights)
        result = _CONTACT_MEMO.get(key)
        if result is None:
            if len(_CONTACT_MEMO) > 100_000:
                _CONTACT_MEMO.clear()
            fit_value, words = contact_fit(person.seniority, person.roles, person.has_persona)
            score, reasons = contact_score(fit=fit_value, fit_words=words, engagement=engagement,
                                           weights=settings.contact_weights)
            text = json.dumps([r.as_dict() for r in reasons])
            result = _CONTACT_MEMO[key] = ContactResult(fit_value, engagement, score, reasons, text,
                                                        zlib.crc32(text.encode()))
        rows.append((person.contact_id, result))
    return rows


def predictive_reasons(percentile: int, probability: float, contributions: list[tuple[str, float]]) -> list[Reason]:
    """Split the predictive percentile over the model's top contributions (by |log-odds|), so
    its reasons add up to it; the chance itself is said in words on the first line."""
    positive = [(label, c) for label, c in contributions if c > 0]
    if not positive or percentile == 0:
        return [Reason(percentile, f"{probability:.0%} chance of an opportunity in 90 days", "predictive")]
    total = sum(c for _, c in positive)
    reasons = [Reason(percentile * c / total, f"model: {label}", "predictive") for label, c in positive]
    reasons[0] = Reason(reasons[0].points, f"{reasons[0].text} ({probability:.0%} chance of an opportunity in 90 days)",
                        "predictive")
    return settle(percentile, reasons)
