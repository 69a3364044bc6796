"""One FilterSet per signal list, shared by the pages and the API. Every filter has an index
(`(workspace, …)` on the models)."""
from datetime import datetime, time, timedelta, timezone

from django.db.models import Q
from django_filters import rest_framework as filters

from abm_platform.filters import IdFilter
from insights.signals.engine.rules import CHANNEL_OF
from insights.signals.models import (
    Channel, EngagementEvent, EngagementType, IntentSignal, IntentTopic, SignalKind, TriggerEvent, TriggerType,
    UnresolvedSignal,
)


def _day_start(value) -> datetime:
    return datetime.combine(value, time.min, tzinfo=timezone.utc)


class IntentSignalFilter(filters.FilterSet):
    """account · topic · provider · since/until (week start) · score_min (e.g. 60: surging)."""

    account = IdFilter(field_name="account_id")
    topic = IdFilter(field_name="topic_id")
    provider = filters.CharFilter()
    since = filters.DateFilter(field_name="week_start", lookup_expr="gte", help_text="Weeks starting on or after.")
    until = filters.DateFilter(field_name="week_start", lookup_expr="lte", help_text="Weeks starting on or before.")
    score_min = filters.NumberFilter(field_name="score", lookup_expr="gte")
    selected = filters.BooleanFilter(field_name="topic__is_selected", help_text="Only selected topics.")
    ordering = filters.OrderingFilter(fields=[("week_start", "week_start"), ("score", "score")])

    class Meta:
        model = IntentSignal
        fields: list[str] = []


class EngagementEventFilter(filters.FilterSet):
    """account · contact · type · channel · source · high_value · since/until (day the event happened)."""

    account = IdFilter(field_name="account_id")
    contact = IdFilter(field_name="contact_id")
    type = filters.MultipleChoiceFilter(choices=EngagementType.choices)
    channel = filters.ChoiceFilter(choices=Channel.choices, method="filter_channel")
    source = filters.CharFilter()
    high_value = filters.BooleanFilter(field_name="is_high_value")
    since = filters.DateFilter(method="filter_since", help_text="Events on or after this day (UTC).")
    until = filters.DateFilter(method="filter_until", help_text="Events on or before this day (UTC).")
    ordering = filters.OrderingFilter(fields=[("occurred_at", "occurred_at"), ("minutes", "minutes")])

    class Meta:
        model = EngagementEvent
        fields: list[str] = []

    def filter_channel(self, queryset, name, value):
        # A channel is a set of types (engine/rules.py): the (workspace, type, occurred_at) index serves it.
        return queryset.filter(type__in=[t for t, channel in CHANNEL_OF.items() if channel == value])

    def filter_since(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=_day_start(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(occurred_at__lt=_day_start(value) + timedelta(days=1))


class TriggerEventFilter(filters.FilterSet):
    """account · type · source · since/until (day of the event)."""

    account = IdFilter(field_name="account_id")
    type = filters.MultipleChoiceFilter(choices=TriggerType.choices)
    source = filters.CharFilter()
    since = filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    until = filters.DateFilter(field_name="occurred_on", lookup_expr="lte")
    ordering = filters.OrderingFilter(fields=[("occurred_on", "occurred_on")])

    class Meta:
        model = TriggerEvent
        fields: list[str] = []


class UnresolvedSignalFilter(filters.FilterSet):
    """kind · status (open / resolved) · source · q (the domain or e-mail that matched nothing)."""

    kind = filters.ChoiceFilter(choices=SignalKind.choices)
    status = filters.ChoiceFilter(choices=[("open", "Open"), ("resolved", "Resolved")], method="filter_status")
    source = filters.CharFilter()
    q = filters.CharFilter(field_name="key", lookup_expr="icontains")

    class Meta:
        model = UnresolvedSignal
        fields: list[str] = []

    def filter_status(self, queryset, name, value):
        return queryset.filter(resolved_at__isnull=(value == "open"))


class IntentTopicFilter(filters.FilterSet):
    """is_selected · category · q (name)."""

    is_selected = filters.BooleanFilter()
    category = filters.CharFilter()
    q = filters.CharFilter(method="filter_q")

    class Meta:
        model = IntentTopic
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(category__icontains=value)) if value else queryset
