"""What-if: what proposed weights (or a changed ICP) would do to the current scores, before anyone
signs them off. Nothing is saved.

Every account of the current run is recomposed from what the run stored — its fit, intent,
engagement and predictive values, its adjustments, its MQA state — with the same arithmetic as
`composite_score` (DOMAIN.md §1.6) and the same tier thresholds; MQA goes on from the current
state with the engine's rule (entry, and exit after two runs below the margin), as the next
recompute would decide it. Fit is scored again (set-based firmographics, `fit_score`) only when
the ICP changes; engagement is re-derived from the stored decayed minutes only when its reference minutes change.

The composite is computed for all accounts at once with numpy. Where a score sits on a rounding
tie (x.5), the order of floating-point additions decides it, so those accounts — a few percent —
are recomposed with the engine itself from their stored component reasons: the preview of the
weights a run used reproduces that run exactly.

Contacts (when the contact weights or the MQL threshold change): a contact's score is
`contact_score` of its stored persona fit and own engagement, so the current contact scores are
grouped by (fit, engagement, score, still a promotable lead) inside the database — at most a few
thousand groups for a million people — and each distinct pair is scored again with the engine.

The ICP page previews one change at a time: `icp_whatif_criteria` is the saved ICP with one
criterion added, changed or removed, and `whatif_icp_preview` scores it with the active weights.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.utils import timezone

from abm_platform.models import Workspace
from accounts.models import Account, AccountTechnology, Tier
from contacts.models import LifecycleStage, LifecycleTransition
from contacts.services.lifecycle import RECYCLE_COOL_DOWN_DAYS
from insights.signals.models import TriggerEvent
from scoring.engine.composite import Component, composite_score, contact_score, effective_weights
from scoring.engine.fit import Criterion, Firmographics, FitResult, fit_score
from scoring.engine.reasons import Reason
from scoring.engine.stages import mqa_next, tier_suggestion
from scoring.models import ContactScore, IcpCriterion, RunStatus, ScoreSnapshot, ScoringRun, ScoringWeights
from scoring.services.compute import BONUS_TRIGGERS, TRIGGER_WORDS
from scoring.services.config import SETTING_FIELDS, weights_active, weights_validate
from scoring.services.icp import icp_config_clean
from scoring.services.recompute import current_run

COMPONENTS = ("fit", "intent", "engagement", "predictive")   # the order composite_score sums them in
ADJUSTMENT_SETTINGS = ("no_decision_maker_penalty", "trigger_bonus", "trigger_bonus_max")
CONTACT_SETTINGS = ("contact_fit", "contact_engagement", "mql_threshold")
TOP_MOVERS = 10
RANK_MOVE = 10
TIE = 1e-6
ID_BATCH = 2000


@dataclass(frozen=True)
class Mover:
    account_id: int
    name: str
    old_score: int
    new_score: int
    old_rank: int
    new_rank: int

    @property
    def change(self) -> int:
        return self.new_score - self.old_score

    @property
    def rank_change(self) -> int:
        """Positive: moved up the list."""
        return self.old_rank - self.new_rank


@dataclass(frozen=True)
class TierMove:
    before: str
    after: str
    accounts: int


@dataclass
class ContactWhatIf:
    """What the proposal does to the contacts' scores and to who reaches the MQL threshold.
    Stages never move back on their own, so contacts falling below the threshold stay MQLs."""

    contacts: int = 0
    changed: int = 0
    raised: int = 0
    lowered: int = 0
    threshold_before: int = 0
    threshold_after: int = 0
    at_threshold_before: int = 0
    at_threshold_after: int = 0
    new_mql: int = 0            # leads the next recompute would make MQLs, that the current settings do not
    below_threshold: int = 0    # contacts at the threshold now that would no longer reach it
    spearman: float | None = None
    mean_before: float | None = None
    mean_after: float | None = None


@dataclass
class WhatIf:
    run_id: int | None
    as_of: datetime | None
    run_weights_version: int | None = None
    accounts: int = 0
    changed: int = 0
    raised: int = 0
    lowered: int = 0
    up_10_ranks: int = 0
    down_10_ranks: int = 0
    mqa_before: int = 0
    mqa_after: int = 0
    new_mqa: int = 0
    lost_mqa: int = 0
    tier_moves: list[TierMove] = field(default_factory=list)
    risers: list[Mover] = field(default_factory=list)
    fallers: list[Mover] = field(default_factory=list)
    spearman: float | None = None
    mean_before: float | None = None
    mean_after: float | None = None
    contacts: ContactWhatIf | None = None
    notes: list[str] = field(default_factory=list)


def whatif_preview(*, workspace: Workspace, values: dict, criteria: list[Criterion] | None = None,
                   contacts: bool = True) -> WhatIf:
    """Recompose the current run's scores with proposed weights and settings (`values`, checked
    like a proposal: the four weights are required, settings default to the active ones) and,
    if given, a changed ICP. With `contacts`, contact scores and MQLs are previewed too when the
    contact weights or the MQL threshold differ from the run's. Raises ValidationError for
    weights that could not be proposed."""
    cleaned = weights_validate(values)
    active = weights_active(workspace=workspace)
    proposed = {name: getattr(active, name) for name in SETTING_FIELDS} | cleaned
    run = current_run(workspace)
    if run is None:
        return WhatIf(run_id=None, as_of=None, notes=["Nothing is scored yet: run a recompute first, then compare."])
    frame = _load(run)
    result = WhatIf(run_id=run.pk, as_of=run.as_of, run_weights_version=run.weights.version, accounts=len(frame))
    if frame.empty:
        result.notes.append("The last recompute scored no accounts.")
        return result
    used: ScoringWeights = run.weights
    fit_results: dict[int, FitResult] = {}
    if criteria is not None:
        fit_results = _rescore_fit(run, frame, criteria)
        result.notes.append("Fit is scored again with the changed ICP (today's firmographics).")
        if frame["predictive"].notna().any():
            result.notes.append("The predictive score is kept as computed: the model read the old fit.")
    if float(proposed["engagement_ref_minutes"]) != float(used.engagement_ref_minutes):
        _rescale_engagement(frame, float(proposed["engagement_ref_minutes"]))
        result.notes.append("Engagement is re-derived from the stored decayed minutes (kept to 0.1 minute), "
                            "so it may differ by a point from a full recompute.")
    adjustments_changed = any(int(proposed[n]) != int(getattr(used, n)) for n in ADJUSTMENT_SETTINGS)
    adjustment_lists = _recomputed_adjustments(run, frame, proposed) if adjustments_changed else None
    if adjustment_lists is not None:
        frame["adjustment"] = frame["account_id"].map(
            {a: sum(r.points for r in rs) for a, rs in adjustment_lists.items()}).fillna(0.0)
    weights = {name: float(proposed[name]) for name in COMPONENTS}
    frame["new_score"] = _composite(frame, weights)
    _settle_ties(run, frame, weights, fit_results, adjustment_lists)
    if frame["predictive"].isna().all() and weights["predictive"] > 0:
        result.notes.append("Predictive left out: no validated model; its weight is shared out over the others.")
    if contacts and any(float(proposed[n]) != float(getattr(used, n)) for n in CONTACT_SETTINGS):
        result.contacts = _contacts_preview(run, proposed)
        if float(proposed["engagement_ref_minutes"]) != float(used.engagement_ref_minutes):
            result.notes.append("Contacts keep their engagement as computed: a person's decayed minutes are not "
                                "stored, so a new engagement reference shows in contact scores after a recompute.")
    tier_names = _mqa_and_tiers(workspace, frame, proposed)
    _summarise(result, frame, workspace, tier_names)
    return result


# --- loading -------------------------------------------------------------------------------------

def _load(run: ScoringRun) -> pd.DataFrame:
    """One row per account of the run: stored components, score, MQA state, tier suggestion and
    the sum of its adjustment lines. Two set-based queries."""
    rows = list(ScoreSnapshot.objects.for_workspace(run.workspace_id).filter(run=run).order_by("account_id")
                .values_list("account_id", "fit", "intent", "engagement", "predictive", "score", "is_mqa",
                             "tier_suggestion_id", "below_exit_runs", "facts__fit_scored",
                             "facts__decision_maker_known", "facts__decayed_minutes", "facts__breadth_factor"))
    columns = ["account_id", "fit", "intent", "engagement", "predictive", "score", "is_mqa", "tier_id",
               "below_exit_runs", "fit_scored", "decision_maker_known", "decayed_minutes", "breadth_factor"]
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    frame["fit_scored"] = frame["fit_scored"].map(lambda v: v is not False and v not in (0, "false"))
    frame["predictive"] = frame["predictive"].astype("float64")
    # MQA goes on from where the current scores left it, as the next recompute's would.
    frame["was_mqa"] = frame["is_mqa"].astype(bool)
    frame["below_exit_runs"] = frame["below_exit_runs"].fillna(0).astype(int)
    frame["adjustment"] = frame["account_id"].map(_stored_adjustments(run)).fillna(0.0)
    return frame


def _stored_adjustments(run: ScoringRun) -> dict[int, float]:
    """Σ points of the 'adjustment' reason lines per account, summed inside the database."""
    table = ScoreSnapshot._meta.db_table
    if connection.vendor == "postgresql":
        sql = (f"SELECT s.account_id, SUM((r.value->>'points')::float8) FROM {table} s "
               f"CROSS JOIN LATERAL jsonb_array_elements(s.reasons) AS r(value) "
               f"WHERE s.run_id = %s AND s.workspace_id = %s AND r.value->>'component' = 'adjustment' "
               f"GROUP BY s.account_id")
    else:
        sql = (f"SELECT s.account_id, SUM(json_extract(r.value, '$.points')) FROM {table} s, json_each(s.reasons) r "
               f"WHERE s.run_id = %s AND s.workspace_id = %s AND json_extract(r.value, '$.component') = 'adjustment' "
               f"GROUP BY s.account_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [run.pk, run.workspace_id])
        return {account_id: float(points) for account_id, points in cursor.fetchall()}


# --- what changes --------------------------------------------------------------------------------

def _rescore_fit(run: ScoringRun, frame: pd.DataFrame, criteria: list[Criterion]) -> dict[int, FitResult]:
    """Fit with the changed ICP, from today's firmographics read in two queries."""
    workspace_id = run.workspace_id
    wanted = set(frame["account_id"].tolist())
    technologies: dict[int, set[str]] = defaultdict(set)
    if any(c.kind == "technology" for c in criteria):
        for account_id, name in AccountTechnology.objects.for_workspace(workspace_id).values_list("account_id", "name"):
            technologies[account_id].add(name.upper())
    need_attributes = any(c.kind == "attribute" for c in criteria)
    fields = ["pk", "industry", "employees", "annual_revenue", "country", "region"] + (
        ["attributes"] if need_attributes else [])
    results: dict[int, FitResult] = {}
    for row in Account.objects.for_workspace(workspace_id).values_list(*fields).iterator(chunk_size=5000):
        pk, industry, employees, revenue, country, region = row[:6]
        if pk not in wanted:
            continue
        firmographics = Firmographics(industry=industry or "", employees=employees,
                                      revenue=float(revenue) if revenue is not None else None,
                                      country=country or "", region=region or "",
                                      technologies=frozenset(technologies.get(pk, ())),
                                      attributes=(row[6] or {}) if need_attributes else {})
        results[pk] = fit_score(firmographics, criteria)
    scored = [results.get(a) for a in frame["account_id"]]
    frame["fit"] = [r.value if r is not None and r.value is not None else 0 for r in scored]
    frame["fit_scored"] = [r is not None and r.value is not None for r in scored]
    return results


def _rescale_engagement(frame: pd.DataFrame, ref_minutes: float) -> None:
    minutes = pd.to_numeric(frame["decayed_minutes"], errors="coerce").fillna(0.0).to_numpy()
    breadth = pd.to_numeric(frame["breadth_factor"], errors="coerce").fillna(0.0).to_numpy()
    volume = 100 * (1 - np.exp(-minutes / ref_minutes))
    frame["engagement"] = np.where(minutes > 0, np.rint(volume * breadth), 0).astype(int)


def _recomputed_adjustments(run: ScoringRun, frame: pd.DataFrame, proposed: dict) -> dict[int, list[Reason]]:
    """The adjustment lines with changed penalty or trigger bonus, in the order the recompute adds
    them (compute._adjustments): the trigger events of the 90 days before the run, one query."""
    day = run.as_of.date()
    counts: dict[int, Counter] = defaultdict(Counter)
    for account_id, kind, n in (TriggerEvent.objects.for_workspace(run.workspace_id)
                                .filter(occurred_on__gt=day - timedelta(days=90), occurred_on__lte=day)
                                .values_list("account_id", "type").annotate(n=Count("pk")).order_by()):
        counts[account_id][kind] += n
    penalty, bonus, bonus_max = (int(proposed[n]) for n in ADJUSTMENT_SETTINGS)
    lists: dict[int, list[Reason]] = {}
    for account_id, known in zip(frame["account_id"], frame["decision_maker_known"]):
        reasons = []
        if penalty and known is not True:
            reasons.append(Reason(-penalty, "no decision maker or economic buyer known", "adjustment"))
        left = bonus_max
        for kind in BONUS_TRIGGERS:
            count = counts.get(account_id, {}).get(kind, 0)
            if count and left > 0:
                points = min(left, bonus * count)
                left -= points
                reasons.append(Reason(points, f"{TRIGGER_WORDS[kind]} in the last 90 days", "adjustment"))
        lists[account_id] = reasons
    return lists


def _composite(frame: pd.DataFrame, weights: dict[str, float]) -> np.ndarray:
    """composite_score for every account at once: weights renormalised over the components an
    account has, adjustments added, rounded, clipped to 0–100, then the fit gate."""
    fit_available = frame["fit_scored"].to_numpy(dtype=bool)
    predictive = frame["predictive"].to_numpy(dtype="float64")
    predictive_available = ~np.isnan(predictive)
    values = {"fit": frame["fit"].to_numpy(dtype="float64"), "intent": frame["intent"].to_numpy(dtype="float64"),
              "engagement": frame["engagement"].to_numpy(dtype="float64"), "predictive": np.nan_to_num(predictive)}
    raw = frame["adjustment"].to_numpy(dtype="float64").copy()
    for has_fit in (True, False):
        for has_predictive in (True, False):
            rows = (fit_available == has_fit) & (predictive_available == has_predictive)
            if not rows.any():
                continue
            available = {"intent", "engagement"} | ({"fit"} if has_fit else set()) | (
                {"predictive"} if has_predictive else set())
            for name, weight in effective_weights(weights, available).items():
                raw[rows] += weight * values[name][rows]
    frame["raw"] = raw
    score = np.clip(np.rint(raw), 0, 100)
    fit = values["fit"]
    score = np.where(fit_available & (fit == 0), 0, score)
    score = np.where(fit_available & (fit > 0) & (fit < 20), np.minimum(score, fit), score)
    return score.astype(int)


def _settle_ties(run: ScoringRun, frame: pd.DataFrame, weights: dict[str, float],
                 fit_results: dict[int, FitResult], adjustment_lists: dict[int, list[Reason]] | None) -> None:
    """Recompose accounts whose raw score is on a .5 tie with the engine, from their stored reasons."""
    raw = frame["raw"].to_numpy()
    ties = np.abs(raw - np.floor(raw) - 0.5) < TIE
    if not ties.any():
        return
    positions = {a: i for i, a in enumerate(frame["account_id"])}
    tied_ids = frame.loc[ties, "account_id"].tolist()
    new_scores = frame["new_score"].to_numpy().copy()
    engagement_rescaled = frame["engagement"].to_numpy()
    for start in range(0, len(tied_ids), ID_BATCH):
        batch = tied_ids[start:start + ID_BATCH]
        rows = ScoreSnapshot.objects.for_workspace(run.workspace_id).filter(run=run, account_id__in=batch).values_list(
            "account_id", "engagement", "component_reasons", "reasons")
        for account_id, stored_engagement, component_reasons, reasons in rows:
            i = positions[account_id]
            row = frame.iloc[i]
            components = {}
            for name in COMPONENTS:
                stored = [Reason(r["points"], r["text"], r.get("component", name))
                          for r in (component_reasons or {}).get(name, [])]
                components[name] = Component(None, stored)
            fit_result = fit_results.get(account_id)
            if fit_result is not None:
                components["fit"] = Component(fit_result.value, fit_result.reasons)
            else:
                components["fit"] = Component(int(row["fit"]) if row["fit_scored"] else None, components["fit"].reasons)
            engagement = int(engagement_rescaled[i])
            components["engagement"] = Component(
                engagement, components["engagement"].reasons if engagement == stored_engagement else [])
            components["intent"] = Component(int(row["intent"]), components["intent"].reasons)
            predictive = row["predictive"]
            components["predictive"] = Component(None if np.isnan(predictive) else int(predictive),
                                                 components["predictive"].reasons)
            if adjustment_lists is not None:
                adjustments = adjustment_lists.get(account_id, [])
            else:
                adjustments = _stored_adjustment_lines(reasons)
            new_scores[i] = composite_score(components, weights, adjustments=adjustments).score
    frame["new_score"] = new_scores


def _stored_adjustment_lines(reasons: list[dict]) -> list[Reason]:
    """A run's adjustment lines back in the order the recompute added them: the penalty first,
    then the trigger bonuses in BONUS_TRIGGERS order."""
    order = {f"{TRIGGER_WORDS[kind]} in the last 90 days": n for n, kind in enumerate(BONUS_TRIGGERS)}
    lines = [Reason(r["points"], r["text"], "adjustment") for r in reasons or [] if r.get("component") == "adjustment"]
    return sorted(lines, key=lambda r: (r.points >= 0, order.get(r.text, len(order))))


def _mqa_and_tiers(workspace: Workspace, frame: pd.DataFrame, proposed: dict) -> dict[int, str]:
    """MQA as the next recompute would decide it — with its hysteresis, from the current MQA state —
    and the tier suggestion, with the engine's own rules (stages.mqa_next, stages.tier_suggestion)."""
    threshold, min_fit, margin = (int(proposed[n]) for n in ("mqa_threshold", "mqa_min_fit", "mqa_exit_margin"))
    thresholds = {int(k): int(v) for k, v in (proposed.get("tier_thresholds") or {}).items()}
    fits = [int(f) if scored else None for f, scored in zip(frame["fit"], frame["fit_scored"])]
    states = [mqa_next(score=int(s), fit=f, was_mqa=bool(was), below_exit_runs=int(below), threshold=threshold,
                       min_fit=min_fit, exit_margin=margin)
              for s, f, was, below in zip(frame["new_score"], fits, frame["was_mqa"], frame["below_exit_runs"])]
    frame["new_mqa"] = [state.is_mqa for state in states]
    frame["leaving_mqa"] = [state.is_mqa and was and state.below_exit_runs > below
                            for state, was, below in zip(states, frame["was_mqa"], frame["below_exit_runs"])]
    tiers = list(Tier.objects.for_workspace(workspace).values_list("pk", "order", "name"))
    order_of = {pk: order for pk, order, _ in tiers}
    name_of_order = {order: name for _, order, name in tiers}   # as recompute: one tier per order
    frame["old_tier"] = [order_of.get(t) if t == t and t is not None else None for t in frame["tier_id"]]
    frame["new_tier"] = [tier_suggestion(score=int(s), fit=f, thresholds=thresholds, min_fit=min_fit)
                         for s, f in zip(frame["new_score"], fits)]
    return name_of_order


# --- contacts ------------------------------------------------------------------------------------

def _contacts_preview(run: ScoringRun, proposed: dict) -> ContactWhatIf:
    """Current contact scores grouped by (fit, engagement, score, promotable lead), each distinct
    (fit, engagement) scored again with `contact_score`; counts and ranks weighted by group size."""
    workspace_id = run.workspace_id
    used: ScoringWeights = run.weights
    recently_rejected = LifecycleTransition.objects.for_workspace(workspace_id).filter(
        from_stage__in=[LifecycleStage.MQL, LifecycleStage.SAL], to_stage=LifecycleStage.LEAD,
        changed_at__gte=timezone.now() - timedelta(days=RECYCLE_COOL_DOWN_DAYS)).values("contact_id")
    promotable = Q(contact__lifecycle_stage=LifecycleStage.LEAD) & ~Q(contact_id__in=recently_rejected)
    groups = list(ContactScore.objects.for_workspace(workspace_id)
                  .filter(run__status=RunStatus.FINISHED, contact__erased_at__isnull=True)
                  .annotate(lead=Case(When(promotable, then=Value(True)), default=Value(False),
                                      output_field=BooleanField()))
                  .values_list("fit", "engagement", "score", "lead").annotate(n=Count("pk")).order_by())
    before_threshold, after_threshold = int(used.mql_threshold), int(proposed["mql_threshold"])
    result = ContactWhatIf(threshold_before=before_threshold, threshold_after=after_threshold)
    if not groups:
        return result
    weights = (float(proposed["contact_fit"]), float(proposed["contact_engagement"]))
    scored = {pair: contact_score(fit=pair[0], fit_words="", engagement=pair[1], weights=weights)[0]
              for pair in {(int(f), int(e)) for f, e, *_ in groups}}
    old = np.array([g[2] for g in groups], dtype="int64")
    new = np.array([scored[(int(g[0]), int(g[1]))] for g in groups], dtype="int64")
    lead = np.array([bool(g[3]) for g in groups])
    n = np.array([g[4] for g in groups], dtype="int64")
    reach_before, reach_after = old >= before_threshold, new >= after_threshold
    result.contacts = int(n.sum())
    result.changed = int(n[new != old].sum())
    result.raised, result.lowered = int(n[new > old].sum()), int(n[new < old].sum())
    result.at_threshold_before, result.at_threshold_after = int(n[reach_before].sum()), int(n[reach_after].sum())
    result.new_mql = int(n[lead & reach_after & ~reach_before].sum())
    result.below_threshold = int(n[reach_before & ~reach_after].sum())
    result.mean_before = round(float((old * n).sum() / n.sum()), 1)
    result.mean_after = round(float((new * n).sum() / n.sum()), 1)
    result.spearman = 1.0 if (old == new).all() else _weighted_spearman(old, new, n)
    return result


def _average_ranks(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Each group's average rank (1 = lowest) among all the people the groups stand for, ties shared."""
    totals = pd.Series(counts).groupby(values).sum().sort_index()
    below = totals.cumsum() - totals
    average = below + (totals + 1) / 2
    return average.reindex(values).to_numpy(dtype="float64")


def _weighted_spearman(old: np.ndarray, new: np.ndarray, counts: np.ndarray) -> float | None:
    """Spearman over people (Pearson on average ranks), from groups of identical people."""
    a, b, w = _average_ranks(old, counts), _average_ranks(new, counts), counts.astype("float64")
    mean_a, mean_b = np.average(a, weights=w), np.average(b, weights=w)
    cov = np.average((a - mean_a) * (b - mean_b), weights=w)
    var_a, var_b = np.average((a - mean_a) ** 2, weights=w), np.average((b - mean_b) ** 2, weights=w)
    if var_a == 0 or var_b == 0:
        return None
    return round(float(cov / np.sqrt(var_a * var_b)), 4)


# --- the ICP page --------------------------------------------------------------------------------

def icp_whatif_criteria(*, workspace: Workspace, criterion: IcpCriterion | None = None,
                        proposed: dict | None = None) -> list[Criterion]:
    """The saved ICP with one change, in the order a recompute reads it: `proposed` (kind, label,
    weight, config, is_disqualifier — checked like a criterion being saved) replaces `criterion`,
    or is added at the end without one; `criterion` without `proposed` is left out."""
    if criterion is None and proposed is None:
        raise ValueError("Say what changes: a criterion, a proposed one, or both.")
    changed = None
    if proposed is not None:
        disqualifier = bool(proposed.get("is_disqualifier", False))
        config = icp_config_clean(proposed["kind"], proposed.get("config"), is_disqualifier=disqualifier)
        changed = Criterion(proposed["kind"], (proposed.get("label") or "").strip() or "new criterion",
                            float(proposed.get("weight", 1.0)), config, disqualifier)
    criteria = []
    for saved in IcpCriterion.objects.for_workspace(workspace):
        if criterion is not None and saved.pk == criterion.pk:
            if changed is not None:
                criteria.append(changed)
            continue
        criteria.append(Criterion(saved.kind, saved.label, saved.weight, saved.config, saved.is_disqualifier))
    if criterion is None:
        criteria.append(changed)
    return criteria


def whatif_icp_preview(*, workspace: Workspace, criteria: list[Criterion]) -> WhatIf:
    """What a changed ICP would do to the current scores with the active weights and settings."""
    active = weights_active(workspace=workspace)
    return whatif_preview(workspace=workspace, values={name: getattr(active, name) for name in COMPONENTS},
                          criteria=criteria, contacts=False)


# --- the summary ---------------------------------------------------------------------------------

def _summarise(result: WhatIf, frame: pd.DataFrame, workspace: Workspace, names: dict[int, str]) -> None:
    old, new = frame["score"].astype(int), frame["new_score"].astype(int)
    change = new - old
    result.changed = int((change != 0).sum())
    result.raised, result.lowered = int((change > 0).sum()), int((change < 0).sum())
    old_rank = old.rank(ascending=False, method="min").astype(int)
    new_rank = new.rank(ascending=False, method="min").astype(int)
    moved = old_rank - new_rank
    result.up_10_ranks, result.down_10_ranks = int((moved >= RANK_MOVE).sum()), int((moved <= -RANK_MOVE).sum())
    was, now = frame["is_mqa"].astype(bool), frame["new_mqa"].astype(bool)
    result.mqa_before, result.mqa_after = int(was.sum()), int(now.sum())
    result.new_mqa, result.lost_mqa = int((now & ~was).sum()), int((was & ~now).sum())
    leaving = int(frame["leaving_mqa"].sum())
    if leaving:
        result.notes.append(f"{leaving} MQA{'s' if leaving != 1 else ''} would fall below the exit line: "
                            f"{'they stay' if leaving != 1 else 'it stays'} MQA for this recompute and leave at "
                            "the next one unless the score recovers.")
    result.mean_before, result.mean_after = round(float(old.mean()), 1), round(float(new.mean()), 1)

    def tier_label(order) -> str:
        if order is None or order != order:
            return "no tier"
        return names.get(int(order), f"Tier {int(order)}")

    moves = Counter((tier_label(a), tier_label(b)) for a, b in zip(frame["old_tier"], frame["new_tier"])
                    if tier_label(a) != tier_label(b))
    result.tier_moves = [TierMove(a, b, n) for (a, b), n in sorted(moves.items(), key=lambda kv: (-kv[1], kv[0]))]
    result.spearman = _spearman(old, new)
    table = pd.DataFrame({"account_id": frame["account_id"], "old": old, "new": new, "change": change,
                          "old_rank": old_rank, "new_rank": new_rank})
    risers = table[table["change"] > 0].sort_values(["change", "new"], ascending=[False, False]).head(TOP_MOVERS)
    fallers = table[table["change"] < 0].sort_values(["change", "old"], ascending=[True, False]).head(TOP_MOVERS)
    ids = risers["account_id"].tolist() + fallers["account_id"].tolist()
    account_names = dict(Account.objects.for_workspace(workspace).filter(pk__in=ids).values_list("pk", "name")) \
        if ids else {}

    def movers(rows: pd.DataFrame) -> list[Mover]:
        return [Mover(int(r.account_id), account_names.get(int(r.account_id), f"Account {r.account_id}"), int(r.old),
                      int(r.new), int(r.old_rank), int(r.new_rank)) for r in rows.itertuples()]

    result.risers, result.fallers = movers(risers), movers(fallers)


def _spearman(old: pd.Series, new: pd.Series) -> float | None:
    """Spearman's rank correlation (Pearson on average ranks); 1.0 when nothing moved."""
    if old.equals(new):
        return 1.0
    a, b = old.rank().to_numpy(), new.rank().to_numpy()
    if len(a) < 2 or a.std() == 0 or b.std() == 0:
        return None
    return round(float(np.corrcoef(a, b)[0, 1]), 4)
