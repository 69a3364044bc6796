"""Sales tasks: a call, LinkedIn touch or personal e-mail put on the rep's task list, assigned
by the step's rule to the account owner or SDR (falling back to the other one)."""
from __future__ import annotations

from campaigns.channels.base import Delivered
from campaigns.models import AssigneeRule, SalesTask

KIND_WORDS = {"call": "Call", "linkedin": "LinkedIn touch with", "email": "Personal e-mail to"}


class SalesTaskChannel:
    def deliver(self, touch) -> Delivered:
        account, step = touch.account, touch.step
        first, second = (account.sdr_id, account.owner_id) if step.assignee_rule == AssigneeRule.SDR else \
            (account.owner_id, account.sdr_id)
        kind = step.task_kind or "call"
        who = touch.contact.first_name + " " + touch.contact.last_name if touch.contact_id else account.name
        task, _ = SalesTask.objects.for_workspace(touch.workspace_id).get_or_create(
            touch=touch, defaults={"assignee_id": first or second, "account": account, "contact": touch.contact,
                                   "kind": kind, "title": f"{KIND_WORDS.get(kind, kind)} {who.strip()} ({account.name})",
                                   "due_at": touch.planned_at})
        return Delivered(provider_id=f"task:{task.pk}")
