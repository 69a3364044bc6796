"""Forms of the target-list pages, and the FilterSets the pages and the API share."""
from django import forms
from django_filters import rest_framework as filters

from abm_platform.filters import IdFilter
from abm_platform.models import Workspace
from accounts.models import (
    NominationFeedback, NominationStatus, TargetList, TargetListEvent, TargetListNomination, TargetListStatus, Tier,
)
from accounts.services.target_lists import account_find


class TargetListForm(forms.Form):
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"placeholder": "FY27 H1 program"}))
    criteria = forms.CharField(required=False, label="Selection criteria", widget=forms.Textarea(attrs={
        "rows": 2, "placeholder": "e.g. EU logistics companies, 500+ employees, shipping to the US"}))


class NominationForm(forms.Form):
    """The account is typed (id, domain, CRM id or exact name) with suggestions from a
    datalist: a select of 100k accounts would not work."""

    account = forms.CharField(max_length=253, label="Account", widget=forms.TextInput(attrs={
        "list": "nominate-accounts", "placeholder": "Domain, CRM id or name", "autocomplete": "off"}))
    proposed_tier = forms.ModelChoiceField(queryset=Tier.unscoped_objects.none(), required=False,
                                           empty_label="Keep the current tier", label="Proposed tier")
    rationale = forms.CharField(label="Rationale", widget=forms.Textarea(attrs={
        "rows": 2, "placeholder": "Why this account? Fit, intent, a warm relationship, an expansion path …"}))

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["proposed_tier"].queryset = Tier.objects.for_workspace(workspace)

    def clean_account(self):
        reference = self.cleaned_data["account"]
        account = account_find(workspace=self.workspace, reference=reference)
        if account is None:
            raise forms.ValidationError(f"No single account matches “{reference}”: use its domain or CRM id.")
        return account


class CommentForm(forms.Form):
    comment = forms.CharField(required=False, max_length=2000)


class FeedbackForm(CommentForm):
    kind = forms.ChoiceField(choices=NominationFeedback.Kind.choices)


class DecisionForm(CommentForm):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])


class PilotForm(forms.Form):
    is_pilot = forms.BooleanField(required=False)


# --- FilterSets (shared by the pages and the API) --------------------------------------------

class TargetListFilter(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    status = filters.MultipleChoiceFilter(choices=TargetListStatus.choices)

    class Meta:
        model = TargetList
        fields = ["q", "status"]


class NominationFilter(filters.FilterSet):
    target_list = IdFilter(field_name="target_list_id")
    account = IdFilter(field_name="account_id")
    status = filters.MultipleChoiceFilter(choices=NominationStatus.choices)
    is_pilot = filters.BooleanFilter()

    class Meta:
        model = TargetListNomination
        fields = ["target_list", "account", "status", "is_pilot"]


class TargetListEventFilter(filters.FilterSet):
    target_list = IdFilter(field_name="target_list_id")
    nomination = IdFilter(field_name="nomination_id")
    action = filters.CharFilter()

    class Meta:
        model = TargetListEvent
        fields = ["target_list", "nomination", "action"]
