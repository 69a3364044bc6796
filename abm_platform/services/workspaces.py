from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from abm_platform.models import Membership, User, Workspace
from abm_platform.registry import registry
from abm_platform.tenancy.roles import Role


def workspace_create(*, name: str, slug: str = "", owner: User | None = None, default_currency: str = "USD") -> Workspace:
    """Create a workspace, make `owner` its admin, and run every app's setup step
    (default tiers, stages …) so a new workspace is usable at once."""
    workspace = Workspace(name=name.strip(), slug=slug or slugify(name)[:60], default_currency=default_currency.upper())
    workspace.full_clean()
    with transaction.atomic():
        workspace.save()
        if owner is not None:
            Membership.objects.for_workspace(workspace).create(user=owner, role=Role.ADMIN)
        for step in registry.workspace_setup_steps:
            step.run(workspace=workspace)
    return workspace


def workspace_update(*, workspace: Workspace, name: str, default_currency: str, timezone: str) -> Workspace:
    workspace.name = name.strip()
    workspace.default_currency = default_currency.upper()
    workspace.timezone = timezone
    workspace.full_clean()
    workspace.save()
    return workspace


def _admin_count(workspace: Workspace) -> int:
    return Membership.objects.for_workspace(workspace).filter(role=Role.ADMIN).count()


@transaction.atomic
def membership_add(*, workspace: Workspace, email: str, role: str, full_name: str = "", invited_by=None,
                   request=None) -> Membership:
    """Give a person a seat. Unknown e-mails get an account without a password and a
    'set your password' e-mail."""
    email = User.objects.normalize_email(email).strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}; choose one of {', '.join(Role.values)}."})
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if Membership.objects.for_workspace(workspace).filter(user=user).exists():
        raise ValidationError({"email": f"{email} is already a member of this workspace."})
    membership = Membership.objects.for_workspace(workspace).create(user=user, role=role)
    if created:
        transaction.on_commit(lambda: _send_set_password_email(email, request))
    return membership


def _send_set_password_email(email: str, request) -> None:
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        # Users without a usable password are skipped by get_users(); include them here.
        form.get_users = lambda e: User.objects.filter(email__iexact=e, is_active=True)
        form.save(request=request, use_https=bool(request and request.is_secure()),
                  domain_override=None if request else "localhost")


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}; choose one of {', '.join(Role.values)}."})
    locked = Membership.objects.for_workspace(membership.workspace_id).select_for_update().get(pk=membership.pk)
    if locked.role == Role.ADMIN and role != Role.ADMIN and _admin_count(membership.workspace_id) <= 1:
        raise ValidationError({"role": "A workspace needs at least one admin."})
    locked.role = role
    locked.save(update_fields=["role"])
    return locked


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    locked = Membership.objects.for_workspace(membership.workspace_id).select_for_update().get(pk=membership.pk)
    if locked.role == Role.ADMIN and _admin_count(membership.workspace_id) <= 1:
        raise ValidationError("A workspace needs at least one admin: make someone else admin first.")
    locked.delete()
