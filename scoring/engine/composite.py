"""The combined account score (DOMAIN.md §1.6) and the contact score and its roll-up.

    base  = Σ_k W_k · C_k over the components that have a value (weights renormalised to Σ = 1:
            no validated model → no predictive; no ICP → no fit)
    score = clip(round(base + adjustments), 0, 100)
    gate  : fit == 0 (disqualified) → 0 ; fit < 20 → score ≤ fit

Reasons: each component reason times its weight, the adjustments as they are, and one line
for whatever the clip or the gate took away, so that Σ reasons == score exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from scoring.engine.reasons import Reason, settle

COMPONENT_NAMES = {"fit": "fit", "intent": "intent", "engagement": "engagement", "predictive": "predictive"}


@dataclass(frozen=True)
class Component:
    value: int | None            # None: not available (left out, weights renormalised)
    reasons: Sequence[Reason]


@dataclass(frozen=True)
class CompositeResult:
    score: int
    reasons: list[Reason]
    weights_used: dict[str, float]


def effective_weights(weights: Mapping[str, float], available: set[str]) -> dict[str, float]:
    usable = {k: w for k, w in weights.items() if k in available and w > 0}
    total = sum(usable.values())
    if total <= 0:
        return {}
    return {k: w / total for k, w in usable.items()}


def composite_score(components: Mapping[str, Component], weights: Mapping[str, float], *,
                    adjustments: Sequence[Reason] = (), fit_gate: bool = True) -> CompositeResult:
    used = effective_weights(weights, {k for k, c in components.items() if c.value is not None})
    reasons: list[Reason] = []
    for name, weight in used.items():
        component = components[name]
        component_reasons = [r for r in component.reasons if r.points] or \
            [Reason(component.value, f"{name} score {component.value}", name)]
        reasons.extend(r.scaled(weight, name) for r in component_reasons)
    reasons.extend(adjustments)
    raw = sum(r.points for r in reasons)
    score = max(0, min(100, round(raw)))
    fit = components.get("fit")
    if fit_gate and fit is not None and fit.value is not None:
        if fit.value == 0:
            score = 0
        elif fit.value < 20:
            score = min(score, fit.value)
    if score != round(raw):
        why = "disqualified by ICP" if fit and fit.value == 0 else \
            "capped: poor ICP fit" if fit and fit.value is not None and fit.value < 20 and score < round(raw) else \
            "kept within 0–100"
        reasons.append(Reason(score - raw, why, "cap"))
    return CompositeResult(score, settle(score, reasons), used)


# --- contacts ------------------------------------------------------------------------------------

SENIORITY_FIT = {"c_level": 100, "vp": 85, "director": 70, "manager": 50, "practitioner": 30}
ROLE_FIT = {"decision_maker": 100, "economic_buyer": 100, "champion": 85, "technical_evaluator": 80,
            "influencer": 60, "coach": 60, "user": 45, "procurement": 45, "gatekeeper": 20, "blocker": 10}
SENIORITY_WORDS = {"c_level": "C-level", "vp": "VP", "director": "Director/Head", "manager": "Manager",
                   "practitioner": "Practitioner"}


def contact_fit(seniority: str, roles: Sequence[str], has_persona: bool) -> tuple[int, str]:
    """Persona fit of a person: the mean of seniority fit and best role fit, +10 when a workspace
    persona matches (capped at 100). Unknown seniority and no role → 0, said as such."""
    parts, words = [], []
    if seniority in SENIORITY_FIT:
        parts.append(SENIORITY_FIT[seniority])
        words.append(SENIORITY_WORDS[seniority])
    role_values = [ROLE_FIT.get(r, 30) for r in roles]
    if role_values:
        best = max(roles, key=lambda r: ROLE_FIT.get(r, 30))
        parts.append(max(role_values))
        words.append(best.replace("_", " "))
    value = round(sum(parts) / len(parts)) if parts else 0
    if has_persona:
        value = min(100, value + 10)
        words.append("matches a persona")
    return value, ", ".join(words) if words else "unknown seniority and role"


def contact_score(*, fit: int, fit_words: str, engagement: int, weights: tuple[float, float]) -> tuple[int, list[Reason]]:
    w_fit, w_eng = weights
    total = (w_fit + w_eng) or 1.0
    reasons = [Reason(fit * w_fit / total, f"persona fit: {fit_words}", "fit"),
               Reason(engagement * w_eng / total, f"own engagement {engagement}/100", "engagement")]
    score = round(sum(r.points for r in reasons))
    return score, settle(score, reasons)


def contact_rollup(scores: Sequence[int]) -> int | None:
    """(s1 + 0.5·s2 + 0.25·s3) / 1.75 over the three best contacts (DOMAIN.md §1.6)."""
    best = sorted(scores, reverse=True)[:3]
    if not best:
        return None
    factors = (1.0, 0.5, 0.25)
    return round(sum(s * f for s, f in zip(best, factors)) / 1.75)
