"""Persona pages: everyone reads them (reps and writers use them); marketing and admins edit."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import ListView

from abm_platform.tenancy.roles import MARKETERS
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from contacts.engine import titles as title_engine
from contacts.forms import PersonaForm
from contacts.models import Contact, Persona
from contacts.services.personas import persona_save
from contacts.views.display import decorate


class PersonaListView(WorkspaceView, ListView):
    template_name = "contacts/personas/list.html"
    context_object_name = "personas"
    write_roles = MARKETERS

    def get_queryset(self):
        return Persona.objects.for_workspace(self.workspace).annotate(
            contact_count=Count("contacts", filter=Q(contacts__erased_at__isnull=True)))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for persona in context["personas"]:
            _decorate(persona)
        return context


class PersonaFormMixin:
    """Validate with the form, save with the service; the service's refusals land on the form."""

    def save(self, form, persona=None):
        if not form.is_valid():
            return None
        try:
            return persona_save(workspace=self.workspace, persona=persona, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in getattr(error, "message_dict", {"__all__": error.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
            return None


class PersonaCreateView(PersonaFormMixin, WorkspaceView, View):
    read_roles = MARKETERS
    write_roles = MARKETERS
    template_name = "contacts/personas/form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": PersonaForm(), "persona": None})

    def post(self, request):
        form = PersonaForm(request.POST)
        persona = self.save(form)
        if persona is None:
            return render(request, self.template_name, {"form": form, "persona": None}, status=400)
        messages.success(request, f"Persona “{persona.name}” created. New and re-titled contacts that fit its "
                                  "rules get it automatically.")
        return redirect("contacts:persona_detail", pk=persona.pk)


class PersonaDetailView(PersonaFormMixin, WorkspaceObjectMixin, View):
    """The persona (everyone) with its edit form (marketing and admins) and some of its contacts."""

    model = Persona
    write_roles = MARKETERS
    template_name = "contacts/personas/detail.html"

    def get(self, request, pk):
        persona = self.get_object()
        return self.render_page(persona, PersonaForm(instance=persona))

    def post(self, request, pk):
        persona = self.get_object()
        form = PersonaForm(request.POST, instance=persona)
        saved = self.save(form, persona)
        if saved is None:
            return self.render_page(self.get_object(), form, status=400)
        messages.success(request, f"Persona “{saved.name}” saved.")
        return redirect("contacts:persona_detail", pk=saved.pk)

    def render_page(self, persona, form, status=200):
        contacts = Contact.objects.for_workspace(self.workspace).filter(persona=persona, erased_at__isnull=True)
        people = [decorate(c) for c in contacts.select_related("account")[:25]]
        return render(self.request, self.template_name, {
            "persona": _decorate(persona), "form": form, "people": people, "people_count": contacts.count(),
            "can_write": self.can(MARKETERS)}, status=status)


def _decorate(persona: Persona) -> Persona:
    persona.role_names = [title_engine.ROLE_LABELS.get(r, r) for r in persona.default_roles]
    persona.seniority_names = [title_engine.SENIORITY_LABELS.get(s, s) for s in persona.seniorities]
    persona.department_names = [title_engine.DEPARTMENT_LABELS.get(d, d) for d in persona.departments]
    return persona
