"""Boxes the signals layer draws on other apps' pages (registered in insights/apps.py): the
account page's "Trigger events" and "Recent signals", the contact page's recent engagement,
and the dashboard's signal counts. A fixed number of queries each."""
from insights.signals.selectors import (
    account_recent_signals, account_trigger_events, contact_recent_engagement, signals_overview,
)


def _workspace(request):
    return request.workspace_context.workspace


def trigger_events_panel(request, account) -> dict:
    return {"account": account, "events": account_trigger_events(workspace=_workspace(request), account_id=account.pk)}


def recent_signals_panel(request, account) -> dict:
    signals = account_recent_signals(workspace=_workspace(request), account_id=account.pk)
    return {"account": account, "signals": signals}


def contact_engagement_panel(request, contact) -> dict:
    return {"contact": contact,
            "events": contact_recent_engagement(workspace=_workspace(request), contact_id=contact.pk)}


def dashboard_panel(request, workspace) -> dict:
    return {"overview": signals_overview(workspace=workspace)}
