from contacts.models.contacts import (
    ConsentStatus, Contact, ContactSource, LifecycleStage, LifecycleTransition, MatchStatus, Seniority,
)
from contacts.models.disc import DiscAssessment, DiscSource
from contacts.models.matching import MatchingSettings, MatchReview, ReviewStatus
from contacts.models.personas import Persona, TitleRule

__all__ = [
    "ConsentStatus", "Contact", "ContactSource", "DiscAssessment", "DiscSource", "LifecycleStage",
    "LifecycleTransition", "MatchingSettings", "MatchReview", "MatchStatus", "Persona", "ReviewStatus", "Seniority", "TitleRule",
]
