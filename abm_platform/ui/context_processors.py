from abm_platform.registry import registry
from abm_platform.tenancy.context import user_workspaces


def shell(request) -> dict:
    """What the page shell needs: navigation, the current workspace and the switcher's list."""
    resolver = getattr(request, "session_workspace", None)
    user = getattr(request, "user", None)
    if resolver is None or user is None or not user.is_authenticated:
        return {"nav_items": []}
    context = resolver.get()
    match = getattr(request, "resolver_match", None)
    section = (match.namespace or match.url_name) if match else ""
    return {
        "nav_items": registry.nav if context else [],
        "nav_section": section,
        "current_workspace": context.workspace if context else None,
        "current_role": context.role if context else None,
        "switchable_workspaces": lambda: user_workspaces(user),
    }
