"""The ICP and the weights: what the score is made of, and who agreed to it.

ICP: everyone reads the criteria; marketing adds, edits and deletes them, and sees before saving
what the change would do to the current scores (htmx POST of the add or edit form to
`icp_preview` / `icp_criterion_preview`, or `remove` for a deletion). Weights: the active
version with its two sign-offs, drafts waiting for theirs, and a propose form whose what-if
preview (htmx POST to `weights_preview`) shows what the proposal would change before it is saved.
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from abm_platform.tenancy.roles import ANY_ROLE, MARKETERS, SELLERS
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from accounts.models import Tier
from scoring.forms import IcpCriterionForm, SignOffForm, WeightsForm
from scoring.models import CriterionKind, IcpCriterion, ScoringWeights, WeightsStatus
from scoring.selectors import weights_versions
from scoring.services.config import weights_active, weights_propose, weights_sign_off
from scoring.services.icp import icp_criterion_delete, icp_criterion_save
from scoring.services.recompute import current_run
from scoring.services.whatif import icp_whatif_criteria, whatif_icp_preview, whatif_preview

PROPOSERS = MARKETERS | SELLERS
COMPONENTS = (("fit", "Fit"), ("intent", "Intent"), ("engagement", "Engagement"), ("predictive", "Predictive"))


# --- ICP -----------------------------------------------------------------------------------------

class IcpPageMixin(WorkspaceView):
    model = IcpCriterion
    write_roles = MARKETERS
    template_name = "scoring/icp.html"

    def render_page(self, *, form=None, editing=None, edit_form=None, status=200):
        criteria = list(self.get_queryset())
        total = sum(c.weight for c in criteria if not c.is_disqualifier) or 1
        rows = [{"criterion": c, "share": 0 if c.is_disqualifier else round(100 * c.weight / total),
                 "summary": _config_summary(c)} for c in criteria]
        return render(self.request, self.template_name, {
            "tab": "icp", "rows": rows, "kinds": CriterionKind.choices,
            "form": form or IcpCriterionForm(initial={"weight": 1.0, "kind": "industry"}),
            "editing": editing, "edit_form": edit_form,
            "can_write": self.can(MARKETERS),
        }, status=status)


class IcpView(IcpPageMixin, View):
    """The criteria; POST adds one."""

    def get(self, request):
        return self.render_page()

    def post(self, request):
        form = IcpCriterionForm(request.POST)
        if form.is_valid():
            try:
                criterion = icp_criterion_save(workspace=self.workspace, order=_next_order(self.get_queryset()),
                                               **form.service_fields())
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"Criterion “{criterion.label}” added. Recompute to score with it.")
                return redirect("scoring:icp")
        return self.render_page(form=form, status=400)


class IcpEditView(IcpPageMixin, WorkspaceObjectMixin, View):
    """GET opens the criterion's edit form on the ICP page; POST saves it."""

    def get(self, request, pk):
        criterion = self.get_object()
        return self.render_page(editing=criterion, edit_form=IcpCriterionForm.for_criterion(criterion, prefix="edit"))

    def post(self, request, pk):
        criterion = self.get_object()
        form = IcpCriterionForm(request.POST, prefix="edit")
        if form.is_valid():
            try:
                icp_criterion_save(workspace=self.workspace, criterion=criterion, order=criterion.order,
                                   **form.service_fields())
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"Criterion “{criterion.label}” saved. Recompute to score with it.")
                return redirect("scoring:icp")
        return self.render_page(editing=criterion, edit_form=form, status=400)


class IcpDeleteView(IcpPageMixin, WorkspaceObjectMixin, View):
    def post(self, request, pk):
        criterion = self.get_object()
        icp_criterion_delete(criterion=criterion)
        messages.success(request, f"Criterion “{criterion.label}” deleted.")
        return redirect("scoring:icp")


class IcpPreviewView(IcpPageMixin, View):
    """POST the add form: what adding the criterion would change, as an HTML fragment (htmx).
    Nothing is saved."""

    template_name = "scoring/_icp_whatif.html"

    def post(self, request):
        return self.render_preview(form=_preview_form(request.POST, prefix=None, label=""), change="add")

    def render_preview(self, *, change: str, form=None, criterion=None):
        context = {"change": change, "criterion": criterion, "preview": None, "errors": [],
                   "label": criterion.label if criterion else ""}
        if form is not None and not form.is_valid():
            context["errors"] = _form_messages(form)
            return render(self.request, self.template_name, context)
        proposed = form.service_fields() if form is not None else None
        if proposed is not None:
            context["label"] = proposed["label"]
        try:
            criteria = icp_whatif_criteria(workspace=self.workspace, criterion=criterion, proposed=proposed)
            context["preview"] = whatif_icp_preview(workspace=self.workspace, criteria=criteria)
        except ValidationError as error:
            context["errors"] = error.messages
        return render(self.request, self.template_name, context)


class IcpCriterionPreviewView(IcpPreviewView, WorkspaceObjectMixin):
    """POST the edit form: what saving it would change; POST `remove=1`: what deleting the
    criterion would change. Nothing is saved."""

    def post(self, request, pk):
        criterion = self.get_object()
        if request.POST.get("remove"):
            return self.render_preview(change="remove", criterion=criterion)
        form = _preview_form(request.POST, prefix="edit", label=criterion.label)
        return self.render_preview(change="edit", form=form, criterion=criterion)


def _preview_form(data, *, prefix: str | None, label: str) -> IcpCriterionForm:
    """The criterion form for a preview: a label not typed yet does not stop it."""
    data = data.copy()
    key = f"{prefix}-label" if prefix else "label"
    if not data.get(key, "").strip():
        data[key] = label or "new criterion"
    return IcpCriterionForm(data, prefix=prefix)


def _form_messages(form) -> list[str]:
    return [f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".lstrip(": ")
            for f, e in form.errors.items()]


def _next_order(criteria) -> int:
    return max((c.order for c in criteria), default=0) + 1


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _config_summary(criterion: IcpCriterion) -> str:
    config = criterion.config or {}
    if criterion.kind in ("industry", "country", "region"):
        text = ", ".join(config.get("values", []))
        if config.get("adjacent"):
            text += f" (half: {', '.join(config['adjacent'])})"
        return text
    if criterion.kind in ("employees", "revenue"):
        low, high = config.get("min"), config.get("max")
        shown = [f"{v:,.0f}" for v in (low, high) if v is not None]
        if low is not None and high is not None:
            return f"{shown[0]} – {shown[1]} (one band away counts half)"
        return f"at least {shown[0]}" if low is not None else f"at most {shown[0]}"
    if criterion.kind == "technology":
        k = config.get("k", 1)
        return f"{', '.join(config.get('values', []))} ({k} for a full match)"
    value = config.get("value")
    shown = ", ".join(map(str, value)) if isinstance(value, list) else value
    return f"{config.get('key')} {config.get('op', 'eq')} {shown if shown is not None else ''}".strip()


# --- weights -------------------------------------------------------------------------------------

class WeightsView(WorkspaceView, View):
    """GET: active weights, drafts, history and (for marketing and sales) the propose form.
    POST: propose the form's weights as a new draft."""

    read_roles = ANY_ROLE
    write_roles = PROPOSERS
    template_name = "scoring/weights.html"

    def tiers(self):
        return list(Tier.objects.for_workspace(self.workspace).order_by("order", "name"))

    def get(self, request):
        return self.render_page()

    def post(self, request):
        form = WeightsForm(request.POST, tiers=self.tiers())
        if form.is_valid():
            values = form.values()
            try:
                weights = weights_propose(workspace=self.workspace, by=request.user, values=values,
                                          note=form.cleaned_data["note"])
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"Weights v{weights.version} proposed. A marketer and a seller sign it "
                                          "off to make it active.")
                return redirect(reverse("scoring:weights") + f"#v{weights.version}")
        return self.render_page(form=form, status=400)

    def render_page(self, *, form=None, status=200):
        active = weights_active(workspace=self.workspace)
        versions = list(weights_versions(workspace=self.workspace))
        tiers = self.tiers()
        role = self.role
        drafts = [{"weights": w, "parts": _parts(w),
                   "can_marketing": role in MARKETERS and not w.marketing_approved_by_id
                   and w.sales_approved_by_id != self.request.user.pk,
                   "can_sales": role in SELLERS and not w.sales_approved_by_id
                   and w.marketing_approved_by_id != self.request.user.pk}
                  for w in versions if w.status == WeightsStatus.DRAFT]
        active_row = next((w for w in versions if w.pk == active.pk), active)
        return render(self.request, self.template_name, {
            "tab": "weights",
            "active": active_row,
            "active_parts": _parts(active_row),
            "active_tiers": _tier_thresholds(active_row, tiers),
            "drafts": drafts,
            "history": [w for w in versions if w.status == WeightsStatus.SUPERSEDED][:10],
            "can_propose": self.can(PROPOSERS),
            "form": form or WeightsForm.from_weights(active_row, tiers=tiers),
            "run": current_run(self.workspace),
        }, status=status)


class WeightsPreviewView(WorkspaceView, View):
    """POST the propose form: the what-if summary as an HTML fragment (htmx), nothing saved."""

    write_roles = PROPOSERS
    template_name = "scoring/_whatif.html"

    def post(self, request):
        form = WeightsForm(request.POST, tiers=list(Tier.objects.for_workspace(self.workspace).order_by("order")))
        context = {"form": form, "preview": None, "errors": []}
        if form.is_valid():
            try:
                context["preview"] = whatif_preview(workspace=self.workspace, values=form.values())
            except ValidationError as error:
                context["errors"] = error.messages
        else:
            context["errors"] = _form_messages(form)
        return render(request, self.template_name, context)


class WeightsSignOffView(WorkspaceObjectMixin, View):
    """Sign a draft off for marketing or for sales (the service checks role and person)."""

    model = ScoringWeights
    write_roles = PROPOSERS

    def post(self, request, pk):
        weights = self.get_object()
        form = SignOffForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Sign off for marketing or for sales.")
            return redirect("scoring:weights")
        side = form.cleaned_data["side"]
        try:
            signed = weights_sign_off(weights=weights, by=request.user, role=self.role, side=side)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            if signed.status == WeightsStatus.ACTIVE:
                messages.success(request, f"Weights v{signed.version} are now active. The next recompute uses them.")
            else:
                messages.success(request, f"Signed off v{signed.version} for {side}; it needs the other side too.")
        return redirect(reverse("scoring:weights") + f"#v{weights.version}")


def _parts(weights: ScoringWeights) -> list[dict]:
    return [{"name": name, "label": label, "percent": round(getattr(weights, name) * 100)}
            for name, label in COMPONENTS]


def _tier_thresholds(weights: ScoringWeights, tiers) -> list[tuple[str, int]]:
    thresholds = weights.tier_thresholds or {}
    return [(tier.name, thresholds[str(tier.order)]) for tier in tiers if str(tier.order) in thresholds]
