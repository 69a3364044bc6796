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


# --- accounts -------------------------------------------------------------------------------
from datetime import timedelta  # noqa: E402

from django.utils import timezone  # noqa: E402

from accounts import models as acc  # noqa: E402


class TierFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.Tier

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Tier {n}")
    order = factory.Sequence(lambda n: n + 1)
    engagement_model = acc.EngagementModel.ONE_TO_FEW


class AccountGroupFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.AccountGroup

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class AttributeDefinitionFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.AttributeDefinition

    workspace = factory.SubFactory(WorkspaceFactory)
    key = factory.Sequence(lambda n: f"attr{n}")
    label = factory.Sequence(lambda n: f"Attribute {n}")
    type = acc.AttributeType.TEXT


class AccountFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.Account
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Company {n}")
    domain = factory.Sequence(lambda n: f"company{n}.com")
    external_id = factory.Sequence(lambda n: f"crm-{n}")

    @factory.post_generation
    def identifiers(account, create, extracted, **kwargs):
        """Like the upsert service: the primary domain and CRM id are identifiers too."""
        if create:
            acc.AccountIdentifier.unscoped_objects.bulk_create(
                [acc.AccountIdentifier(workspace_id=account.workspace_id, account=account, kind=kind, value=value,
                                       is_primary=True)
                 for kind, value in (("domain", account.domain), ("external_id", account.external_id)) if value])


class AccountIdentifierFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.AccountIdentifier

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    kind = acc.IdentifierKind.DOMAIN
    value = factory.Sequence(lambda n: f"alias{n}.com")


class AccountTechnologyFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.AccountTechnology

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    name = factory.Sequence(lambda n: f"Tech {n}")


class TierChangeFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.TierChange

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))


class HoldFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.Hold

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    reason = "Final negotiation"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class OpportunityStageFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.OpportunityStage

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")
    order = factory.Sequence(lambda n: n + 1)


class OpportunityFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.Opportunity

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    stage = factory.SubFactory(OpportunityStageFactory, workspace=factory.SelfAttribute("..workspace"))
    name = factory.Sequence(lambda n: f"Deal {n}")
    created_date = factory.LazyFunction(timezone.localdate)


class OpportunityStageChangeFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.OpportunityStageChange

    workspace = factory.SubFactory(WorkspaceFactory)
    opportunity = factory.SubFactory(OpportunityFactory, workspace=factory.SelfAttribute("..workspace"))
    to_stage = factory.SelfAttribute("opportunity.stage")
    changed_at = factory.LazyFunction(timezone.now)


class AccountPlanFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.AccountPlan

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    objectives = "Win the EMEA logistics rollout"


class PlanStepFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.PlanStep

    workspace = factory.SubFactory(WorkspaceFactory)
    plan = factory.SubFactory(AccountPlanFactory, workspace=factory.SelfAttribute("..workspace"))
    text = "Book the executive briefing"


class SegmentFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.Segment

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Segment {n}")
    kind = acc.SegmentKind.STATIC


class SegmentMemberFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.SegmentMember

    workspace = factory.SubFactory(WorkspaceFactory)
    segment = factory.SubFactory(SegmentFactory, workspace=factory.SelfAttribute("..workspace"))
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))


class TargetListFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.TargetList

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"FY27 program {n}")


class TargetListNominationFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.TargetListNomination

    workspace = factory.SubFactory(WorkspaceFactory)
    target_list = factory.SubFactory(TargetListFactory, workspace=factory.SelfAttribute("..workspace"))
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    rationale = "Strong fit and active intent"


class NominationFeedbackFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.NominationFeedback

    workspace = factory.SubFactory(WorkspaceFactory)
    nomination = factory.SubFactory(TargetListNominationFactory, workspace=factory.SelfAttribute("..workspace"))
    kind = acc.NominationFeedback.Kind.ENDORSE


class TargetListEventFactory(WorkspaceScopedFactory):
    class Meta:
        model = acc.TargetListEvent

    workspace = factory.SubFactory(WorkspaceFactory)
    target_list = factory.SubFactory(TargetListFactory, workspace=factory.SelfAttribute("..workspace"))
    action = "created"


FACTORIES.update({
    acc.Tier: TierFactory, acc.AccountGroup: AccountGroupFactory, acc.AttributeDefinition: AttributeDefinitionFactory,
    acc.Account: AccountFactory, acc.AccountIdentifier: AccountIdentifierFactory,
    acc.AccountTechnology: AccountTechnologyFactory, acc.TierChange: TierChangeFactory, acc.Hold: HoldFactory,
    acc.OpportunityStage: OpportunityStageFactory, acc.Opportunity: OpportunityFactory,
    acc.OpportunityStageChange: OpportunityStageChangeFactory, acc.AccountPlan: AccountPlanFactory,
    acc.PlanStep: PlanStepFactory, acc.Segment: SegmentFactory, acc.SegmentMember: SegmentMemberFactory,
    acc.TargetList: TargetListFactory, acc.TargetListNomination: TargetListNominationFactory,
    acc.NominationFeedback: NominationFeedbackFactory, acc.TargetListEvent: TargetListEventFactory,
})


# --- contacts -------------------------------------------------------------------------------
from contacts import models as con  # noqa: E402


class ContactFactory(WorkspaceScopedFactory):
    class Meta:
        model = con.Contact

    workspace = factory.SubFactory(WorkspaceFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@contact-example.com")
    job_title = "Head of Logistics"


class LifecycleTransitionFactory(WorkspaceScopedFactory):
    class Meta:
        model = con.LifecycleTransition

    workspace = factory.SubFactory(WorkspaceFactory)
    contact = factory.SubFactory(ContactFactory, workspace=factory.SelfAttribute("..workspace"))
    to_stage = con.LifecycleStage.MQL


class DiscAssessmentFactory(WorkspaceScopedFactory):
    class Meta:
        model = con.DiscAssessment

    workspace = factory.SubFactory(WorkspaceFactory)
    contact = factory.SubFactory(ContactFactory, workspace=factory.SelfAttribute("..workspace"))
    primary = "D"
    blend = "Di"
    source = con.DiscSource.OBSERVED
    confidence = 0.7


class MatchReviewFactory(WorkspaceScopedFactory):
    class Meta:
        model = con.MatchReview

    workspace = factory.SubFactory(WorkspaceFactory)
    contact = factory.SubFactory(ContactFactory, workspace=factory.SelfAttribute("..workspace"))
    confidence = 0.7


class PersonaFactory(WorkspaceScopedFactory):
    class Meta:
        model = con.Persona

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Persona {n}")


class TitleRuleFactory(WorkspaceScopedFactory):
    class Meta:
        model = con.TitleRule

    workspace = factory.SubFactory(WorkspaceFactory)
    pattern = "supremo"
    field = "seniority"
    value = "c_level"


FACTORIES.update({
    con.Contact: ContactFactory, con.LifecycleTransition: LifecycleTransitionFactory,
    con.DiscAssessment: DiscAssessmentFactory, con.MatchReview: MatchReviewFactory, con.Persona: PersonaFactory,
    con.TitleRule: TitleRuleFactory,
})


class MatchingSettingsFactory(WorkspaceScopedFactory):
    class Meta:
        model = con.MatchingSettings

    workspace = factory.SubFactory(WorkspaceFactory)


FACTORIES[con.MatchingSettings] = MatchingSettingsFactory
