"""Forms of the signal pages: the file upload, topics, settings (cadence and engagement rules),
providers."""
from pathlib import Path

from django import forms

from insights.signals.adapters import FILE_EXTENSIONS
from insights.signals.engine.rules import DEFAULT_RULES, RULE_LABELS, TYPES, merged_rules
from insights.signals.models import EngagementType, IntentTopic, ProviderKind, SignalKind
from insights.signals.services.imports import MAX_UPLOAD_BYTES

KIND_HELP = {
    "intent": "Weekly topic surge scores per company domain (e.g. a Bombora file).",
    "engagement": "Web visits, e-mail, ads, content, webinars, events, meetings, calls.",
    "trigger": "Funding rounds, acquisitions, leadership changes, expansions …",
}


class SignalUploadForm(forms.Form):
    kind = forms.ChoiceField(choices=SignalKind.choices, initial=SignalKind.ENGAGEMENT, widget=forms.RadioSelect,
                             label="What the file holds")
    file = forms.FileField(label="File", help_text=f"CSV, XLSX, JSON or JSON lines, up to "
                                                   f"{MAX_UPLOAD_BYTES // 2**20} MB.",
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{e}" for e in
                                                                                    FILE_EXTENSIONS)}))
    source = forms.CharField(max_length=50, required=False, label="Source",
                             help_text="Stored on rows that name none (intent: the provider). Default: upload.",
                             widget=forms.TextInput(attrs={"placeholder": "e.g. bombora, hubspot"}))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if Path(file.name).suffix.lower().lstrip(".") not in FILE_EXTENSIONS:
            raise forms.ValidationError("Upload a CSV, XLSX, JSON or JSON-lines file.")
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
        if file.size == 0:
            raise forms.ValidationError("The file is empty.")
        return file


class TopicForm(forms.ModelForm):
    class Meta:
        model = IntentTopic
        fields = ["name", "category", "is_selected", "weight"]
        labels = {"is_selected": "Counts towards intent"}
        widgets = {"weight": forms.NumberInput(attrs={"step": "0.05", "min": "0.05", "max": "1"})}


class TopicUpdateForm(forms.Form):
    is_selected = forms.BooleanField(required=False)
    weight = forms.FloatField(min_value=0.01, max_value=1.0)


class SignalSettingsForm(forms.Form):
    """The cadence, page fragments and one minutes/half-life field per rule number."""

    refresh_every_days = forms.IntegerField(min_value=1, max_value=365, label="Refresh every (days)")
    high_value_paths = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}),
                                       label="High-value pages", help_text="URL fragments, one per line: pricing, "
                                                                           "demo and contact pages (+ bonus minutes).")
    excluded_paths = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}),
                                     label="Excluded pages", help_text="URL fragments, one per line: careers, "
                                                                       "login, unsubscribe (worth 0 minutes).")
    website_domains = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                      label="Your website's domains",
                                      help_text="One per line, e.g. northwind.example: campaign links to these "
                                                "carry the contact token the snippet reads (no other site gets it).")

    def __init__(self, *args, settings=None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if settings is not None:
            numbers = merged_rules(settings.engagement_rules)
            initial.update(refresh_every_days=settings.refresh_every_days,
                           high_value_paths="\n".join(settings.high_value_paths or []),
                           excluded_paths="\n".join(settings.excluded_paths or []),
                           website_domains="\n".join(settings.website_domains or []))
            initial.update({f"rule__{t}__{k}": int(v) if float(v).is_integer() else v
                            for t, values in numbers.items() for k, v in values.items()})
        super().__init__(*args, initial=initial, **kwargs)
        for event_type in TYPES:
            for key in DEFAULT_RULES[event_type]:
                half_life = "half_life" in key
                self.fields[f"rule__{event_type}__{key}"] = forms.FloatField(
                    min_value=0.01 if half_life else 0, max_value=3650 if half_life else 1000,
                    label=f"{EngagementType(event_type).label}: {RULE_LABELS[key].lower()}",
                    widget=forms.NumberInput(attrs={"step": "any", "class": "rule-input"}))

    def rule_rows(self):
        """[(type label, [(key label, bound field, default)])] for the rules table."""
        rows = []
        for event_type in TYPES:
            rows.append((EngagementType(event_type).label, event_type,
                         [(RULE_LABELS[key], self[f"rule__{event_type}__{key}"], DEFAULT_RULES[event_type][key])
                          for key in DEFAULT_RULES[event_type]]))
        return rows

    def engagement_rules(self) -> dict:
        rules: dict = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("rule__"):
                _, event_type, key = name.split("__", 2)
                rules.setdefault(event_type, {})[key] = value
        return rules

    @staticmethod
    def lines(value: str) -> list[str]:
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ProviderForm(forms.Form):
    name = forms.SlugField(max_length=50, help_text="Stored as the source of its signals, e.g. bombora.")
    kind = forms.ChoiceField(choices=ProviderKind.choices)
    signal_kind = forms.ChoiceField(choices=SignalKind.choices, label="Signals")
    path = forms.CharField(required=False, max_length=300, label="Folder (file drop)",
                           help_text="Relative to this workspace's drop folder.")
