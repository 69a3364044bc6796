from django import forms

from abm_platform.models import ApiKeyScope, Workspace
from abm_platform.services.exports import EXPORT_FORMATS
from abm_platform.tenancy.roles import Role


class WorkspaceSettingsForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name", "default_currency", "timezone"]


class MemberAddForm(forms.Form):
    email = forms.EmailField()
    full_name = forms.CharField(required=False, max_length=200)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Which integration uses it, e.g. “Salesforce sync”.")
    scope = forms.ChoiceField(choices=ApiKeyScope.choices, initial=ApiKeyScope.READ)


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[(f, f.upper()) for f in EXPORT_FORMATS], initial="csv")
