"""Website personalisation: what the customer's website shows a visitor's company.

The site asks the public endpoint (campaigns/views/public.py) with its tracking key and either
the visitor's contact token (``contact_tracking_token``, carried by campaign e-mail links) or
the visitor's company domain (e.g. from the site's own reverse-IP lookup)::

    GET /p/personalise?k=<tracking key>&c=<contact token>[&slot=hero]
    GET /p/personalise?k=<tracking key>&d=<company domain>[&slot=hero]

    200 {"headline": "…", "body": "…", "cta": {"text": "…", "url": "https://…"} | null,
         "variant": "step-12/A", "account": {"name": "…", "tier": "Tier 1 — Strategic", "stage": "engaged"}}
    404 {"message": "Not found."}   unknown key, forged or other workspace's token, unknown domain,
                                    or nothing to show — all alike, so a caller learns nothing

Texts are plain text: the site inserts them with ``textContent``, never as HTML.

Where the content comes from — the **active** ``web_personalisation`` steps of the workspace
(play active, campaign in pilot or expanded) for the requested slot, most important play first
(``Play.priority`` 1 before 5):

1. a step whose touch for the account was **sent** (the suppression engine let it through) and
   whose enrolment is still active or completed: its template rendered for the account
   (subject → headline, body → body; the touch's A/B arm, so a visitor keeps seeing the arm
   the account was planned for), with the step's ``cta``;
2. else the first matching **variant** of those steps' ``Step.config`` (same play order).

``Step.config`` of a web personalisation step::

    {"slot": "hero",                                   optional, default "default"
     "cta": {"text": "Book a workshop", "url": "https://…"},   shown with the template
     "variants": [                                     fallbacks by tier and journey stage, first match wins
        {"name": "t1-late", "tiers": [1, "Tier 2 — Clusters"], "stages": ["engaged", "mqa"],
         "headline": "{{ account.name }}, …", "body": "…", "cta": {"text": …, "url": …}},
        {"name": "everyone", "headline": "…", "body": "…"}]}

A variant without ``tiers`` matches every tier, without ``stages`` every stage; a tier is its
order number, its name or ``"none"`` (no tier). Headline and body are sandboxed templates with
the same account variables as campaign content (no person: one company, many visitors). A CTA
URL must be http(s); anything else is dropped. A template or variant that fails to render is
skipped (and logged), never shown half-rendered.

What the endpoint discloses: the name, tier and stage of an account the caller identified. The
tracking key is public (it sits in the site's snippet), so with the domain mode anyone can ask
about any domain; the endpoint is rate-bounded per caller address and answers only workspaces
that run an active personalisation step, but tier and stage are then readable for accounts a
variant matches. Keep variant conditions to the accounts you mean to personalise for.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from accounts.models import Account
from campaigns.engine import content as engine
from campaigns.models import CampaignStatus, Channel, EnrolmentStatus, Step, Touch, TouchStatus
from campaigns.services.content import render_touch, touch_variables
from contacts.models import Contact
from insights.signals.services.resolve import accounts_by_identifier, registrable
from insights.signals.services.tracking import tracking_settings_for_key, tracking_token_read

logger = logging.getLogger(__name__)

DEFAULT_SLOT = "default"
MAX_SLOT = 50
MAX_TEXT = 2_000          # characters of headline / body returned
LIVE_ENROLMENTS = (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED)


@dataclass(frozen=True)
class Personalisation:
    headline: str
    body: str
    cta: dict | None
    variant: str
    account: dict

    def as_dict(self) -> dict:
        return asdict(self)


def personalisation_for_visitor(*, key: str, token: str = "", domain: str = "",
                                slot: str = "") -> Personalisation | None:
    """The content for a visitor, or None for anything the endpoint answers 404."""
    settings = tracking_settings_for_key((key or "").strip())
    if settings is None:
        return None
    account = visitor_account(workspace_id=settings.workspace_id, token=token, domain=domain)
    if account is None:
        return None
    return personalisation_for_account(account=account, slot=slot)


def visitor_account(*, workspace_id: int, token: str = "", domain: str = "") -> Account | None:
    """The account of a contact token of this workspace (the contact not erased and linked to
    an account), else of a domain; None otherwise. A token of another workspace finds nothing."""
    accounts = Account.objects.for_workspace(workspace_id).select_related("tier")
    read = tracking_token_read(token) if token else None
    if read is not None and read[0] == workspace_id:
        account_id = (Contact.objects.for_workspace(workspace_id)
                      .filter(pk=read[1], erased_at__isnull=True, account__isnull=False)
                      .values_list("account_id", flat=True).first())
        if account_id is not None:
            return accounts.filter(pk=account_id).first()
    text = (domain or "").strip()[:253]
    name = registrable(urlsplit(text).hostname or "" if "://" in text else text)
    if not name or "." not in name:
        return None
    by_domain, _ = accounts_by_identifier(workspace_id, domains={name})
    return accounts.filter(pk=by_domain[name]).first() if name in by_domain else None


def active_personalisation_steps(*, workspace_id: int, slot: str = "") -> list[Step]:
    """The live web personalisation steps of a slot, most important play first."""
    slot = (slot or DEFAULT_SLOT).strip()[:MAX_SLOT] or DEFAULT_SLOT
    live = [CampaignStatus.PILOT, CampaignStatus.ACTIVE]
    steps = (Step.objects.for_workspace(workspace_id)
             .filter(channel=Channel.WEB_PERSONALISATION, play__is_active=True,
                     play__campaign__status__in=live)
             .select_related("play", "template").order_by("play__priority", "play_id", "order", "pk"))
    return [step for step in steps if _config(step).get("slot", DEFAULT_SLOT) == slot]


def personalisation_for_account(*, account: Account, slot: str = "") -> Personalisation | None:
    steps = active_personalisation_steps(workspace_id=account.workspace_id, slot=slot)
    if not steps:
        return None
    sent = dict(Touch.objects.for_workspace(account.workspace_id)
                .filter(step_id__in=[s.pk for s in steps], account_id=account.pk, status=TouchStatus.SENT,
                        enrolment__status__in=LIVE_ENROLMENTS)
                .order_by("sent_at", "pk").values_list("step_id", "key"))   # the latest touch per step wins
    for step in steps:
        if step.pk in sent and step.template is not None:
            found = _from_template(step, sent[step.pk], account)
            if found:
                return found
    variables = None
    for step in steps:
        for variant in _variants(step):
            if not _matches(variant, account):
                continue
            variables = variables if variables is not None else touch_variables(account=account, contact=None)
            found = _from_variant(step, variant, account, variables)
            if found:
                return found
    return None


def _config(step: Step) -> dict:
    return step.config if isinstance(step.config, dict) else {}


def _account(account: Account) -> dict:
    return {"name": account.name, "tier": account.tier.name if account.tier_id else "",
            "stage": account.journey_stage}


def _cta(value) -> dict | None:
    if not isinstance(value, dict):
        return None
    text, url = str(value.get("text") or "").strip(), str(value.get("url") or "").strip()
    if not text or not url.lower().startswith(("https://", "http://")):
        return None
    return {"text": text[:200], "url": url[:500]}


def _from_template(step: Step, key: str, account: Account) -> Personalisation | None:
    try:
        rendered = render_touch(template=step.template, key=key, account=account, contact=None)
    except engine.TemplateError as error:
        logger.warning("web personalisation step %s: template failed for account %s: %s", step.pk, account.pk, error)
        return None
    return Personalisation(headline=rendered.subject[:MAX_TEXT], body=rendered.body_text.strip()[:MAX_TEXT],
                           cta=_cta(_config(step).get("cta")), variant=f"step-{step.pk}/{rendered.variant}",
                           account=_account(account))


def _variants(step: Step) -> list[dict]:
    variants = _config(step).get("variants")
    return [v for v in variants if isinstance(v, dict)] if isinstance(variants, list) else []


def _matches(variant: dict, account: Account) -> bool:
    tiers = variant.get("tiers")
    stages = variant.get("stages")
    if tiers:
        tier = account.tier if account.tier_id else None
        wanted = {str(t).strip().lower() for t in tiers}
        names = {"none"} if tier is None else {str(tier.order), tier.name.strip().lower()}
        if not wanted & names:
            return False
    return not stages or account.journey_stage in {str(s).strip().lower() for s in stages}


def _from_variant(step: Step, variant: dict, account: Account, variables: dict) -> Personalisation | None:
    texts = {}
    for field in ("headline", "body"):
        source = variant.get(field) or ""
        if not isinstance(source, str):
            return None
        try:
            texts[field] = engine.render(source, variables).body_text.strip()[:MAX_TEXT] if source else ""
        except engine.TemplateError as error:
            logger.warning("web personalisation step %s: variant %r failed for account %s: %s", step.pk,
                           variant.get("name"), account.pk, error)
            return None
    if not texts["headline"] and not texts["body"]:
        return None
    name = str(variant.get("name") or "variant").strip()[:40]
    return Personalisation(headline=texts["headline"], body=texts["body"],
                           cta=_cta(variant.get("cta") or _config(step).get("cta")),
                           variant=f"step-{step.pk}/{name}", account=_account(account))
