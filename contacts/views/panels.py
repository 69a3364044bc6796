"""The buying-group map drawn on the account page (registered in contacts/apps.py): the account's
people by buying-group role and seniority, the coverage of the roles its tier expects, and the
gaps. One query (the people, with their personas) whatever their number."""
from contacts.engine import titles as title_engine
from contacts.engine.personas import DEFAULT_ROLE_IMPORTANCE
from contacts.selectors import buying_group
from contacts.views.display import decorate

UNKNOWN = ""
BLOCKER = title_engine.ROLE_BLOCKER
# A missing role this important is a red gap; a lesser one is amber.
CRITICAL_IMPORTANCE = 3


def buying_group_panel(request, account) -> dict:
    workspace = request.workspace_context.workspace
    try:
        group = buying_group(workspace=workspace, account=account)
    except ValueError as error:  # e.g. a tier that "expects" a blocker: say so instead of failing the page
        return {"account": account, "error": str(error)}
    people = [decorate(p) for p in group["people"]]
    coverage = group["coverage"]
    expected = group["expected_roles"]
    columns = [(code, title_engine.SENIORITY_LABELS[code]) for code in title_engine.SENIORITIES]
    if any(not p.seniority for p in people):
        columns.append((UNKNOWN, "Seniority unknown"))

    def row(role: str | None, label: str, state: str) -> dict:
        holders = [p for p in people if (role in p.roles if role else not p.roles)]
        cells = [[p for p in holders if (p.seniority or UNKNOWN) == code] for code, _ in columns]
        return {"role": role or "", "label": label, "state": state, "cells": cells, "count": len(holders)}

    rows = []
    for role in expected:
        if role in coverage.filled:
            rows.append(row(role, _label(role), "filled"))
        else:
            critical = DEFAULT_ROLE_IMPORTANCE.get(role, 1) >= CRITICAL_IMPORTANCE
            rows.append(row(role, _label(role), "missing-critical" if critical else "missing"))
    for role in title_engine.ROLES:
        if role in coverage.other_roles:
            rows.append(row(role, _label(role), "other"))
    if coverage.blockers:
        rows.append(row(BLOCKER, _label(BLOCKER), "blocker"))
    if any(not p.roles for p in people):
        rows.append(row(None, "No role yet", "unassigned"))
    return {
        "account": account,
        "people": people,
        "columns": columns,
        "rows": rows,
        "ratio": coverage.ratio,
        "percent": round(coverage.ratio * 100),
        "missing": [(r, _label(r), DEFAULT_ROLE_IMPORTANCE.get(r, 1) >= CRITICAL_IMPORTANCE) for r in coverage.missing],
        "expected_count": len(expected),
        "filled_count": len(coverage.filled),
        "blocker_count": len(coverage.blockers),
        "has_tier": account.tier_id is not None,
        "engagement_scored": group["engagement_scored"],
        "engaged_count": len(group["engaged_ids"]),
        "engaged_percent": round((coverage.engaged_ratio or 0) * 100),
    }


def _label(role: str) -> str:
    return title_engine.ROLE_LABELS.get(role, role)
