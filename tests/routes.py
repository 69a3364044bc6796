"""Walk the URL configuration, so tests cover every endpoint and page, including ones added later."""
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from abm_platform.api.viewsets import WorkspaceViewSet
from abm_platform.tenancy.views import WorkspaceView


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name, for reverse()
    pattern: str
    kwargs: frozenset
    view: type | None  # the class behind the callback
    actions: dict  # DRF viewset method → action; {} for Django views

    @property
    def is_api(self) -> bool:
        return self.view is not None and issubclass(self.view, WorkspaceViewSet)

    @property
    def is_page(self) -> bool:
        return self.view is not None and issubclass(self.view, WorkspaceView)

    @property
    def model(self):
        return getattr(self.view, "model", None)


def all_routes() -> list[Route]:
    routes: list[Route] = []
    _walk(get_resolver().url_patterns, "", "", routes)
    return routes


def _walk(patterns, prefix, namespace, out) -> None:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            _walk(entry.url_patterns, prefix + str(entry.pattern), ns, out)
        elif isinstance(entry, URLPattern) and entry.name:
            callback = entry.callback
            view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
            out.append(Route(
                name=f"{namespace}{entry.name}",
                pattern=prefix + str(entry.pattern),
                kwargs=frozenset(entry.pattern.regex.groupindex),
                view=view,
                actions=dict(getattr(callback, "actions", None) or {}),
            ))
