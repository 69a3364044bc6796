"""The workspace's intent topics: which count towards intent scores, and how much."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from abm_platform.models import Workspace
from insights.signals.models import IntentTopic


def intent_topic_create(*, workspace: Workspace, name: str, category: str = "", is_selected: bool = True,
                        weight: float = 1.0) -> IntentTopic:
    topic = IntentTopic(workspace=workspace, name=" ".join((name or "").split()), category=(category or "").strip(),
                        is_selected=is_selected, weight=weight)
    topic.full_clean()
    topic.save()
    return topic


def intent_topic_update(*, topic: IntentTopic, is_selected: bool | None = None, weight: float | None = None,
                        category: str | None = None) -> IntentTopic:
    if is_selected is not None:
        topic.is_selected = is_selected
    if weight is not None:
        topic.weight = weight
    if category is not None:
        topic.category = category.strip()
    topic.full_clean()
    topic.save()
    return topic


@transaction.atomic
def intent_topics_select(*, workspace: Workspace, selected: dict[int, float | None]) -> int:
    """Select exactly the topics in `selected` ({topic id: weight or None to keep}); every other
    topic of the workspace is unselected. Returns how many are selected."""
    topics = list(IntentTopic.objects.for_workspace(workspace).select_for_update())
    changed = []
    for topic in topics:
        want = topic.pk in selected
        weight = selected.get(topic.pk) if want else None
        if weight is not None and not 0 < weight <= 1:
            raise ValidationError({"weight": [f"{topic.name}: the weight must be above 0 and at most 1."]})
        if topic.is_selected != want or (weight is not None and weight != topic.weight):
            topic.is_selected = want
            if weight is not None:
                topic.weight = weight
            changed.append(topic)
    for topic in changed:
        topic.save(update_fields=["is_selected", "weight"])  # one by one: each change is audited
    return sum(1 for t in topics if t.is_selected)
