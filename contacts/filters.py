"""One FilterSet for contacts, shared by the API and the contacts list page."""
from django.db.models import Q
from django_filters import rest_framework as filters

from abm_platform.filters import IdFilter
from contacts.models import Contact, LifecycleStage, MatchStatus, Seniority


class ContactFilter(filters.FilterSet):
    """q (name, e-mail, company as typed) · account · match_status · lifecycle_stage ·
    seniority · persona · role (buying-group role code) · disc_style · consent_email · erased."""

    q = filters.CharFilter(method="filter_search")
    account = IdFilter(field_name="account_id")
    match_status = filters.MultipleChoiceFilter(choices=MatchStatus.choices)
    lifecycle_stage = filters.MultipleChoiceFilter(choices=LifecycleStage.choices)
    seniority = filters.MultipleChoiceFilter(choices=Seniority.choices)
    persona = IdFilter(field_name="persona_id")
    role = filters.CharFilter(method="filter_role", help_text="A buying-group role code, e.g. champion.")
    disc_style = filters.CharFilter()
    consent_email = filters.CharFilter()
    erased = filters.BooleanFilter(field_name="erased_at", lookup_expr="isnull", exclude=True)
    ordering = filters.OrderingFilter(fields=[("last_name", "name"), ("updated_at", "updated_at"),
                                              ("score", "score"), ("created_at", "created_at")])

    class Meta:
        model = Contact
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(last_name__icontains=value) | Q(first_name__icontains=value)
                               | Q(email__istartswith=value) | Q(company_name__icontains=value))

    def filter_role(self, queryset, name, value):
        # Roles are a short JSON list; a containment match on the serialised form works on
        # SQLite and PostgreSQL alike.
        return queryset.filter(roles__icontains=f'"{value.strip()}"')
