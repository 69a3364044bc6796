"""Reads of campaigns, workspace first, and the FilterSets the pages and the API share (touches,
sales tasks, owner consents): one definition of every filter, so a link from a page and an API
call select the same rows."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_filters import rest_framework as filters

from abm_platform.filters import IdFilter
from accounts.filters import AccountFilter
from contacts.engine import disc as disc_engine
from accounts.models import Account, NominationStatus, SegmentKind, SegmentMember, TargetListNomination
from campaigns.models import (
    AudienceKind, Campaign, Channel, ContentTemplate, OwnerConsent, Play, SalesTask, Step, TaskStatus, Touch,
    TouchStatus,
)

NO_ONE_FITS = "no_one_fits"


# --- FilterSets ------------------------------------------------------------------------------

def _day_start(value) -> datetime:
    return timezone.make_aware(datetime.combine(value, time.min))


class TouchFilter(filters.FilterSet):
    """campaign · play · step · account · contact · status (repeat for several) · block_code ·
    channel · planned_after / planned_before (dates, inclusive) · blocked (true: only blocks)."""

    status = filters.MultipleChoiceFilter(choices=TouchStatus.choices)
    channel = filters.ChoiceFilter(choices=Channel.choices)
    block_code = filters.CharFilter(help_text="A suppression rule code (opted_out, sales_active, frequency_cap, "
                                              "no_one_fits …).")
    play = IdFilter(field_name="step__play_id")
    planned_after = filters.DateFilter(method="filter_after", help_text="Planned on or after this day.")
    planned_before = filters.DateFilter(method="filter_before", help_text="Planned on or before this day.")
    blocked = filters.BooleanFilter(method="filter_blocked")

    class Meta:
        model = Touch
        fields = ["campaign", "step", "account", "contact", "status", "block_code", "channel"]

    def __init__(self, data=None, queryset=None, *, request=None, workspace=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        _scope_choices(self, workspace)

    def filter_after(self, queryset, name, value):
        return queryset.filter(planned_at__gte=_day_start(value))

    def filter_before(self, queryset, name, value):
        return queryset.filter(planned_at__lt=_day_start(value) + timedelta(days=1))

    def filter_blocked(self, queryset, name, value):
        return queryset.filter(status=TouchStatus.BLOCKED) if value else queryset.exclude(status=TouchStatus.BLOCKED)


class SalesTaskFilter(filters.FilterSet):
    """status (repeat for several) · assignee (a user id, or `me`) · account · campaign · kind ·
    due_before (a day, inclusive)."""

    status = filters.MultipleChoiceFilter(choices=TaskStatus.choices)
    assignee = filters.CharFilter(method="filter_assignee", help_text="User id, or `me`.")
    campaign = IdFilter(field_name="touch__campaign_id")
    due_before = filters.DateFilter(method="filter_due_before")

    class Meta:
        model = SalesTask
        fields = ["status", "assignee", "account", "contact", "kind", "campaign"]

    def __init__(self, data=None, queryset=None, *, request=None, workspace=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.user = getattr(request, "user", None)
        _scope_choices(self, workspace)

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee_id=getattr(self.user, "pk", None))
        return queryset.filter(assignee_id=int(value)) if value.isdigit() else queryset.none()

    def filter_due_before(self, queryset, name, value):
        return queryset.filter(due_at__lt=_day_start(value) + timedelta(days=1))


class OwnerConsentFilter(filters.FilterSet):
    """account · play · active (true: not expired yet)."""

    active = filters.BooleanFilter(method="filter_active")

    class Meta:
        model = OwnerConsent
        fields = ["account", "play", "active"]

    def __init__(self, data=None, queryset=None, *, request=None, workspace=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        _scope_choices(self, workspace)

    def filter_active(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(expires_at__gt=now) if value else queryset.filter(expires_at__lte=now)


def _scope_choices(filterset, workspace) -> None:
    """Model-choice filters only accept this workspace's rows (another's id is 'not a choice')."""
    for name, filter_ in filterset.filters.items():
        queryset = getattr(filter_, "queryset", None)
        if queryset is not None and hasattr(queryset.model, "unscoped_objects"):
            filter_.queryset = (queryset.model.objects.for_workspace(workspace) if workspace is not None
                                else queryset.model.unscoped_objects.none())


# --- campaigns -------------------------------------------------------------------------------

def _count(queryset, group: str):
    return Coalesce(Subquery(queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]), 0,
                    output_field=IntegerField())


def campaign_queryset(*, workspace) -> QuerySet:
    """Campaigns with their counts, in a fixed number of queries whatever their number:
    touches sent / blocked / waiting, pilot accounts, and the audience size for every audience
    kind but a dynamic segment (a saved filter: see `campaigns_with_audience_sizes`)."""
    touches = Touch.objects.for_workspace(workspace).filter(campaign=OuterRef("pk"))
    hand_picked = Campaign.accounts.through.objects.filter(campaign_id=OuterRef("pk"))
    pilots = Campaign.pilot_accounts.through.objects.filter(campaign_id=OuterRef("pk"))
    in_tier = Account.objects.for_workspace(workspace).filter(tier_id=OuterRef("tier_id"))
    approved = TargetListNomination.objects.for_workspace(workspace).filter(
        target_list_id=OuterRef("target_list_id"), status=NominationStatus.APPROVED)
    members = SegmentMember.objects.for_workspace(workspace).filter(segment_id=OuterRef("segment_id"))
    return (Campaign.objects.for_workspace(workspace).select_related("owner", "tier", "segment", "target_list")
            .annotate(
                touches_sent=_count(touches.filter(status=TouchStatus.SENT), "campaign"),
                touches_blocked=_count(touches.filter(status=TouchStatus.BLOCKED), "campaign"),
                touches_waiting=_count(touches.filter(status__in=[TouchStatus.PLANNED, TouchStatus.DEFERRED]),
                                       "campaign"),
                pilot_size=_count(pilots, "campaign_id"),
                audience_size=Case(
                    When(audience_kind=AudienceKind.ACCOUNTS, then=_count(hand_picked, "campaign_id")),
                    When(audience_kind=AudienceKind.TIER, then=_count(in_tier, "tier_id")),
                    When(audience_kind=AudienceKind.TARGET_LIST, then=_count(approved, "target_list_id")),
                    When(audience_kind=AudienceKind.SEGMENT, segment__kind=SegmentKind.STATIC,
                         then=_count(members, "segment_id")),
                    default=Value(None), output_field=IntegerField())))


def campaigns_with_audience_sizes(campaigns) -> list[Campaign]:
    """Fill in the audience size of campaigns targeting a saved-filter segment: one count per
    distinct segment on the page (the filter is only known when read)."""
    campaigns = list(campaigns)
    sizes: dict[int, int] = {}
    for campaign in campaigns:
        if campaign.audience_size is None and campaign.segment_id:
            if campaign.segment_id not in sizes:
                rules = {k: v for k, v in (campaign.segment.filters or {}).items()
                         if k not in ("segment", "ordering", "page")}
                sizes[campaign.segment_id] = AccountFilter(
                    rules, Account.objects.for_workspace(campaign.workspace_id),
                    workspace=campaign.workspace).qs.count()
            campaign.audience_size = sizes[campaign.segment_id]
    return campaigns


def campaign_plays(*, campaign: Campaign) -> list[Play]:
    """The campaign's plays with their steps (and each step's template), two queries."""
    plays = list(Play.objects.for_workspace(campaign.workspace_id).filter(campaign=campaign)
                 .prefetch_related(_steps_prefetch(campaign.workspace_id)).order_by("priority", "pk"))
    return plays


def _steps_prefetch(workspace_id):
    from django.db.models import Prefetch

    return Prefetch("steps", queryset=Step.objects.for_workspace(workspace_id).select_related("template")
                    .order_by("order"))


def play_steps(*, play: Play) -> list[Step]:
    return list(Step.objects.for_workspace(play.workspace_id).filter(play=play).select_related("template")
                .order_by("order"))


def campaign_touch_counts(*, campaign: Campaign) -> dict[str, int]:
    counts = dict(Touch.objects.for_workspace(campaign.workspace_id).filter(campaign=campaign)
                  .values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in TouchStatus.values}


def coverage_gaps(*, campaign: Campaign, sample: int = 5) -> list[dict]:
    """Steps where accounts had nobody who fits the step's audience: "N accounts have nobody who
    fits step 2", with a few of the accounts' names."""
    touches = Touch.objects.for_workspace(campaign.workspace_id).filter(campaign=campaign, block_code=NO_ONE_FITS)
    rows = list(touches.values("step_id", "step__order", "step__play_id", "step__play__name", "step__channel",
                               "step__audience_filter")
                .annotate(accounts=Count("account_id", distinct=True)).order_by("step__play__name", "step__order"))
    names: dict[int, list[str]] = {}
    for step_id, name in touches.order_by("step_id", "account__name").values_list("step_id", "account__name") \
            .distinct()[:500]:
        if len(names.setdefault(step_id, [])) < sample:
            names[step_id].append(name)
    for row in rows:
        row["examples"] = names.get(row["step_id"], [])
    return rows


def touch_queryset(*, workspace) -> QuerySet:
    return (Touch.objects.for_workspace(workspace)
            .select_related("account", "contact", "campaign", "step", "step__play").order_by("-planned_at", "-pk"))


def touch_list(*, workspace, params, request=None) -> TouchFilter:
    return TouchFilter(params, touch_queryset(workspace=workspace), request=request, workspace=workspace)


def account_touches(*, workspace, account, limit: int = 25) -> list[Touch]:
    return list(touch_queryset(workspace=workspace).filter(account=account)[:limit])


def contact_touches(*, workspace, contact, limit: int = 15) -> list[Touch]:
    return list(touch_queryset(workspace=workspace).filter(contact=contact)[:limit])


def sales_task_queryset(*, workspace) -> QuerySet:
    """Open tasks first, the earliest due first."""
    return (SalesTask.objects.for_workspace(workspace)
            .select_related("account", "contact", "contact__persona", "assignee", "touch", "touch__campaign",
                            "touch__step")
            .annotate(open_first=Case(When(status=TaskStatus.OPEN, then=Value(0)), default=Value(1),
                                      output_field=IntegerField()))
            .order_by("open_first", "due_at", "pk"))


def sales_task_list(*, workspace, params, request=None) -> SalesTaskFilter:
    return SalesTaskFilter(params, sales_task_queryset(workspace=workspace), request=request, workspace=workspace)


def open_task_count(*, workspace, user) -> int:
    return SalesTask.objects.for_workspace(workspace).filter(assignee=user, status=TaskStatus.OPEN).count()


def owner_consent_queryset(*, workspace) -> QuerySet:
    return (OwnerConsent.objects.for_workspace(workspace).select_related("account", "play", "play__campaign",
                                                                         "given_by").order_by("-given_at", "-pk"))


def template_queryset(*, workspace) -> QuerySet:
    used = Step.objects.for_workspace(workspace).filter(template=OuterRef("pk"))
    return ContentTemplate.objects.for_workspace(workspace).annotate(used_by=_count(used, "template"))


def accounts_for_preview(*, workspace, first: list[int] | None = None, limit: int = 300) -> list[Account]:
    """Accounts to pick for a preview: the given ones (e.g. the pilot) first, then the highest
    scored accounts that have people."""
    from django.db.models import Exists

    from contacts.models import Contact

    people = Contact.objects.for_workspace(workspace).filter(account=OuterRef("pk"), erased_at__isnull=True)
    accounts = (Account.objects.for_workspace(workspace).filter(Exists(people)).only("pk", "name", "domain", "score")
                .order_by("-score", "name", "pk"))
    chosen = list(accounts.filter(pk__in=first or [])) if first else []
    rest = list(accounts.exclude(pk__in=[a.pk for a in chosen])[:max(limit - len(chosen), 0)])
    return chosen + rest


def people_of(*, workspace, account_id) -> list:
    from contacts.models import Contact

    return list(Contact.objects.for_workspace(workspace).filter(account_id=account_id, erased_at__isnull=True)
                .only("pk", "first_name", "last_name", "email", "job_title", "disc_style")
                .order_by("last_name", "first_name", "pk"))


def campaign_blocks(*, workspace) -> QuerySet:
    return touch_queryset(workspace=workspace).filter(Q(status=TouchStatus.BLOCKED))


def person_guidance(contact) -> dict | None:
    """How to approach the person (contacts.engine.disc), or None without a known style."""
    if contact is None or not contact.disc_style:
        return None
    try:
        g = disc_engine.guidance_for(contact.disc_style)
    except ValueError:
        return None
    return {"style": contact.disc_style, "summary": g.summary, "tone": list(g.tone), "emphasise": list(g.emphasise),
            "avoid": list(g.avoid), "meeting": list(g.meeting), "call_to_action": list(g.call_to_action)}
