"""Persona assignment rules and buying-group coverage.

DOMAIN.md §3.3–3.4. A persona rule looks at a contact's title, department and seniority; the
first matching persona by priority is assigned (lower ``priority`` first, as the Persona model
orders them; ties keep the given order). Coverage uses the §3.3 PROPOSAL formula:

    known_coverage = Σ_{r∈R} v_r · [≥1 contact with role r] / Σ_{r∈R} v_r

with importances v_r (decision_maker 3, economic_buyer 3, champion 3, technical_evaluator 2,
user 1, procurement 1, influencer 1; any other role 1), and the same sum over engaged contacts
for ``engaged_ratio``.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Optional

from contacts.engine.titles import (
    ROLE_BLOCKER,
    ROLES,
    SENIORITIES,
    SENIORITY_C_LEVEL,
    SENIORITY_LABELS,
    SENIORITY_VP,
    normalise_title,
)

MATCH_ALL = "all"   # every criterion the persona sets must hold
MATCH_ANY = "any"   # one of them is enough
MATCH_MODES = (MATCH_ALL, MATCH_ANY)

NO_PERSONA = "no persona matched"

_LATIN = re.compile(r"[a-z0-9]")


def _keyword_regex(keyword: str) -> re.Pattern[str]:
    """Whole words by default; ``*`` at either end allows a longer word there
    ("logist*" finds "Logistics", "*einkauf*" finds "Einkaufsleiter"). A boundary only applies
    at a Latin edge, so Chinese keywords are found inside Chinese titles."""
    raw = keyword.strip()
    open_left, open_right = raw.startswith("*"), raw.endswith("*")
    text = normalise_title(raw.strip("*"))
    if not text:
        raise ValueError(f"empty persona keyword {keyword!r}")
    left = "" if open_left or not _LATIN.match(text[0]) else "(?<![a-z0-9])"
    right = "" if open_right or not _LATIN.match(text[-1]) else "(?![a-z0-9])"
    return re.compile(left + re.escape(text) + right)


def _as_tuple(value: Iterable[str] | str) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True)
class PersonaRule:
    """How a workspace persona recognises its contacts (DOMAIN.md §3.3 Demandbase-style rules).

    Criteria left empty are not used. With ``match_mode="all"`` every used criterion must hold;
    with ``"any"`` one is enough. An exclude keyword in the title always vetoes. A persona with
    no criterion at all never matches automatically (assign it by hand)."""

    id: Hashable
    name: str
    title_keywords: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    seniorities: tuple[str, ...] = ()
    priority: int = 100
    title_keywords_exclude: tuple[str, ...] = ()
    match_mode: str = MATCH_ALL
    _include: tuple[tuple[str, re.Pattern[str]], ...] = field(init=False, repr=False, compare=False)
    _exclude: tuple[tuple[str, re.Pattern[str]], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("title_keywords", "departments", "seniorities", "title_keywords_exclude"):
            object.__setattr__(self, name, tuple(v for v in _as_tuple(getattr(self, name)) if str(v).strip()))
        object.__setattr__(self, "departments", tuple(d.strip().lower() for d in self.departments))
        if self.match_mode not in MATCH_MODES:
            raise ValueError(f"persona {self.name!r}: match mode must be one of {', '.join(MATCH_MODES)}, "
                             f"got {self.match_mode!r}")
        unknown = [s for s in self.seniorities if s not in SENIORITIES]
        if unknown:
            raise ValueError(f"persona {self.name!r}: unknown seniority {', '.join(unknown)}; "
                             f"expected {', '.join(SENIORITIES)}")
        object.__setattr__(self, "_include", tuple((k, _keyword_regex(k)) for k in self.title_keywords))
        object.__setattr__(self, "_exclude", tuple((k, _keyword_regex(k)) for k in self.title_keywords_exclude))

    @property
    def has_criteria(self) -> bool:
        return bool(self.title_keywords or self.departments or self.seniorities)

    def explain(self, title: str, department: Optional[str], seniority: Optional[str]) -> Optional[str]:
        """Why this persona fits the contact, or None when it does not."""
        if not self.has_criteria:
            return None
        text = normalise_title(title or "")
        vetoed = next((k for k, p in self._exclude if p.search(text)), None)
        if vetoed is not None:
            return None
        checks: list[tuple[bool, str]] = []
        if self.title_keywords:
            hit = next((k for k, p in self._include if p.search(text)), None)
            checks.append((hit is not None, f"title keyword '{hit}'"))
        if self.departments:
            dept = (department or "").strip().lower()
            checks.append((dept in self.departments, f"department {dept}"))
        if self.seniorities:
            checks.append((seniority in self.seniorities, f"seniority {SENIORITY_LABELS.get(seniority or '', '')}"))
        held = [why for ok, why in checks if ok]
        fits = len(held) == len(checks) if self.match_mode == MATCH_ALL else bool(held)
        return ", ".join(held) if fits else None


PersonaSpec = PersonaRule  # the name used in the brief


def matching_personas(title: str, department: Optional[str], seniority: Optional[str],
                      personas: Sequence[PersonaRule]) -> list[tuple[Hashable, str]]:
    """Every persona the contact fits, in priority order, each with its reason
    (a person may match several personas, DOMAIN.md §3.3)."""
    ordered = sorted(enumerate(personas), key=lambda pair: (pair[1].priority, pair[0]))
    found = []
    for _, persona in ordered:
        why = persona.explain(title, department, seniority)
        if why is not None:
            found.append((persona.id, f"persona '{persona.name}' (priority {persona.priority}): {why}"))
    return found


def assign_persona(title: str, department: Optional[str], seniority: Optional[str],
                   personas: Sequence[PersonaRule]) -> tuple[Optional[Hashable], str]:
    """The first persona (lowest priority number) whose rule fits, and why; (None, reason) if none."""
    found = matching_personas(title, department, seniority, personas)
    if not found:
        return None, f"{NO_PERSONA} (of {len(personas)})"
    persona_id, reason = found[0]
    others = len(found) - 1
    if others:
        reason += f"; {others} lower-priority persona(s) also fit"
    return persona_id, reason


# --- coverage ------------------------------------------------------------------------------------

DEFAULT_ROLE_IMPORTANCE: Mapping[str, float] = MappingProxyType({
    "decision_maker": 3, "economic_buyer": 3, "champion": 3, "technical_evaluator": 2,
    "user": 1, "procurement": 1, "influencer": 1,
})
OTHER_ROLE_IMPORTANCE = 1


@dataclass(frozen=True)
class Coverage:
    """Buying-group coverage of one account against the roles its tier expects.

    ``filled``: expected role → contact ids holding it (expected roles with nobody are left
    out and listed in ``missing``, in the expected order). ``ratio`` is the importance-weighted
    known coverage; ``engaged_ratio`` the same over engaged contacts (None when not asked).
    ``other_roles`` are roles held but not expected; ``blockers`` are shown apart."""

    filled: dict[str, list[Hashable]]
    missing: list[str]
    ratio: float
    engaged_ratio: Optional[float] = None
    other_roles: dict[str, list[Hashable]] = field(default_factory=dict)
    blockers: list[Hashable] = field(default_factory=list)


def _check_role(role: str, where: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown buying-group role {role!r} in {where}; expected one of {', '.join(ROLES)}")


def coverage(expected_roles: Sequence[str], people: Sequence[tuple[Hashable, Iterable[str]]], *,
             importance: Mapping[str, float] = DEFAULT_ROLE_IMPORTANCE,
             engaged_contact_ids: Optional[Collection[Hashable]] = None) -> Coverage:
    """Which expected roles are filled and by whom, which are missing, and the weighted ratio.

    No expected roles → ratio 1.0 (nothing is missing). ``blocker`` cannot be expected.
    """
    expected = list(dict.fromkeys(expected_roles))
    for role in expected:
        _check_role(role, "expected roles")
        if role == ROLE_BLOCKER:
            raise ValueError("'blocker' cannot be an expected role")
    holders: dict[str, list[Hashable]] = {}
    for contact_id, roles in people:
        for role in _as_tuple(roles):
            _check_role(role, f"contact {contact_id!r}")
            ids = holders.setdefault(role, [])
            if contact_id not in ids:
                ids.append(contact_id)

    def weight(role: str) -> float:
        value = importance.get(role, OTHER_ROLE_IMPORTANCE)
        if value < 0:
            raise ValueError(f"importance of {role!r} must not be negative")
        return value

    def weighted(filled_roles: Iterable[str]) -> float:
        total = sum(weight(r) for r in expected)
        if total == 0:
            return 1.0
        return round(sum(weight(r) for r in filled_roles) / total, 4)

    filled = {r: holders[r] for r in expected if holders.get(r)}
    missing = [r for r in expected if r not in filled]
    engaged_ratio = None
    if engaged_contact_ids is not None:
        engaged = set(engaged_contact_ids)
        engaged_ratio = weighted(r for r in filled if any(c in engaged for c in filled[r]))
    return Coverage(
        filled=filled,
        missing=missing,
        ratio=weighted(filled),
        engaged_ratio=engaged_ratio,
        other_roles={r: ids for r, ids in holders.items() if r not in expected and r != ROLE_BLOCKER},
        blockers=list(holders.get(ROLE_BLOCKER, [])),
    )


def seniority_mix(seniorities: Iterable[Optional[str]]) -> float:
    """DOMAIN.md §3.3: distinct seniority levels among known members / 4, where C-level and VP
    count as one level (C-level/VP, Director/Head, Manager, Practitioner)."""
    levels = {SENIORITY_C_LEVEL if s == SENIORITY_VP else s for s in seniorities if s in SENIORITIES}
    return len(levels) / 4
