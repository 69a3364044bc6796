"""Writing campaigns as people edit them: campaigns, plays, steps (ordered, with their audience
inside the account), content templates (checked by rendering them at save time, so an unknown
variable or a syntax error is refused with its line, never discovered at send time), owner
consents, the rep's answer to a sales task and webhook subscriptions.

Every function takes keyword arguments, validates (`full_clean` plus the rules below) and
writes inside one transaction; views, serializers and the demo call these and nothing else.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from abm_platform.models import Membership
from campaigns.engine import content as engine
from campaigns.models import (
    AssigneeRule, AudienceKind, Campaign, CampaignStatus, Channel, ContentTemplate, Enrolment, OwnerConsent, Play,
    SalesTask, Step, TaskStatus, Touch, WebhookSubscription,
)
from campaigns.services.webhooks import webhook_url_problem
from contacts.engine import disc as disc_engine
from contacts.engine import titles as title_engine
from contacts.models import Persona, Seniority

AUDIENCE_KEYS = ("roles", "seniorities", "personas", "disc_styles")
DISC_FILTER_STYLES = tuple(dict.fromkeys((*disc_engine.PRIMARY_STYLES, *disc_engine.BLENDS)))
TASK_KINDS = {"call": "Call", "linkedin": "LinkedIn touch", "email": "Personal e-mail"}
TEMPLATE_CHANNELS = {Channel.EMAIL, Channel.EVENT_INVITE}      # steps that cannot run without a template
HTML_CHANNELS = {Channel.EMAIL, Channel.EVENT_INVITE}           # rendered as HTML e-mail
MAX_DELAY_HOURS = 24 * 365
MAX_CONSENT_DAYS = 365
CAMPAIGN_FIELDS = ("name", "objective", "hypothesis", "success_metric", "end_date", "owner", "audience_kind", "tier",
                   "segment", "target_list", "acquisition_only")
PLAY_FIELDS = ("name", "trigger", "trigger_config", "exit_goal", "exit_config", "priority", "is_active")
STEP_FIELDS = ("channel", "delay_hours", "audience_filter", "template", "wait_condition", "branch", "assignee_rule",
               "task_kind", "is_operational", "config")
# What each channel uses of a step's settings, besides the delay, the "no reply" wait and the
# branch, which every step has. A setting a channel does not use is cleared when the step is
# saved (a template left on a webhook step would only mislead whoever reads the play); the play
# editor shows each channel only its own fields (static/js/campaigns.js reads this table).
CHANNEL_SETTINGS = {
    Channel.EMAIL: ("template", "audience_filter", "is_operational"),
    Channel.EVENT_INVITE: ("template", "audience_filter", "is_operational", "config"),
    Channel.DIRECT_MAIL: ("template", "audience_filter", "is_operational"),
    Channel.AD_AUDIENCE: ("audience_filter", "config"),
    Channel.SALES_TASK: ("task_kind", "assignee_rule", "audience_filter"),
    Channel.WEB_PERSONALISATION: ("template", "config"),
    Channel.WEBHOOK: ("config",),
}
UNUSED_SETTING = {"template": None, "audience_filter": {}, "is_operational": False, "config": {}, "task_kind": "",
                  "assignee_rule": AssigneeRule.OWNER}
TEMPLATE_FIELDS = ("name", "channel", "subject", "body", "disc_variants", "ab_variants", "ab_split")
AUDIENCE_FK = {AudienceKind.TIER: "tier", AudienceKind.SEGMENT: "segment", AudienceKind.TARGET_LIST: "target_list"}


# --- campaigns -------------------------------------------------------------------------------

def _check_campaign(campaign: Campaign, account_ids: list[int] | None) -> None:
    errors: dict[str, list[str]] = {}
    kind = campaign.audience_kind
    needed = AUDIENCE_FK.get(kind)
    for field in AUDIENCE_FK.values():
        if field == needed:
            if getattr(campaign, f"{field}_id") is None:
                errors[field] = [f"Choose the {field.replace('_', ' ')} the campaign targets."]
        else:
            setattr(campaign, field, None)     # only the audience the kind names is kept
    if campaign.owner_id and not Membership.objects.for_workspace(campaign.workspace_id).filter(
            user_id=campaign.owner_id).exists():
        errors["owner"] = ["The owner must be a member of this workspace."]
    if kind == AudienceKind.ACCOUNTS and account_ids is not None and not account_ids:
        errors["accounts"] = ["Pick the accounts of a hand-picked audience."]
    if errors:
        raise ValidationError(errors)


def _accounts_of(workspace_id: int, account_ids) -> list[int]:
    from accounts.models import Account

    ids = list(dict.fromkeys(int(a) for a in account_ids))
    found = set(Account.objects.for_workspace(workspace_id).filter(pk__in=ids).values_list("pk", flat=True))
    missing = [a for a in ids if a not in found]
    if missing:
        raise ValidationError({"accounts": [f"No such account: {', '.join(map(str, missing[:10]))}."]})
    return ids


@transaction.atomic
def campaign_create(*, workspace, by, accounts: list[int] | None = None, **fields) -> Campaign:
    """A new campaign in draft. `accounts`: the hand-picked audience (ids)."""
    fields.setdefault("owner", by)
    campaign = Campaign(workspace=workspace, **{k: v for k, v in fields.items() if k in CAMPAIGN_FIELDS})
    if campaign.end_date and campaign.end_date < timezone.localdate():
        raise ValidationError({"end_date": ["The end date is in the past."]})
    ids = _accounts_of(workspace.pk, accounts or []) if campaign.audience_kind == AudienceKind.ACCOUNTS else None
    _check_campaign(campaign, ids)
    campaign.full_clean(exclude=["accounts", "pilot_accounts"])
    campaign.save()
    if ids:
        campaign.accounts.set(ids)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, by, accounts: list[int] | None = None, **fields) -> Campaign:
    """Change what the campaign is about; its audience only before it is expanded (after that the
    enrolled accounts are what they are)."""
    changes = {k: v for k, v in fields.items() if k in CAMPAIGN_FIELDS}
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.PILOT) and _audience_moves(
            campaign, changes, accounts):
        raise ValidationError({"audience_kind": ["The audience of an expanded campaign no longer changes; "
                                                 "start a new campaign for other accounts."]})
    for name, value in changes.items():
        setattr(campaign, name, value)
    ids = None
    if campaign.audience_kind == AudienceKind.ACCOUNTS:
        ids = _accounts_of(campaign.workspace_id, accounts) if accounts is not None else \
            list(campaign.accounts.values_list("pk", flat=True))
    _check_campaign(campaign, ids)
    campaign.full_clean(exclude=["accounts", "pilot_accounts"])
    campaign.save()
    if accounts is not None and campaign.audience_kind == AudienceKind.ACCOUNTS:
        campaign.accounts.set(ids)
    return campaign


def _audience_moves(campaign: Campaign, changes: dict, accounts: list[int] | None) -> bool:
    for field in ("audience_kind", *AUDIENCE_FK.values()):
        if field in changes:
            new = changes[field].pk if hasattr(changes[field], "pk") else changes[field]
            old = getattr(campaign, f"{field}_id") if field in AUDIENCE_FK.values() else getattr(campaign, field)
            if new != old:
                return True
    if accounts is not None:
        return {int(a) for a in accounts} != set(campaign.accounts.values_list("pk", flat=True))
    return False


@transaction.atomic
def campaign_delete(*, campaign: Campaign, by) -> None:
    """Only a draft is deleted: a campaign that ran keeps its touches as the record of who was
    contacted (stop it instead)."""
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError("Only a draft campaign can be deleted; stop a campaign that has run.")
    campaign.delete()


# --- plays -----------------------------------------------------------------------------------

def _check_json_object(value, field: str) -> dict:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationError({field: ["Give a JSON object, e.g. {}."]})
    return value


@transaction.atomic
def play_create(*, campaign: Campaign, **fields) -> Play:
    play = Play(workspace_id=campaign.workspace_id, campaign=campaign,
                **{k: v for k, v in fields.items() if k in PLAY_FIELDS})
    play.trigger_config = _check_json_object(play.trigger_config, "trigger_config")
    play.exit_config = _check_json_object(play.exit_config, "exit_config")
    play.full_clean()
    play.save()
    return play


@transaction.atomic
def play_update(*, play: Play, **fields) -> Play:
    for name, value in fields.items():
        if name in PLAY_FIELDS:
            setattr(play, name, value)
    play.trigger_config = _check_json_object(play.trigger_config, "trigger_config")
    play.exit_config = _check_json_object(play.exit_config, "exit_config")
    play.full_clean()
    play.save()
    return play


@transaction.atomic
def play_delete(*, play: Play) -> None:
    if Enrolment.objects.for_workspace(play.workspace_id).filter(play=play).exists():
        raise ValidationError("Accounts were enrolled in this play: switch it off instead of deleting it.")
    play.delete()


# --- steps -----------------------------------------------------------------------------------

def audience_filter_clean(workspace_id: int, value) -> dict:
    """The step's audience inside the account, checked: known roles, seniorities, DISC styles
    and this workspace's personas. Empty lists are dropped (empty = the whole buying group)."""
    value = _check_json_object(value, "audience_filter")
    unknown = sorted(set(value) - set(AUDIENCE_KEYS))
    errors = []
    if unknown:
        errors.append(f"Unknown key(s) {', '.join(unknown)}; use {', '.join(AUDIENCE_KEYS)}.")
    clean: dict[str, list] = {}
    allowed = {"roles": set(title_engine.ROLES), "seniorities": set(Seniority.values),
               "disc_styles": set(DISC_FILTER_STYLES)}
    for key in AUDIENCE_KEYS:
        items = value.get(key) or []
        if not isinstance(items, list):
            errors.append(f"{key} must be a list.")
            continue
        if key == "personas":
            try:
                ids = [int(p) for p in items]
            except (TypeError, ValueError):
                errors.append("personas must be persona ids.")
                continue
            found = set(Persona.objects.for_workspace(workspace_id).filter(pk__in=ids).values_list("pk", flat=True))
            if set(ids) - found:
                errors.append(f"No such persona: {', '.join(str(i) for i in ids if i not in found)}.")
            items = ids
        else:
            items = [str(i) for i in items]
            wrong = [i for i in items if i not in allowed[key]]
            if wrong:
                errors.append(f"Unknown {key.rstrip('s').replace('_', ' ')}: {', '.join(wrong)}.")
        if items:
            clean[key] = list(dict.fromkeys(items))
    if errors:
        raise ValidationError({"audience_filter": errors})
    return clean


def step_clear_unused(step: Step) -> None:
    """Reset the settings the step's channel does not use (CHANNEL_SETTINGS)."""
    used = CHANNEL_SETTINGS.get(step.channel, ())
    for name, empty in UNUSED_SETTING.items():
        if name not in used:
            setattr(step, name, empty.copy() if isinstance(empty, dict) else empty)


def _check_step(step: Step) -> None:
    errors: dict[str, list[str]] = {}
    step_clear_unused(step)
    step.audience_filter = audience_filter_clean(step.workspace_id, step.audience_filter)
    step.wait_condition = _check_json_object(step.wait_condition, "wait_condition")
    step.branch = _check_json_object(step.branch, "branch")
    step.config = _check_json_object(step.config, "config")
    if step.delay_hours is not None and step.delay_hours > MAX_DELAY_HOURS:
        errors["delay_hours"] = ["A step waits at most a year."]
    if step.channel == Channel.SALES_TASK and step.task_kind not in TASK_KINDS:
        errors["task_kind"] = [f"A sales task is one of: {', '.join(TASK_KINDS)}."]
    if step.channel in TEMPLATE_CHANNELS and step.template_id is None:
        errors["template"] = ["An e-mail step needs a template."]
    if step.template_id and step.template.workspace_id != step.workspace_id:
        errors["template"] = ["No such template."]
    days = step.wait_condition.get("no_reply_days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90):
        errors["wait_condition"] = ["no_reply_days is a whole number of days, 1–90."]
    for key in ("if_engaged_goto", "else_goto"):
        target = step.branch.get(key)
        if target is not None and (not isinstance(target, int) or isinstance(target, bool)
                                   or (step.order and target <= step.order)):
            errors["branch"] = [f"{key} names a later step's number."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def step_create(*, play: Play, **fields) -> Step:
    """Add a step at the end of the play."""
    last = Step.objects.for_workspace(play.workspace_id).filter(play=play).order_by("-order").first()
    step = Step(workspace_id=play.workspace_id, play=play, order=(last.order + 1) if last else 1,
                **{k: v for k, v in fields.items() if k in STEP_FIELDS})
    _check_step(step)
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def step_update(*, step: Step, **fields) -> Step:
    for name, value in fields.items():
        if name in STEP_FIELDS:
            setattr(step, name, value)
    _check_step(step)
    step.full_clean()
    step.save()
    return step


def _renumber(play: Play, ordered_ids: list[int]) -> None:
    """Give the steps the orders 1..n in the given sequence. Two UPDATE rounds, so the unique
    (play, order) constraint never sees two steps on one number."""
    scoped = Step.objects.for_workspace(play.workspace_id).filter(play=play)
    scoped.update(order=F("order") + 1000)
    for position, step_id in enumerate(ordered_ids, start=1):
        scoped.filter(pk=step_id).update(order=position)


@transaction.atomic
def step_delete(*, step: Step) -> None:
    """A step that already produced touches stays (they are the record of who was contacted)."""
    touches = Touch.objects.for_workspace(step.workspace_id).filter(step=step).count()
    if touches:
        raise ValidationError(f"Step {step.order} has {touches} touch{'es' if touches != 1 else ''} in its history "
                              "and cannot be deleted; switch the play off or add a new play instead.")
    play = step.play
    step.delete()
    _renumber(play, list(Step.objects.for_workspace(play.workspace_id).filter(play=play)
                         .order_by("order").values_list("pk", flat=True)))


@transaction.atomic
def steps_reorder(*, play: Play, step_ids: list[int]) -> list[Step]:
    """Put the play's steps in this order (every step of the play, once)."""
    current = list(Step.objects.for_workspace(play.workspace_id).filter(play=play).order_by("order")
                   .values_list("pk", flat=True))
    wanted = [int(s) for s in step_ids]
    if sorted(wanted) != sorted(current) or len(set(wanted)) != len(wanted):
        raise ValidationError({"steps": ["Give every step of the play exactly once."]})
    if Touch.objects.for_workspace(play.workspace_id).filter(step__play=play).exists() and wanted != current:
        enrolled = Enrolment.objects.for_workspace(play.workspace_id).filter(play=play, status="active").exists()
        if enrolled:
            raise ValidationError({"steps": ["Accounts are in the middle of this play: reordering would skip or "
                                             "repeat steps for them. Pause the campaign and add a new play."]})
    _renumber(play, wanted)
    return list(Step.objects.for_workspace(play.workspace_id).filter(play=play).order_by("order"))


def step_move(*, step: Step, direction: int) -> list[Step]:
    """Move a step one place up (-1) or down (+1)."""
    ids = list(Step.objects.for_workspace(step.workspace_id).filter(play_id=step.play_id).order_by("order")
               .values_list("pk", flat=True))
    here = ids.index(step.pk)
    there = here + (1 if direction > 0 else -1)
    if 0 <= there < len(ids):
        ids[here], ids[there] = ids[there], ids[here]
    return steps_reorder(play=step.play, step_ids=ids)


# --- templates -------------------------------------------------------------------------------

@dataclass(frozen=True)
class TemplateProblem:
    """One problem of a template, where the author sees it: the field (subject, body, or a DISC /
    A/B variant), the line inside that field and the message."""

    field: str
    line: int | None
    message: str
    variant: str = ""

    def __str__(self) -> str:
        where = ", ".join(part for part in (self.variant, f"line {self.line}" if self.line else "") if part)
        return f"{where}: {self.message}" if where else self.message


def sample_touch_variables(*, channel: str = Channel.EMAIL) -> dict:
    """Variables shaped exactly like `campaigns.services.content.touch_variables` (a person with
    a persona and a DISC style), to check a template at save time."""
    variables = {
        "account": {"name": "Northwind Logistics", "domain": "northwind.example", "industry": "Logistics",
                    "country": "DE", "city": "Hamburg", "employees": 1200, "tier": "Tier 1", "stage": "engaged"},
        "scores": {"score": 82, "fit": 90, "intent": 75, "engagement": 64,
                   "reasons": ["+18 intent surge on 'warehouse automation'"],
                   "surging_topics": ["warehouse automation"]},
        "insights": [{"type": "Expansion", "date": "2026-01-12", "summary": "Opened a second warehouse in Leipzig"}],
        "person": {"first_name": "Anna", "last_name": "Weber", "full_name": "Anna Weber",
                   "email": "anna.weber@northwind.example", "job_title": "Head of Operations",
                   "seniority": "Director/Head", "roles": ["decision_maker"], "disc_style": "Di"},
        "persona": {"name": "Operations leader", "goals": "On-time delivery", "pains": "Manual planning",
                    "key_messages": "Cut cost per parcel by 12 %"},
        "disc": {"style": "Di", "summary": "Brief, direct, results first.", "tone": ["Confident and direct"],
                 "emphasise": ["Results"], "avoid": ["Rambling"], "email_length": ["At most 3 sentences"]},
    }
    if channel == Channel.EVENT_INVITE:
        variables["registration_url"] = "https://events.example/register/sample"
    return variables


def _pieces(template: ContentTemplate) -> list[tuple[str, str, str, str]]:
    """Every text of the template once: (field, variant label, part, source). A DISC or A/B
    variant that leaves out its subject inherits the main one, which is checked as the main's."""
    pieces = [("subject", "", "subject", template.subject or ""), ("body", "", "body", template.body or "")]
    for label, field, variants in (("DISC", "disc_variants", template.disc_variants),
                                   ("A/B", "ab_variants", template.ab_variants)):
        for name, variant in variants.items():
            for part in ("subject", "body"):
                if part in variant:
                    pieces.append((field, f"{label} {name}", part, variant[part] or ""))
    return pieces


def _field_problem(error, *, has_subject: bool, arm: str, variant: str | None) -> TemplateProblem:
    """Map a line of the engine's source ("Subject: …" + body) back to the field it came from."""
    line = error.line
    label = "" if variant in (None, engine.DEFAULT_VARIANT) else f"DISC {variant}"
    if arm != "A":
        label = f"A/B {arm}" + (f" / {label}" if label else "")
    if has_subject and line == 1:
        return TemplateProblem("subject", 1, error.message, label)
    return TemplateProblem("body", (line - 1) if (has_subject and line) else line, error.message, label)


def _structure_problems(template: ContentTemplate) -> list[TemplateProblem]:
    """What is wrong with the variants and the A/B split themselves (before any rendering)."""
    problems: list[TemplateProblem] = []
    if not all(isinstance(v, dict) for v in (template.disc_variants, template.ab_variants, template.ab_split)):
        return [TemplateProblem("disc_variants", None, "Variants and the split are JSON objects.")]
    unknown = sorted(k for k in template.disc_variants if k not in engine.DISC_VARIANTS)
    if unknown:
        problems.append(TemplateProblem("disc_variants", None, f"Unknown DISC style(s) {', '.join(unknown)}; use "
                                        "D, Di, iD, i, iS, Si, S, SC, CS, C, CD or DC."))
    for style, variant in template.disc_variants.items():
        if not isinstance(variant, dict) or not variant or not set(variant) <= {"subject", "body"}:
            problems.append(TemplateProblem("disc_variants", None, f'{style}: give {{"subject": …, "body": …}}.'))
    for arm, variant in template.ab_variants.items():
        if arm == "A":
            problems.append(TemplateProblem("ab_variants", None, "Arm A is the main text; name other arms B, C …"))
        elif not isinstance(variant, dict) or set(variant) != {"subject", "body"}:
            problems.append(TemplateProblem("ab_variants", None, f'Arm {arm}: give both {{"subject": …, "body": …}}.'))
    if template.ab_split:
        try:
            engine.ab_variant("check", template.ab_split)
        except ValueError as error:
            problems.append(TemplateProblem("ab_split", None, str(error)))
        missing = [a for a in template.ab_split if a != "A" and a not in template.ab_variants]
        if missing:
            problems.append(TemplateProblem("ab_split", None, f"No text for arm(s) {', '.join(missing)}."))
    elif template.ab_variants:
        problems.append(TemplateProblem("ab_split", None, 'Give the split of the arms, e.g. {"A": 50, "B": 50}.'))
    return problems


def template_problems(template: ContentTemplate, variables: dict | None = None) -> list[TemplateProblem]:
    """Render every text of the template (main subject and body, each DISC and A/B variant)
    with sample (or given) variables: every error with its field, variant and line inside
    that text. An empty list: the template is good to send."""
    problems = _structure_problems(template)
    if problems:
        return problems
    variables = variables if variables is not None else sample_touch_variables(channel=template.channel)
    html = template.channel in HTML_CHANNELS
    for field, label, part, source in _pieces(template):
        if part == "subject" and "\n" in source:
            problems.append(TemplateProblem(field, None, "A subject is one line.", label))
            continue
        # A body is checked behind a subject line, so a first line "Subject: …" stays body text.
        full = f"Subject: {source}\n" if part == "subject" else f"Subject: -\n{source}"
        for error in engine.preview(full, variables, html=html).errors:
            line = 1 if part == "subject" else (error.line - 1 if error.line else None)
            problems.append(TemplateProblem(field if field != "subject" or part == "subject" else "body", line,
                                            error.message, f"{label} {part}".strip() if label else ""))
    return list(dict.fromkeys(problems))


@dataclass(frozen=True)
class TemplatePreview:
    """What one person would get: subject and body (text and, for e-mail, HTML), the A/B arm
    and DISC variant picked, and every problem of the template for this person."""

    ok: bool
    subject: str
    body_text: str
    body_html: str | None
    variant: str
    problems: tuple[TemplateProblem, ...]


def template_preview(*, template: ContentTemplate, account=None, contact=None, arm: str | None = None,
                     key: str | None = None) -> TemplatePreview:
    """Render the template for a real account and person (what `render_touch` would send), or
    with sample data when no account is given. The A/B arm: `arm`, else the one `key` (a touch
    key) falls in, else A. Never raises for a bad template: problems come back with lines."""
    from campaigns.services.content import ab_arm, template_sources, touch_variables

    structural = _structure_problems(template)
    if structural:
        return TemplatePreview(False, "", "", None, "", tuple(structural))
    if arm is None:
        arm = ab_arm(template, key) if key else "A"
    if arm != "A" and arm not in template.ab_variants:
        arm = "A"
    if account is None:
        variables = sample_touch_variables(channel=template.channel)
        style = variables["person"]["disc_style"]
    else:
        variables = touch_variables(account=account, contact=contact)
        if template.channel == Channel.EVENT_INVITE:
            variables["registration_url"] = "https://events.example/register/preview"
        style = contact.disc_style if contact is not None and contact.disc_style else None
    sources = template_sources(template, arm)
    chosen = engine.disc_variant(sources.keys(), style) if isinstance(sources, dict) else None
    preview = engine.preview(sources, variables, variant=chosen, html=template.channel in HTML_CHANNELS)
    problems = []
    for error in preview.errors:
        source = sources.get(error.variant, "") if isinstance(sources, dict) else sources
        problems.append(_field_problem(error, has_subject=engine.split_subject(source)[0] is not None, arm=arm,
                                       variant=error.variant))
    rendered = preview.rendered
    label = arm + (f"/{chosen}" if chosen and chosen != engine.DEFAULT_VARIANT else "")
    if rendered is None:
        return TemplatePreview(False, "", "", None, label, tuple(problems))
    return TemplatePreview(not problems, rendered.subject or "", rendered.body_text, rendered.body_html, label,
                           tuple(problems))


def _raise_problems(problems: list[TemplateProblem]) -> None:
    if problems:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.field, []).append(str(problem))
        raise ValidationError(errors)


def _template_fields(fields: dict) -> dict:
    clean = {k: v for k, v in fields.items() if k in TEMPLATE_FIELDS}
    for key in ("disc_variants", "ab_variants", "ab_split"):
        if key in clean and clean[key] in (None, ""):
            clean[key] = {}
    return clean


@transaction.atomic
def template_create(*, workspace, **fields) -> ContentTemplate:
    template = ContentTemplate(workspace=workspace, **_template_fields(fields))
    template.full_clean()
    _raise_problems(template_problems(template))
    template.save()
    return template


@transaction.atomic
def template_update(*, template: ContentTemplate, **fields) -> ContentTemplate:
    for name, value in _template_fields(fields).items():
        setattr(template, name, value)
    template.full_clean()
    _raise_problems(template_problems(template))
    template.save()
    return template


@transaction.atomic
def template_delete(*, template: ContentTemplate) -> None:
    used = list(Step.objects.for_workspace(template.workspace_id).filter(template=template)
                .values_list("play__name", "order")[:3])
    if used:
        where = ", ".join(f"{play} step {order}" for play, order in used)
        raise ValidationError(f"The template is used by {where}; pick another template there first.")
    template.delete()


# --- owner consents --------------------------------------------------------------------------

@transaction.atomic
def owner_consent_give(*, workspace, account, play: Play, by, expires_at: datetime | date, comment: str = "",
                       as_admin: bool = False) -> OwnerConsent:
    """The account owner (or its SDR, or an admin for them) lets this play touch an account that
    sales is working (open opportunity or hold), until `expires_at`."""
    if not as_admin and by.pk not in (account.owner_id, account.sdr_id):
        raise PermissionDenied("Only the account's owner (or its SDR) gives this consent.")
    if isinstance(expires_at, date) and not isinstance(expires_at, datetime):
        expires_at = timezone.make_aware(datetime.combine(expires_at, datetime.max.time().replace(microsecond=0)))
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError({"expires_at": ["The consent must expire in the future."]})
    if expires_at > now + timedelta(days=MAX_CONSENT_DAYS):
        raise ValidationError({"expires_at": [f"A consent lasts at most {MAX_CONSENT_DAYS} days; "
                                              "give it again later."]})
    consent = OwnerConsent(workspace=workspace, account=account, play=play, given_by=by, expires_at=expires_at,
                           comment=comment.strip())
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def owner_consent_revoke(*, consent: OwnerConsent, by, as_admin: bool = False) -> OwnerConsent:
    if not as_admin and by.pk not in (consent.given_by_id, consent.account.owner_id, consent.account.sdr_id):
        raise PermissionDenied("Only the account's owner or who gave the consent revokes it.")
    now = timezone.now()
    OwnerConsent.objects.for_workspace(consent.workspace_id).filter(pk=consent.pk, expires_at__gt=now).update(
        expires_at=now)
    consent.refresh_from_db()
    return consent


# --- sales tasks -----------------------------------------------------------------------------

@transaction.atomic
def sales_task_finish(*, task: SalesTask, by, status: str, outcome: str, as_manager: bool = False) -> SalesTask:
    """The rep completes (`done`) or skips a task with what happened. Only an open task changes
    (one conditional UPDATE, so two clicks record one answer); only its assignee — or a manager
    for them — answers it."""
    if status not in (TaskStatus.DONE, TaskStatus.SKIPPED):
        raise ValidationError({"status": ["Complete (done) or skip a task."]})
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": ["Say what happened (it goes back to marketing)."]})
    if not as_manager and task.assignee_id not in (None, by.pk):
        raise PermissionDenied("This task is assigned to someone else.")
    changed = SalesTask.objects.for_workspace(task.workspace_id).filter(pk=task.pk, status=TaskStatus.OPEN).update(
        status=status, outcome=outcome[:255], completed_at=timezone.now(), assignee_id=task.assignee_id or by.pk)
    if not changed:
        raise ValidationError({"status": ["This task was already answered."]})
    task.refresh_from_db()
    return task


# --- webhook subscriptions -------------------------------------------------------------------

def _check_events(events) -> list[str]:
    if not isinstance(events, list) or not events or not all(isinstance(e, str) and 0 < len(e.strip()) <= 50
                                                              for e in events):
        raise ValidationError({"events": ['List the events to receive, e.g. ["touch.sent"], or ["*"] for all.']})
    return list(dict.fromkeys(e.strip() for e in events))


def _check_url(url: str) -> str:
    problem = webhook_url_problem(url or "")
    if problem and url:
        raise ValidationError({"url": [problem[0].upper() + problem[1:] + "."]})
    return url


@transaction.atomic
def webhook_subscription_create(*, workspace, name: str, url: str, events: list[str],
                                is_active: bool = True) -> tuple[WebhookSubscription, str]:
    """A new subscription with a fresh signing secret. Returns (subscription, secret): the
    secret is shown to the person once, then only the receiver knows it."""
    secret = secrets.token_urlsafe(32)
    subscription = WebhookSubscription(workspace=workspace, name=name, url=_check_url(url), events=_check_events(events),
                                       secret=secret, is_active=is_active)
    subscription.full_clean()
    subscription.save()
    return subscription, secret


@transaction.atomic
def webhook_subscription_update(*, subscription: WebhookSubscription, **fields) -> WebhookSubscription:
    for name in ("name", "url", "is_active"):
        if name in fields:
            setattr(subscription, name, _check_url(fields[name]) if name == "url" else fields[name])
    if "events" in fields:
        subscription.events = _check_events(fields["events"])
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def webhook_subscription_rotate_secret(*, subscription: WebhookSubscription) -> tuple[WebhookSubscription, str]:
    secret = secrets.token_urlsafe(32)
    subscription.secret = secret
    subscription.save(update_fields=["secret"])
    return subscription, secret


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription) -> None:
    """Delete the subscription and its delivery log (switch it off to keep the log)."""
    subscription.delete()
