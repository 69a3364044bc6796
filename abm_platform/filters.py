"""FilterSets shared by the API and the pages of the base layer."""
from django_filters import rest_framework as filters

from abm_platform.models import Job, JobStatus


class JobFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=JobStatus.choices)
    kind = filters.CharFilter()
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Job
        fields = ["status", "kind", "created_after"]
