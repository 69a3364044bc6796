"""The pilot report (DOMAIN.md §7.5): what the owner reads before deciding to expand.

For the campaign's pilot enrolments:

* touches sent, and blocked by reason (the suppression engine's codes, plus coverage gaps);
* each pilot account's engagement against **its own** baseline: the weighted engagement minutes
  (`EngagementEvent.minutes`) per week in the `BASELINE_WEEKS` weeks before the account was
  enrolled, against the minutes per week since (at least one week is counted, so a pilot of
  three days is not read as a surge);
* meetings (`meeting` engagement events) and opportunities created since enrolment;
* A/B results of the whole campaign's e-mails (e-mail and invitation touches), three ways:
  per A/B **arm** over every DISC variant (what the fixed split tests: "A" = "A" + "A/D" +
  "A/S" …), per **DISC variant** over both arms ("main text" for people who got no DISC
  variant), and per full label (`Touch.variant`, e.g. "B/D"). Each counts touches sent,
  opened, clicked and replied to. Opens and clicks come back as engagement events naming their
  touch, so each touch counts once however often it was opened. A reply (an `email_reply`
  event, from any source) counts for the person's latest e-mail of this campaign sent before
  it, if that was sent at most `REPLY_WINDOW` earlier: a reply names no touch, so it goes to
  the message it most likely answers, and never to two of them.

A fixed handful of queries whatever the size of the pilot; plain dataclasses out.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, Min, OuterRef, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from accounts.models import Opportunity
from campaigns.engine import suppression as engine
from campaigns.engine.postal import NO_POSTAL_ADDRESS
from campaigns.models import Campaign, Channel, ContentTemplate, Enrolment, Step, Touch, TouchStatus
from insights.signals.models import EngagementEvent, EngagementType

BASELINE_WEEKS = 4
REPLY_WINDOW = timedelta(days=30)
EMAIL_CHANNELS = (Channel.EMAIL, Channel.EVENT_INVITE)
MAIN_TEXT = "main text"
NO_ONE_FITS = "no_one_fits"
BLOCK_LABELS = {
    engine.OPTED_OUT: "Opted out of the channel",
    engine.BOUNCED: "Address bounced",
    engine.LEGAL_HOLD: "Legal hold or erased",
    engine.EXCLUDED_ACCOUNT: "Competitor, partner, vendor or disqualified",
    engine.SALES_ACTIVE: "Sales is working the account (open deal or hold)",
    engine.CUSTOMER: "Customer, and the play is acquisition-only",
    engine.FREQUENCY_CAP: "Frequency cap reached",
    engine.QUIET_HOURS: "Outside the send window",
    engine.CONFLICTING_PLAY: "A more important play reaches the person",
    NO_ONE_FITS: "Nobody in the account fits the step's audience",
    NO_POSTAL_ADDRESS: "No postal address on the account (direct mail)",
}


def block_label(code: str) -> str:
    return BLOCK_LABELS.get(code, code.replace("_", " ").capitalize() if code else "Blocked")


@dataclass(frozen=True)
class BlockCount:
    code: str
    label: str
    example: str
    count: int


@dataclass(frozen=True)
class AccountResult:
    account_id: int
    name: str
    enrolled_at: datetime
    sent: int
    blocked: int
    baseline_per_week: float
    since_per_week: float
    weeks_since: float
    meetings: int
    opportunities: int

    @property
    def lift(self) -> float | None:
        """Change against the baseline (0.5 = +50 %); None without a baseline."""
        if self.baseline_per_week <= 0:
            return None
        return self.since_per_week / self.baseline_per_week - 1

    @property
    def lift_percent(self) -> int | None:
        return None if self.lift is None else round(self.lift * 100)

    @property
    def lift_ratio(self) -> float | None:
        """Since ÷ before (a surge reads better as "×12" than as "+1,100 %")."""
        return None if self.baseline_per_week <= 0 else round(self.since_per_week / self.baseline_per_week, 1)


@dataclass(frozen=True)
class VariantResult:
    """E-mails sent with one variant (an A/B arm, a DISC variant or a full label such as "B/D")
    and how many of them were opened, clicked and replied to."""

    variant: str
    sent: int
    opened: int
    clicked: int
    replied: int = 0
    share: float = 0.0          # of all e-mails with a variant: the split as it came out

    @property
    def open_rate(self) -> float:
        return self.opened / self.sent if self.sent else 0.0

    @property
    def click_rate(self) -> float:
        return self.clicked / self.sent if self.sent else 0.0

    @property
    def reply_rate(self) -> float:
        return self.replied / self.sent if self.sent else 0.0

    @property
    def share_percent(self) -> int:
        return round(self.share * 100)


@dataclass(frozen=True)
class AbResults:
    """The campaign's e-mail results per A/B arm, per DISC variant and per full label."""

    arms: list[VariantResult]
    disc_styles: list[VariantResult]
    labels: list[VariantResult]


@dataclass(frozen=True)
class PilotReport:
    campaign_id: int
    sent: int
    blocked: int
    waiting: int
    failed: int
    blocked_by_reason: list[BlockCount]
    accounts: list[AccountResult]
    variants: list[VariantResult]
    arms: list[VariantResult] = field(default_factory=list)
    disc_styles: list[VariantResult] = field(default_factory=list)
    meetings: int = 0
    opportunities: int = 0
    chart: dict = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return bool(self.accounts)


def pilot_report(*, campaign: Campaign, now: datetime | None = None) -> PilotReport:
    now = now or timezone.now()
    ws = campaign.workspace_id
    starts = {row["account_id"]: row for row in (
        Enrolment.objects.for_workspace(ws).filter(play__campaign=campaign, is_pilot=True)
        .values("account_id", "account__name").annotate(started=Min("started_at")).order_by("account__name"))}
    touches = Touch.objects.for_workspace(ws).filter(campaign=campaign, enrolment__is_pilot=True)
    per_account: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    reasons: dict[str, list] = {}
    for account_id, status, code, example, n in (touches.values_list("account_id", "status", "block_code")
                                                 .annotate(example=Min("block_reason"), n=Count("pk"))
                                                 .order_by()):
        per_account[account_id][status] += n
        totals[status] += n
        if status == TouchStatus.BLOCKED:
            entry = reasons.setdefault(code, [example, 0])
            entry[1] += n
    blocked_by_reason = sorted((BlockCount(code, block_label(code), example or "", n)
                                for code, (example, n) in reasons.items()), key=lambda b: (-b.count, b.code))
    ab = ab_results(campaign=campaign)

    engagement = _engagement(ws, starts, now)
    opportunities = _opportunities(ws, starts)
    accounts = []
    for account_id, row in starts.items():
        started = row["started"]
        weeks_since = max((now - started) / timedelta(weeks=1), 1.0)
        minutes = engagement.get(account_id, {})
        accounts.append(AccountResult(
            account_id=account_id, name=row["account__name"], enrolled_at=started,
            sent=per_account[account_id][TouchStatus.SENT], blocked=per_account[account_id][TouchStatus.BLOCKED],
            baseline_per_week=round(minutes.get("before", 0.0) / BASELINE_WEEKS, 1),
            since_per_week=round(minutes.get("since", 0.0) / weeks_since, 1), weeks_since=round(weeks_since, 1),
            meetings=int(minutes.get("meetings", 0)), opportunities=opportunities.get(account_id, 0)))
    return PilotReport(
        campaign_id=campaign.pk, sent=totals[TouchStatus.SENT], blocked=totals[TouchStatus.BLOCKED],
        waiting=totals[TouchStatus.PLANNED] + totals[TouchStatus.DEFERRED] + totals[TouchStatus.SENDING],
        failed=totals[TouchStatus.FAILED], blocked_by_reason=blocked_by_reason, accounts=accounts,
        variants=ab.labels, arms=ab.arms, disc_styles=ab.disc_styles, meetings=sum(a.meetings for a in accounts),
        opportunities=sum(a.opportunities for a in accounts), chart=_chart(accounts))


def _engagement(ws: int, starts: dict, now: datetime) -> dict[int, dict[str, float]]:
    """Minutes before (baseline window) and since enrolment, and meetings since, per account."""
    if not starts:
        return {}
    earliest = min(row["started"] for row in starts.values()) - timedelta(weeks=BASELINE_WEEKS)
    result: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for account_id, at, minutes, kind in (EngagementEvent.objects.for_workspace(ws)
                                          .filter(account_id__in=list(starts), occurred_at__gte=earliest,
                                                  occurred_at__lte=now)
                                          .values_list("account_id", "occurred_at", "minutes", "type")):
        started = starts[account_id]["started"]
        if at >= started:
            result[account_id]["since"] += minutes or 0.0
            if kind == "meeting":
                result[account_id]["meetings"] += 1
        elif at >= started - timedelta(weeks=BASELINE_WEEKS):
            result[account_id]["before"] += minutes or 0.0
    return result


def _opportunities(ws: int, starts: dict) -> dict[int, int]:
    if not starts:
        return {}
    earliest = min(row["started"] for row in starts.values())
    counts: dict[int, int] = defaultdict(int)
    for account_id, created in (Opportunity.objects.for_workspace(ws)
                                .filter(account_id__in=list(starts), created_date__gte=timezone.localdate(earliest))
                                .values_list("account_id", "created_date")):
        if created >= timezone.localdate(starts[account_id]["started"]):
            counts[account_id] += 1
    return counts


def variant_label_parts(label: str) -> tuple[str, str]:
    """("B", "D") for "B/D"; ("A", MAIN_TEXT) for "A" (no DISC variant)."""
    arm, _, style = label.partition("/")
    return arm, style or MAIN_TEXT


def ab_results(*, campaign: Campaign) -> AbResults:
    """The campaign's e-mail results per A/B arm (summed over DISC variants), per DISC variant
    (summed over arms) and per full label. Five queries whatever the campaign's size."""
    ws = campaign.workspace_id
    mails = Touch.objects.for_workspace(ws).filter(campaign=campaign, status=TouchStatus.SENT,
                                                   channel__in=EMAIL_CHANNELS).exclude(variant="")
    sent = dict(mails.values_list("variant").annotate(n=Count("pk")).order_by())
    reactions: dict[tuple[str, str], int] = {}
    for variant, kind, n in (EngagementEvent.objects.for_workspace(ws)
                             .filter(source="campaigns", type__in=["email_open", "email_click"],
                                     details__campaign=campaign.pk)
                             .annotate(arm=KeyTextTransform("variant", "details"),
                                       touch=KeyTextTransform("touch", "details"))
                             .values_list("arm", "type").annotate(n=Count("touch", distinct=True)).order_by()):
        reactions[(variant or "", kind)] = n
    replied = dict(mails.filter(Exists(_attributed_reply(ws, campaign))).values_list("variant")
                   .annotate(n=Count("pk")).order_by())
    rows = {label: (n, reactions.get((label, "email_open"), 0), reactions.get((label, "email_click"), 0),
                    replied.get(label, 0)) for label, n in sent.items()}
    arms = _grouped(rows, lambda label: variant_label_parts(label)[0])
    if arms:        # an arm the split defines but nobody got yet is shown with its zeros
        missing = _defined_arms(ws, campaign) - {arm.variant for arm in arms}
        arms = sorted([*arms, *(VariantResult(arm, 0, 0, 0) for arm in missing)], key=lambda arm: arm.variant)
    return AbResults(arms=arms,
                     disc_styles=_grouped(rows, lambda label: variant_label_parts(label)[1]),
                     labels=_grouped(rows, lambda label: label))


def _defined_arms(ws: int, campaign: Campaign) -> set[str]:
    """The A/B arms of the templates the campaign's e-mail steps use ("A" alone without a split)."""
    templates = Step.objects.for_workspace(ws).filter(play__campaign=campaign, channel__in=EMAIL_CHANNELS,
                                                      template__isnull=False).values("template_id")
    arms: set[str] = set()
    for split in ContentTemplate.objects.for_workspace(ws).filter(pk__in=templates).values_list("ab_split", flat=True):
        arms |= set(split) if split else {"A"}
    return arms


def _attributed_reply(ws: int, campaign: Campaign) -> QuerySet:
    """For a sent touch (the outer query): a reply of its person within REPLY_WINDOW after it,
    with no later e-mail of the campaign to that person before the reply."""
    later_mail = Touch.objects.for_workspace(ws).filter(
        campaign=campaign, status=TouchStatus.SENT, channel__in=EMAIL_CHANNELS,
        contact_id=OuterRef(OuterRef("contact_id")), sent_at__gt=OuterRef(OuterRef("sent_at")),
        sent_at__lte=OuterRef("occurred_at"))
    return EngagementEvent.objects.for_workspace(ws).filter(
        contact_id=OuterRef("contact_id"), type=EngagementType.EMAIL_REPLY, occurred_at__gte=OuterRef("sent_at"),
        occurred_at__lt=ExpressionWrapper(OuterRef("sent_at") + REPLY_WINDOW, output_field=DateTimeField()),
    ).exclude(Exists(later_mail))


def _grouped(rows: dict[str, tuple[int, int, int, int]], key) -> list[VariantResult]:
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for label, counts in rows.items():
        total = sums[key(label)]
        for i, n in enumerate(counts):
            total[i] += n
    everything = sum(n for n, *_ in rows.values())
    # "main text" after the DISC letters; the arms and labels alphabetically.
    order = sorted(sums, key=lambda name: (name == MAIN_TEXT, name))
    return [VariantResult(name, *sums[name], share=sums[name][0] / everything if everything else 0.0)
            for name in order]


def variant_results(*, campaign: Campaign) -> list[VariantResult]:
    """Per full label ("A", "B", "A/D" …): `ab_results(...).labels`."""
    return ab_results(campaign=campaign).labels


def _chart(accounts: list[AccountResult]) -> dict:
    """Chart.js data: each pilot account's minutes per week before and since enrolment."""
    return {"labels": [a.name for a in accounts],
            "baseline": [a.baseline_per_week for a in accounts],
            "since": [a.since_per_week for a in accounts]}
