"""FilterSets shared by the API and the pages of the base layer."""
from django import forms
from django.core.exceptions import ValidationError
from django_filters import rest_framework as filters
from django_filters.fields import ModelMultipleChoiceField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from abm_platform.models import Job, JobStatus

# The largest id a BigAutoField holds. SQLite cannot even compare a bigger integer (`pk__in=[2**64]`
# raises OverflowError), so an id past it is rejected as input before any query.
MAX_ID = 2**63 - 1


@extend_schema_field(OpenApiTypes.INT64)
class IdFilter(filters.NumberFilter):
    """`?account=12`: an object's id, a whole number from 1 to MAX_ID (anything else is a 400). A
    bigger one must not reach the database: SQLite cannot compare it, and Django guards only plain
    integer columns, not a look-up through a foreign key (`account_id`)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class _IdMultipleChoiceField(ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue   # not a number at all: Django's own check rejects it
            if abs(number) > MAX_ID:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                      params={"value": pk})
        return super()._check_values(value)


class IdMultipleChoiceFilter(filters.ModelMultipleChoiceFilter):
    """`?group=1&group=2`: ids of objects of `queryset`; one too big for an id is an invalid choice
    (a 400), like an unknown one."""

    field_class = _IdMultipleChoiceField


class JobFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=JobStatus.choices)
    kind = filters.CharFilter()
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Job
        fields = ["status", "kind", "created_after"]
