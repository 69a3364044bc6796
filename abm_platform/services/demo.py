"""The demo workspace: one user per role, a second workspace to switch to, and whatever the
apps above register as demo data (registry.demo_seed_steps, run in layer order)."""
from django.db import transaction

from abm_platform.models import Membership, User, Workspace
from abm_platform.registry import registry
from abm_platform.services.workspaces import workspace_create
from abm_platform.tenancy.roles import Role

DEMO_PASSWORD = "demo-abm-2026"
DEMO_SLUG = "northwind-demo"
SECOND_SLUG = "acme-logistics-demo"
DEMO_USERS = [
    ("admin@demo.abm.local", "Ada Admin", Role.ADMIN),
    ("marketing@demo.abm.local", "Maya Marketing", Role.MARKETING),
    ("sales@demo.abm.local", "Sam Sales", Role.SALES),
    ("executive@demo.abm.local", "Eve Executive", Role.EXECUTIVE),
    ("viewer@demo.abm.local", "Victor Viewer", Role.VIEWER),
]


@transaction.atomic
def demo_seed(*, stdout=None) -> tuple[Workspace, list[tuple[str, str]]]:
    """Create (or refresh) the demo. Running it twice changes nothing."""
    workspace = Workspace.objects.filter(slug=DEMO_SLUG).first() or workspace_create(
        name="Northwind Robotics (demo)", slug=DEMO_SLUG, default_currency="EUR"
    )
    second = Workspace.objects.filter(slug=SECOND_SLUG).first() or workspace_create(
        name="Zephyr Retail (demo)", slug=SECOND_SLUG
    )
    logins = []
    for email, name, role in DEMO_USERS:
        user, created = User.objects.get_or_create(email=email, defaults={"full_name": name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.for_workspace(workspace).get_or_create(user=user, defaults={"role": role})
        logins.append((email, role))
    # The admin also belongs to a second workspace, to show the switcher.
    admin = User.objects.get(email=DEMO_USERS[0][0])
    Membership.objects.for_workspace(second).get_or_create(user=admin, defaults={"role": Role.ADMIN})
    for step in registry.demo_seed_steps:
        if stdout:
            stdout.write(f"  seeding {step.name} …")
        step.run(workspace=workspace, stdout=stdout)
    return workspace, logins
