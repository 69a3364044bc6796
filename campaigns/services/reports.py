"""The pilot report (DOMAIN.md §7.5): what the owner reads before deciding to expand.

For the campaign's pilot enrolments:

* touches sent, and blocked by reason (the suppression engine's codes, plus coverage gaps);
* each pilot account's engagement against **its own** baseline: the weighted engagement minutes
  (`EngagementEvent.minutes`) per week in the `BASELINE_WEEKS` weeks before the account was
  enrolled, against the minutes per week since (at least one week is counted, so a pilot of
  three days is not read as a surge);
* meetings (`meeting` engagement events) and opportunities created since enrolment;
* A/B results per variant of the whole campaign: sent, opened and clicked touches per
  `Touch.variant` (opens and clicks come back as engagement events naming their touch).

A fixed handful of queries whatever the size of the pilot; plain dataclasses out.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from accounts.models import Opportunity
from campaigns.engine import suppression as engine
from campaigns.models import Campaign, Enrolment, Touch, TouchStatus
from insights.signals.models import EngagementEvent

BASELINE_WEEKS = 4
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
    variant: str
    sent: int
    opened: int
    clicked: int

    @property
    def open_rate(self) -> float:
        return self.opened / self.sent if self.sent else 0.0

    @property
    def click_rate(self) -> float:
        return self.clicked / self.sent if self.sent else 0.0


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
        variants=variant_results(campaign=campaign), meetings=sum(a.meetings for a in accounts),
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


def variant_results(*, campaign: Campaign) -> list[VariantResult]:
    """Sent, opened and clicked touches per `Touch.variant` ("A", "B", "A/D" …)."""
    ws = campaign.workspace_id
    sent = dict(Touch.objects.for_workspace(ws).filter(campaign=campaign, status=TouchStatus.SENT)
                .exclude(variant="").values_list("variant").annotate(n=Count("pk")).order_by())
    reactions: dict[tuple[str, str], int] = {}
    for variant, kind, n in (EngagementEvent.objects.for_workspace(ws)
                             .filter(source="campaigns", type__in=["email_open", "email_click"],
                                     details__campaign=campaign.pk)
                             .annotate(arm=KeyTextTransform("variant", "details"),
                                       touch=KeyTextTransform("touch", "details"))
                             .values_list("arm", "type").annotate(n=Count("touch", distinct=True)).order_by()):
        reactions[(variant or "", kind)] = n
    return [VariantResult(variant, n, reactions.get((variant, "email_open"), 0),
                          reactions.get((variant, "email_click"), 0)) for variant, n in sorted(sent.items())]


def _chart(accounts: list[AccountResult]) -> dict:
    """Chart.js data: each pilot account's minutes per week before and since enrolment."""
    return {"labels": [a.name for a in accounts],
            "baseline": [a.baseline_per_week for a in accounts],
            "since": [a.since_per_week for a in accounts]}
