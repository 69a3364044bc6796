"""factory_boy factories. Every tenant-owned model needs one here: the generated isolation
tests (tests/platform/test_isolation.py) use FACTORIES to make another workspace's objects."""
import factory

from abm_platform.models import ApiKey, Job, Membership, User, Workspace
from abm_platform.tenancy.roles import Role


class WorkspaceScopedFactory(factory.django.DjangoModelFactory):
    """Creates through the unscoped manager: a factory is told the workspace explicitly."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.unscoped_objects


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"workspace-{n}")


class MembershipFactory(WorkspaceScopedFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.VIEWER


class ApiKeyFactory(WorkspaceScopedFactory):
    class Meta:
        model = ApiKey

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Integration {n}")
    prefix = factory.Sequence(lambda n: f"{n:012x}")
    key_hash = "0" * 64


class JobFactory(WorkspaceScopedFactory):
    class Meta:
        model = Job

    workspace = factory.SubFactory(WorkspaceFactory)
    kind = "workspace_export"
    params = factory.LazyFunction(lambda: {"format": "csv"})


FACTORIES = {
    Membership: MembershipFactory,
    ApiKey: ApiKeyFactory,
    Job: JobFactory,
}
