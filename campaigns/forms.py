"""Forms of the campaign pages. They parse and check the shape of the input; the services
(campaigns.services.editing, .enrolment) decide and write."""
from __future__ import annotations

import json
from datetime import timedelta

from django import forms
from django.utils import timezone

from abm_platform.models import User
from accounts.models import Segment, TargetList, Tier
from accounts.services.target_lists import account_find
from campaigns.models import (
    AssigneeRule, AudienceKind, Channel, ContentTemplate, Play, TaskStatus,
)
from campaigns.services.editing import CHANNEL_SETTINGS, TASK_KINDS, TEMPLATE_CHANNELS, UNUSED_SETTING
from contacts.engine import titles as title_engine
from contacts.models import Persona, Seniority

ROLE_CHOICES = [(code, title_engine.ROLE_LABELS[code]) for code in title_engine.ROLES]
DISC_CHOICES = [("D", "D — Dominance"), ("I", "i — Influence"), ("S", "S — Steadiness"),
                ("C", "C — Conscientiousness")]
# The DISC variants the template editor offers (blends stay available through the API).
TEMPLATE_STYLES = [("D", "D — Dominance"), ("i", "i — Influence"), ("S", "S — Steadiness"),
                   ("C", "C — Conscientiousness")]
DELAY_UNITS = [("hours", "hours"), ("days", "days")]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def resolve_accounts(workspace, text: str) -> tuple[list[int], list[str]]:
    """Account ids for references typed one per line (id, domain, CRM id or exact name), and
    the lines nothing (or more than one account) matched."""
    ids, unknown = [], []
    for line in text.replace(",", "\n").splitlines():
        reference = line.strip()
        if not reference:
            continue
        account = account_find(workspace=workspace, reference=reference)
        if account is None:
            unknown.append(reference)
        elif account.pk not in ids:
            ids.append(account.pk)
    return ids, unknown


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=150)
    objective = forms.CharField(max_length=255, help_text="What the campaign is for, in one line.")
    hypothesis = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text="One sentence with a measurable outcome, e.g. “Personalised outreach "
                                           "to decision makers books 3 meetings in 6 weeks.”")
    success_metric = forms.CharField(max_length=255)
    end_date = forms.DateField(widget=_date_input())
    owner = forms.ModelChoiceField(queryset=User.objects.none(), help_text="Only the owner expands the pilot.")
    audience_kind = forms.ChoiceField(choices=AudienceKind.choices, label="Audience")
    tier = forms.ModelChoiceField(queryset=Tier.unscoped_objects.none(), required=False)
    segment = forms.ModelChoiceField(queryset=Segment.unscoped_objects.none(), required=False)
    target_list = forms.ModelChoiceField(queryset=TargetList.unscoped_objects.none(), required=False)
    accounts = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               label="Hand-picked accounts",
                               help_text="One per line: domain, CRM id or exact name.")
    acquisition_only = forms.BooleanField(required=False, initial=True,
                                          label="Acquisition only (never touch customers)")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["owner"].queryset = User.objects.filter(memberships__workspace=workspace).order_by("full_name")
        self.fields["owner"].label_from_instance = lambda u: u.full_name or u.email
        self.fields["tier"].queryset = Tier.objects.for_workspace(workspace).order_by("order")
        self.fields["segment"].queryset = Segment.objects.for_workspace(workspace)
        self.fields["target_list"].queryset = TargetList.objects.for_workspace(workspace)

    def clean(self):
        data = super().clean()
        if data.get("audience_kind") == AudienceKind.ACCOUNTS:
            ids, unknown = resolve_accounts(self.workspace, data.get("accounts") or "")
            if unknown:
                self.add_error("accounts", f"No single account matches: {', '.join(unknown[:5])}.")
            data["account_ids"] = ids
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        account_ids = data.pop("account_ids", None)
        data.pop("accounts", None)
        if data["audience_kind"] == AudienceKind.ACCOUNTS:
            data["accounts"] = account_ids or []
        return data


class PilotForm(forms.Form):
    accounts = forms.MultipleChoiceField(choices=[], required=False, widget=forms.CheckboxSelectMultiple,
                                         label="Pilot accounts")
    references = forms.CharField(required=False, label="Or type them",
                                 help_text="Domains, CRM ids or exact names, one per line.",
                                 widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, workspace, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["accounts"].choices = [(str(a.pk), a.name) for a in candidates]

    def clean(self):
        data = super().clean()
        ids = [int(a) for a in data.get("accounts") or []]
        typed, unknown = resolve_accounts(self.workspace, data.get("references") or "")
        if unknown:
            raise forms.ValidationError(f"No single account matches: {', '.join(unknown[:5])}.")
        data["account_ids"] = list(dict.fromkeys(ids + typed))
        return data


class ExpandForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why expand?",
                              help_text="Recorded with the expansion: what in the pilot justifies it.")


class PlayForm(forms.ModelForm):
    class Meta:
        model = Play
        fields = ["name", "trigger", "exit_goal", "priority", "is_active"]
        labels = {"is_active": "Active", "exit_goal": "Ends when"}


# The form fields behind each step setting of campaigns.services.editing.CHANNEL_SETTINGS.
STEP_SETTING_FIELDS = {
    "template": ("template",), "task_kind": ("task_kind",), "assignee_rule": ("assignee_rule",),
    "audience_filter": ("roles", "seniorities", "personas", "disc_styles"), "is_operational": ("is_operational",),
    "config": ("config",),
}
# What the channel settings (JSON) hold, per channel that has them.
CONFIG_HINTS = {
    Channel.EVENT_INVITE: '{"event": {"id": "wh-live-05", "kind": "webinar", "name": "…", '
                          '"starts_at": "2026-05-12T15:00:00+00:00", "url": "https://…"}}',
    Channel.AD_AUDIENCE: '{"platform": "linkedin"} or {"platform": "google"}',
    Channel.WEB_PERSONALISATION: '{"slot": "hero", "cta": {"text": "Book a workshop", "url": "https://…"}}',
    Channel.WEBHOOK: '{"event": "play.step"} — optionally "subscription_ids": [1, 2]',
}


class StepForm(forms.Form):
    """A step as the play editor shows it: channel, delay, the audience inside the account,
    the content or task, the channel's settings, and (folded away) waits and branches.

    Each channel has its own fields (CHANNEL_SETTINGS): the editor shows only those
    (static/js/campaigns.js), and `clean()` ignores whatever the others hold, errors included,
    so a stale template or half-typed JSON of another channel never blocks or leaks into a step.
    """

    channel = forms.ChoiceField(choices=Channel.choices)
    delay = forms.IntegerField(min_value=0, initial=0, label="Wait")
    delay_unit = forms.ChoiceField(choices=DELAY_UNITS, initial="days", label="Unit")
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
                                      label="Buying-group roles")
    seniorities = forms.MultipleChoiceField(choices=Seniority.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple, label="Seniority")
    personas = forms.MultipleChoiceField(choices=[], required=False, widget=forms.CheckboxSelectMultiple)
    disc_styles = forms.MultipleChoiceField(choices=DISC_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
                                            label="DISC styles")
    template = forms.ModelChoiceField(queryset=ContentTemplate.unscoped_objects.none(), required=False,
                                      empty_label="— none —")
    task_kind = forms.ChoiceField(choices=list(TASK_KINDS.items()), initial="call", label="Task")
    assignee_rule = forms.ChoiceField(choices=AssigneeRule.choices, initial=AssigneeRule.OWNER, label="Assign to")
    is_operational = forms.BooleanField(required=False, label="Operational (exempt from caps)")
    no_reply_days = forms.IntegerField(min_value=1, max_value=90, required=False,
                                       label="Only if no reply after (days)")
    if_engaged_goto = forms.IntegerField(min_value=1, required=False, label="If engaged, go to step")
    else_goto = forms.IntegerField(min_value=1, required=False, label="Otherwise go to step")
    config = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Channel settings (JSON)")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["personas"].choices = [(str(p.pk), p.name) for p in Persona.objects.for_workspace(workspace)
                                           .order_by("priority", "name")]
        self.fields["template"].queryset = ContentTemplate.objects.for_workspace(workspace).order_by("name")

    @classmethod
    def for_step(cls, step, *, workspace, prefix=None):
        hours = step.delay_hours or 0
        days = hours % 24 == 0
        audience = step.audience_filter or {}
        initial = {"channel": step.channel, "delay": hours // 24 if days else hours,
                   "delay_unit": "days" if days else "hours", "roles": audience.get("roles", []),
                   "seniorities": audience.get("seniorities", []),
                   "personas": [str(p) for p in audience.get("personas", [])],
                   "disc_styles": audience.get("disc_styles", []), "template": step.template_id,
                   "task_kind": step.task_kind or "call", "assignee_rule": step.assignee_rule,
                   "is_operational": step.is_operational,
                   "no_reply_days": (step.wait_condition or {}).get("no_reply_days"),
                   "if_engaged_goto": (step.branch or {}).get("if_engaged_goto"),
                   "else_goto": (step.branch or {}).get("else_goto"),
                   "config": json.dumps(step.config) if step.config else ""}
        return cls(initial=initial, workspace=workspace, prefix=prefix)

    def clean_config(self):
        text = (self.cleaned_data.get("config") or "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(f"Not valid JSON: {error}.") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("Give a JSON object, e.g. {}.")
        return value

    def clean(self):
        """Forget the fields the chosen channel does not use: their values and their errors."""
        data = super().clean()
        channel = data.get("channel")
        if channel in CHANNEL_SETTINGS:
            for setting, names in STEP_SETTING_FIELDS.items():
                if setting in CHANNEL_SETTINGS[channel]:
                    continue
                for name in names:
                    self.errors.pop(name, None)
                    data[name] = [] if setting == "audience_filter" else UNUSED_SETTING[setting]
        return data

    @property
    def channel_settings_json(self) -> str:
        """For the editor's script (a data attribute): channel → the settings it uses."""
        return json.dumps({str(channel): list(settings) for channel, settings in CHANNEL_SETTINGS.items()})

    @property
    def optional_template_channels(self) -> str:
        """The channels that use a template but can run without one (space-separated)."""
        return " ".join(str(channel) for channel, settings in CHANNEL_SETTINGS.items()
                        if "template" in settings and channel not in TEMPLATE_CHANNELS)

    def config_hints(self) -> list[tuple[str, str]]:
        return [(str(channel), hint) for channel, hint in CONFIG_HINTS.items()]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        audience = {key: data[key] for key in ("roles", "seniorities", "disc_styles") if data.get(key)}
        if data.get("personas"):
            audience["personas"] = [int(p) for p in data["personas"]]
        branch = {k: data[k] for k in ("if_engaged_goto", "else_goto") if data.get(k)}
        return {
            "channel": data["channel"],
            "delay_hours": data["delay"] * (24 if data["delay_unit"] == "days" else 1),
            "audience_filter": audience, "template": data.get("template"),
            "task_kind": data.get("task_kind") or "", "assignee_rule": data["assignee_rule"],
            "is_operational": data.get("is_operational", False),
            "wait_condition": {"no_reply_days": data["no_reply_days"]} if data.get("no_reply_days") else {},
            "branch": branch, "config": data.get("config") or {},
        }


class TemplateForm(forms.Form):
    """The main text, an optional variant per DISC style and an optional B arm with its share."""

    name = forms.CharField(max_length=150)
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.EMAIL)
    subject = forms.CharField(max_length=255, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "true"}))
    b_subject = forms.CharField(max_length=255, required=False, label="Subject (B)")
    b_body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}), label="Body (B)")
    b_share = forms.IntegerField(min_value=0, max_value=100, required=False, label="Share of B (%)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for style, label in TEMPLATE_STYLES:
            self.fields[f"disc_{style}_subject"] = forms.CharField(max_length=255, required=False, label="Subject")
            self.fields[f"disc_{style}_body"] = forms.CharField(required=False, label="Body",
                                                                widget=forms.Textarea(attrs={"rows": 4}))

    @staticmethod
    def initial_for(template: ContentTemplate) -> dict:
        initial = {"name": template.name, "channel": template.channel, "subject": template.subject,
                   "body": template.body}
        for style, _ in TEMPLATE_STYLES:
            variant = (template.disc_variants or {}).get(style) or {}
            initial[f"disc_{style}_subject"] = variant.get("subject", "")
            initial[f"disc_{style}_body"] = variant.get("body", "")
        b = (template.ab_variants or {}).get("B") or {}
        initial.update(b_subject=b.get("subject", ""), b_body=b.get("body", ""),
                       b_share=(template.ab_split or {}).get("B"))
        return initial

    def disc_fields(self):
        """(style, label, subject field, body field) for the template's DISC section."""
        return [(style, label, self[f"disc_{style}_subject"], self[f"disc_{style}_body"])
                for style, label in TEMPLATE_STYLES]

    def service_fields(self, template: ContentTemplate | None = None) -> dict:
        data = self.cleaned_data
        disc = {k: v for k, v in ((template.disc_variants if template else None) or {}).items()
                if k not in dict(TEMPLATE_STYLES)}          # blends set through the API are kept
        for style, _ in TEMPLATE_STYLES:
            subject, body = data.get(f"disc_{style}_subject", ""), data.get(f"disc_{style}_body", "")
            variant = {k: v for k, v in (("subject", subject), ("body", body)) if v.strip()}
            if variant:
                disc[style] = variant
        ab_variants, ab_split = {}, {}
        if (data.get("b_body") or "").strip():
            # An arm carries its own subject: a blank one is the main subject.
            ab_variants["B"] = {"subject": data.get("b_subject") or data.get("subject", ""), "body": data["b_body"]}
            share = data.get("b_share") if data.get("b_share") is not None else 50
            ab_split = {"A": 100 - share, "B": share}
        return {"name": data["name"], "channel": data["channel"], "subject": data.get("subject", ""),
                "body": data["body"], "disc_variants": disc, "ab_variants": ab_variants, "ab_split": ab_split}

    def source_template(self, workspace, template: ContentTemplate | None = None) -> ContentTemplate:
        """An unsaved template from the form's current text (for the live preview)."""
        return ContentTemplate(workspace=workspace, **self.service_fields(template))


class OwnerConsentForm(forms.Form):
    account = forms.ChoiceField(choices=[], help_text="Accounts sales is working (an open deal or a hold).")
    play = forms.ModelChoiceField(queryset=Play.unscoped_objects.none(), empty_label="— choose a play —",
                                  help_text="The play that may touch the account.")
    expires_on = forms.DateField(widget=_date_input(), label="Until")
    comment = forms.CharField(max_length=255, required=False)

    def __init__(self, *args, workspace, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "—")] + [(str(a.pk), a.name) for a in accounts]
        self.fields["play"].queryset = (Play.objects.for_workspace(workspace).select_related("campaign")
                                        .filter(campaign__status__in=["draft", "pilot", "active", "paused"])
                                        .order_by("campaign__name", "name"))
        self.fields["play"].label_from_instance = lambda p: f"{p.campaign.name} · {p.name}"
        self.fields["expires_on"].initial = timezone.localdate() + timedelta(days=30)


class TaskFinishForm(forms.Form):
    status = forms.ChoiceField(choices=[(TaskStatus.DONE, "Done"), (TaskStatus.SKIPPED, "Skip")])
    outcome = forms.CharField(max_length=255, label="Outcome")


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=100)
    url = forms.URLField(max_length=500, label="URL", assume_scheme="https")
    events = forms.CharField(max_length=500, initial="touch.sent",
                             help_text="Comma-separated, e.g. touch.sent, account.mqa, play.step — or * for all.")
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def clean_events(self):
        return [e.strip() for e in self.cleaned_data["events"].split(",") if e.strip()]
