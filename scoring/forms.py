"""Forms of the scoring pages. They parse what a person typed into the shapes the services take;
the services decide whether it is acceptable."""
from __future__ import annotations

from django import forms

from scoring.models import CriterionKind, IcpCriterion, ScoringWeights
from scoring.services.icp import ATTRIBUTE_OPS

LIST_HELP = "Comma-separated, e.g. Logistics, Transport"


class IcpCriterionForm(forms.Form):
    """One criterion with the config fields of every kind; `config()` keeps the kind's ones."""

    kind = forms.ChoiceField(choices=CriterionKind.choices)
    label = forms.CharField(max_length=120, help_text="How the reason reads, e.g. “Logistics companies”.")
    weight = forms.FloatField(min_value=0, max_value=100, initial=1.0)
    is_disqualifier = forms.BooleanField(required=False, label="Disqualifier (a match makes fit 0)")
    values = forms.CharField(required=False, help_text=LIST_HELP, label="Values")
    adjacent = forms.CharField(required=False, help_text="Count half, e.g. Retail", label="Adjacent values")
    min = forms.FloatField(required=False, min_value=0, label="Minimum")
    max = forms.FloatField(required=False, min_value=0, label="Maximum")
    k = forms.IntegerField(required=False, min_value=1, label="How many for a full match")
    key = forms.CharField(required=False, max_length=60, label="Attribute key")
    op = forms.ChoiceField(required=False, choices=[(op, op) for op in ATTRIBUTE_OPS], label="Operator")
    value = forms.CharField(required=False, max_length=200, label="Compare with")

    @classmethod
    def for_criterion(cls, criterion: IcpCriterion, **kwargs) -> "IcpCriterionForm":
        config = criterion.config or {}
        initial = {"kind": criterion.kind, "label": criterion.label, "weight": criterion.weight,
                   "is_disqualifier": criterion.is_disqualifier, "min": config.get("min"), "max": config.get("max"),
                   "k": config.get("k"), "key": config.get("key", ""), "op": config.get("op", "eq")}
        if criterion.kind == "attribute":
            value = config.get("value")
            initial["value"] = ", ".join(map(str, value)) if isinstance(value, list) else (
                value if value is not None else "")
        else:
            initial["values"] = ", ".join(config.get("values", []))
            initial["adjacent"] = ", ".join(config.get("adjacent", []))
        return cls(initial=initial, **kwargs)

    def config(self) -> dict:
        data, kind = self.cleaned_data, self.cleaned_data["kind"]
        if kind in ("industry", "country", "region"):
            return {"values": _split(data["values"]), "adjacent": _split(data["adjacent"])}
        if kind in ("employees", "revenue"):
            return {k: data[k] for k in ("min", "max") if data.get(k) is not None}
        if kind == "technology":
            return {"values": _split(data["values"]), "k": data.get("k") or 1}
        op = data.get("op") or "eq"
        value = data.get("value", "")
        config = {"key": data.get("key", ""), "op": op}
        if op == "in":
            config["value"] = _split(value)
        elif op != "true":
            config["value"] = value
        return config

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"kind": data["kind"], "label": data["label"], "weight": data["weight"], "config": self.config(),
                "is_disqualifier": data["is_disqualifier"]}


class WeightsForm(forms.Form):
    """Proposed weights in percent (they add up to 100) and the settings that go with them; the
    tier thresholds get one field per tier of the workspace."""

    fit = forms.FloatField(min_value=0, max_value=100, label="Fit")
    intent = forms.FloatField(min_value=0, max_value=100, label="Intent")
    engagement = forms.FloatField(min_value=0, max_value=100, label="Engagement")
    predictive = forms.FloatField(min_value=0, max_value=100, label="Predictive")
    no_decision_maker_penalty = forms.IntegerField(min_value=0, max_value=100, label="No decision maker known (−)")
    trigger_bonus = forms.IntegerField(min_value=0, max_value=100, label="Per trigger event (+)")
    trigger_bonus_max = forms.IntegerField(min_value=0, max_value=100, label="Trigger points at most")
    mqa_threshold = forms.IntegerField(min_value=0, max_value=100, label="MQA at score")
    mqa_min_fit = forms.IntegerField(min_value=0, max_value=100, label="MQA needs fit")
    mqa_exit_margin = forms.IntegerField(min_value=0, max_value=100, label="MQA exit margin")
    engagement_ref_minutes = forms.FloatField(min_value=1, max_value=10000, label="Engagement reference minutes")
    mql_threshold = forms.IntegerField(min_value=0, max_value=100, label="Contact MQL at score")
    note = forms.CharField(required=False, max_length=255, label="Why (shown to whoever signs off)")

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tier_fields = []
        for tier in tiers:
            name = f"tier_{tier.order}"
            if name in self.fields:
                continue
            self.fields[name] = forms.IntegerField(min_value=0, max_value=100, required=False,
                                                   label=f"{tier.name} from score")
            self.tier_fields.append(name)

    @classmethod
    def from_weights(cls, weights: ScoringWeights, *, tiers=(), **kwargs) -> "WeightsForm":
        initial = {name: _percent(getattr(weights, name)) for name in ("fit", "intent", "engagement", "predictive")}
        initial.update({name: getattr(weights, name) for name in (
            "no_decision_maker_penalty", "trigger_bonus", "trigger_bonus_max", "mqa_threshold", "mqa_min_fit",
            "mqa_exit_margin", "engagement_ref_minutes", "mql_threshold")})
        initial.update({f"tier_{k}": v for k, v in (weights.tier_thresholds or {}).items()})
        return cls(initial=initial, tiers=tiers, **kwargs)

    @property
    def component_fields(self):
        return [self[name] for name in ("fit", "intent", "engagement", "predictive")]

    @property
    def adjustment_fields(self):
        return [self[name] for name in ("no_decision_maker_penalty", "trigger_bonus", "trigger_bonus_max")]

    @property
    def qualification_fields(self):
        return [self[name] for name in ("mqa_threshold", "mqa_min_fit", "mqa_exit_margin", "mql_threshold",
                                        "engagement_ref_minutes")]

    @property
    def tier_bound_fields(self):
        return [self[name] for name in self.tier_fields]

    def values(self) -> dict:
        """What weights_propose / whatif_preview take: fractions, settings, tier thresholds."""
        data = self.cleaned_data
        values = {name: round(data[name] / 100, 4) for name in ("fit", "intent", "engagement", "predictive")}
        values.update({name: data[name] for name in (
            "no_decision_maker_penalty", "trigger_bonus", "trigger_bonus_max", "mqa_threshold", "mqa_min_fit",
            "mqa_exit_margin", "engagement_ref_minutes", "mql_threshold")})
        if self.tier_fields:   # no tiers configured: keep the thresholds as they are
            values["tier_thresholds"] = {name.removeprefix("tier_"): data[name] for name in self.tier_fields
                                         if data.get(name) is not None}
        return values


class SignOffForm(forms.Form):
    side = forms.ChoiceField(choices=[("marketing", "Marketing"), ("sales", "Sales")])


def _percent(fraction: float) -> float | int:
    value = round(fraction * 100, 1)
    return int(value) if value == int(value) else value


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]
