from dataclasses import dataclass

from abm_platform.models import Membership, Workspace


@dataclass(frozen=True)
class WorkspaceContext:
    """Who is calling, in which workspace, with which role. `user` is None for API keys."""

    workspace: Workspace
    role: str
    user: object | None = None
    api_key: object | None = None


def workspace_context_for_user(user, workspace_id: int | None) -> WorkspaceContext | None:
    """The user's chosen workspace if they are still a member, else their first one."""
    memberships = Membership.objects.unscoped().filter(user=user).select_related("workspace")
    membership = None
    if workspace_id is not None:
        membership = memberships.filter(workspace_id=workspace_id).first()
    if membership is None:
        membership = memberships.order_by("workspace__name").first()
    if membership is None:
        return None
    return WorkspaceContext(workspace=membership.workspace, role=membership.role, user=user)


def user_workspaces(user) -> list[Workspace]:
    return list(Workspace.objects.filter(pk__in=Membership.objects.unscoped().filter(user=user).values("workspace_id")))
