from rest_framework import mixins, viewsets

from abm_platform.tenancy.roles import ADMINS, ANY_ROLE, EDITORS


class WorkspaceViewSet(viewsets.GenericViewSet):
    """Base for every API viewset. The workspace is resolved once (by the permission class)
    and is the only way to get a queryset: subclasses set `model` and may refine
    `scope_queryset()`, but may not override `get_queryset()`.

    Declare access with `read_roles`, `write_roles` and per-action `action_roles`.
    """

    model = None
    read_roles = ANY_ROLE
    write_roles = EDITORS
    action_roles: dict = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} overrides get_queryset(); override scope_queryset() instead")

    @property
    def workspace(self):
        return self.request.workspace_context.workspace

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request workspace
            return self.model.unscoped_objects.none()
        return self.scope_queryset(self.model.objects.for_workspace(self.workspace))

    def scope_queryset(self, queryset):
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        workspace_context = getattr(self.request, "workspace_context", None)
        context["workspace"] = getattr(workspace_context, "workspace", None)
        return context

    def perform_create(self, serializer):
        serializer.save(workspace=self.workspace)


class WorkspaceConfigViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             mixins.UpdateModelMixin, mixins.DestroyModelMixin, WorkspaceViewSet):
    """CRUD for a small configuration model (groups, stages, personas, rules …): the workspace is
    stamped on create and the model's own validation (`full_clean`) runs on every write.
    Admins write unless a subclass says otherwise."""

    write_roles = ADMINS

    def perform_create(self, serializer):
        instance = self.model(workspace=self.workspace, **serializer.validated_data)
        instance.full_clean()
        instance.save()
        serializer.instance = instance

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        instance.full_clean()
        instance.save()
