"""The contact list and the contact page with its actions (buying profile, DISC, lifecycle,
consent, erasure). Each action is its own POST-only view calling one service; when the input is
refused the contact page is drawn again with the form and its errors."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import ListView

from abm_platform.registry import registry
from abm_platform.tenancy.roles import ADMINS, EDITORS, SELLERS
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from accounts.models import Account
from contacts.engine import disc as disc_engine
from contacts.forms import (
    CHANNEL_LABELS, ROLE_CHOICES, BuyingProfileForm, ConsentForm, DiscQuestionnaireForm, DiscRecordForm, EraseForm,
    LifecycleForm, style_label,
)
from contacts.models import (
    ConsentStatus, Contact, DiscAssessment, LifecycleStage, LifecycleTransition, MatchReview, MatchStatus, Persona,
    ReviewStatus, Seniority,
)
from contacts.models.contacts import CHANNELS
from contacts.selectors import contact_list
from contacts.services.disc import disc_assess_questionnaire, disc_record
from contacts.services.inference import contact_set_buying_profile
from contacts.services.lifecycle import contact_lifecycle_move, contact_sales_accept, contact_sales_reject
from contacts.services.privacy import contact_consent_set, contact_erase
from contacts.views.display import decorate

SORTABLE = [("name", "Name"), ("score", "Score"), ("updated_at", "Updated")]
FILTER_KEYS = ("q", "match_status", "lifecycle_stage", "seniority", "role", "persona", "account", "consent_email",
               "erased", "disc_style")


class ContactListView(WorkspaceView, ListView):
    """Filters, search, sort and pagination come from the shared ContactFilter."""

    model = Contact
    template_name = "contacts/list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = contact_list(workspace=self.workspace, params=self.request.GET)
        if not self.filterset.is_valid():
            return Contact.objects.for_workspace(self.workspace).none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for contact in context["object_list"]:
            decorate(contact)
        get = self.request.GET
        account_id = get.get("account", "")
        context.update(
            filter=self.filterset,
            sortable=SORTABLE,
            ordering=get.get("ordering", "name"),
            has_filters=any(get.get(k) for k in FILTER_KEYS),
            any_contacts=Contact.objects.for_workspace(self.workspace).exists(),
            open_reviews=MatchReview.objects.for_workspace(self.workspace).filter(status=ReviewStatus.OPEN).count(),
            personas=Persona.objects.for_workspace(self.workspace).only("pk", "name"),
            filtered_account=(Account.objects.for_workspace(self.workspace).filter(pk=account_id).first()
                              if account_id.isdigit() else None),
            match_statuses=MatchStatus.choices,
            stages=LifecycleStage.choices,
            seniorities=Seniority.choices,
            roles=ROLE_CHOICES,
        )
        return context


class ContactPageMixin(WorkspaceObjectMixin):
    """The contact page: what it shows and the forms it offers to the member's role."""

    model = Contact
    template_name = "contacts/detail.html"

    def scope_queryset(self, queryset):
        return queryset.select_related("account__tier", "persona", "owner")

    def render_page(self, contact: Contact, *, status: int = 200, **forms):
        return render(self.request, self.template_name, self.page_context(contact, **forms), status=status)

    def page_context(self, contact: Contact, **forms) -> dict:
        ws = self.workspace
        decorate(contact)
        style = contact.disc_style
        guidance = _guidance(style)
        context = {
            "contact": contact,
            "open_review": MatchReview.objects.for_workspace(ws).filter(contact=contact, status=ReviewStatus.OPEN)
            .select_related("suggested_account").first(),
            "assessments": DiscAssessment.objects.for_workspace(ws).filter(contact=contact)
            .select_related("recorded_by")[:5],
            "transitions": LifecycleTransition.objects.for_workspace(ws).filter(contact=contact)
            .select_related("changed_by")[:20],
            "style_label": style_label(style) if guidance else "",
            "guidance": guidance,
            "cues": disc_engine.observed_cues(style) if guidance else (),
            "cues_caveat": disc_engine.OBSERVED_CUES_CAVEAT,
            "stages": _stage_steps(contact.lifecycle_stage),
            "consents": _consent_rows(contact),
            "is_mql": contact.lifecycle_stage == LifecycleStage.MQL,
            "is_erased": contact.erased_at is not None,
            "can_edit": self.can(EDITORS),
            "can_sell": self.can(SELLERS),
            "can_erase": self.can(ADMINS),
            "profile_form": BuyingProfileForm.for_contact(contact, workspace=ws),
            "questionnaire_form": DiscQuestionnaireForm(),
            "disc_form": DiscRecordForm(initial={"style": style} if guidance else None),
            "lifecycle_form": LifecycleForm(initial={"to_stage": _next_stage(contact.lifecycle_stage)}),
            "consent_form": ConsentForm(),
            "erase_form": EraseForm(),
            "seniority_choices": Seniority.choices,
            "panels": [(p, p.context(self.request, contact)) for p in registry.panels["contact"]],
        }
        context.update(forms)
        return context


class ContactDetailView(ContactPageMixin, View):
    def get(self, request, pk):
        return self.render_page(self.get_object())


class ContactActionView(ContactPageMixin, View):
    """POST a form, call its service, go back to the contact page (at `anchor`) — or, when the
    input is refused, draw the page again with the form's errors."""

    write_roles = EDITORS
    form_class = None
    form_name = ""
    anchor = ""

    def build_form(self, data):
        return self.form_class(data)

    def perform(self, contact: Contact, form) -> str:
        raise NotImplementedError

    def post(self, request, pk):
        contact = self.get_object()
        if contact.erased_at is not None:
            messages.error(request, "This person's data was erased; the record can no longer change.")
            return redirect(reverse("contacts:detail", kwargs={"pk": contact.pk}))
        form = self.build_form(request.POST)
        if form.is_valid():
            try:
                message = self.perform(contact, form)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(reverse("contacts:detail", kwargs={"pk": contact.pk}) + f"#{self.anchor}")
        messages.error(request, "Nothing was saved: " + " ".join(_flat_errors(form)))
        contact = self.get_object()  # the service may have changed it in memory
        return self.render_page(contact, status=400, **{self.form_name: form})


class ContactProfileView(ContactActionView):
    """Override the roles, seniority and persona read from the title."""

    form_class = BuyingProfileForm
    form_name = "profile_form"
    anchor = "buying-group"

    def build_form(self, data):
        return BuyingProfileForm(data, workspace=self.workspace)

    def perform(self, contact, form):
        data = form.cleaned_data
        changes = {}
        if list(data["roles"]) != list(contact.roles):
            changes["roles"] = data["roles"]
        if data["seniority"] != contact.seniority:
            changes["seniority"] = data["seniority"]
        if (data["persona"].pk if data["persona"] else None) != contact.persona_id:
            changes["persona"] = data["persona"]
        if not changes:
            return "Nothing changed."
        contact_set_buying_profile(contact=contact, by=self.request.user, **changes)
        return "Buying-group profile saved; title inference will leave it alone."


class ContactDiscQuestionnaireView(ContactActionView):
    form_class = DiscQuestionnaireForm
    form_name = "questionnaire_form"
    anchor = "guidance"

    def perform(self, contact, form):
        assessment = disc_assess_questionnaire(contact=contact, answers=form.answers(), by=self.request.user)
        return (f"DISC style {style_label(assessment.blend)} (confidence {assessment.confidence:.0%}). "
                "The communication guidance below is for this style.")


class ContactDiscRecordView(ContactActionView):
    form_class = DiscRecordForm
    form_name = "disc_form"
    anchor = "guidance"

    def perform(self, contact, form):
        data = form.cleaned_data
        assessment = disc_record(contact=contact, style=data["style"], source=data["source"],
                                 confidence=float(data["confidence"]), by=self.request.user, note=data["note"])
        return f"DISC style {style_label(assessment.blend)} recorded."


class ContactLifecycleView(ContactActionView):
    """Sales accepts or rejects an MQL (sales and admins); editors move the contact to a stage."""

    form_class = LifecycleForm
    form_name = "lifecycle_form"
    anchor = "lifecycle"

    def perform(self, contact, form):
        data, by = form.cleaned_data, self.request.user
        if data["action"] in ("accept", "reject") and not self.can(SELLERS):
            raise PermissionDenied("Only sales and admins accept or reject MQLs.")
        if data["action"] == "accept":
            contact_sales_accept(contact=contact, by=by)
            return "Accepted by sales: the contact is now a sales-accepted lead (SAL)."
        if data["action"] == "reject":
            contact_sales_reject(contact=contact, by=by, reason=data["reason"])
            return "Rejected: the contact is back to Lead, with your reason for marketing."
        moved = contact_lifecycle_move(contact=contact, to_stage=data["to_stage"], by=by, reason=data["reason"])
        return f"Moved to {moved.get_lifecycle_stage_display()}."


class ContactConsentView(ContactActionView):
    form_class = ConsentForm
    form_name = "consent_form"
    anchor = "consent"

    def perform(self, contact, form):
        data = form.cleaned_data
        contact_consent_set(contact=contact, channel=data["channel"], status=data["status"], how=data["how"],
                            by=self.request.user)
        return f"{CHANNEL_LABELS[data['channel']]}: {ConsentStatus(data['status']).label.lower()}."


class ContactEraseView(ContactActionView):
    """Erasure on request (admins): personal data removed, the anonymised row kept."""

    write_roles = ADMINS
    form_class = EraseForm
    form_name = "erase_form"
    anchor = "privacy"

    def perform(self, contact, form):
        contact_erase(contact=contact, by=self.request.user, reason=form.cleaned_data["reason"])
        return "Personal data erased. The anonymised record keeps the account's counts right."


# --- helpers ---------------------------------------------------------------------------------

def _guidance(style: str):
    if not style:
        return None
    try:
        return disc_engine.guidance_for(style)
    except ValueError:
        return None


def _stage_steps(current: str) -> list[dict]:
    order = list(LifecycleStage.values)
    here = order.index(current) if current in order else 0
    return [{"code": code, "label": label, "state": "done" if i < here else "current" if i == here else "todo"}
            for i, (code, label) in enumerate(LifecycleStage.choices)]


def _next_stage(current: str) -> str:
    order = list(LifecycleStage.values)
    return order[min(order.index(current) + 1, len(order) - 1)] if current in order else order[0]


def _consent_rows(contact: Contact) -> list[dict]:
    last = {}
    for entry in contact.consent_log or []:
        last[entry.get("channel")] = entry
    return [{"channel": c, "label": CHANNEL_LABELS[c], "status": contact.consent(c),
             "status_label": ConsentStatus(contact.consent(c)).label, "last": last.get(c)} for c in CHANNELS]


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _flat_errors(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]

