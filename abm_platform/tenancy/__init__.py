"""Tenancy: everything a workspace owns is reached only through its workspace.

- `WorkspaceScopedModel` (models.py): the base for every tenant-owned model. Its `objects`
  manager fails closed: `Model.objects.filter(...)` raises; use
  `Model.objects.for_workspace(ws)` (views, tasks, commands) or, where a cross-workspace read
  is intended, `Model.objects.unscoped()` — both easy to grep.
- `CurrentWorkspaceMiddleware` (middleware.py): resolves the caller's workspace and role for
  browser requests.
- `WorkspaceView` / `WorkspaceObjectMixin` (views.py) for pages and `WorkspaceViewSet`
  (abm_platform/api/viewsets.py) for the API: the only way views get querysets, with the role
  checks each view declares.
"""
