"""Admin configuration pages: tiers, account groups, custom attributes."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import ListView

from abm_platform.tenancy.roles import ADMINS
from abm_platform.tenancy.views import WorkspaceView
from accounts.forms import AccountGroupForm, AttributeDefinitionForm, TierForm
from accounts.models import AccountGroup, AttributeDefinition, Tier
from accounts.services.tiers import tier_save


class _ConfigListView(WorkspaceView, ListView):
    """Everyone reads the configuration; admins change it. POST creates (or, with `pk`, edits)."""

    write_roles = ADMINS
    form_class = None
    config_tab = ""
    paginate_by = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form_class())
        context["config_tab"] = self.config_tab
        context["edit_forms"] = [(obj, self.form_class(instance=obj, prefix=f"o{obj.pk}"))
                                 for obj in context["object_list"]] if self.can(ADMINS) else []
        return context

    def get(self, request, pk=None):
        self.get_object_or_none(pk)  # another workspace's object: 404, like a missing one
        return super().get(request)

    def post(self, request, pk=None):
        instance = self.get_object_or_none(pk)
        form = self.form_class(request.POST, instance=instance, prefix=f"o{pk}" if pk else None)
        if form.is_valid():
            try:
                self.save(form, instance)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Saved.")
                return redirect(request.path.rsplit(f"{pk}/", 1)[0] if pk else request.path)
        messages.error(request, "Not saved: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect(request.path.rsplit(f"{pk}/", 1)[0] if pk else request.path)

    def get_object_or_none(self, pk):
        if pk is None:
            return None
        return get_object_or_404(self.get_queryset(), pk=pk)

    def save(self, form, instance):
        obj = form.save(commit=False)
        obj.workspace = self.workspace
        obj.full_clean()
        obj.save()


class TierConfigView(_ConfigListView):
    model = Tier
    template_name = "accounts/config/tiers.html"
    form_class = TierForm
    config_tab = "tiers"

    def scope_queryset(self, queryset):
        return queryset.annotate(account_count=Count("accounts")).order_by("order", "name")

    def save(self, form, instance):
        tier_save(workspace=self.workspace, tier=instance, **form.cleaned_data)


class GroupConfigView(_ConfigListView):
    model = AccountGroup
    template_name = "accounts/config/groups.html"
    form_class = AccountGroupForm
    config_tab = "groups"

    def scope_queryset(self, queryset):
        return queryset.annotate(account_count=Count("accounts")).order_by("name")


class AttributeConfigView(_ConfigListView):
    model = AttributeDefinition
    template_name = "accounts/config/attributes.html"
    form_class = AttributeDefinitionForm
    config_tab = "attributes"

    def save(self, form, instance):
        obj = form.save(commit=False)
        obj.workspace = self.workspace
        obj.choices = [c.strip() for c in form.cleaned_data.get("choices_text", "").splitlines() if c.strip()]
        if obj.type == "choice" and not obj.choices:
            raise ValidationError("A choice attribute needs its choices, one per line.")
        obj.full_clean()
        obj.save()
