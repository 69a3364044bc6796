"""Demo data of the scoring layer: an ICP, weights marketing and sales signed off, a trained
model, and a score history (a recompute every two weeks for the last three months)."""
from datetime import timedelta

from django.utils import timezone

from abm_platform.models import Membership, Workspace
from abm_platform.tenancy.roles import Role
from scoring.models import IcpCriterion, RunStatus, ScoringRun
from scoring.services.config import weights_active, weights_propose, weights_sign_off
from scoring.services.predictive import model_train
from scoring.services.recompute import recompute_inline

ICP = [
    {"kind": "industry", "label": "Logistics and e-commerce", "weight": 3,
     "config": {"values": ["Logistics", "E-commerce"], "adjacent": ["Retail", "Manufacturing", "Wholesale"]}},
    {"kind": "employees", "label": "500–10,000 employees", "weight": 2, "config": {"min": 500, "max": 10000}},
    {"kind": "country", "label": "Served countries", "weight": 1,
     "config": {"values": ["DE", "FR", "NL", "GB", "ES", "IT", "AT", "CH", "BE", "US"]}},
    {"kind": "technology", "label": "Runs SAP or a WMS we integrate with", "weight": 1,
     "config": {"values": ["SAP", "Manhattan WMS", "Blue Yonder", "Shopify Plus"], "k": 1}},
    {"kind": "industry", "label": "Excluded: gambling and tobacco", "weight": 0, "is_disqualifier": True,
     "config": {"values": ["Gambling", "Tobacco"]}},
]


def scoring_demo_seed(*, workspace: Workspace, stdout=None) -> None:
    criteria = IcpCriterion.objects.for_workspace(workspace)
    if not criteria.exists():
        criteria.bulk_create([IcpCriterion(order=n, **spec) for n, spec in enumerate(ICP)])
    _agreed_weights(workspace)
    if ScoringRun.objects.for_workspace(workspace).filter(status=RunStatus.FINISHED).exists():
        return   # seeded before: the history is there, and the schedule recomputes from here on
    model = model_train(workspace=workspace)
    now = timezone.now()
    for weeks_ago in (12, 10, 8, 6, 4, 2, 0):
        outcome = recompute_inline(workspace=workspace, as_of=now - timedelta(weeks=weeks_ago))
    if stdout:
        stdout.write(f"    predictive model: {model.get_status_display()} — {model.message}")
        stdout.write(f"    scores: {outcome['accounts']} accounts, {outcome['mqa']} MQA, 7 recomputes of history")


def _agreed_weights(workspace: Workspace) -> None:
    current = weights_active(workspace=workspace)
    if current.version > 1:
        return
    people = {m.role: m.user for m in Membership.objects.for_workspace(workspace).select_related("user")
              if m.role in (Role.MARKETING, Role.SALES)}
    if len(people) < 2:
        return
    draft = weights_propose(workspace=workspace, by=people[Role.MARKETING], note="Q4 agreement: engagement first",
                            values={"fit": 0.30, "intent": 0.20, "engagement": 0.35, "predictive": 0.15})
    weights_sign_off(weights=draft, by=people[Role.MARKETING], role=Role.MARKETING, side="marketing")
    weights_sign_off(weights=draft, by=people[Role.SALES], role=Role.SALES, side="sales")
