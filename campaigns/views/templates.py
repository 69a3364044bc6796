"""Content templates: the list, and the editor with a live preview for a real account and
person (their DISC variant and A/B arm) — errors come back with the field and the line."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import ListView

from abm_platform.tenancy.roles import MARKETERS
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from accounts.models import Account
from campaigns.forms import TemplateForm
from campaigns.models import ContentTemplate
from campaigns.selectors import accounts_for_preview, people_of, template_queryset
from campaigns.services import editing
from campaigns.views.display import errors_to_form
from contacts.models import Contact

# The variables a template can use, for the editor's cheat sheet (campaigns.services.content).
VARIABLES = [
    ("account", "name, domain, industry, country, city, employees, tier, stage"),
    ("person", "first_name, last_name, full_name, email, job_title, seniority, roles, disc_style"),
    ("persona", "name, goals, pains, key_messages — may be empty: {% if persona %}…{% endif %}"),
    ("disc", "style, summary, tone, emphasise, avoid, email_length — empty without a DISC style"),
    ("scores", "score, fit, intent, engagement, reasons, surging_topics"),
    ("insights", "a list of {type, date, summary} (recent trigger events)"),
]


class TemplateListView(WorkspaceView, ListView):
    model = ContentTemplate
    template_name = "campaigns/templates.html"
    paginate_by = 50

    def get_queryset(self):
        return template_queryset(workspace=self.workspace).order_by("name", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(section_tab="templates", can_create=self.can(MARKETERS))
        return context


class TemplateEditorMixin:
    template_name = "campaigns/template_form.html"

    def editor_context(self, form, template=None) -> dict:
        accounts = accounts_for_preview(workspace=self.workspace)
        chosen = self.request.GET.get("account") or (str(accounts[0].pk) if accounts else "")
        first = int(chosen) if chosen.isdigit() else None
        people = people_of(workspace=self.workspace, account_id=first) if first else []
        return {"form": form, "template": template, "section_tab": "templates", "accounts": accounts,
                "account_id": first, "people": people, "person_id": people[0].pk if people else None,
                "variables": VARIABLES, "can_edit": self.can(MARKETERS)}

    def render_editor(self, form, template=None, status=200):
        return render(self.request, self.template_name, self.editor_context(form, template), status=status)


class TemplateCreateView(TemplateEditorMixin, WorkspaceView, View):
    read_roles = MARKETERS
    write_roles = MARKETERS

    def get(self, request):
        form = TemplateForm(initial={"channel": "email", "subject": "{{ account.name }}: a note for "
                                                                    "{{ person.first_name }}",
                                     "body": "Hi {{ person.first_name }},\n\n…\n\nBest regards"})
        return self.render_editor(form)

    def post(self, request):
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                template = editing.template_create(workspace=self.workspace, **form.service_fields())
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, f"Template “{template.name}” saved.")
                return redirect("campaigns:template", pk=template.pk)
        return self.render_editor(form, status=400)


class TemplateEditView(TemplateEditorMixin, WorkspaceObjectMixin, View):
    model = ContentTemplate
    write_roles = MARKETERS

    def get(self, request, pk):
        template = self.get_object()
        return self.render_editor(TemplateForm(initial=TemplateForm.initial_for(template)), template)

    def post(self, request, pk):
        template = self.get_object()
        if request.POST.get("delete"):
            try:
                editing.template_delete(template=template)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("campaigns:template", pk=template.pk)
            messages.success(request, f"Template “{template.name}” deleted.")
            return redirect("campaigns:templates")
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                editing.template_update(template=template, **form.service_fields(template))
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "Template saved.")
                return redirect("campaigns:template", pk=template.pk)
        return self.render_editor(form, template, status=400)


class PreviewMixin:
    """Render the editor's current text for the chosen account and person (htmx partial)."""

    def preview_response(self, template):
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        account = contact = None
        if (data.get("preview_account") or "").isdigit():
            account = Account.objects.for_workspace(self.workspace).filter(pk=int(data["preview_account"])).first()
        if account is not None and (data.get("preview_person") or "").isdigit():
            contact = (Contact.objects.for_workspace(self.workspace).select_related("persona")
                       .filter(pk=int(data["preview_person"]), account=account).first())
        if self.request.method == "POST":
            form = TemplateForm(data)
            if not form.is_valid() and "body" in form.errors:
                return render(self.request, "campaigns/_preview.html", {"empty": True})
            # Preview what is typed even when another field (the name …) is not filled in yet.
            form.cleaned_data = {"name": "preview", "channel": "email", "subject": "", "b_subject": "", "b_body": "",
                                 "b_share": None, **{f"disc_{s}_{p}": "" for s in "DiSC" for p in ("subject", "body")},
                                 **form.cleaned_data}
            source = form.source_template(self.workspace, template)
        else:
            source = template
        arm = data.get("preview_arm") or "A"
        preview = editing.template_preview(template=source, account=account, contact=contact, arm=arm)
        return render(self.request, "campaigns/_preview.html", {
            "preview": preview, "account": account, "contact": contact, "arm": arm,
            "has_b": bool(source.ab_variants)})


class TemplatePreviewView(PreviewMixin, WorkspaceObjectMixin, View):
    """POST the editor's fields → the rendered preview. GET → the saved template's preview."""

    model = ContentTemplate
    write_roles = frozenset(MARKETERS | {"sales", "executive", "viewer"})   # a preview changes nothing

    def get(self, request, pk):
        return self.preview_response(self.get_object())

    def post(self, request, pk):
        return self.preview_response(self.get_object())


class NewTemplatePreviewView(PreviewMixin, WorkspaceView, View):
    write_roles = MARKETERS

    def post(self, request):
        return self.preview_response(None)


class PeopleOptionsView(WorkspaceView, View):
    """The people of an account as <option>s for the preview's person picker."""

    def get(self, request):
        account = request.GET.get("preview_account", "")
        people = people_of(workspace=self.workspace, account_id=int(account)) if account.isdigit() else []
        response = render(request, "campaigns/_people_options.html", {"people": people,
                                                                       "person_id": people[0].pk if people else None})
        response["HX-Trigger"] = "people-loaded"      # the preview renders again for the new person
        return response
