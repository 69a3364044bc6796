"""The base every tenant-owned model inherits, and its fail-closed manager."""
from __future__ import annotations

from django.db import models


class UnscopedQueryError(RuntimeError):
    """A workspace-owned model was queried without saying which workspace."""


class WorkspaceQuerySet(models.QuerySet):
    """A queryset that remembers the workspace it was scoped to, so `create()` and
    `bulk_create()` stamp that workspace on new rows and refuse rows of another one."""

    _workspace_id: int | None = None

    def _clone(self):
        clone = super()._clone()
        clone._workspace_id = self._workspace_id
        return clone

    def _stamp(self, obj) -> None:
        if self._workspace_id is None:
            return
        if obj.workspace_id is None:
            obj.workspace_id = self._workspace_id
        elif obj.workspace_id != self._workspace_id:
            raise UnscopedQueryError(
                f"{type(obj).__name__} of workspace {obj.workspace_id} written through workspace {self._workspace_id}"
            )

    def create(self, **kwargs):
        obj = self.model(**kwargs)
        self._stamp(obj)
        self._for_write = True
        obj.save(force_insert=True, using=self.db)
        return obj

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            self._stamp(obj)
        return super().bulk_create(objs, *args, **kwargs)


class WorkspaceManager(models.Manager.from_queryset(WorkspaceQuerySet)):
    """`Model.objects`: every query must name its workspace."""

    def get_queryset(self):
        raise UnscopedQueryError(
            f"{self.model.__name__}.objects needs a workspace: use .for_workspace(ws) "
            "(or .unscoped() where crossing workspaces is intended)"
        )

    def for_workspace(self, workspace) -> WorkspaceQuerySet:
        workspace_id = getattr(workspace, "pk", workspace)
        if workspace_id is None:
            raise UnscopedQueryError(f"{self.model.__name__}.objects.for_workspace() got no workspace")
        qs = super().get_queryset().filter(workspace_id=workspace_id)
        qs._workspace_id = workspace_id
        return qs

    def none(self) -> WorkspaceQuerySet:
        # An empty queryset reveals nothing; tools (schema generation, filters) ask for one.
        return super().get_queryset().none()

    def unscoped(self) -> WorkspaceQuerySet:
        return super().get_queryset()


class WorkspaceScopedModel(models.Model):
    """Base for every model a workspace owns.

    `unscoped_objects` is declared first so it is the *default* manager that Django's
    internals (related managers, admin, unique validation) use; application code goes
    through `objects`, which fails closed.
    """

    unscoped_objects = models.Manager()
    objects = WorkspaceManager()

    workspace = models.ForeignKey("abm_platform.Workspace", on_delete=models.CASCADE, related_name="+")

    # Field names left out of workspace exports (secrets).
    export_exclude_fields: frozenset[str] = frozenset()

    class Meta:
        abstract = True


def workspace_scoped_models() -> list[type[WorkspaceScopedModel]]:
    """Every concrete tenant-owned model, in app (layer) order."""
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, WorkspaceScopedModel)]
