from rest_framework import serializers

from abm_platform.filters import MAX_ID
from abm_platform.tenancy.models import WorkspaceScopedModel


class IdField(serializers.IntegerField):
    """An object's id in a request body: 1 to MAX_ID, so a bigger number is a field error (400)
    instead of an OverflowError in the service's `id__in` look-up."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class WorkspaceScopedSerializer(serializers.ModelSerializer):
    """Base for serializers of tenant-owned models: every related field only accepts objects
    of the caller's workspace (a foreign id is 'does not exist', like a missing one), and
    `workspace` is never an input."""

    def get_fields(self):
        fields = super().get_fields()
        fields.pop("workspace", None)
        workspace = self.context.get("workspace")
        for field in fields.values():
            _scope_related_field(getattr(field, "child_relation", field), workspace)
        return fields


def _scope_related_field(field, workspace) -> None:
    queryset = getattr(field, "queryset", None)
    if queryset is None or not issubclass(queryset.model, WorkspaceScopedModel):
        return
    field.queryset = queryset.model.objects.for_workspace(workspace) if workspace else queryset.none()
