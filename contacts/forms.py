"""Forms of the contacts pages. They parse and validate input; the services decide and write."""
from django import forms

from accounts.models import Account
from accounts.services.target_lists import account_find
from contacts.engine import disc as disc_engine
from contacts.engine import titles as title_engine
from contacts.models import ConsentStatus, DiscSource, LifecycleStage, Persona, Seniority
from contacts.models.contacts import CHANNELS

CHANNEL_LABELS = {"email": "E-mail", "phone": "Phone", "ads": "Ads", "direct_mail": "Direct mail"}
ROLE_CHOICES = [(code, title_engine.ROLE_LABELS[code]) for code in title_engine.ROLES]
DEPARTMENT_CHOICES = [(code, title_engine.DEPARTMENT_LABELS[code]) for code in title_engine.DEPARTMENTS]
DONT_KNOW = ""
RATINGS = [(str(v), f"{v:+d}" if v else "0") for v in range(disc_engine.SCALE_MIN, disc_engine.SCALE_MAX + 1)]


def style_label(style: str) -> str:
    """"Di — Dominance / Influence"; a primary style is just its name."""
    blend = disc_engine.normalise_style(style)
    names = [disc_engine.STYLE_NAMES[letter.upper()] for letter in blend]
    return f"{blend} — {' / '.join(names)}"


class BuyingProfileForm(forms.Form):
    """A person overrides the roles, seniority and persona read from the title."""

    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
                                      label="Buying-group roles")
    seniority = forms.ChoiceField(choices=[("", "Unknown"), *Seniority.choices], required=False)
    persona = forms.ModelChoiceField(queryset=Persona.unscoped_objects.none(), required=False, empty_label="No persona")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persona"].queryset = Persona.objects.for_workspace(workspace)

    @classmethod
    def for_contact(cls, contact, *, workspace):
        return cls(workspace=workspace, initial={"roles": contact.roles, "seniority": contact.seniority,
                                                 "persona": contact.persona_id})


class DiscQuestionnaireForm(forms.Form):
    """The rep's ten observations after a call (DOMAIN.md §4.4), each rated −2..+2 or "don't know"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in disc_engine.QUESTIONNAIRE:
            self.fields[item.id] = forms.ChoiceField(
                label=item.text, required=False, initial=DONT_KNOW,
                choices=[*RATINGS, (DONT_KNOW, "Don't know")], widget=forms.RadioSelect)

    def rows(self):
        """(item, bound field) per question, for the template's scale layout."""
        return [(item, self[item.id]) for item in disc_engine.QUESTIONNAIRE]

    def answers(self) -> dict[str, int]:
        """The rated items; "don't know" is left out."""
        return {item_id: int(value) for item_id, value in self.cleaned_data.items() if value != DONT_KNOW}


class DiscRecordForm(forms.Form):
    """A style a rep observed, the person reported, or an import brought."""

    style = forms.ChoiceField(choices=[(b, style_label(b)) for b in disc_engine.BLENDS], label="Style")
    source = forms.ChoiceField(choices=[c for c in DiscSource.choices if c[0] != DiscSource.QUESTIONNAIRE],
                               initial=DiscSource.OBSERVED)
    confidence = forms.ChoiceField(initial="0.6", choices=[
        ("0.3", "Low — a first impression"), ("0.6", "Medium — seen it a few times"),
        ("0.85", "High — clear and consistent")])
    note = forms.CharField(required=False, max_length=200, label="What you saw",
                           widget=forms.TextInput(attrs={"placeholder": "e.g. replies in one line within minutes"}))


class LifecycleForm(forms.Form):
    """Sales accepts or rejects an MQL; editors move a contact to another stage."""

    action = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject"), ("move", "Move")])
    to_stage = forms.ChoiceField(choices=LifecycleStage.choices, required=False, label="Stage")
    reason = forms.CharField(required=False, max_length=200, label="Why")

    def clean(self):
        data = super().clean()
        if data.get("action") == "move" and not data.get("to_stage"):
            self.add_error("to_stage", "Choose the stage to move to.")
        if data.get("action") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why sales rejects this MQL.")
        return data


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(choices=[(c, CHANNEL_LABELS[c]) for c in CHANNELS])
    status = forms.ChoiceField(choices=ConsentStatus.choices)
    how = forms.CharField(max_length=200, label="How",
                          widget=forms.TextInput(attrs={"placeholder": "e.g. unsubscribe link, asked on the phone"}))


class EraseForm(forms.Form):
    confirm = forms.BooleanField(label="I understand the personal data is removed for good.")
    reason = forms.CharField(max_length=200, initial="Erasure request", label="Reason (kept in the audit trail)")


class ReviewDecisionForm(forms.Form):
    """A decision in the review queue. "pick" takes a candidate, or an account typed by id, domain
    or CRM id."""

    action = forms.ChoiceField(choices=[("accept", "Accept"), ("pick", "Pick another"), ("reject", "No account"),
                                        ("new_account", "Create new account")])
    candidate = forms.IntegerField(required=False)
    account_ref = forms.CharField(required=False, max_length=253, label="Account id, domain or CRM id")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean(self):
        data = super().clean()
        data["account"] = None
        if data.get("action") != "pick":
            return data
        reference = (data.get("account_ref") or "").strip()
        if reference:
            account = account_find(workspace=self.workspace, reference=reference)
            if account is None:
                raise forms.ValidationError(f"No single account matches “{reference}”: use its id, domain or CRM id.")
        elif data.get("candidate"):
            account = Account.objects.for_workspace(self.workspace).filter(pk=data["candidate"]).first()
            if account is None:
                raise forms.ValidationError("That account does not exist (any more).")
        else:
            raise forms.ValidationError("Choose one of the candidates or type the account's domain.")
        data["account"] = account
        return data


class ListField(forms.CharField):
    """A list kept as JSON on the model, edited as comma-separated text."""

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


class PersonaForm(forms.ModelForm):
    default_roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, required=False,
                                              widget=forms.CheckboxSelectMultiple, label="Typical buying-group roles")
    seniorities = forms.MultipleChoiceField(choices=Seniority.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    departments = forms.MultipleChoiceField(choices=DEPARTMENT_CHOICES, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    title_keywords = ListField(required=False, label="Title keywords", help_text="Comma-separated; any of them in "
                               "the job title assigns the persona, e.g. logistics, supply chain, Logistik.")
    title_keywords_exclude = ListField(required=False, label="Exclude titles with",
                                       help_text="Comma-separated, e.g. assistant, intern.")
    preferred_formats = ListField(required=False, help_text="Comma-separated, e.g. case study, ROI calculator.")
    preferred_channels = ListField(required=False, help_text="Comma-separated, e.g. e-mail, LinkedIn, events.")

    class Meta:
        model = Persona
        fields = ["name", "description", "priority", "title_keywords", "title_keywords_exclude", "departments",
                  "seniorities", "default_roles", "goals", "pains", "objections", "key_messages",
                  "preferred_formats", "preferred_channels"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in
                   ("description", "goals", "pains", "objections", "key_messages")}
