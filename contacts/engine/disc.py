"""DISC: the 12-style circle, the rep's 10-item observation questionnaire and per-style guidance.

DOMAIN.md §4. Two axes: **pace** (y, + = fast/outgoing/assertive, − = measured/reserved) and
**priority** (x, + = people/relationships/accepting, − = tasks/results/questioning). The angle
θ = atan2(y, x) picks one of twelve 30° sectors (§4.1 table), i.e. the blend; the primary
style is the blend's first letter (its quadrant).

Spelling: primary styles are ``D``, ``I``, ``S``, ``C`` (as the contact record stores them);
blends use the lower-case *i* of the DiSC circle (``Di``, ``iD``, ``i``, ``iS``, ``Si`` …).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Optional

PRIMARY_STYLES = ("D", "I", "S", "C")
STYLE_NAMES = MappingProxyType({"D": "Dominance", "I": "Influence", "S": "Steadiness", "C": "Conscientiousness"})
# The circle, counter-clockwise from the top-left quadrant as DOMAIN.md §4.1 lists it.
BLENDS = ("D", "Di", "iD", "i", "iS", "Si", "S", "SC", "CS", "C", "CD", "DC")

AXIS_PACE = "pace"
AXIS_PRIORITY = "priority"
AXES = (AXIS_PACE, AXIS_PRIORITY)
SCALE_MIN, SCALE_MAX = -2, 2
MIN_ANSWERS_PER_AXIS = 3   # DOMAIN.md §4.4: "valid only if ≥ 3 answered per axis"
UNCLEAR_BELOW = 0.2        # DOMAIN.md §4.4: r < 0.2 → balanced/unclear, no style stored
FULL_STRENGTH = 0.5        # r at which the vector counts as fully clear (confidence factor 1)

# DOMAIN.md §4.1 PROPOSAL: sector [start, end) in degrees → blend.
SECTORS: tuple[tuple[int, int, str], ...] = (
    (0, 30, "iS"), (30, 60, "i"), (60, 90, "iD"), (90, 120, "Di"), (120, 150, "D"), (150, 180, "DC"),
    (180, 210, "CD"), (210, 240, "C"), (240, 270, "CS"), (270, 300, "SC"), (300, 330, "S"), (330, 360, "Si"),
)


# --- questionnaire -----------------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionnaireItem:
    """One observation the rep rates from −2 to +2. ``direction`` +1 means a high rating moves
    the axis to its positive end (fast for pace, people for priority); −1 would reverse it."""

    id: str
    axis: str
    text: str
    low: str
    high: str
    direction: int = 1


QUESTIONNAIRE: tuple[QuestionnaireItem, ...] = (
    QuestionnaireItem("P1", AXIS_PACE, "How do they speak?",
                      "Slowly, quietly, few gestures", "Fast, loudly, animated"),
    QuestionnaireItem("P2", AXIS_PACE, "How do they decide?",
                      "Asks for time, consults others first", "Decides or commits on the spot"),
    QuestionnaireItem("P3", AXIS_PACE, "Who drives the conversation?",
                      "Waits to be asked, listens more than talks", "Initiates topics, steers or interrupts"),
    QuestionnaireItem("P4", AXIS_PACE, "How do they reply to messages?",
                      "After days, considered and complete", "Within hours, short"),
    QuestionnaireItem("P5", AXIS_PACE, "How do they treat change and risk?",
                      "Prefers proven ways, asks about risk and transition", "Eager to try new things, takes risks"),
    QuestionnaireItem("Q1", AXIS_PRIORITY, "How do they open a meeting?",
                      "Goes straight to the agenda", "Opens with personal rapport, small talk"),
    QuestionnaireItem("Q2", AXIS_PRIORITY, "What persuades them?",
                      "Data, specs, proof", "Stories, references, trust in people"),
    QuestionnaireItem("Q3", AXIS_PRIORITY, "How do they write and talk?",
                      "Reserved, formal, neutral wording", "Warm, expressive, exclamation marks or emoji"),
    QuestionnaireItem("Q4", AXIS_PRIORITY, "What do they ask about?",
                      "How it works, what the numbers are", "How people will adopt it and feel about it"),
    QuestionnaireItem("Q5", AXIS_PRIORITY, "How do they take claims?",
                      "Challenges, sceptical, probes", "Accepts readily, agreeable"),
)
_ITEMS = MappingProxyType({item.id: item for item in QUESTIONNAIRE})


@dataclass(frozen=True)
class DiscResult:
    """Scored questionnaire. ``primary``/``blend`` are None when the answers do not show a
    style (too few answers, or a vector too short: "balanced/unclear")."""

    primary: Optional[str]
    blend: Optional[str]
    pace_score: float        # y in [−1, 1]
    priority_score: float    # x in [−1, 1]
    angle_degrees: Optional[float]
    confidence: float        # in [0, 1]
    reasons: tuple[str, ...]
    answered: int = 0
    strength: float = 0.0    # r = |(x, y)| / √2, in [0, 1]

    @property
    def is_clear(self) -> bool:
        return self.blend is not None


def _validated(answers: Mapping[str, Optional[int]]) -> dict[str, int]:
    if not isinstance(answers, Mapping):
        raise ValueError("answers must be a mapping of item id → rating")
    unknown = sorted(str(k) for k in answers if k not in _ITEMS)
    if unknown:
        raise ValueError(f"unknown questionnaire item(s): {', '.join(unknown)}; expected {', '.join(_ITEMS)}")
    clean: dict[str, int] = {}
    for item_id, value in answers.items():
        if value is None:          # "don't know": unanswered, excluded
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"answer to {item_id} must be an integer from {SCALE_MIN} to {SCALE_MAX} "
                             f"(or None for don't know), got {value!r}")
        if not SCALE_MIN <= value <= SCALE_MAX:
            raise ValueError(f"answer to {item_id} is {value}, outside {SCALE_MIN}..{SCALE_MAX}")
        clean[item_id] = value
    return clean


def blend_for_angle(angle_degrees: float) -> str:
    """The 12-circle blend of the 30° sector that contains the angle (degrees, any range)."""
    angle = angle_degrees % 360.0
    return SECTORS[int(angle // 30) % 12][2]


def primary_of(blend: str) -> str:
    """Primary style (quadrant) of a blend: its first letter, upper-case ("iS" → "I")."""
    return normalise_style(blend)[0].upper()


def normalise_style(style: str) -> str:
    """Canonical spelling of a blend or primary style, case-insensitively ("di" → "Di",
    "ID" → "iD", "I" → "i"). The twelve names differ even ignoring case."""
    canonical = {b.lower(): b for b in BLENDS}
    key = (style or "").strip().lower()
    if key not in canonical:
        raise ValueError(f"unknown DISC style {style!r}; expected one of {', '.join(BLENDS)}")
    return canonical[key]


def score_questionnaire(answers: Mapping[str, Optional[int]]) -> DiscResult:
    """Score the §4.4 questionnaire: axis means → angle → blend, with a confidence.

    confidence = min(1, r / 0.5) × answered / 10, so a short vector (mixed or neutral answers)
    and missing answers both lower it; fewer than 3 answers on an axis, or r < 0.2, give no style.
    Raises ValueError for unknown item ids or ratings outside −2..+2.
    """
    clean = _validated(answers)
    by_axis: dict[str, list[int]] = {AXIS_PACE: [], AXIS_PRIORITY: []}
    for item_id, value in clean.items():
        item = _ITEMS[item_id]
        by_axis[item.axis].append(value * item.direction)
    pace, priority = by_axis[AXIS_PACE], by_axis[AXIS_PRIORITY]
    y = sum(pace) / len(pace) / SCALE_MAX if pace else 0.0
    x = sum(priority) / len(priority) / SCALE_MAX if priority else 0.0
    answered = len(clean)
    r = math.hypot(x, y) / math.sqrt(2)
    angle = None if r == 0 else round(math.degrees(math.atan2(y, x)) % 360.0, 1)
    reasons = [
        f"pace {y:+.2f} from {len(pace)} item(s) ({'fast/assertive' if y > 0 else 'measured/reserved' if y < 0 else 'neutral'})",
        f"priority {x:+.2f} from {len(priority)} item(s) "
        f"({'people/relationships' if x > 0 else 'tasks/results' if x < 0 else 'neutral'})",
    ]
    common = dict(pace_score=round(y, 3), priority_score=round(x, 3), angle_degrees=angle,
                  answered=answered, strength=round(r, 3))

    short = [axis for axis, values in by_axis.items() if len(values) < MIN_ANSWERS_PER_AXIS]
    if short:
        reasons.append(f"too few answers on {' and '.join(short)} (need at least {MIN_ANSWERS_PER_AXIS} per axis):"
                       " no style derived")
        return DiscResult(None, None, confidence=0.0, reasons=tuple(reasons), **common)

    confidence = round(min(1.0, r / FULL_STRENGTH) * answered / len(QUESTIONNAIRE), 3)
    if r == 0:
        reasons.append("all answers neutral or cancelling out: no clear style, confidence 0")
        return DiscResult(None, None, confidence=0.0, reasons=tuple(reasons), **common)
    if r < UNCLEAR_BELOW:
        reasons.append(f"strength {r:.2f} below {UNCLEAR_BELOW}: balanced/unclear, no style derived "
                       f"(low confidence {confidence:.2f})")
        return DiscResult(None, None, confidence=confidence, reasons=tuple(reasons), **common)

    blend = blend_for_angle(math.degrees(math.atan2(y, x)))
    primary = primary_of(blend)
    reasons.append(f"angle {angle:.1f}° → {blend} ({STYLE_NAMES[primary]} quadrant)")
    reasons.append(f"strength {r:.2f}, {answered}/{len(QUESTIONNAIRE)} answered → confidence {confidence:.2f}")
    if answered < len(QUESTIONNAIRE):
        reasons.append(f"{len(QUESTIONNAIRE) - answered} item(s) unanswered lower the confidence")
    return DiscResult(primary, blend, confidence=confidence, reasons=tuple(reasons), **common)


# --- observable cues (DOMAIN.md §4.2) -----------------------------------------------------------

@dataclass(frozen=True)
class ObservedCue:
    """What each style tends to show in one situation; empty string = nothing typical."""

    aspect: str
    d: str
    i: str
    s: str
    c: str
    proposal: bool = False   # our own signal, not from the sources

    def for_style(self, style: str) -> str:
        return getattr(self, primary_of(style).lower())


OBSERVED_CUES: tuple[ObservedCue, ...] = (
    ObservedCue("Speech", "Fast, strong, confident tone; few words", "Fast, animated, stories, big gestures",
                "Calm, soft, steady", "Measured, precise, asks clarifying questions"),
    ObservedCue("Entering a meeting", "Goes straight to people, owns the space", "Goes straight to people, enjoys it",
                "Joins the group gradually", "Stays apart until needed"),
    ObservedCue("Agenda", "Straight to the point, skips small talk", "Opens with rapport, digresses",
                "Opens warmly, asks about people and process", "Straight to the agenda, wants details and data"),
    ObservedCue("Deciding", "Quick, responds to direct closes", "Quick, spontaneous",
                "Slow, needs time, consults the team", "Slow, needs evidence, avoids surprises"),
    ObservedCue("E-mail", "Short, no greeting, imperatives, fast reply",
                "Friendly, exclamation marks or emoji, long-ish", "Polite, \"we\", thanks, slower reply",
                "Formal, structured, numbered questions, attachments", proposal=True),
    ObservedCue("Social media", "LinkedIn, professional photo, short business posts",
                "Many networks, frequent personal posts", "", ""),
)
OBSERVED_CUES_CAVEAT = ("Read a cluster of cues, never one: behaviour depends on context. A text heuristic is a "
                        "suggestion for a person to confirm, not a profile.")


def observed_cues(style: str) -> tuple[tuple[str, str], ...]:
    """(aspect, cue) pairs typical of one style, for the contact page."""
    return tuple((cue.aspect, text) for cue in OBSERVED_CUES if (text := cue.for_style(style)))


# --- communication guidance (DOMAIN.md §4.3) ----------------------------------------------------

@dataclass(frozen=True)
class StyleGuidance:
    """How to write to and meet a person of one style; short, concrete bullets."""

    style: str
    primary: str
    secondary: Optional[str]
    summary: str
    email_length: tuple[str, ...]
    subject_line: tuple[str, ...]
    tone: tuple[str, ...]
    call_to_action: tuple[str, ...]
    meeting: tuple[str, ...]
    emphasise: tuple[str, ...]
    avoid: tuple[str, ...]
    content_formats: tuple[str, ...]
    blend_notes: tuple[str, ...] = ()


GUIDANCE: Mapping[str, StyleGuidance] = MappingProxyType({
    "D": StyleGuidance(
        style="D", primary="D", secondary=None,
        summary="Brief, direct, results first; let them stay in control.",
        email_length=("At most 3 sentences or 75 words", "Purpose in the first line"),
        subject_line=("Outcome plus a number, 6 words or fewer", "Example: \"Cut onboarding time 30 %\""),
        tone=("Confident and direct", "No small talk", "Words like now, results, win, advantage, immediate"),
        call_to_action=("Offer two options to choose from",),
        meeting=("15–20 minutes with an agenda", "Bottom line first", "Ask \"what\", not \"how\"",
                 "Let them decide"),
        emphasise=("Results and return on investment", "Competitive advantage", "Speed and control"),
        avoid=("Rambling or repeating yourself", "Details before the bottom line", "Problems without solutions",
               "Generalisations and unsupported claims"),
        content_formats=("Executive summary", "ROI one-pager", "Competitive comparison"),
    ),
    "I": StyleGuidance(
        style="i", primary="I", secondary=None,
        summary="Social and friendly; recognise their ideas and turn talk into action.",
        email_length=("Up to 120 words", "One short story or customer anecdote"),
        subject_line=("Personal and energetic, with social proof", "Example: \"Idea after your talk at X\""),
        tone=("Warm and enthusiastic", "First name"),
        call_to_action=("An invitation: a call, an event, a community",),
        meeting=("Leave time for rapport", "Interactive and visual; brainstorm together",
                 "Send a written recap with next steps"),
        emphasise=("Their ideas and recognition", "People and peers who succeeded", "Next steps to act on"),
        avoid=("Cold, impersonal tone", "Detail-heavy text", "Long lists"),
        content_formats=("Customer stories", "Short video", "Webinars and events", "Community"),
    ),
    "S": StyleGuidance(
        style="S", primary="S", secondary=None,
        summary="Sincere and patient; present change carefully and offer support.",
        email_length=("120–200 words", "Step by step"),
        subject_line=("Calm, specific, low-pressure", "Example: \"Next steps for the rollout plan\""),
        tone=("Sincere and reassuring", "Say \"we\"", "Show genuine interest in them and their team"),
        call_to_action=("Gentle, with time to decide",),
        meeting=("Schedule early; no surprises", "Include their team", "Walk through the implementation plan"),
        emphasise=("Stability and low risk", "Support and onboarding", "Clear goals and a steady transition"),
        avoid=("Pressure and hurry", "Sudden changes", "Hard deadlines"),
        content_formats=("Case studies of similar peers", "Onboarding and support plans", "FAQs", "Guarantees"),
    ),
    "C": StyleGuidance(
        style="C", primary="C", secondary=None,
        summary="Prepared, logical, accurate and data-backed; no surprises.",
        email_length=("Any length, in numbered sections", "Summary first"),
        subject_line=("Precise and factual", "Example: \"SAP integration latency: benchmark data\""),
        tone=("Neutral and exact", "No superlatives", "Specific when you disagree"),
        call_to_action=("A specific question or a document to review",),
        meeting=("Agenda and materials in advance", "Data and Q&A", "Written follow-up"),
        emphasise=("Evidence, specifications and accuracy", "Process and quality", "Time to analyse"),
        avoid=("Hype and vague claims", "Ad-libbing without preparation", "Errors in facts or numbers",
               "Surprises: warn in time"),
        content_formats=("Whitepapers", "Specifications and security documents", "Comparison matrices",
                         "ROI calculator with its assumptions"),
    ),
})

# DOMAIN.md §4.3: "use the first letter's row, then apply the second letter's avoid row", plus one
# line per blend on how the two combine.
BLEND_NOTES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "Di": ("D rules, but allow one line of rapport", "Brisk, yet let them talk about their ideas"),
    "iD": ("Open warmly, then get to the result and a decision quickly",),
    "iS": ("Warm and personal, without pressure", "Give reassurance and time"),
    "Si": ("Sincere and patient first; a friendly personal touch helps",),
    "SC": ("S tone with C's structure and data", "Calm, step by step, documented"),
    "CS": ("Precise and documented, delivered patiently", "No pressure while they check the details"),
    "CD": ("Data first, then a clear recommendation", "Be direct and specific when you disagree"),
    "DC": ("Bottom line first, backed by a few hard numbers", "No hype"),
})


def guidance_for(style: str) -> StyleGuidance:
    """Guidance for a primary style or any of the 12 blends (case-insensitive). A blend uses its
    first letter's guidance and adds the second letter's "avoid" bullets and a blend note."""
    blend = normalise_style(style)
    primary = primary_of(blend)
    base = GUIDANCE[primary]
    if len(blend) == 1:
        return base
    secondary = blend[1].upper()
    avoid = base.avoid + tuple(a for a in GUIDANCE[secondary].avoid if a not in base.avoid)
    return StyleGuidance(
        style=blend, primary=primary, secondary=secondary,
        summary=f"{base.summary} {STYLE_NAMES[secondary]} blend: {BLEND_NOTES[blend][0]}.",
        email_length=base.email_length, subject_line=base.subject_line, tone=base.tone,
        call_to_action=base.call_to_action, meeting=base.meeting, emphasise=base.emphasise,
        avoid=avoid, content_formats=base.content_formats, blend_notes=BLEND_NOTES[blend],
    )
