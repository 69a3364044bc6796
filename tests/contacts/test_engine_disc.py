"""DISC questionnaire scoring, the 12-style circle and guidance (DOMAIN.md §4)."""
import dataclasses

import pytest

from contacts.engine.disc import (
    BLENDS,
    GUIDANCE,
    OBSERVED_CUES,
    PRIMARY_STYLES,
    QUESTIONNAIRE,
    blend_for_angle,
    guidance_for,
    normalise_style,
    observed_cues,
    primary_of,
    score_questionnaire,
)

PACE = ["P1", "P2", "P3", "P4", "P5"]
PRIORITY = ["Q1", "Q2", "Q3", "Q4", "Q5"]


def answers(pace: int, priority: int) -> dict[str, int]:
    return {**{i: pace for i in PACE}, **{i: priority for i in PRIORITY}}


def test_questionnaire_has_ten_observable_items_on_two_axes():
    assert [item.id for item in QUESTIONNAIRE] == PACE + PRIORITY
    assert {item.axis for item in QUESTIONNAIRE if item.id.startswith("P")} == {"pace"}
    assert {item.axis for item in QUESTIONNAIRE if item.id.startswith("Q")} == {"priority"}
    assert all(item.text and item.low and item.high and item.direction == 1 for item in QUESTIONNAIRE)


@pytest.mark.parametrize(("pace", "priority", "primary", "blend"), [
    (2, -2, "D", "D"),    # fast + task
    (2, 2, "I", "i"),     # fast + people
    (-2, 2, "S", "S"),    # measured + people
    (-2, -2, "C", "C"),   # measured + task
])
def test_clear_answer_sets_give_the_four_styles_with_high_confidence(pace, priority, primary, blend):
    result = score_questionnaire(answers(pace, priority))

    assert (result.primary, result.blend) == (primary, blend)
    assert result.confidence == 1.0
    assert result.pace_score == pace / 2 and result.priority_score == priority / 2


def test_domain_worked_example():
    result = score_questionnaire({"P1": 2, "P2": 1, "P3": 2, "P4": 1, "P5": 1,
                                  "Q1": -1, "Q2": -2, "Q3": -1, "Q4": -1, "Q5": 0})

    assert (result.pace_score, result.priority_score) == (0.7, -0.5)
    assert result.angle_degrees == 125.5
    assert result.blend == "D"
    assert result.strength == pytest.approx(0.608, abs=0.001)
    assert result.confidence == 1.0


def test_mostly_fast_and_slightly_task_gives_the_Di_blend():
    result = score_questionnaire(answers(2, -1))   # y = 1, x = -0.5 → θ ≈ 116.6°

    assert result.angle_degrees == pytest.approx(116.6)
    assert (result.primary, result.blend) == ("D", "Di")


def test_steady_with_some_precision_gives_SC():
    result = score_questionnaire(answers(-2, 1) | {"Q1": -1, "Q2": 0})  # x = 0.2, y = -1 → θ ≈ 281.3°

    assert (result.primary, result.blend) == ("S", "SC")


def test_all_neutral_answers_give_no_style_and_zero_confidence():
    result = score_questionnaire(answers(0, 0))

    assert (result.primary, result.blend, result.angle_degrees) == (None, None, None)
    assert result.confidence == 0.0
    assert not result.is_clear
    assert "neutral" in result.reasons[-1]


def test_a_weak_lean_is_unclear_with_low_confidence():
    result = score_questionnaire(answers(0, 0) | {"P1": 1, "Q1": -1})  # r = 0.1

    assert result.blend is None
    assert result.confidence == pytest.approx(0.2)
    assert "unclear" in result.reasons[-1]


def test_missing_answers_lower_the_confidence():
    full = score_questionnaire(answers(2, -2))
    partial = score_questionnaire({"P1": 2, "P2": 2, "P3": 2, "Q1": -2, "Q2": -2, "Q3": -2})

    assert partial.blend == full.blend == "D"
    assert partial.confidence == pytest.approx(0.6)
    assert partial.confidence < full.confidence
    assert any("unanswered" in r for r in partial.reasons)


def test_dont_know_answers_are_excluded():
    result = score_questionnaire(answers(2, 2) | {"P5": None, "Q5": None})

    assert result.answered == 8
    assert result.blend == "i"
    assert result.confidence == pytest.approx(0.8)


def test_fewer_than_three_answers_on_an_axis_give_no_style():
    result = score_questionnaire({"P1": 2, "P2": 2, "P3": 2, "Q1": -2, "Q2": -2})

    assert result.blend is None and result.confidence == 0.0
    assert "priority" in result.reasons[-1] and "at least 3" in result.reasons[-1]


@pytest.mark.parametrize(("bad", "message"), [
    ({"P9": 1}, "unknown questionnaire item"),
    ({"P1": 3}, "outside -2..2"),
    ({"Q2": -5}, "outside -2..2"),
    ({"P1": 1.5}, "must be an integer"),
    ({"P1": "2"}, "must be an integer"),
    ({"P1": True}, "must be an integer"),
])
def test_invalid_answers_raise_a_clear_error(bad, message):
    with pytest.raises(ValueError, match=message):
        score_questionnaire(answers(1, 1) | bad)


def test_answers_must_be_a_mapping():
    with pytest.raises(ValueError, match="mapping"):
        score_questionnaire([("P1", 1)])


@pytest.mark.parametrize(("angle", "blend"), [
    (0, "iS"), (45, "i"), (75, "iD"), (90, "Di"), (135, "D"), (165, "DC"), (195, "CD"),
    (225, "C"), (255, "CS"), (285, "SC"), (315, "S"), (345, "Si"), (359.9, "Si"), (360, "iS"), (-45, "S"),
])
def test_every_30_degree_sector_is_one_blend(angle, blend):
    assert blend_for_angle(angle) == blend


def test_blends_follow_the_circle_and_first_letter_is_the_primary():
    assert BLENDS == ("D", "Di", "iD", "i", "iS", "Si", "S", "SC", "CS", "C", "CD", "DC")
    assert [primary_of(b) for b in BLENDS] == ["D", "D", "I", "I", "I", "S", "S", "S", "C", "C", "C", "D"]


@pytest.mark.parametrize(("raw", "canonical"), [("di", "Di"), ("ID", "iD"), ("I", "i"), ("sc", "SC"), (" cs ", "CS")])
def test_style_spelling_is_normalised(raw, canonical):
    assert normalise_style(raw) == canonical


def test_unknown_style_is_refused():
    with pytest.raises(ValueError, match="unknown DISC style"):
        guidance_for("X")


GUIDANCE_FIELDS = ["email_length", "subject_line", "tone", "call_to_action", "meeting", "emphasise", "avoid",
                   "content_formats"]


@pytest.mark.parametrize("style", BLENDS)
def test_guidance_exists_for_all_twelve_blends(style):
    guidance = guidance_for(style)

    assert guidance.style == style
    assert guidance.primary == primary_of(style)
    assert guidance.summary
    for name in GUIDANCE_FIELDS:
        bullets = getattr(guidance, name)
        assert bullets and all(isinstance(b, str) and b.strip() for b in bullets), name


def test_primary_guidance_matches_the_domain_rules():
    assert set(GUIDANCE) == set(PRIMARY_STYLES)
    assert any("75 words" in b for b in GUIDANCE["D"].email_length)
    assert any("two options" in b for b in GUIDANCE["D"].call_to_action)
    assert any("120 words" in b for b in GUIDANCE["I"].email_length)
    assert any("Hard deadlines" in b for b in GUIDANCE["S"].avoid)
    assert any("numbered" in b for b in GUIDANCE["C"].email_length)


def test_a_blend_uses_its_first_letter_and_adds_the_second_letters_avoid_list():
    sc = guidance_for("SC")

    assert sc.secondary == "C"
    assert sc.email_length == GUIDANCE["S"].email_length
    assert sc.tone == GUIDANCE["S"].tone
    assert sc.avoid[:len(GUIDANCE["S"].avoid)] == GUIDANCE["S"].avoid
    assert set(GUIDANCE["C"].avoid) <= set(sc.avoid)
    assert sc.blend_notes and "structure" in sc.blend_notes[0]


def test_pure_styles_have_no_secondary():
    assert guidance_for("i") is GUIDANCE["I"]
    assert guidance_for("D").secondary is None


def test_guidance_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        GUIDANCE["D"].tone = ()


def test_observed_cues_cover_the_four_styles():
    aspects = [cue.aspect for cue in OBSERVED_CUES]

    assert aspects[:4] == ["Speech", "Entering a meeting", "Agenda", "Deciding"]
    assert all(cue.d and cue.i for cue in OBSERVED_CUES)
    assert dict(observed_cues("S"))["Deciding"].startswith("Slow")
    assert dict(observed_cues("Di")) == dict(observed_cues("D"))
    assert "Social media" not in dict(observed_cues("C"))
    assert [cue.proposal for cue in OBSERVED_CUES].count(True) == 1
