"""Content for a touch: the variables a template sees (plain dicts, never ORM objects) and the
rendering of the template's A/B arm and DISC variant through the sandboxed engine."""
from __future__ import annotations

from dataclasses import dataclass

from campaigns.engine import content as engine
from campaigns.models import ContentTemplate
from contacts.engine.disc import guidance_for
from contacts.models import Contact, Persona
from insights.signals.models import TriggerEvent
from scoring.models import RunStatus, ScoreSnapshot
from scoring.engine.reasons import render as render_reason


@dataclass(frozen=True)
class RenderedTouch:
    subject: str
    body_text: str
    body_html: str | None
    variant: str


def _source(subject: str, body: str) -> str:
    return f"Subject: {subject}\n{body}" if subject else body


def template_sources(template: ContentTemplate, arm: str) -> dict[str, str] | str:
    """The template's sources for one A/B arm: a mapping style → source when it has DISC
    variants ("default" is the main text), else one source."""
    main = template.ab_variants.get(arm) if arm != "A" else None
    subject, body = (main.get("subject", template.subject), main["body"]) if main else (template.subject, template.body)
    if not template.disc_variants:
        return _source(subject, body)
    sources = {"default": _source(subject, body)}
    for style, variant in template.disc_variants.items():
        sources[style] = _source(variant.get("subject", subject), variant.get("body", body))
    return sources


def ab_arm(template: ContentTemplate, key: str) -> str:
    return engine.ab_variant(key, template.ab_split) if template.ab_split else "A"


def touch_variables(*, account, contact: Contact | None) -> dict:
    """What templates can use: account, person, persona, DISC guidance, scores with reasons and
    recent insights (trigger events)."""
    snapshot = (ScoreSnapshot.objects.for_workspace(account.workspace_id)
                .filter(account=account, run__status=RunStatus.FINISHED).order_by("-computed_at").first())
    triggers = list(TriggerEvent.objects.for_workspace(account.workspace_id).filter(account=account)[:3])
    variables = {
        "account": {"name": account.name, "domain": account.domain, "industry": account.industry,
                    "country": account.country, "city": account.city, "employees": account.employees,
                    "tier": account.tier.name if account.tier_id else "", "stage": account.journey_stage},
        "scores": {"score": snapshot.score if snapshot else None, "fit": snapshot.fit if snapshot else None,
                   "intent": snapshot.intent if snapshot else None,
                   "engagement": snapshot.engagement if snapshot else None,
                   "reasons": [render_reason(r) for r in snapshot.reasons] if snapshot else [],
                   "surging_topics": snapshot.facts.get("surging_topics", []) if snapshot else []},
        "insights": [{"type": t.get_type_display(), "date": t.occurred_on.isoformat(), "summary": t.summary}
                     for t in triggers],
        "person": None, "persona": None, "disc": None,
    }
    if contact is not None:
        variables["person"] = {"first_name": contact.first_name, "last_name": contact.last_name,
                               "full_name": f"{contact.first_name} {contact.last_name}".strip(),
                               "email": contact.email, "job_title": contact.job_title,
                               "seniority": contact.get_seniority_display() if contact.seniority else "",
                               "roles": list(contact.roles or []), "disc_style": contact.disc_style}
        persona: Persona | None = contact.persona if contact.persona_id else None
        if persona:
            variables["persona"] = {"name": persona.name, "goals": persona.goals, "pains": persona.pains,
                                    "key_messages": persona.key_messages}
        if contact.disc_style:
            guidance = guidance_for(contact.disc_style)
            variables["disc"] = {"style": guidance.style, "summary": guidance.summary, "tone": list(guidance.tone),
                                 "emphasise": list(guidance.emphasise), "avoid": list(guidance.avoid),
                                 "email_length": list(guidance.email_length)}
    return variables


def render_touch(*, template: ContentTemplate, key: str, account, contact: Contact | None,
                 html: bool = False) -> RenderedTouch:
    """Render the arm and DISC variant of this person; raises engine.TemplateError, never sends
    half a text. `html`: the body is HTML (variables autoescaped, a text part derived)."""
    arm = ab_arm(template, key)
    sources = template_sources(template, arm)
    style = contact.disc_style if contact is not None and contact.disc_style else None
    variant = engine.disc_variant(sources.keys(), style) if isinstance(sources, dict) else None
    rendered = engine.render(sources, touch_variables(account=account, contact=contact), variant=variant, html=html)
    label = arm + (f"/{variant}" if variant and variant != "default" else "")
    return RenderedTouch(rendered.subject or "", rendered.body_text, rendered.body_html, label)
