"""Models of the insights app. Signal models live in insights/signals/models.py (the signals
layer); reports own no tables yet."""
from insights.signals.models import (
    Channel, EngagementEvent, EngagementType, IntentSignal, IntentTopic, ProviderKind, SignalKind,
    SignalProvider, SignalSettings, TriggerEvent, TriggerType, UnresolvedSignal,
)

__all__ = [
    "Channel", "EngagementEvent", "EngagementType", "IntentSignal", "IntentTopic", "ProviderKind", "SignalKind",
    "SignalProvider", "SignalSettings", "TriggerEvent", "TriggerType", "UnresolvedSignal",
]
