"""Demo campaigns (registered as the `campaigns` seed step, after accounts, contacts, signals and
scoring). Everything goes through the real services — pilot, planning through the suppression
engine, sending through the e-mail channel (to Django's in-memory outbox), opens and clicks
through the feedback service — so the touches, blocks and reasons are the real ones:

* “Warehouse automation — Tier 1 pilot” (owned by marketing), a finished three-week pilot on three
  Tier 1 accounts: two sales is not working (the demo sales rep is their SDR) and one of the rep's
  accounts with an open deal. Intro e-mails with DISC variants and A/B arms went out; blocks with
  their reasons (the open deal, an opt-out, nobody fitting the IT step); a meeting and an
  opportunity since; opens and clicks; today's call tasks for the rep with each person's DISC
  style; and the rep's consent for the intro on the account with the open deal.
* “Supply chain visibility — Tier 2”: piloted six weeks ago on two accounts and expanded by its
  owner to eight, with an ad-audience step after the invitation.

A simulated clock runs `plan_due` / `send_due` at past moments (afternoons UTC, inside the send
window of Europe and the US east coast); what the services stamp with the real clock (enrolment
start, send time, expansion time) is moved to the simulated moment afterwards — the demo's one
liberty. Deterministic (ordered picks, no randomness), a few seconds, and written once: a second
run changes nothing."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.test.utils import override_settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from abm_platform.models import Membership, User, Workspace
from abm_platform.tenancy.roles import Role
from accounts.models import Account, Hold, OpportunityStage, Tier
from accounts.services.holds import active_holds_q
from accounts.services.opportunities import opportunity_create
from accounts.services.upsert import accounts_upsert
from campaigns.models import AudienceKind, Campaign, Enrolment, Touch, TouchStatus
from campaigns.services import editing
from campaigns.services.enrolment import campaign_expand, campaign_start_pilot
from campaigns.services.feedback import touch_clicked, touch_opened
from campaigns.services.planning import plan_due
from campaigns.services.sending import send_due
from contacts.models import Contact
from contacts.services.privacy import contact_consent_set
from insights.signals.services.ingest import signals_ingest

PILOT_NAME = "Warehouse automation — Tier 1 pilot"
EXPANDED_NAME = "Supply chain visibility — Tier 2"
SALES_EMAIL = "sales@demo.abm.local"
# Countries whose afternoon (UTC) is inside the 08:00–18:00 send window: Europe and the US east.
COUNTRIES = ["DE", "GB", "FR", "NL", "AT", "CH", "BE", "DK", "SE", "ES", "IT", "IE", "PL", "US", "CA"]
SEND_AT = time(14, 0)         # UTC; a person further west is deferred to their morning, as in real life
INTRO = dict(
    name="Warehouse automation — intro", channel="email",
    subject="{{ account.name }}: cut cost per parcel without touching your WMS",
    body=("Hi {{ person.first_name }},\n\n"
          "{% if insights %}I saw the news — {{ insights[0].summary|lower }}. {% endif %}"
          "Teams like yours at {{ account.name }} cut cost per parcel by 12 % in the first quarter.\n\n"
          '<a href="https://example.com/case/northwind">The case study</a> shows how, in four pages.\n\n'
          "Would a 20-minute call next week help?\n\nBest regards,\nMaya"),
    disc_variants={"D": {"subject": "{{ account.name }}: −12 % cost per parcel",
                         "body": ("{{ person.first_name }}, one number: −12 % cost per parcel in one quarter.\n\n"
                                  '<a href="https://example.com/case/northwind">Two-page summary</a>. '
                                  "Tuesday or Thursday, 15 minutes?\n\nMaya")},
                   "S": {"body": ("Hi {{ person.first_name }},\n\nmany teams we work with worried about changing "
                                  "a running warehouse. We plan the rollout with your team, step by step, and "
                                  "support you after go-live.\n\n"
                                  '<a href="https://example.com/case/northwind">How Northwind did it</a>\n\n'
                                  "Whenever it suits you, I'm happy to walk you through it.\n\nBest regards,\nMaya")}},
    ab_variants={"B": {"subject": "A question about peak season at {{ account.name }}",
                       "body": ("Hi {{ person.first_name }},\n\nhow did last peak season go? Our customers in "
                                "{{ account.industry|default('your industry', true) }} handled 30 % more parcels "
                                'with the same team: <a href="https://example.com/peak">here is how</a>.\n\n'
                                "Worth a short call?\n\nMaya")}},
    ab_split={"A": 50, "B": 50},
)
FOLLOW_UP = dict(
    name="IT integration — architecture note", channel="email",
    subject="How we connect to {{ account.name }}'s WMS",
    body=("Hi {{ person.first_name }},\n\nyour colleagues are looking at warehouse automation. Since the "
          "integration lands on your desk, here is our architecture note: certified SAP connectors, EU hosting, "
          'no changes to your WMS.\n\n<a href="https://example.com/architecture">Architecture note (PDF)</a>'
          "\n\nBest regards,\nMaya"),
)
NURTURE = dict(
    name="Supply chain visibility — invitation", channel="email",
    subject="Supply chain visibility for {{ account.name }}",
    body=("Hi {{ person.first_name }},\n\nwhere is every pallet right now? Teams in "
          "{{ account.country }} use one live map for all carriers.\n\n"
          '<a href="https://example.com/visibility">See the two-minute tour</a>\n\nBest regards,\nMaya'),
    ab_variants={"B": {"subject": "Three carriers, one live map for {{ account.name }}",
                       "body": ("Hi {{ person.first_name }},\n\nthree carriers, three portals? One live map "
                                'instead: <a href="https://example.com/visibility">two-minute tour</a>.\n\nMaya')}},
    ab_split={"A": 50, "B": 50},
)


def campaigns_demo_seed(*, workspace: Workspace, stdout=None) -> None:
    if Campaign.objects.for_workspace(workspace).filter(name__in=[PILOT_NAME, EXPANDED_NAME]).exists():
        return      # written once
    marketer = _member(workspace, Role.MARKETING)
    rep = User.objects.filter(email=SALES_EMAIL).first() or _member(workspace, Role.SALES)
    if marketer is None or rep is None:
        return
    # The pilot's last step (the rep's calls) falls on the latest send moment that has passed.
    now = timezone.now()
    latest = _at(now.date()) if now >= _at(now.date()) else _at(now.date() - timedelta(days=1))
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        expanded = _expanded_campaign(workspace, marketer, start=latest - timedelta(days=42))
        pilot = _pilot_campaign(workspace, marketer, rep, start=latest - timedelta(days=21))
    if stdout and pilot and expanded:
        touches = Touch.objects.for_workspace(workspace)
        stdout.write(f"    2 campaigns, {touches.filter(status=TouchStatus.SENT).count()} touches sent, "
                     f"{touches.filter(status=TouchStatus.BLOCKED).count()} blocked")


def _member(workspace: Workspace, role: str) -> User | None:
    membership = (Membership.objects.for_workspace(workspace).filter(role=role).select_related("user")
                  .order_by("user__email").first())
    return membership.user if membership else None


def _at(day) -> datetime:
    return datetime.combine(day, SEND_AT, tzinfo=dt_timezone.utc)


def _people_accounts(workspace: Workspace, *, tier_order: int, owner: User | None = None, roles=("decision_maker",),
                     limit: int = 10, sales_active: bool = False) -> list[Account]:
    """Accounts of a tier (in COUNTRIES) with someone in one of `roles`, by name: ones sales is not
    working (no open deal, no hold), or with `sales_active` only ones it is."""
    holds = Hold.objects.for_workspace(workspace).filter(active_holds_q(), account=OuterRef("pk"))
    accounts = (Account.objects.for_workspace(workspace)
                .filter(tier__order=tier_order, country__in=COUNTRIES, relationship="prospect")
                .annotate(held=Exists(holds)))
    if sales_active:
        accounts = accounts.filter(Q(has_open_opportunity=True) | Q(held=True))
    else:
        accounts = accounts.filter(has_open_opportunity=False, held=False)
    if owner is not None:
        accounts = accounts.filter(owner=owner)
    with_roles = {account_id for account_id, person_roles in Contact.objects.for_workspace(workspace).filter(
        account__in=accounts, erased_at__isnull=True).exclude(email="").values_list("account_id", "roles")
        if set(roles) & set(person_roles or [])}
    return [a for a in accounts.order_by("name") if a.pk in with_roles][:limit]


def _run(workspace: Workspace, moment: datetime) -> None:
    """Plan what is due at `moment` and send it, as the beat task would have then."""
    started = timezone.now()
    plan_due(workspace_id=workspace.pk, now=moment)
    send_due(workspace_id=workspace.pk, now=moment + timedelta(minutes=5))
    # The outbox stamps sends with the real clock: put them at the simulated moment.
    Touch.objects.for_workspace(workspace).filter(status=TouchStatus.SENT, sent_at__gte=started).update(
        sent_at=F("planned_at"))


def _backdate(workspace: Workspace, campaign: Campaign, moment: datetime) -> None:
    """Enrolments the services just made (stamped with the real clock) start at `moment`."""
    Enrolment.objects.for_workspace(workspace).filter(play__campaign=campaign, started_at__gt=moment).update(
        started_at=moment, next_step_at=moment)


def _expanded_campaign(workspace: Workspace, owner: User, *, start: datetime) -> Campaign | None:
    accounts = _people_accounts(workspace, tier_order=2, roles=("decision_maker", "influencer", "user"), limit=8)
    if len(accounts) < 4:
        return None
    template = editing.template_create(workspace=workspace, **NURTURE)
    campaign = editing.campaign_create(
        workspace=workspace, by=owner, name=EXPANDED_NAME, objective="Open conversations on supply chain visibility",
        hypothesis="An invitation plus LinkedIn ads to Tier 2 operations leaders lifts engagement 30 % in 4 weeks.",
        success_metric="engagement lift vs baseline", end_date=timezone.localdate() + timedelta(days=45),
        audience_kind=AudienceKind.ACCOUNTS, accounts=[a.pk for a in accounts], acquisition_only=True)
    play = editing.play_create(campaign=campaign, name="Invite and retarget", exit_goal="meeting_booked")
    editing.step_create(play=play, channel="email", delay_hours=0, template=template,
                        audience_filter={"seniorities": ["c_level", "vp", "director", "manager"]})
    editing.step_create(play=play, channel="ad_audience", delay_hours=72, config={"platform": "linkedin"})
    campaign_start_pilot(campaign=campaign, by=owner, account_ids=[a.pk for a in accounts[:2]])
    _backdate(workspace, campaign, start)
    _run(workspace, start)
    _run(workspace, start + timedelta(days=3))
    _engagement_back(workspace, campaign, every=2)
    expand_at = start + timedelta(days=14)
    campaign_expand(campaign=campaign, by=owner,
                    comment="Both pilot accounts opened and one clicked within a week; ads audience matched 70 %. "
                            "Expanding to the other six.")
    Campaign.objects.for_workspace(workspace).filter(pk=campaign.pk).update(expanded_at=expand_at)
    _backdate(workspace, campaign, expand_at)
    _run(workspace, expand_at)
    _run(workspace, expand_at + timedelta(days=3))
    _engagement_back(workspace, campaign, every=3)
    return campaign


def _pilot_campaign(workspace: Workspace, owner: User, rep: User, *, start: datetime) -> Campaign | None:
    tier = Tier.objects.for_workspace(workspace).filter(order=1).first()
    clear = _people_accounts(workspace, tier_order=1, roles=("decision_maker", "economic_buyer"), limit=2)
    closing = _people_accounts(workspace, tier_order=1, owner=rep, roles=("decision_maker", "economic_buyer"),
                               limit=1, sales_active=True)
    if tier is None or len(clear) < 2 or not closing:
        return None
    accounts = [*clear, *closing]
    # The demo rep works the pilot as its SDR: the call tasks of step 3 are theirs.
    accounts_upsert(workspace=workspace, records=[{"external_id": a.external_id, "sdr_email": rep.email}
                                                  for a in clear if a.external_id], by=owner, reason="Demo pilot SDR")
    intro = editing.template_create(workspace=workspace, **INTRO)
    follow_up = editing.template_create(workspace=workspace, **FOLLOW_UP)
    campaign = editing.campaign_create(
        workspace=workspace, by=owner, name=PILOT_NAME, objective="Book first meetings with Tier 1 logistics leaders",
        hypothesis="Personalised outreach to decision makers, then a call by their rep, books 2 meetings from "
                   "3 pilot accounts in 3 weeks.",
        success_metric="meetings booked", end_date=timezone.localdate() + timedelta(days=60),
        audience_kind=AudienceKind.TIER, tier=tier, acquisition_only=True)
    play = editing.play_create(campaign=campaign, name="Decision makers first", exit_goal="none")
    editing.step_create(play=play, channel="email", delay_hours=0, template=intro,
                        audience_filter={"roles": ["decision_maker", "economic_buyer"]})
    editing.step_create(play=play, channel="email", delay_hours=7 * 24, template=follow_up,
                        audience_filter={"roles": ["technical_evaluator"], "seniorities": ["vp", "director"]})
    editing.step_create(play=play, channel="sales_task", delay_hours=14 * 24, task_kind="call",
                        assignee_rule="sdr", audience_filter={"roles": ["decision_maker", "economic_buyer"]})
    person = _one_decision_maker(workspace, clear[1], skip_first=True)
    if person is not None:
        contact_consent_set(contact=person, channel="email", status="opted_out", how="Unsubscribed from a newsletter")
    campaign_start_pilot(campaign=campaign, by=owner, account_ids=[a.pk for a in accounts])
    _backdate(workspace, campaign, start)
    _run(workspace, start)
    _engagement_back(workspace, campaign, every=1)
    _run(workspace, start + timedelta(days=7))
    _meeting(workspace, clear[0], at=start + timedelta(days=9))
    _run(workspace, start + timedelta(days=21))
    # Booked in the CRM after the meeting (day 12); it arrives after today's calls were planned.
    _opportunity(workspace, clear[0], campaign, rep, day=(start + timedelta(days=12)).date())
    editing.owner_consent_give(workspace=workspace, account=closing[0], play=play, by=rep,
                               expires_at=timezone.now() + timedelta(days=30),
                               comment="Their champion asked for the case study; go ahead with the intro e-mail.")
    return campaign


def _one_decision_maker(workspace: Workspace, account: Account, *, skip_first: bool) -> Contact | None:
    people = [p for p in Contact.objects.for_workspace(workspace).filter(account=account).exclude(email="")
              .order_by("pk") if {"decision_maker", "economic_buyer"} & set(p.roles or [])]
    if skip_first:
        people = people[1:]
    return people[0] if people else None


def _engagement_back(workspace: Workspace, campaign: Campaign, *, every: int) -> None:
    """Opens (and some clicks) on sent e-mails, through the feedback service."""
    sent = list(Touch.objects.for_workspace(workspace).filter(campaign=campaign, status=TouchStatus.SENT,
                                                              channel="email").order_by("pk"))
    for n, touch in enumerate(sent):
        if n % every == 0:
            touch_opened(touch)
        if n % (every * 2) == 0:
            touch_clicked(touch, "https://example.com/case/northwind")


def _meeting(workspace: Workspace, account: Account, *, at: datetime) -> None:
    person = _one_decision_maker(workspace, account, skip_first=False)
    signals_ingest(workspace=workspace.pk, kind="engagement", source="demo-calendar", rows=[(1, {
        "type": "meeting", "occurred_at": at.isoformat(), "source": "demo-calendar",
        "external_id": f"demo-meeting-{account.pk}", "contact_id": person.pk if person else None,
        "account_external_id": account.external_id if person is None else "", "url": "",
        "duration_seconds": 1800, "details": {"title": "Discovery call"}})])


def _opportunity(workspace: Workspace, account: Account, campaign: Campaign, rep: User, *, day) -> None:
    stage = OpportunityStage.objects.for_workspace(workspace).filter(kind="open").order_by("order").first()
    if stage is None:
        return
    opportunity_create(workspace=workspace, by=rep, account=account, name=f"{account.name} — warehouse automation",
                       stage=stage, amount=48000, created_date=day, owner=rep, source_campaign_id=campaign.pk)
