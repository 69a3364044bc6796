"""Target-list workflow pages (nominate, review, approve). Included by accounts/urls.py.

The list of lists creates lists; the detail page shows everything and nominates; every other
step is a small POST view that calls one service and comes back to the detail page with a
message (the error in plain words when the step is not possible now)."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views import View
from django.views.generic import DetailView, ListView

from abm_platform.tenancy.roles import ANY_ROLE, APPROVERS
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from accounts.forms_target_lists import (
    CommentForm, DecisionForm, FeedbackForm, NominationForm, PilotForm, TargetListFilter, TargetListForm,
)
from accounts.models import NominationFeedback, NominationStatus, TargetList, TargetListNomination, TargetListStatus
from accounts.services.target_lists import (
    LIST_MANAGERS, MAX_PILOTS, MIN_PILOTS, NOMINATORS, PILOT_STATUSES, REVIEWERS, TargetListStep, accounts_to_nominate,
    nomination_approve, nomination_give_feedback, nomination_reject, nomination_set_pilot, nomination_withdraw,
    nominations_with_feedback, target_list_approve_all, target_list_create, target_list_events, target_list_nominate,
    target_list_reject_all, target_list_reopen, target_list_submit, target_lists_with_counts,
)

TIMELINE_LENGTH = 100
STEP_LABELS = dict(TargetListStep.choices)


class TargetListListView(WorkspaceView, ListView):
    """Every target list with its state and counts; marketing starts new ones here."""

    model = TargetList
    template_name = "accounts/target_lists/list.html"
    paginate_by = 25
    read_roles = ANY_ROLE
    write_roles = LIST_MANAGERS

    def scope_queryset(self, queryset):
        self.filterset = TargetListFilter(self.request.GET, queryset=target_lists_with_counts(queryset))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["can_manage"] = self.can(LIST_MANAGERS)
        context.setdefault("form", TargetListForm())
        context["statuses"] = TargetListStatus.choices
        return context

    def post(self, request):
        form = TargetListForm(request.POST)
        if form.is_valid():
            try:
                target_list = target_list_create(workspace=self.workspace, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"“{target_list}” is open for nominations.")
                return redirect("accounts:target_list_detail", pk=target_list.pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


class TargetListDetailView(WorkspaceObjectMixin, DetailView):
    """One list: its nominations grouped by state with rationale, feedback, pilot and tier; the
    forms each role may use now; the timeline. POST nominates an account."""

    model = TargetList
    template_name = "accounts/target_lists/detail.html"
    context_object_name = "target_list"
    read_roles = ANY_ROLE
    write_roles = NOMINATORS

    def scope_queryset(self, queryset):
        return target_lists_with_counts(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target_list = self.object
        nominations = list(nominations_with_feedback(
            TargetListNomination.objects.for_workspace(self.workspace).filter(target_list=target_list),
            workspace=self.workspace))
        is_open = target_list.status == TargetListStatus.OPEN
        in_review = target_list.status == TargetListStatus.IN_REVIEW
        pilot_full = sum(n.is_pilot for n in nominations) >= MAX_PILOTS
        for nomination in nominations:
            _describe(nomination, user=self.request.user, view=self, is_open=is_open, in_review=in_review,
                      pilot_full=pilot_full)
        groups = [(status, label, [n for n in nominations if n.status == status])
                  for status, label in NominationStatus.choices]
        events = target_list_events(target_list=target_list, limit=TIMELINE_LENGTH)
        for event in events:
            event.label = STEP_LABELS.get(event.action, event.action)
        can_nominate = self.can(NOMINATORS) and is_open
        context.update(
            # The empty "Proposed" group stays while the list is open: it says how to start.
            groups=[g for g in groups if g[2] or (is_open and g[0] == NominationStatus.PROPOSED)],
            pilots=[n for n in nominations if n.is_pilot],
            max_pilots=MAX_PILOTS, min_pilots=MIN_PILOTS,
            events=events, events_truncated=len(events) == TIMELINE_LENGTH,
            is_open=is_open, in_review=in_review, is_decided=target_list.status == TargetListStatus.DECIDED,
            can_manage=self.can(LIST_MANAGERS), can_nominate=can_nominate, can_approve=self.can(APPROVERS),
        )
        if can_nominate:
            context.setdefault("form", NominationForm(workspace=self.workspace))
            context["account_choices"] = accounts_to_nominate(target_list=target_list)
        return context

    def post(self, request, pk):
        self.object = self.get_object()
        form = NominationForm(request.POST, workspace=self.workspace)
        if form.is_valid():
            try:
                nomination = target_list_nominate(target_list=self.object, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"{nomination.account} nominated.")
                return redirect(_anchor(nomination))
        messages.error(request, "The nomination was not saved: see the form below.")
        return self.render_to_response(self.get_context_data(form=form))


def _describe(nomination: TargetListNomination, *, user, view: WorkspaceView, is_open: bool, in_review: bool,
              pilot_full: bool) -> None:
    """What the page shows about a nomination and which forms this person gets on it, from the
    prefetched feedback (no queries). The services check the same rules again."""
    feedback = list(nomination.feedback.all())
    nomination.endorsements = [f for f in feedback if f.kind == NominationFeedback.Kind.ENDORSE]
    nomination.objections = [f for f in feedback if f.kind == NominationFeedback.Kind.OBJECT]
    nomination.my_feedback = next((f for f in feedback if f.author_id == user.pk), None)
    nomination.is_mine = nomination.nominated_by_id == user.pk
    proposed = nomination.status == NominationStatus.PROPOSED
    approving = in_review and view.can(APPROVERS)
    nomination.can_decide = proposed and approving
    # While the list is in review, approvers decide rather than endorse.
    nomination.can_give_feedback = (proposed and (is_open or in_review) and not approving and not nomination.is_mine
                                    and view.can(REVIEWERS))
    nomination.can_withdraw = proposed and is_open and nomination.is_mine
    nomination.can_toggle_pilot = view.can(LIST_MANAGERS) and (
        nomination.is_pilot or (nomination.status in PILOT_STATUSES and not pilot_full))
    nomination.has_actions = (nomination.can_decide or nomination.can_give_feedback or nomination.can_withdraw
                              or nomination.can_toggle_pilot)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _anchor(nomination: TargetListNomination) -> str:
    url = reverse("accounts:target_list_detail", kwargs={"pk": nomination.target_list_id})
    return f"{url}#nomination-{nomination.pk}"


class _Step(WorkspaceObjectMixin, View):
    """A POST-only workflow step on one object: parse the form, call the service, go back to the
    list with a message saying what happened or why it could not."""

    form_class = CommentForm

    def post(self, request, pk):
        obj = self.get_object()
        form = self.form_class(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        else:
            try:
                messages.success(request, self.perform(obj, **form.cleaned_data))
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                messages.error(request, text)
        return redirect(self.back_to(obj))

    def perform(self, obj, **data) -> str:
        raise NotImplementedError

    def back_to(self, obj) -> str:
        if isinstance(obj, TargetListNomination):
            return _anchor(obj)
        return reverse("accounts:target_list_detail", kwargs={"pk": obj.pk})


class TargetListSubmitView(_Step):
    model = TargetList
    write_roles = LIST_MANAGERS

    def perform(self, target_list, comment):
        target_list_submit(target_list=target_list, by=self.request.user, comment=comment)
        return f"“{target_list}” is submitted: approvers can now decide."


class TargetListReopenView(_Step):
    model = TargetList
    write_roles = LIST_MANAGERS

    def perform(self, target_list, comment):
        target_list_reopen(target_list=target_list, by=self.request.user, comment=comment)
        return f"“{target_list}” is open again for more nominations."


class TargetListDecideView(_Step):
    """Approve or reject everything still proposed."""

    model = TargetList
    write_roles = APPROVERS
    form_class = DecisionForm

    def perform(self, target_list, decision, comment):
        decide = target_list_approve_all if decision == "approve" else target_list_reject_all
        count = decide(target_list=target_list, by=self.request.user, comment=comment)
        verb = "approved" if decision == "approve" else "rejected"
        return f"{count} nomination{'s' if count != 1 else ''} {verb}: the list is decided."


class NominationFeedbackView(_Step):
    model = TargetListNomination
    write_roles = REVIEWERS
    form_class = FeedbackForm

    def perform(self, nomination, kind, comment):
        nomination_give_feedback(nomination=nomination, by=self.request.user, kind=kind, comment=comment)
        verb = "endorsed" if kind == NominationFeedback.Kind.ENDORSE else "objected to"
        return f"You {verb} {nomination.account}."


class NominationWithdrawView(_Step):
    model = TargetListNomination
    write_roles = NOMINATORS

    def perform(self, nomination, comment):
        nomination_withdraw(nomination=nomination, by=self.request.user, comment=comment)
        return f"Your nomination of {nomination.account} is withdrawn."


class NominationPilotView(_Step):
    model = TargetListNomination
    write_roles = LIST_MANAGERS
    form_class = PilotForm

    def perform(self, nomination, is_pilot):
        nomination_set_pilot(nomination=nomination, by=self.request.user, is_pilot=is_pilot)
        return f"{nomination.account} is {'in' if is_pilot else 'out of'} the pilot."


class NominationDecideView(_Step):
    model = TargetListNomination
    write_roles = APPROVERS
    form_class = DecisionForm

    def perform(self, nomination, decision, comment):
        decide = nomination_approve if decision == "approve" else nomination_reject
        decide(nomination=nomination, by=self.request.user, comment=comment)
        if decision == "approve":
            return f"{nomination.account} approved: it is now a target account."
        return f"{nomination.account} rejected."


urlpatterns = [
    path("target-lists/", TargetListListView.as_view(), name="target_lists"),
    path("target-lists/<int:pk>/", TargetListDetailView.as_view(), name="target_list_detail"),
    path("target-lists/<int:pk>/submit/", TargetListSubmitView.as_view(), name="target_list_submit"),
    path("target-lists/<int:pk>/reopen/", TargetListReopenView.as_view(), name="target_list_reopen"),
    path("target-lists/<int:pk>/decide/", TargetListDecideView.as_view(), name="target_list_decide"),
    path("target-lists/nominations/<int:pk>/feedback/", NominationFeedbackView.as_view(), name="nomination_feedback"),
    path("target-lists/nominations/<int:pk>/withdraw/", NominationWithdrawView.as_view(), name="nomination_withdraw"),
    path("target-lists/nominations/<int:pk>/pilot/", NominationPilotView.as_view(), name="nomination_pilot"),
    path("target-lists/nominations/<int:pk>/decide/", NominationDecideView.as_view(), name="nomination_decide"),
]
