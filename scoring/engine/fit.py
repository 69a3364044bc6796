"""Rule-based fit: how well an account matches the workspace's ICP (DOMAIN.md §1.1).

    fit = round(100 · Σ wᵢ·mᵢ / Σ wᵢ)      mᵢ ∈ {0, 0.5, 1} per criterion

Each criterion's points 100·wᵢ·mᵢ/Σw are its reason, so reasons add up to the fit. A missing
value scores 0 with a reason that says so. A matching disqualifier makes fit 0. Without any
criterion there is no ICP and fit is `None`: the composite then leaves it out.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from scoring.engine.reasons import Reason, settle

EMPLOYEE_BANDS = (1, 11, 51, 201, 1001, 5001)                      # lower bounds (DOMAIN.md §1.1)
REVENUE_BANDS = (0, 1e6, 1e7, 5e7, 2.5e8, 1e9)


@dataclass(frozen=True)
class Criterion:
    kind: str                 # industry | employees | revenue | country | region | technology | attribute
    label: str
    weight: float = 1.0
    config: Mapping[str, Any] = field(default_factory=dict)
    is_disqualifier: bool = False


@dataclass(frozen=True)
class Firmographics:
    industry: str = ""
    employees: int | None = None
    revenue: float | None = None
    country: str = ""
    region: str = ""
    technologies: frozenset[str] = frozenset()     # upper-cased names
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FitResult:
    value: int | None
    reasons: list[Reason]
    disqualified: bool = False


def fit_score(account: Firmographics, criteria: Sequence[Criterion]) -> FitResult:
    for criterion in criteria:
        if criterion.is_disqualifier and _match(account, criterion)[0] == 1:
            return FitResult(0, [Reason(0, f"disqualified: {criterion.label}", "fit")], disqualified=True)
    scoring = [c for c in criteria if not c.is_disqualifier and c.weight > 0]
    if not scoring:
        return FitResult(None, [Reason(0, "fit not scored: no ICP criteria defined", "fit")])
    total_weight = sum(c.weight for c in scoring)
    reasons = []
    for criterion in scoring:
        match, why = _match(account, criterion)
        reasons.append(Reason(100 * criterion.weight * match / total_weight, why, "fit"))
    value = round(sum(r.points for r in reasons))
    return FitResult(value, settle(value, reasons))


def _match(account: Firmographics, criterion: Criterion) -> tuple[float, str]:
    config, label = criterion.config, criterion.label
    if criterion.kind in ("industry", "country", "region"):
        value = getattr(account, criterion.kind) or ""
        if not value:
            return 0.0, f"unknown {criterion.kind} ({label})"
        wanted = {v.casefold() for v in config.get("values", [])}
        adjacent = {v.casefold() for v in config.get("adjacent", [])}
        if value.casefold() in wanted:
            return 1.0, f"{criterion.kind} {value} ({label})"
        if value.casefold() in adjacent:
            return 0.5, f"{criterion.kind} {value} is adjacent ({label})"
        return 0.0, f"{criterion.kind} {value} outside ICP ({label})"
    if criterion.kind in ("employees", "revenue"):
        value = account.employees if criterion.kind == "employees" else account.revenue
        noun = "employee count" if criterion.kind == "employees" else "revenue"
        if value is None:
            return 0.0, f"unknown {noun} ({label})"
        bands = EMPLOYEE_BANDS if criterion.kind == "employees" else REVENUE_BANDS
        low, high = config.get("min"), config.get("max")
        shown = f"{value:,.0f}"
        if (low is None or value >= low) and (high is None or value <= high):
            return 1.0, f"{noun} {shown} in range ({label})"
        if _band_distance(value, low, high, bands) <= 1:
            return 0.5, f"{noun} {shown} one band outside ({label})"
        return 0.0, f"{noun} {shown} outside range ({label})"
    if criterion.kind == "technology":
        wanted = [v.upper() for v in config.get("values", [])]
        present = [v for v in wanted if v in account.technologies]
        k = max(1, int(config.get("k", 1)))
        match = min(1.0, len(present) / k)
        if not present:
            return 0.0, f"none of {', '.join(config.get('values', []))} in use ({label})"
        return match, f"uses {', '.join(p.title() for p in present)} ({label})"
    if criterion.kind == "attribute":
        key = config.get("key", "")
        value = account.attributes.get(key)
        if value in (None, ""):
            return 0.0, f"unknown {key} ({label})"
        return (1.0, f"{key} = {value} ({label})") if _attribute_match(value, config) else \
            (0.0, f"{key} = {value} does not match ({label})")
    raise ValueError(f"unknown criterion kind {criterion.kind!r}")


def _band(value: float, bands: Sequence[float]) -> int:
    return max(0, bisect_right(bands, value) - 1)


def _band_distance(value: float, low, high, bands) -> int:
    band = _band(value, bands)
    low_band = _band(low, bands) if low is not None else 0
    high_band = _band(high, bands) if high is not None else len(bands) - 1
    if band < low_band:
        return low_band - band
    if band > high_band:
        return band - high_band
    return 0 if low_band == high_band else 1   # same band as an end, but outside the exact range


def _attribute_match(value, config) -> bool:
    op, expected = config.get("op", "eq"), config.get("value")
    try:
        if op == "eq":
            return str(value).casefold() == str(expected).casefold()
        if op == "in":
            return str(value).casefold() in {str(v).casefold() for v in expected or []}
        if op == "gte":
            return float(value) >= float(expected)
        if op == "lte":
            return float(value) <= float(expected)
        if op == "true":
            return value in (True, "true", "yes", "1", 1)
    except (TypeError, ValueError):
        return False
    raise ValueError(f"unknown attribute operator {op!r}")
