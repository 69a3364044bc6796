"""Reasons: signed points with a readable text. Every score is the exact sum of its reasons."""
from __future__ import annotations

from typing import NamedTuple


class Reason(NamedTuple):
    """Immutable; a named tuple because a recompute makes millions of them."""

    points: float
    text: str
    component: str = ""

    def as_dict(self) -> dict:
        return {"points": self.points, "text": self.text, "component": self.component}

    def scaled(self, factor: float, component: str | None = None) -> "Reason":
        return Reason(self.points * factor, self.text, component or self.component)


def settle(total: int, reasons: list[Reason]) -> list[Reason]:
    """Round each reason to whole points so that they add up to `total` exactly.

    Largest-remainder rounding, then any residue (from a total that was itself rounded) goes
    to the largest reason; with no reason to carry it, a plain line is added. Zero-point
    reasons are kept (they say what is unknown or missing), after the scoring ones."""
    if not reasons:
        return [Reason(total, "no contributing factors", "")] if total else []
    floors = [int(r.points // 1) for r in reasons]
    remainders = [r.points - f for r, f in zip(reasons, floors)]
    missing = total - sum(floors)
    order = sorted(range(len(reasons)), key=lambda i: remainders[i], reverse=True)
    points = list(floors)
    for i in order[:max(0, min(missing, len(reasons)))]:
        points[i] += 1
    residue = total - sum(points)
    if residue:
        largest = max(range(len(reasons)), key=lambda i: abs(reasons[i].points))
        points[largest] += residue
    settled = [Reason(p, r.text, r.component) for p, r in zip(points, reasons)]
    return sorted(settled, key=lambda r: (r.points == 0, -abs(r.points)))


def render(reason: Reason | dict) -> str:
    """'+18 intent surge on …' / '−10 no decision maker known' / '0 unknown employee count'."""
    points = reason["points"] if isinstance(reason, dict) else reason.points
    text = reason["text"] if isinstance(reason, dict) else reason.text
    sign = "+" if points > 0 else "−" if points < 0 else "±"
    return f"{sign}{abs(int(points))} {text}"
