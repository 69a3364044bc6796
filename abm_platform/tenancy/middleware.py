from abm_platform.tenancy.context import WorkspaceContext, workspace_context_for_user

SESSION_KEY = "workspace_id"


class CurrentWorkspaceMiddleware:
    """Sets `request.session_workspace` for browser requests: the workspace the signed-in
    user chose (kept in the session) and their role in it, or None. Resolved lazily, so pages
    that do not need it (static, login) cost no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.session_workspace = _LazyContext(request)
        return self.get_response(request)


class _LazyContext:
    """A tiny lazy holder: `request.session_workspace.get()` resolves once per request."""

    def __init__(self, request):
        self._request = request
        self._value: WorkspaceContext | None = None
        self._resolved = False

    def get(self) -> WorkspaceContext | None:
        if not self._resolved:
            self._value = _resolve(self._request)
            self._resolved = True
        return self._value


def _resolve(request) -> WorkspaceContext | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    context = workspace_context_for_user(user, request.session.get(SESSION_KEY))
    if context is not None and request.session.get(SESSION_KEY) != context.workspace.pk:
        request.session[SESSION_KEY] = context.workspace.pk
    return context
