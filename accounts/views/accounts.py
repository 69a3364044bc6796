"""Account pages: the filtered list with bulk actions, and the account page."""
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.views import View
from django.views.generic import DetailView, ListView

from abm_platform.registry import registry
from abm_platform.tenancy.roles import EDITORS, MARKETERS, SELLERS
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from accounts.forms import AccountBulkForm, HoldForm, PlanForm, PlanStepForm, SegmentForm
from accounts.models import (
    Account, AccountGroup, AccountIdentifier, Hold, Opportunity, Segment, SegmentKind,
    TargetListNomination, Tier, TierChange,
)
from accounts.selectors import account_list, account_queryset
from accounts.services.holds import active_holds_q, hold_place, hold_release
from accounts.services.plans import account_plan_mark_reviewed, account_plan_save, plan_step_add, plan_step_complete
from accounts.services.segments import segment_create, segment_add_accounts
from accounts.services.tiers import accounts_set_tier

SORTABLE = [("name", "Name"), ("employees", "Employees"), ("annual_revenue", "Revenue"), ("country", "Country"),
            ("updated_at", "Updated")]


class AccountListView(WorkspaceView, ListView):
    """Filters, search, sort and pagination come from the shared AccountFilter."""

    model = Account
    template_name = "accounts/list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = account_list(workspace=self.workspace, params=self.request.GET, user=self.request.user)
        if not self.filterset.is_valid():
            return Account.objects.for_workspace(self.workspace).none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        filters_in_use = {k: v for k, v in self.request.GET.items() if k not in ("page", "ordering") and v}
        context.update(
            filter=self.filterset,
            filters_json=json.dumps(filters_in_use),
            tiers=Tier.objects.for_workspace(self.workspace),
            groups=AccountGroup.objects.for_workspace(self.workspace),
            segments=Segment.objects.for_workspace(self.workspace),
            static_segments=Segment.objects.for_workspace(self.workspace).filter(kind=SegmentKind.STATIC),
            query_string=params.urlencode(),
            sortable=SORTABLE,
            ordering=self.request.GET.get("ordering", "name"),
            has_filters=any(v for k, v in self.request.GET.items() if k not in ("page", "ordering")),
            any_accounts=Account.objects.for_workspace(self.workspace).exists(),
            can_bulk=self.can(EDITORS),
            can_set_tier=self.can(MARKETERS),
            can_segment=self.can(MARKETERS),
        )
        return context


class AccountBulkView(WorkspaceView, View):
    """Bulk actions on the selected accounts: set tier, add to a static segment."""

    write_roles = EDITORS

    def post(self, request):
        form = AccountBulkForm(request.POST, workspace=self.workspace)
        back = request.POST.get("next") or "/accounts/"
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return redirect(back)
        ids = form.cleaned_data["account_ids"]
        try:
            if form.cleaned_data["action"] == "set_tier":
                if not self.can(MARKETERS):
                    raise ValidationError("Only marketing and admins move accounts between tiers.")
                moved = accounts_set_tier(workspace=self.workspace, account_ids=ids, tier=form.cleaned_data["tier"],
                                          by=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, f"{moved} account(s) moved to {form.cleaned_data['tier'] or 'no tier'}.")
            else:
                segment = form.cleaned_data["segment"]
                added = segment_add_accounts(segment=segment, account_ids=ids)
                messages.success(request, f"{added} account(s) added to “{segment}”.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(back)


class SegmentCreateView(WorkspaceView, View):
    """Save the accounts list's current filters as a dynamic segment, or start a static one."""

    write_roles = MARKETERS

    def post(self, request):
        form = SegmentForm(request.POST)
        back = request.POST.get("next") or "/accounts/"
        if not form.is_valid():
            messages.error(request, "Give the segment a name.")
            return redirect(back)
        try:
            segment = segment_create(workspace=self.workspace, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        messages.success(request, f"Segment “{segment.name}” saved.")
        return redirect(f"/accounts/?segment={segment.pk}")


class AccountDetailView(WorkspaceObjectMixin, DetailView):
    model = Account
    template_name = "accounts/detail.html"

    def get_queryset(self):
        return account_queryset(workspace=self.workspace).prefetch_related(
            Prefetch("identifiers", queryset=AccountIdentifier.unscoped_objects.order_by("kind", "-is_primary", "value")),
            "technologies")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        plan = getattr(account, "plan", None) if hasattr(account, "plan") else None
        context.update(
            subsidiaries=Account.objects.for_workspace(self.workspace).filter(parent=account).select_related("tier")[:50],
            tier_changes=TierChange.objects.for_workspace(self.workspace).filter(account=account)
            .select_related("from_tier", "to_tier", "changed_by")[:20],
            opportunities=Opportunity.objects.for_workspace(self.workspace).filter(account=account)
            .select_related("stage", "owner")[:50],
            holds=Hold.objects.for_workspace(self.workspace).filter(account=account).select_related(
                "placed_by", "released_by")[:20],
            nominations=TargetListNomination.objects.for_workspace(self.workspace).filter(account=account)
            .select_related("target_list", "proposed_tier")[:20],
            active_hold_ids=set(Hold.objects.for_workspace(self.workspace).filter(active_holds_q(), account=account)
                                .values_list("pk", flat=True)),
            plan=plan,
            plan_steps=plan.steps.select_related("owner") if plan else [],
            plan_form=PlanForm(instance=plan),
            step_form=PlanStepForm(),
            hold_form=HoldForm(),
            can_hold=self.can(SELLERS),
            can_plan=self.can(EDITORS),
            attribute_rows=_attribute_rows(account),
            panels=[(p, p.context(self.request, account)) for p in registry.panels["account"]],
        )
        return context


def _attribute_rows(account: Account) -> list[tuple[str, object]]:
    from accounts.models import AttributeDefinition

    labels = dict(AttributeDefinition.objects.for_workspace(account.workspace_id).values_list("key", "label"))
    return [(labels.get(k, k), _display(v)) for k, v in sorted((account.attributes or {}).items())]


def _display(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return str(value)


class AccountHoldView(WorkspaceObjectMixin, View):
    """Place a hold on the account (sales and admins)."""

    model = Account
    write_roles = SELLERS

    def post(self, request, pk):
        account = self.get_object()
        form = HoldForm(request.POST)
        if form.is_valid():
            try:
                hold_place(workspace=self.workspace, account=account, by=request.user, **form.cleaned_data)
                messages.success(request, "Hold placed: campaigns will not cold-contact this account.")
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        else:
            messages.error(request, "Give a reason and an expiry date for the hold.")
        return redirect("accounts:detail", pk=account.pk)


class HoldReleaseView(WorkspaceObjectMixin, View):
    model = Hold
    write_roles = SELLERS

    def post(self, request, pk):
        hold = hold_release(hold=self.get_object(), by=request.user)
        messages.success(request, "Hold released.")
        return redirect("accounts:detail", pk=hold.account_id)


class AccountPlanView(WorkspaceObjectMixin, View):
    """Save the plan (a new version), mark it reviewed, or add / complete a next step."""

    model = Account
    write_roles = EDITORS

    def post(self, request, pk):
        account = self.get_object()
        action = request.POST.get("action", "save")
        try:
            if action == "save":
                form = PlanForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("Check the plan's fields.")
                account_plan_save(workspace=self.workspace, account=account, by=request.user, **form.cleaned_data)
                messages.success(request, "Plan saved as a new version.")
            elif action == "review":
                plan = account_plan_save(workspace=self.workspace, account=account, by=request.user)
                account_plan_mark_reviewed(plan=plan, by=request.user)
                messages.success(request, "Plan marked as reviewed.")
            elif action == "add_step":
                form = PlanStepForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("Describe the step and give a valid date.")
                plan = account_plan_save(workspace=self.workspace, account=account, by=request.user)
                plan_step_add(plan=plan, owner=request.user, **form.cleaned_data)
            elif action == "complete_step":
                from accounts.models import PlanStep

                step = PlanStep.objects.for_workspace(self.workspace).filter(
                    pk=request.POST.get("step"), plan__account=account).first()
                if step:
                    plan_step_complete(step=step)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(f"/accounts/{account.pk}/#plan")
