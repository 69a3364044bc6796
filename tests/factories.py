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


from datetime import datetime  # noqa: E402

from insights.signals import models as sig  # noqa: E402


def _epoch_day(moment: datetime) -> float:
    return moment.timestamp() / 86400.0


class IntentTopicFactory(WorkspaceScopedFactory):
    class Meta:
        model = sig.IntentTopic

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Topic {n}")
    is_selected = True


class IntentSignalFactory(WorkspaceScopedFactory):
    class Meta:
        model = sig.IntentSignal

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    topic = factory.SubFactory(IntentTopicFactory, workspace=factory.SelfAttribute("..workspace"))
    provider = "bombora"
    domain = factory.LazyAttribute(lambda o: o.account.domain or "example.com")
    week_start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=timezone.localdate().weekday()))
    score = 65


class EngagementEventFactory(WorkspaceScopedFactory):
    class Meta:
        model = sig.EngagementEvent

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    type = sig.EngagementType.WEB_VISIT
    channel = sig.Channel.WEB
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
    occurred_day = factory.LazyAttribute(lambda o: _epoch_day(o.occurred_at))
    source = "test"
    external_id = factory.Sequence(lambda n: f"evt-{n}")
    minutes = 1.0
    half_life_days = 14.0


class TriggerEventFactory(WorkspaceScopedFactory):
    class Meta:
        model = sig.TriggerEvent

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    type = sig.TriggerType.FUNDING
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    summary = "Raised a Series B"
    source = "test"
    external_id = factory.Sequence(lambda n: f"trg-{n}")


class UnresolvedSignalFactory(WorkspaceScopedFactory):
    class Meta:
        model = sig.UnresolvedSignal

    workspace = factory.SubFactory(WorkspaceFactory)
    kind = sig.SignalKind.ENGAGEMENT
    source = "test"
    key = "unknown.example"
    reason = "no account with this domain"
    payload = factory.LazyFunction(dict)


class SignalProviderFactory(WorkspaceScopedFactory):
    class Meta:
        model = sig.SignalProvider

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"provider-{n}")
    kind = sig.ProviderKind.REST_PUSH


class SignalSettingsFactory(WorkspaceScopedFactory):
    class Meta:
        model = sig.SignalSettings

    workspace = factory.SubFactory(WorkspaceFactory)


FACTORIES.update({
    sig.IntentTopic: IntentTopicFactory, sig.IntentSignal: IntentSignalFactory,
    sig.EngagementEvent: EngagementEventFactory, sig.TriggerEvent: TriggerEventFactory,
    sig.UnresolvedSignal: UnresolvedSignalFactory, sig.SignalProvider: SignalProviderFactory,
    sig.SignalSettings: SignalSettingsFactory,
})


from scoring import models as sco  # noqa: E402


class IcpCriterionFactory(WorkspaceScopedFactory):
    class Meta:
        model = sco.IcpCriterion

    workspace = factory.SubFactory(WorkspaceFactory)
    kind = sco.CriterionKind.INDUSTRY
    label = "Industry is logistics"
    config = factory.LazyFunction(lambda: {"values": ["Logistics"], "adjacent": []})


class ScoringWeightsFactory(WorkspaceScopedFactory):
    class Meta:
        model = sco.ScoringWeights

    workspace = factory.SubFactory(WorkspaceFactory)
    version = factory.Sequence(lambda n: n + 1)
    status = sco.WeightsStatus.DRAFT


class PredictiveModelFactory(WorkspaceScopedFactory):
    class Meta:
        model = sco.PredictiveModel

    workspace = factory.SubFactory(WorkspaceFactory)
    version = factory.Sequence(lambda n: n + 1)
    status = sco.ModelStatus.INSUFFICIENT
    message = "Only 3 accounts opened an opportunity; 50 are needed."


class ScoringRunFactory(WorkspaceScopedFactory):
    class Meta:
        model = sco.ScoringRun

    workspace = factory.SubFactory(WorkspaceFactory)
    weights = factory.SubFactory(ScoringWeightsFactory, workspace=factory.SelfAttribute("..workspace"))
    as_of = factory.LazyFunction(timezone.now)
    status = sco.RunStatus.FINISHED


class ScoringChunkFactory(WorkspaceScopedFactory):
    class Meta:
        model = sco.ScoringChunk

    workspace = factory.SubFactory(WorkspaceFactory)
    run = factory.SubFactory(ScoringRunFactory, workspace=factory.SelfAttribute("..workspace"))
    number = factory.Sequence(int)
    first_account_id = 1
    last_account_id = 1000


class ScoreSnapshotFactory(WorkspaceScopedFactory):
    class Meta:
        model = sco.ScoreSnapshot

    workspace = factory.SubFactory(WorkspaceFactory)
    run = factory.SubFactory(ScoringRunFactory, workspace=factory.SelfAttribute("..workspace"))
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    computed_at = factory.LazyFunction(timezone.now)
    fit = 60
    intent = 20
    engagement = 30
    score = 40
    reasons = factory.LazyFunction(lambda: [{"points": 40, "text": "+40 fit", "component": "fit"}])
    journey_stage = "aware"


class ContactScoreFactory(WorkspaceScopedFactory):
    class Meta:
        model = sco.ContactScore

    workspace = factory.SubFactory(WorkspaceFactory)
    run = factory.SubFactory(ScoringRunFactory, workspace=factory.SelfAttribute("..workspace"))
    contact = factory.SubFactory(ContactFactory, workspace=factory.SelfAttribute("..workspace"))
    account_id = 0
    fit = 50
    engagement = 10
    score = 30


class StageChangeFactory(WorkspaceScopedFactory):
    class Meta:
        model = sco.StageChange

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    to_stage = "aware"
    changed_at = factory.LazyFunction(timezone.now)
    cause = "intent surge"


FACTORIES.update({
    sco.IcpCriterion: IcpCriterionFactory, sco.ScoringWeights: ScoringWeightsFactory,
    sco.PredictiveModel: PredictiveModelFactory, sco.ScoringRun: ScoringRunFactory,
    sco.ScoringChunk: ScoringChunkFactory, sco.ScoreSnapshot: ScoreSnapshotFactory,
    sco.ContactScore: ContactScoreFactory, sco.StageChange: StageChangeFactory,
})


from campaigns import models as cam  # noqa: E402


class CampaignFactory(WorkspaceScopedFactory):
    class Meta:
        model = cam.Campaign

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    objective = "Open conversations with logistics leaders"
    hypothesis = "Personalised outreach to decision makers books 3 meetings in 6 weeks."
    success_metric = "meetings booked"
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    owner = factory.SubFactory(UserFactory)
    audience_kind = cam.AudienceKind.ACCOUNTS


class PlayFactory(WorkspaceScopedFactory):
    class Meta:
        model = cam.Play

    workspace = factory.SubFactory(WorkspaceFactory)
    campaign = factory.SubFactory(CampaignFactory, workspace=factory.SelfAttribute("..workspace"))
    name = factory.Sequence(lambda n: f"Play {n}")


class ContentTemplateFactory(WorkspaceScopedFactory):
    class Meta:
        model = cam.ContentTemplate

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    subject = "Hello {{ person.first_name }}"
    body = "Hi {{ person.first_name }}, about {{ account.name }} …"


class StepFactory(WorkspaceScopedFactory):
    class Meta:
        model = cam.Step

    workspace = factory.SubFactory(WorkspaceFactory)
    play = factory.SubFactory(PlayFactory, workspace=factory.SelfAttribute("..workspace"))
    order = factory.Sequence(lambda n: n + 1)
    channel = cam.Channel.EMAIL


class EnrolmentFactory(WorkspaceScopedFactory):
    class Meta:
        model = cam.Enrolment

    workspace = factory.SubFactory(WorkspaceFactory)
    play = factory.SubFactory(PlayFactory, workspace=factory.SelfAttribute("..workspace"))
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))


class TouchFactory(WorkspaceScopedFactory):
    class Meta:
        model = cam.Touch

    workspace = factory.SubFactory(WorkspaceFactory)
    enrolment = factory.SubFactory(EnrolmentFactory, workspace=factory.SelfAttribute("..workspace"))
    step = factory.SubFactory(StepFactory, workspace=factory.SelfAttribute("..workspace"),
                              play=factory.SelfAttribute("..enrolment.play"))
    campaign = factory.SelfAttribute("enrolment.play.campaign")
    account = factory.SelfAttribute("enrolment.account")
    key = factory.Sequence(lambda n: f"touch-{n}")
    channel = cam.Channel.EMAIL
    planned_at = factory.LazyFunction(timezone.now)


class OwnerConsentFactory(WorkspaceScopedFactory):
    class Meta:
        model = cam.OwnerConsent

    workspace = factory.SubFactory(WorkspaceFactory)
    play = factory.SubFactory(PlayFactory, workspace=factory.SelfAttribute("..workspace"))
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    given_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class FrequencySettingsFactory(WorkspaceScopedFactory):
    class Meta:
        model = cam.FrequencySettings

    workspace = factory.SubFactory(WorkspaceFactory)


class SalesTaskFactory(WorkspaceScopedFactory):
    class Meta:
        model = cam.SalesTask

    workspace = factory.SubFactory(WorkspaceFactory)
    touch = factory.SubFactory(TouchFactory, workspace=factory.SelfAttribute("..workspace"),
                               channel=cam.Channel.SALES_TASK)
    account = factory.SelfAttribute("touch.account")
    kind = "call"
    title = "Call the decision maker"
    due_at = factory.LazyFunction(timezone.now)


class WebhookSubscriptionFactory(WorkspaceScopedFactory):
    class Meta:
        model = cam.WebhookSubscription

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Hook {n}")
    url = "http://127.0.0.1:9/hook"
    secret = "s3cret"
    events = factory.LazyFunction(lambda: ["touch.sent"])


class WebhookDeliveryFactory(WorkspaceScopedFactory):
    class Meta:
        model = cam.WebhookDelivery

    workspace = factory.SubFactory(WorkspaceFactory)
    subscription = factory.SubFactory(WebhookSubscriptionFactory, workspace=factory.SelfAttribute("..workspace"))
    event = "touch.sent"
    idempotency_key = factory.Sequence(lambda n: f"d-{n}")
    payload = factory.LazyFunction(dict)


FACTORIES.update({
    cam.Campaign: CampaignFactory, cam.Play: PlayFactory, cam.ContentTemplate: ContentTemplateFactory,
    cam.Step: StepFactory, cam.Enrolment: EnrolmentFactory, cam.Touch: TouchFactory,
    cam.OwnerConsent: OwnerConsentFactory, cam.FrequencySettings: FrequencySettingsFactory,
    cam.SalesTask: SalesTaskFactory, cam.WebhookSubscription: WebhookSubscriptionFactory,
    cam.WebhookDelivery: WebhookDeliveryFactory,
})
