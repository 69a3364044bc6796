"""The pure scorers: each value is the exact sum of its reasons, with the DOMAIN.md formulas."""
import math
from datetime import date, timedelta

import pytest

from scoring.engine.composite import Component, composite_score, contact_fit, contact_rollup, effective_weights
from scoring.engine.engagement import ChannelActivity, EngagementInput, breadth_factor, engagement_score
from scoring.engine.fit import Criterion, Firmographics, fit_score
from scoring.engine.intent import TopicScore, intent_score, topic_threshold
from scoring.engine.reasons import Reason, render, settle
from scoring.engine.stages import StageFacts, journey_stage, mqa_next, tier_suggestion

ICP = [
    Criterion("industry", "Logistics", 2, {"values": ["Logistics"], "adjacent": ["Retail"]}),
    Criterion("employees", "200–5,000", 1, {"min": 200, "max": 5000}),
    Criterion("technology", "Uses SAP", 1, {"values": ["SAP", "Oracle"], "k": 2}),
]


def total(reasons):
    return sum(r.points for r in reasons)


@pytest.mark.parametrize("values,expected_total", [([33.3, 33.3, 33.4], 100), ([0.4, 0.4, 0.4], 1), ([-10, 25.6], 16)])
def test_settle_rounds_to_whole_points_that_add_up(values, expected_total):
    settled = settle(expected_total, [Reason(v, f"r{i}") for i, v in enumerate(values)])
    assert total(settled) == expected_total and all(float(r.points).is_integer() for r in settled)


def test_render_signs():
    assert render(Reason(18, "intent surge")) == "+18 intent surge"
    assert render({"points": -10, "text": "no decision maker known"}) == "−10 no decision maker known"


def test_fit_full_partial_missing_and_disqualified():
    full = fit_score(Firmographics(industry="Logistics", employees=1200, technologies=frozenset({"SAP", "ORACLE"})), ICP)
    assert full.value == 100 and total(full.reasons) == 100
    partial = fit_score(Firmographics(industry="Retail", employees=None, technologies=frozenset({"SAP"})), ICP)
    # industry adjacent 0.5·2/4 = 25, employees unknown 0, one of k=2 techs 0.5·1/4 = 12.5
    assert partial.value == round(25 + 12.5) and total(partial.reasons) == partial.value
    assert any("unknown employee count" in r.text and r.points == 0 for r in partial.reasons)
    band = fit_score(Firmographics(industry="Food", employees=150), ICP[1:2])
    assert band.value == 50, "one band outside the range counts half"
    banned = ICP + [Criterion("country", "Sanctioned", 1, {"values": ["KP"]}, is_disqualifier=True)]
    out = fit_score(Firmographics(industry="Logistics", employees=1200, country="KP"), banned)
    assert out.value == 0 and out.disqualified and "disqualified" in out.reasons[0].text
    assert fit_score(Firmographics(), []).value is None


def test_intent_follows_the_topic_threshold_and_stale_decay():
    today = date(2026, 11, 23)
    week = today - timedelta(days=today.weekday())
    one = intent_score([TopicScore("warehouse automation", 1.0, 100, week)], selected_topic_count=8, as_of=today)
    assert topic_threshold(8) == 3 and one.value == round(100 / 3)
    assert one.surging_topics == ["warehouse automation"] and not one.strong  # 1 of 8 < 25 %
    stale = intent_score([TopicScore("x", 1.0, 100, week - timedelta(days=21))], selected_topic_count=8, as_of=today)
    assert stale.value == round(100 / 3 * 0.5 ** ((21 + today.weekday() - 7) / 14))
    many = intent_score([TopicScore(f"t{i}", 1.0, 100, week) for i in range(5)], selected_topic_count=8, as_of=today)
    assert many.value == 100 and total(many.reasons) == 100 and many.strong
    usual = intent_score([TopicScore("x", 1.0, 50, week)], selected_topic_count=8, as_of=today)
    assert usual.value == 0 and "no topic above the usual level" in usual.reasons[0].text


def test_engagement_decay_volume_and_breadth():
    channels = {"web": ChannelActivity(30.0, 12, 1), "events": ChannelActivity(20.0, 2, 1)}
    intern = engagement_score(EngagementInput(channels, people_90=1, roles_90=0))
    volume = 100 * (1 - math.exp(-50 / 50))
    assert intern.value == round(volume * 0.6) and total(intern.reasons) == intern.value
    assert any(r.points < 0 and "narrow engagement" in r.text for r in intern.reasons)
    team = engagement_score(EngagementInput(channels, people_90=2, roles_90=2))
    assert team.value == round(volume) > intern.value
    assert breadth_factor(0, 0) == 0.4 and breadth_factor(1, 1) == pytest.approx(0.7)
    assert engagement_score(EngagementInput({})).value == 0


def test_composite_weights_renormalise_and_reasons_add_up():
    assert effective_weights({"fit": .35, "intent": .2, "engagement": .3, "predictive": .15},
                             {"fit", "intent", "engagement"}) == pytest.approx({"fit": .35 / .85, "intent": .2 / .85,
                                                                                "engagement": .3 / .85})
    components = {
        "fit": Component(80, [Reason(80, "industry Logistics", "fit")]),
        "intent": Component(60, [Reason(60, "surge", "intent")]),
        "engagement": Component(40, [Reason(50, "web", "engagement"), Reason(-10, "narrow", "engagement")]),
        "predictive": Component(None, []),
    }
    result = composite_score(components, {"fit": .35, "intent": .2, "engagement": .3, "predictive": .15},
                             adjustments=[Reason(-10, "no decision maker known", "adjustment")])
    expected = round((.35 * 80 + .2 * 60 + .3 * 40) / .85 - 10)
    assert result.score == expected and total(result.reasons) == expected
    assert "predictive" not in result.weights_used


def test_composite_fit_gate_adds_a_capped_line():
    components = {"fit": Component(10, [Reason(10, "poor fit", "fit")]),
                  "intent": Component(100, [Reason(100, "surge", "intent")]),
                  "engagement": Component(100, [Reason(100, "web", "engagement")])}
    result = composite_score(components, {"fit": .35, "intent": .2, "engagement": .3, "predictive": .15})
    assert result.score == 10 and total(result.reasons) == 10
    assert any(r.component == "cap" and r.points < 0 for r in result.reasons)
    zero = composite_score({**components, "fit": Component(0, [Reason(0, "disqualified: x", "fit")])},
                           {"fit": .5, "intent": .5})
    assert zero.score == 0 and total(zero.reasons) == 0


def test_mqa_has_hysteresis():
    rule = {"threshold": 70, "min_fit": 50, "exit_margin": 10}
    entered = mqa_next(score=72, fit=60, was_mqa=False, below_exit_runs=0, **rule)
    assert entered.is_mqa and entered.change == "entered"
    assert not mqa_next(score=90, fit=40, was_mqa=False, below_exit_runs=0, **rule).is_mqa, "poor fit never MQA"
    wobble = mqa_next(score=65, fit=60, was_mqa=True, below_exit_runs=0, **rule)
    assert wobble.is_mqa and wobble.below_exit_runs == 0
    once = mqa_next(score=55, fit=60, was_mqa=True, below_exit_runs=0, **rule)
    assert once.is_mqa and once.below_exit_runs == 1
    twice = mqa_next(score=55, fit=60, was_mqa=True, below_exit_runs=1, **rule)
    assert not twice.is_mqa and twice.change == "left"


def test_journey_stage_bottom_up_first_match():
    base = dict(has_won=False, has_open_opportunity=False, is_mqa=False, minutes_90=0, max_intent_30=0,
                any_engagement_90=False)
    assert journey_stage(StageFacts(**base))[0] == "target"
    assert journey_stage(StageFacts(**{**base, "max_intent_30": 55}))[0] == "aware"
    assert journey_stage(StageFacts(**{**base, "minutes_90": 12, "any_engagement_90": True}))[0] == "engaged"
    assert journey_stage(StageFacts(**{**base, "is_mqa": True, "minutes_90": 200}))[0] == "mqa"
    assert journey_stage(StageFacts(**{**base, "has_open_opportunity": True, "is_mqa": True}))[0] == "opportunity"
    assert journey_stage(StageFacts(**{**base, "has_won": True, "has_open_opportunity": True}))[0] == "customer"


def test_tier_suggestion_and_contact_rollup():
    thresholds = {1: 80, 2: 65, 3: 45}
    assert tier_suggestion(score=85, fit=70, thresholds=thresholds, min_fit=50) == 1
    assert tier_suggestion(score=70, fit=70, thresholds=thresholds, min_fit=50) == 2
    assert tier_suggestion(score=85, fit=30, thresholds=thresholds, min_fit=50) is None
    assert tier_suggestion(score=20, fit=90, thresholds=thresholds, min_fit=50) is None
    assert contact_rollup([90, 60, 40, 100]) == round((100 + 0.5 * 90 + 0.25 * 60) / 1.75)
    assert contact_rollup([]) is None
    assert contact_fit("c_level", ["decision_maker"], True)[0] == 100
    assert contact_fit("", [], False) == (0, "unknown seniority and role")
