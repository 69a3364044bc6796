from datetime import timedelta

from django import forms
from django.utils import timezone

from accounts.models import (
    AccountGroup, AccountPlan, AttributeDefinition, BuyingGroupRole, Segment, SegmentKind, Tier,
)


class AccountBulkForm(forms.Form):
    action = forms.ChoiceField(choices=[("set_tier", "Set tier"), ("add_to_segment", "Add to segment")])
    account_ids = forms.CharField(widget=forms.HiddenInput)  # the checked boxes, joined in __init__
    tier = forms.ModelChoiceField(queryset=Tier.unscoped_objects.none(), required=False)
    segment = forms.ModelChoiceField(queryset=Segment.unscoped_objects.none(), required=False)
    reason = forms.CharField(required=False, max_length=255)

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.for_workspace(workspace)
        self.fields["segment"].queryset = Segment.objects.for_workspace(workspace).filter(kind=SegmentKind.STATIC)
        if self.data:
            self.data = self.data.copy()
            self.data.setlist("account_ids", [",".join(self.data.getlist("account_ids"))])

    def clean_account_ids(self):
        raw = self.cleaned_data["account_ids"]
        ids = [int(v) for v in raw.split(",") if v.strip().isdigit()]
        if not ids:
            raise forms.ValidationError("Select at least one account.")
        return ids[:1000]

    def clean(self):
        data = super().clean()
        if data.get("action") == "add_to_segment" and not data.get("segment"):
            self.add_error("segment", "Choose a static segment.")
        return data


class HoldForm(forms.Form):
    reason = forms.CharField(max_length=255)
    expires_at = forms.DateTimeField(widget=forms.DateInput(attrs={"type": "date"}),
                                     initial=lambda: (timezone.now() + timedelta(days=30)).date())


class PlanForm(forms.ModelForm):
    class Meta:
        model = AccountPlan
        fields = ["status", "objectives", "pains", "value_hypothesis", "initiatives"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in
                   ("objectives", "pains", "value_hypothesis", "initiatives")}


class PlanStepForm(forms.Form):
    text = forms.CharField(max_length=255)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class TierForm(forms.ModelForm):
    expected_roles = forms.MultipleChoiceField(
        choices=[c for c in BuyingGroupRole.choices if c[0] not in ("blocker", "coach")], required=False,
        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Tier
        fields = ["name", "order", "engagement_model", "max_accounts", "description", "expected_roles"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class AccountGroupForm(forms.ModelForm):
    class Meta:
        model = AccountGroup
        fields = ["name", "description"]


class AttributeDefinitionForm(forms.ModelForm):
    choices_text = forms.CharField(required=False, label="Choices", help_text="For choice attributes: one per line.",
                                   widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = AttributeDefinition
        fields = ["key", "label", "type", "description"]


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=SegmentKind.choices)
    filters = forms.JSONField(required=False)
    description = forms.CharField(max_length=255, required=False)
