from accounts.models.accounts import (
    Account, AccountGroup, AccountIdentifier, AccountTechnology, AttributeDefinition, AttributeType,
    IdentifierKind, JourneyStage, NEVER_CONTACTED, Relationship,
)
from accounts.models.holds import Hold
from accounts.models.opportunities import Opportunity, OpportunityStage, OpportunityStageChange, StageKind
from accounts.models.plans import AccountPlan, PlanStatus, PlanStep
from accounts.models.segments import Segment, SegmentKind, SegmentMember
from accounts.models.target_lists import (
    NominationFeedback, NominationStatus, TargetList, TargetListEvent, TargetListNomination, TargetListStatus,
)
from accounts.models.tiers import BuyingGroupRole, EngagementModel, Tier, TierChange

__all__ = [
    "Account", "AccountGroup", "AccountIdentifier", "AccountPlan", "AccountTechnology", "AttributeDefinition",
    "AttributeType", "BuyingGroupRole", "EngagementModel", "Hold", "IdentifierKind", "JourneyStage", "NominationFeedback",
    "NEVER_CONTACTED", "NominationStatus", "Opportunity", "OpportunityStage", "OpportunityStageChange", "PlanStatus",
    "PlanStep", "Relationship",
    "Segment", "SegmentKind", "SegmentMember", "StageKind", "TargetList", "TargetListEvent",
    "TargetListNomination", "TargetListStatus", "Tier", "TierChange",
]
