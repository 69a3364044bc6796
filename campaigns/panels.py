"""Panels the campaigns layer draws on lower pages (registered in campaigns/apps.py): the
"Touches" timeline of an account (and of a person) — what was sent, what is waiting, and what the
suppression engine blocked, with its reason — and the open sales tasks on the account."""
from __future__ import annotations

from django.utils import timezone

from campaigns.models import SalesTask, TaskStatus, Touch, TouchStatus
from campaigns.selectors import account_touches, contact_touches
from campaigns.services.reports import NO_ONE_FITS, block_label

LIMIT = 20


def _rows(touches) -> list[dict]:
    return [{"touch": t, "when": t.sent_at or t.planned_at, "blocked": t.status == TouchStatus.BLOCKED,
             "reason": block_label(t.block_code) if t.block_code else "",
             # The engine's own sentence, unless it only repeats the label (coverage gaps).
             "detail": "" if t.block_code == NO_ONE_FITS else t.block_reason,
             "who": (f"{t.contact.first_name} {t.contact.last_name}".strip() or t.contact.email) if t.contact else ""}
            for t in touches]


def account_touches_panel(request, account) -> dict:
    workspace = request.workspace_context.workspace
    touches = account_touches(workspace=workspace, account=account, limit=LIMIT)
    scoped = Touch.objects.for_workspace(workspace).filter(account=account)
    return {
        "account": account, "rows": _rows(touches), "limit": LIMIT,
        "total": scoped.count() if len(touches) >= LIMIT else len(touches),
        "open_tasks": list(SalesTask.objects.for_workspace(workspace).filter(account=account, status=TaskStatus.OPEN)
                           .select_related("assignee", "contact").order_by("due_at")[:3]),
        "open_task_count": SalesTask.objects.for_workspace(workspace).filter(account=account,
                                                                             status=TaskStatus.OPEN).count(),
        "now": timezone.now(),
    }


def contact_touches_panel(request, contact) -> dict:
    workspace = request.workspace_context.workspace
    return {"contact": contact, "rows": _rows(contact_touches(workspace=workspace, contact=contact)),
            "now": timezone.now()}
