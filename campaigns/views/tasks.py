"""The rep's task list: the calls, LinkedIn touches and personal e-mails plays asked for — open
ones first, the earliest due first — each with the account, the person and how to approach
them (their DISC guidance); complete or skip with what happened."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from abm_platform.tenancy.roles import SELLERS, Role
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from campaigns.forms import TaskFinishForm
from campaigns.models import SalesTask, TaskStatus
from campaigns.selectors import person_guidance, sales_task_list, sales_task_queryset
from campaigns.services import editing
from campaigns.services.editing import TASK_KINDS
from campaigns.views.display import flat_errors, is_htmx


def task_row(task: SalesTask, *, user, role, now) -> dict:
    return {"task": task, "guidance": person_guidance(task.contact), "kind": TASK_KINDS.get(task.kind, task.kind),
            "overdue": task.status == TaskStatus.OPEN and task.due_at < now,
            "can_finish": task.status == TaskStatus.OPEN and role in SELLERS
            and (role == Role.ADMIN or task.assignee_id in (None, user.pk))}


class TaskListView(WorkspaceView, View):
    template_name = "campaigns/tasks.html"
    paginate_by = 30

    def get(self, request):
        default_who = "mine" if self.role == Role.SALES else "all"
        who = request.GET.get("who", default_who)
        state = request.GET.get("status", TaskStatus.OPEN)
        params = request.GET.copy()
        params.pop("who", None)
        if who == "mine":
            params["assignee"] = "me"
        if state in TaskStatus.values:
            params.setlist("status", [state])
        else:
            params.pop("status", None)
        filterset = sales_task_list(workspace=self.workspace, params=params, request=request)
        tasks = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        page = Paginator(tasks, self.paginate_by).get_page(request.GET.get("page"))
        now = timezone.now()
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, self.template_name, {
            "rows": [task_row(t, user=request.user, role=self.role, now=now) for t in page.object_list],
            "page_obj": page, "is_paginated": page.has_other_pages(), "who": who, "state": state,
            "states": [(TaskStatus.OPEN, "Open"), (TaskStatus.DONE, "Done"), (TaskStatus.SKIPPED, "Skipped"),
                       ("all", "All")],
            "section_tab": "tasks", "finish_form": TaskFinishForm(), "query_string": query.urlencode(),
        })


class TaskFinishView(WorkspaceObjectMixin, View):
    """POST: complete or skip a task with its outcome."""

    model = SalesTask
    write_roles = SELLERS

    def scope_queryset(self, queryset):
        return sales_task_queryset(workspace=self.workspace)

    def get(self, request, pk):
        self.get_object()
        return redirect("campaigns:tasks")

    def post(self, request, pk):
        task = self.get_object()
        form = TaskFinishForm(request.POST)
        error = ""
        if form.is_valid():
            try:
                task = editing.sales_task_finish(task=task, by=request.user, status=form.cleaned_data["status"],
                                                 outcome=form.cleaned_data["outcome"],
                                                 as_manager=self.role == Role.ADMIN)
            except PermissionDenied:
                raise
            except ValidationError as exc:
                error = " ".join(exc.messages)
        else:
            error = "Say what happened: " + " ".join(flat_errors(form))
        if is_htmx(request):
            task = self.get_queryset().get(pk=task.pk)
            return render(request, "campaigns/_task.html", {
                "row": task_row(task, user=request.user, role=self.role, now=timezone.now()),
                "finish_form": form if error else TaskFinishForm(), "error": error, "just_done": not error})
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"“{task.title}” {'done' if task.status == TaskStatus.DONE else 'skipped'}.")
        back = request.POST.get("next", "")
        return redirect(back if back.startswith("/") and not back.startswith("//") else "campaigns:tasks")
