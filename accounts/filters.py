"""One FilterSet for accounts, shared by the API, the list page, dynamic segments and exports."""
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django_filters import rest_framework as filters

from abm_platform.filters import MAX_ID, IdFilter, IdMultipleChoiceFilter
from accounts.models import (
    Account, AccountGroup, AccountIdentifier, AccountTechnology, AttributeDefinition, AttributeType, Segment,
    SegmentKind, SegmentMember, TargetListNomination,
)
from accounts.services.holds import active_hold_exists

ATTRIBUTE_PREFIX = "attr_"


class NullsLastOrderingFilter(filters.OrderingFilter):
    """Sort with empty values last in both directions (PostgreSQL puts NULLs first when
    descending: 'biggest first' would open with companies of unknown size)."""

    def filter(self, qs, value):
        if not value:
            return qs
        expressions = []
        for param in value:
            descending = param.startswith("-")
            field = self.param_map.get(param.lstrip("-"))
            if field is None:
                continue
            expression = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
            expressions.append(expression)
        return qs.order_by(*expressions, "pk") if expressions else qs


class FloatFilter(filters.NumberFilter):
    """Numbers compared inside JSON: a float, since JSON has no decimals."""

    field_class = forms.FloatField


class AccountFilter(filters.FilterSet):
    """Query parameters (all optional, combined with AND):

    q (name, domain or CRM id) · tier (ids, or `none`) · group · segment · target_list · owner
    (user id or `me`) · industry · country (ISO codes) · employees_min/max · revenue_min/max ·
    technology · is_target · has_open_opportunity · on_hold · is_mqa · journey_stage (comma-separated)
    · attr_<key> (equals; for number attributes also attr_<key>_min / attr_<key>_max). Ordering also by
    score and score_change (the current score columns scoring writes).
    """

    q = filters.CharFilter(method="filter_search", label="Search")
    tier = filters.CharFilter(method="filter_tier", help_text="Tier id(s), comma-separated, or `none`.")
    group = IdMultipleChoiceFilter(queryset=AccountGroup.unscoped_objects.none())
    segment = IdFilter(method="filter_segment", help_text="Segment id.")
    target_list = IdFilter(method="filter_target_list")
    owner = filters.CharFilter(method="filter_owner", help_text="User id, or `me`.")
    industry = filters.CharFilter(method="filter_in_list", help_text="Comma-separated.")
    country = filters.CharFilter(method="filter_in_list", help_text="ISO alpha-2 codes, comma-separated.")
    employees_min = filters.NumberFilter(field_name="employees", lookup_expr="gte")
    employees_max = filters.NumberFilter(field_name="employees", lookup_expr="lte")
    revenue_min = filters.NumberFilter(field_name="annual_revenue", lookup_expr="gte")
    revenue_max = filters.NumberFilter(field_name="annual_revenue", lookup_expr="lte")
    technology = filters.CharFilter(method="filter_technology")
    is_target = filters.BooleanFilter()
    has_open_opportunity = filters.BooleanFilter()
    on_hold = filters.BooleanFilter(method="filter_on_hold")
    is_mqa = filters.BooleanFilter(help_text="Marketing-qualified account (set by scoring).")
    journey_stage = filters.CharFilter(method="filter_in_list", help_text="Journey stage(s), comma-separated.")
    ordering = NullsLastOrderingFilter(fields=[("name", "name"), ("employees", "employees"),
                                              ("annual_revenue", "annual_revenue"), ("updated_at", "updated_at"),
                                              ("created_at", "created_at"), ("country", "country"),
                                              ("score", "score"), ("score_change", "score_change")])

    class Meta:
        model = Account
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, workspace=None, user=None, **kwargs):
        if data is not None and hasattr(data, "lists"):
            # A form's "Any …" option submits an empty value: it means "no filter", not an error.
            cleaned = data.copy()
            for key, values in data.lists():
                kept = [v for v in values if v != ""]
                if kept:
                    cleaned.setlist(key, kept)
                else:
                    del cleaned[key]
            data = cleaned
        super().__init__(data, queryset, request=request, **kwargs)
        self.workspace = workspace
        self.user = user if user is not None else getattr(request, "user", None)
        if workspace is not None:
            self.filters["group"].queryset = AccountGroup.objects.for_workspace(workspace)
            self._add_attribute_filters(workspace)

    def _add_attribute_filters(self, workspace) -> None:
        """The workspace's custom attributes become typed filters: attr_<key> (and _min/_max
        for numbers), validated like any other parameter."""
        for definition in AttributeDefinition.objects.for_workspace(workspace):
            field_name = f"attributes__{definition.key}"
            name = f"{ATTRIBUTE_PREFIX}{definition.key}"
            if definition.type == AttributeType.NUMBER:
                added = {name: FloatFilter(field_name=field_name),
                         f"{name}_min": FloatFilter(field_name=field_name, lookup_expr="gte"),
                         f"{name}_max": FloatFilter(field_name=field_name, lookup_expr="lte")}
            elif definition.type == AttributeType.BOOLEAN:
                added = {name: filters.BooleanFilter(field_name=field_name)}
            else:
                added = {name: filters.CharFilter(field_name=field_name, lookup_expr="iexact")}
            for key, filter_ in added.items():
                filter_.model, filter_.parent = Account, self
                self.filters[key] = filter_

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # A UNION of two indexed lookups (trigram indexes on PostgreSQL): an OR across the two
        # tables would scan every account.
        by_name = Account.objects.for_workspace(self.workspace).filter(name__icontains=value).order_by().values("pk")
        by_identifier = (AccountIdentifier.objects.for_workspace(self.workspace).filter(value__istartswith=value)
                         .order_by().values("account_id"))
        return queryset.filter(pk__in=by_name.union(by_identifier))

    def filter_tier(self, queryset, name, value):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        condition = Q()
        if "none" in parts:
            condition |= Q(tier__isnull=True)
        ids = _ids(parts)
        if ids:
            condition |= Q(tier_id__in=ids)
        return queryset.filter(condition) if condition else queryset.none()

    def filter_segment(self, queryset, name, value):
        segment = Segment.objects.for_workspace(self.workspace).filter(pk=value).first()
        if segment is None:
            return queryset.none()
        if segment.kind == SegmentKind.STATIC:
            members = SegmentMember.objects.for_workspace(self.workspace).filter(segment=segment, account=OuterRef("pk"))
            return queryset.filter(Exists(members))
        rules = {k: v for k, v in (segment.filters or {}).items() if k not in ("segment", "ordering", "page")}
        return AccountFilter(rules, queryset, workspace=self.workspace, user=self.user).qs

    def filter_target_list(self, queryset, name, value):
        nominated = TargetListNomination.objects.for_workspace(self.workspace).filter(
            target_list_id=value, account=OuterRef("pk")).exclude(status="withdrawn")
        return queryset.filter(Exists(nominated))

    def filter_owner(self, queryset, name, value):
        if value == "me":
            return queryset.filter(owner_id=getattr(self.user, "pk", None))
        if value == "none":
            return queryset.filter(owner__isnull=True)
        ids = _ids([value])
        return queryset.filter(owner_id=ids[0]) if ids else queryset.none()

    def filter_in_list(self, queryset, name, value):
        values = [v.strip() for v in value.split(",") if v.strip()]
        if name == "country":
            values = [v.upper() for v in values]
        return queryset.filter(**{f"{name}__in": values}) if values else queryset

    def filter_technology(self, queryset, name, value):
        uses = AccountTechnology.objects.for_workspace(self.workspace).filter(account=OuterRef("pk"),
                                                                             name__iexact=value.strip())
        return queryset.filter(Exists(uses))

    def filter_on_hold(self, queryset, name, value):
        on_hold = active_hold_exists(self.workspace.pk)
        return queryset.filter(on_hold) if value else queryset.exclude(on_hold)


def _ids(parts: list[str]) -> list[int]:
    """The parts that can be ids; the others match nothing. `isdigit()` alone is not enough: '²'
    is a digit to it but not to int(), and an id past MAX_ID overflows SQLite's integers."""
    return [int(p) for p in parts if p.isascii() and p.isdigit() and int(p) <= MAX_ID]
