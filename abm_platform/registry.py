"""Extension points of the base layer (DESIGN.md §3.1).

Higher apps register here in their `AppConfig.ready()`; the base renders or runs whatever is
registered, so no lower app ever imports a higher one.

- `nav`: the main navigation entries, in layer order.
- `workspace_setup_steps`: what a new workspace gets (e.g. accounts seeds the default tiers).
- `demo_seed_steps`: what `manage.py seed_demo` creates, run in layer order.
- `panels`: boxes drawn on another app's page, e.g. the account page's buying group or scores.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    order: int
    section: str  # the URL namespace / app label, used to mark the active entry


@dataclass(frozen=True)
class Step:
    name: str
    order: int
    run: Callable


@dataclass(frozen=True)
class Panel:
    name: str
    order: int
    template: str
    context: Callable  # (request, obj) -> dict


class Registry:
    def __init__(self) -> None:
        self.nav: list[NavItem] = []
        self.workspace_setup_steps: list[Step] = []
        self.demo_seed_steps: list[Step] = []
        self.panels: dict[str, list[Panel]] = defaultdict(list)

    def add_nav(self, item: NavItem) -> None:
        self.nav = sorted([n for n in self.nav if n.url_name != item.url_name] + [item], key=lambda n: n.order)

    def add_workspace_setup_step(self, step: Step) -> None:
        self.workspace_setup_steps = _replace_step(self.workspace_setup_steps, step)

    def add_demo_seed_step(self, step: Step) -> None:
        self.demo_seed_steps = _replace_step(self.demo_seed_steps, step)

    def add_panel(self, page: str, panel: Panel) -> None:
        panels = [p for p in self.panels[page] if p.name != panel.name] + [panel]
        self.panels[page] = sorted(panels, key=lambda p: p.order)


def _replace_step(steps: list[Step], step: Step) -> list[Step]:
    return sorted([s for s in steps if s.name != step.name] + [step], key=lambda s: s.order)


registry = Registry()
