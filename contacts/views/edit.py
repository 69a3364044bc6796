"""Create and edit a contact by hand: the same write path as the API and imports, so the title
is read and the account matched on save."""
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from abm_platform.tenancy.roles import EDITORS
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from contacts.models import Contact
from contacts.services.upsert import contacts_upsert

FIELDS = ["first_name", "last_name", "email", "phone", "job_title", "company_name", "website", "country",
          "external_id"]


class ContactForm(forms.Form):
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    email = forms.CharField(max_length=254, required=False, help_text="E-mail or CRM id is required.")
    phone = forms.CharField(max_length=50, required=False)
    job_title = forms.CharField(max_length=200, required=False, help_text="Seniority, roles and persona are read from it.")
    company_name = forms.CharField(max_length=200, required=False, label="Company (as given)")
    website = forms.CharField(max_length=300, required=False)
    country = forms.CharField(max_length=60, required=False, help_text="ISO code or name.")
    external_id = forms.CharField(max_length=100, required=False, label="CRM id")


def _save(view, request, form, contact=None):
    """Run the form through the upsert; record errors come back onto the form's fields."""
    record = {k: v for k, v in form.cleaned_data.items() if contact is not None or v}
    if contact is not None:  # address the record to this contact
        key = "external_id" if contact.external_id else "email"
        record[key] = getattr(contact, key)
    (result,) = contacts_upsert(workspace=view.workspace, records=[record], by=request.user, source="manual")
    for column, message in result.errors:
        form.add_error(column if column in form.fields else None, message)
    return result


class ContactCreateView(WorkspaceView, View):
    write_roles = EDITORS
    read_roles = EDITORS

    def get(self, request):
        return render(request, "contacts/form.html", {"form": ContactForm(), "contact": None})

    def post(self, request):
        form = ContactForm(request.POST)
        if form.is_valid():
            result = _save(self, request, form)
            if result.status != "error":
                messages.success(request, "Contact saved; title read and account matched.")
                return redirect("contacts:detail", pk=result.contact_id)
        return render(request, "contacts/form.html", {"form": form, "contact": None}, status=400)


class ContactEditView(WorkspaceObjectMixin, View):
    model = Contact
    write_roles = EDITORS
    read_roles = EDITORS

    def get(self, request, pk):
        contact = self.get_object()
        form = ContactForm(initial={f: getattr(contact, f) for f in FIELDS})
        return render(request, "contacts/form.html", {"form": form, "contact": contact})

    def post(self, request, pk):
        contact = self.get_object()
        form = ContactForm(request.POST)
        if form.is_valid():
            locked = {"external_id": contact.external_id} if contact.external_id else {"email": contact.email}
            form.cleaned_data.update({k: v for k, v in locked.items() if v})
            result = _save(self, request, form, contact=contact)
            if result.status != "error":
                messages.success(request, "Contact saved.")
                return redirect("contacts:detail", pk=contact.pk)
        return render(request, "contacts/form.html", {"form": form, "contact": contact}, status=400)
