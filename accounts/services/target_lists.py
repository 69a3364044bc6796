"""The collaborative target-list workflow (issue 3): a list is opened, teammates nominate
accounts with a rationale, others endorse or object, the list is submitted, an executive
approves or rejects each nomination (or everything left at once), and the approved accounts
become the workspace's targets with their tier. A decided list can be reopened to expand it.

Every step writes a TargetListEvent. Each step locks the list row first, so two people acting
on one list at once are serialised and no rule is checked against a stale state.

Who may do what (the pages and the API declare these sets; the services enforce the rules that
depend on the person — "not your own nomination", "only the nominator withdraws"):
- LIST_MANAGERS (admin, marketing): create, edit, submit, reopen a list; choose the pilot.
- NOMINATORS (admin, marketing, sales): nominate, withdraw their own nomination. Customer
  success has no role of its own: CSMs join as `sales` (or `marketing`) members to nominate.
- REVIEWERS (admin, marketing, sales, executive): endorse or object, not on their own nomination.
- APPROVERS (admin, executive): approve or reject nominations, one by one or all remaining.
API keys (the integration role) only read: every step is a person's decision and is recorded
with that person.
"""
from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from abm_platform.models import User, Workspace
from abm_platform.tenancy.roles import MARKETERS, Role
from accounts.domains import normalise_domain
from accounts.models import (
    Account, AccountIdentifier, NominationFeedback, NominationStatus, TargetList, TargetListEvent,
    TargetListNomination, TargetListStatus, Tier,
)
from accounts.services.tiers import accounts_set_tier

LIST_MANAGERS = MARKETERS
NOMINATORS = frozenset({Role.ADMIN, Role.MARKETING, Role.SALES})
REVIEWERS = frozenset({*NOMINATORS, Role.EXECUTIVE})

MAX_PILOTS = 3
MIN_PILOTS = 2
# A pilot is chosen among nominations still in the running or already approved.
PILOT_STATUSES = (NominationStatus.PROPOSED, NominationStatus.APPROVED)


class TargetListStep(models.TextChoices):
    """What TargetListEvent.action holds."""

    CREATED = "created", "created the list"
    EDITED = "edited", "edited the list"
    NOMINATED = "nominated", "nominated"
    WITHDRAWN = "withdrawn", "withdrew"
    ENDORSED = "endorsed", "endorsed"
    OBJECTED = "objected", "objected to"
    PILOT_MARKED = "pilot_marked", "added to the pilot"
    PILOT_UNMARKED = "pilot_unmarked", "removed from the pilot"
    SUBMITTED = "submitted", "submitted the list for approval"
    APPROVED = "approved", "approved"
    REJECTED = "rejected", "rejected"
    APPROVED_REMAINING = "approved_remaining", "approved all remaining nominations"
    REJECTED_REMAINING = "rejected_remaining", "rejected all remaining nominations"
    DECIDED = "decided", "completed the review: the list is decided"
    REOPENED = "reopened", "reopened the list to expand it"


# --- lists -----------------------------------------------------------------------------------

@transaction.atomic
def target_list_create(*, workspace: Workspace, by: User, name: str, criteria: str = "") -> TargetList:
    target_list = TargetList(workspace=workspace, name=name.strip(), criteria=criteria.strip(), created_by=by)
    target_list.full_clean()
    target_list.save()
    _record(target_list, by=by, step=TargetListStep.CREATED)
    return target_list


@transaction.atomic
def target_list_update(*, target_list: TargetList, by: User, name: str, criteria: str) -> TargetList:
    target_list = _lock(target_list)
    target_list.name, target_list.criteria = name.strip(), criteria.strip()
    target_list.full_clean()
    target_list.save(update_fields=["name", "criteria"])
    _record(target_list, by=by, step=TargetListStep.EDITED)
    return target_list


@transaction.atomic
def target_list_submit(*, target_list: TargetList, by: User, comment: str = "") -> TargetList:
    """Open → in review. Needs at least one nomination still proposed."""
    target_list = _lock(target_list)
    if target_list.status != TargetListStatus.OPEN:
        raise ValidationError(f"“{target_list}” is {_status_phrase(target_list)}: only an open list can be submitted.")
    if not _nominations(target_list).filter(status=NominationStatus.PROPOSED).exists():
        raise ValidationError("Nominate at least one account before submitting the list for approval.")
    target_list.status = TargetListStatus.IN_REVIEW
    target_list.submitted_at = timezone.now()
    target_list.save(update_fields=["status", "submitted_at"])
    _record(target_list, by=by, step=TargetListStep.SUBMITTED, comment=comment)
    return target_list


@transaction.atomic
def target_list_reopen(*, target_list: TargetList, by: User, comment: str = "") -> TargetList:
    """Decided → open, to nominate more accounts (expanding the program after the pilot).
    Decisions already taken stand."""
    target_list = _lock(target_list)
    if target_list.status != TargetListStatus.DECIDED:
        raise ValidationError(f"“{target_list}” is {_status_phrase(target_list)}: only a decided list can be reopened.")
    target_list.status = TargetListStatus.OPEN
    target_list.submitted_at = target_list.decided_at = None
    target_list.save(update_fields=["status", "submitted_at", "decided_at"])
    _record(target_list, by=by, step=TargetListStep.REOPENED, comment=comment)
    return target_list


def target_list_approve_all(*, target_list: TargetList, by: User, comment: str = "") -> int:
    """Approve every nomination still proposed; returns how many."""
    return _decide(target_list=target_list, by=by, approve=True, comment=comment, nomination_id=None)


def target_list_reject_all(*, target_list: TargetList, by: User, comment: str) -> int:
    """Reject every nomination still proposed; returns how many."""
    return _decide(target_list=target_list, by=by, approve=False, comment=comment, nomination_id=None)


# --- nominations -----------------------------------------------------------------------------

@transaction.atomic
def target_list_nominate(*, target_list: TargetList, by: User, account: Account, rationale: str,
                         proposed_tier: Tier | None = None) -> TargetListNomination:
    """Propose an account for the list. An account withdrawn earlier can be nominated again
    (its old feedback is dropped: it was about the old rationale; the events keep it)."""
    target_list = _lock(target_list)
    _require_open(target_list, "nominations are closed")
    _require_same_workspace(target_list, account=account, tier=proposed_tier)
    rationale = rationale.strip()
    if not rationale:
        raise ValidationError({"rationale": "Say why this account belongs on the list."})
    existing = _nominations(target_list).filter(account=account).first()
    if existing is not None and existing.status != NominationStatus.WITHDRAWN:
        raise ValidationError(f"{account} is already on “{target_list}” ({existing.get_status_display().lower()}).")
    if existing is None:
        nomination = _nominations(target_list).create(target_list=target_list, account=account, rationale=rationale,
                                                      proposed_tier=proposed_tier, nominated_by=by)
    else:
        nomination = existing
        NominationFeedback.objects.for_workspace(target_list.workspace_id).filter(nomination=nomination).delete()
        nomination.rationale, nomination.proposed_tier, nomination.nominated_by = rationale, proposed_tier, by
        nomination.status, nomination.nominated_at = NominationStatus.PROPOSED, timezone.now()
        nomination.decided_by, nomination.decided_at, nomination.decision_comment = None, None, ""
        nomination.save()
    _record(target_list, by=by, step=TargetListStep.NOMINATED, nomination=nomination, comment=rationale)
    return nomination


@transaction.atomic
def nomination_withdraw(*, nomination: TargetListNomination, by: User, comment: str = "") -> TargetListNomination:
    """The nominator takes their nomination back, while the list is still open."""
    target_list = _lock(nomination.target_list)
    nomination = _fresh(nomination)
    if nomination.nominated_by_id != by.pk:
        raise PermissionDenied("Only the person who nominated an account can withdraw it.")
    _require_proposed(nomination)
    _require_open(target_list, "ask the approver to reject the nomination instead")
    _nominations(target_list).filter(pk=nomination.pk).update(status=NominationStatus.WITHDRAWN, is_pilot=False)
    _record(target_list, by=by, step=TargetListStep.WITHDRAWN, nomination=nomination, comment=comment)
    return _fresh(nomination)


@transaction.atomic
def nomination_give_feedback(*, nomination: TargetListNomination, by: User, kind: str,
                             comment: str = "") -> NominationFeedback:
    """Endorse or object to a teammate's nomination. One opinion per person; giving it again
    replaces the earlier one (and is recorded again)."""
    if kind not in NominationFeedback.Kind.values:
        raise ValidationError({"kind": f"Feedback is one of: {', '.join(NominationFeedback.Kind.values)}."})
    target_list = _lock(nomination.target_list)
    nomination = _fresh(nomination)
    if target_list.status == TargetListStatus.DECIDED:
        raise ValidationError(f"“{target_list}” is decided: feedback is closed.")
    _require_proposed(nomination)
    if nomination.nominated_by_id == by.pk:
        raise ValidationError("You nominated this account: endorsements and objections come from your teammates.")
    comment = comment.strip()
    if kind == NominationFeedback.Kind.OBJECT and not comment:
        raise ValidationError({"comment": "Say why you object: the approver reads it."})
    feedback, _ = NominationFeedback.objects.for_workspace(target_list.workspace_id).update_or_create(
        nomination=nomination, author=by, defaults={"kind": kind, "comment": comment})
    step = TargetListStep.ENDORSED if kind == NominationFeedback.Kind.ENDORSE else TargetListStep.OBJECTED
    _record(target_list, by=by, step=step, nomination=nomination, comment=comment)
    return feedback


@transaction.atomic
def nomination_set_pilot(*, nomination: TargetListNomination, by: User, is_pilot: bool) -> TargetListNomination:
    """Mark (or unmark) an account as part of the list's pilot: at most three, proposed or approved."""
    target_list = _lock(nomination.target_list)
    nomination = _fresh(nomination)
    if nomination.is_pilot == is_pilot:
        return nomination
    if is_pilot:
        if nomination.status not in PILOT_STATUSES:
            raise ValidationError(f"{nomination.account} was {nomination.get_status_display().lower()}: "
                                  "only proposed or approved accounts can be in the pilot.")
        pilots = _nominations(target_list).filter(is_pilot=True).count()
        if pilots >= MAX_PILOTS:
            raise ValidationError(f"The pilot has at most {MAX_PILOTS} accounts: remove one before adding another.")
    _nominations(target_list).filter(pk=nomination.pk).update(is_pilot=is_pilot)
    step = TargetListStep.PILOT_MARKED if is_pilot else TargetListStep.PILOT_UNMARKED
    _record(target_list, by=by, step=step, nomination=nomination)
    return _fresh(nomination)


def nomination_approve(*, nomination: TargetListNomination, by: User, comment: str = "") -> TargetListNomination:
    _decide(target_list=nomination.target_list, by=by, approve=True, comment=comment, nomination_id=nomination.pk)
    return _fresh(nomination)


def nomination_reject(*, nomination: TargetListNomination, by: User, comment: str) -> TargetListNomination:
    _decide(target_list=nomination.target_list, by=by, approve=False, comment=comment, nomination_id=nomination.pk)
    return _fresh(nomination)


# --- decisions -------------------------------------------------------------------------------

@transaction.atomic
def _decide(*, target_list: TargetList, by: User, approve: bool, comment: str, nomination_id: int | None) -> int:
    """Approve or reject one proposed nomination (`nomination_id`) or all that remain, in a few
    statements whatever their number. Approved accounts become targets with their proposed
    tier; when nothing is left proposed the list is decided."""
    target_list = _lock(target_list)
    comment = comment.strip()
    if target_list.status != TargetListStatus.IN_REVIEW:
        raise ValidationError(f"“{target_list}” is {_status_phrase(target_list)}: "
                              "nominations are decided once the list is submitted for approval.")
    if not approve and not comment:
        raise ValidationError({"comment": "Say why you reject: the team reads it."})
    pending = _nominations(target_list).filter(status=NominationStatus.PROPOSED)
    if nomination_id is not None:
        pending = pending.filter(pk=nomination_id)
    rows = list(pending.select_for_update().values_list("pk", "account_id", "proposed_tier_id"))
    if nomination_id is not None and not rows:
        _require_proposed(_nominations(target_list).select_related("account").get(pk=nomination_id))
    now = timezone.now()
    decided_ids = [pk for pk, _, _ in rows]
    changes: dict = {"status": NominationStatus.APPROVED if approve else NominationStatus.REJECTED,
                     "decided_by": by, "decided_at": now, "decision_comment": comment}
    if not approve:
        changes["is_pilot"] = False
    _nominations(target_list).filter(pk__in=decided_ids).update(**changes)
    if approve:
        _make_targets(target_list, rows, by=by)

    step = TargetListStep.APPROVED if approve else TargetListStep.REJECTED
    events = [_event(target_list, by=by, step=step, nomination_id=pk, comment=comment) for pk in decided_ids]
    if nomination_id is None:
        step_all = TargetListStep.APPROVED_REMAINING if approve else TargetListStep.REJECTED_REMAINING
        events.append(_event(target_list, by=by, step=step_all, comment=comment))
    TargetListEvent.objects.for_workspace(target_list.workspace_id).bulk_create(events)

    if not _nominations(target_list).filter(status=NominationStatus.PROPOSED).exists():
        target_list.status, target_list.decided_at = TargetListStatus.DECIDED, now
        target_list.save(update_fields=["status", "decided_at"])
        _record(target_list, by=by, step=TargetListStep.DECIDED)
    return len(decided_ids)


def _make_targets(target_list: TargetList, rows: list[tuple[int, int, int | None]], *, by: User) -> None:
    """The approved accounts become targets and move to their proposed tier (recorded as tier
    changes, within each tier's maximum). One UPDATE, then one tier move per distinct tier."""
    workspace_id = target_list.workspace_id
    account_ids = [account_id for _, account_id, _ in rows]
    by_tier: dict[int, list[int]] = defaultdict(list)
    for _, account_id, tier_id in rows:
        if tier_id is not None:
            by_tier[tier_id].append(account_id)
    tiers = Tier.objects.for_workspace(workspace_id).in_bulk(list(by_tier))
    for tier_id, tier_account_ids in by_tier.items():
        accounts_set_tier(workspace=target_list.workspace, account_ids=tier_account_ids, tier=tiers[tier_id], by=by,
                          reason=f"Approved on target list {target_list.name}")
    Account.objects.for_workspace(workspace_id).filter(pk__in=account_ids, is_target=False).update(
        is_target=True, updated_at=timezone.now())


# --- reads -----------------------------------------------------------------------------------

def target_lists_with_counts(queryset: QuerySet[TargetList]) -> QuerySet[TargetList]:
    """Target lists (already scoped) with their nomination counts per status, in one query."""
    def count(status=None, **extra):
        condition = Q(nominations__status=status, **extra) if status else Q(**extra)
        return Count("nominations", filter=condition)

    return queryset.select_related("created_by").annotate(
        proposed_count=count(NominationStatus.PROPOSED), approved_count=count(NominationStatus.APPROVED),
        rejected_count=count(NominationStatus.REJECTED), withdrawn_count=count(NominationStatus.WITHDRAWN),
        pilot_count=count(nominations__is_pilot=True),
    ).order_by("-created_at", "-id")  # Meta.ordering does not apply to aggregating queries


def nominations_with_feedback(queryset: QuerySet[TargetListNomination], *,
                              workspace: Workspace) -> QuerySet[TargetListNomination]:
    """Nominations (already scoped) with what every list of them shows: account and its tier,
    proposed tier, people, and the feedback with its authors — a fixed number of queries."""
    feedback = NominationFeedback.objects.for_workspace(workspace).select_related("author")
    return queryset.select_related("target_list", "account", "account__tier", "proposed_tier", "nominated_by",
                                   "decided_by").prefetch_related(Prefetch("feedback", queryset=feedback))


def target_list_events(*, target_list: TargetList, limit: int | None = None) -> list[TargetListEvent]:
    """The list's timeline, newest first."""
    events = (TargetListEvent.objects.for_workspace(target_list.workspace_id).filter(target_list=target_list)
              .select_related("actor", "nomination__account").order_by("-created_at", "-id"))
    return list(events[:limit] if limit else events)


def account_find(*, workspace: Workspace, reference: str) -> Account | None:
    """The account a person means by an id, a domain (any form: `WWW.Acme.com`), a CRM id or
    an exact name; None when nothing or more than one matches."""
    reference = reference.strip()
    if not reference:
        return None
    accounts = Account.objects.for_workspace(workspace)
    if reference.isdigit():
        found = accounts.filter(pk=int(reference)).first()
        if found is not None:
            return found
    values = {reference, reference.lower()} | ({normalise_domain(reference)} - {""})
    identified = AccountIdentifier.objects.for_workspace(workspace).filter(account=OuterRef("pk"), value__in=values)
    matches = list(accounts.filter(Q(domain__in=values) | Q(external_id__in=values) | Exists(identified))[:2])
    if not matches:
        matches = list(accounts.filter(name__iexact=reference)[:2])
    return matches[0] if len(matches) == 1 else None


def accounts_to_nominate(*, target_list: TargetList, limit: int = 200) -> QuerySet[Account]:
    """Accounts not (or no longer) on the list, for the nomination form's suggestions."""
    on_list = _nominations(target_list).filter(account=OuterRef("pk")).exclude(status=NominationStatus.WITHDRAWN)
    return (Account.objects.for_workspace(target_list.workspace_id).exclude(Exists(on_list))
            .only("pk", "name", "domain", "external_id").order_by("name", "id")[:limit])


# --- helpers ---------------------------------------------------------------------------------

def _nominations(target_list: TargetList):
    return TargetListNomination.objects.for_workspace(target_list.workspace_id).filter(target_list=target_list)


def _lock(target_list: TargetList) -> TargetList:
    """The list row, locked for the rest of the transaction: steps on one list run one at a time."""
    return (TargetList.objects.for_workspace(target_list.workspace_id).select_for_update(of=("self",))
            .select_related("workspace").get(pk=target_list.pk))


def _fresh(nomination: TargetListNomination) -> TargetListNomination:
    return (TargetListNomination.objects.for_workspace(nomination.workspace_id)
            .select_related("account", "target_list").get(pk=nomination.pk))


def _require_open(target_list: TargetList, then: str) -> None:
    if target_list.status == TargetListStatus.IN_REVIEW:
        raise ValidationError(f"“{target_list}” is in review: {then} until it is decided and reopened.")
    if target_list.status == TargetListStatus.DECIDED:
        raise ValidationError(f"“{target_list}” is decided: reopen it first ({then} on a decided list).")


def _require_proposed(nomination: TargetListNomination) -> None:
    if nomination.status != NominationStatus.PROPOSED:
        raise ValidationError(f"{nomination.account} was already {nomination.get_status_display().lower()}.")


def _require_same_workspace(target_list: TargetList, **objects) -> None:
    for name, obj in objects.items():
        if obj is not None and obj.workspace_id != target_list.workspace_id:
            raise ValidationError({name: "Not found in this workspace."})


def _status_phrase(target_list: TargetList) -> str:
    return {TargetListStatus.OPEN: "still open (not submitted yet)", TargetListStatus.IN_REVIEW: "in review",
            TargetListStatus.DECIDED: "already decided"}[target_list.status]


def _event(target_list: TargetList, *, by: User | None, step: str, nomination_id: int | None = None,
           comment: str = "") -> TargetListEvent:
    return TargetListEvent(workspace_id=target_list.workspace_id, target_list=target_list, nomination_id=nomination_id,
                           actor=by, action=step, comment=comment)


def _record(target_list: TargetList, *, by: User | None, step: str, nomination: TargetListNomination | None = None,
            comment: str = "") -> TargetListEvent:
    event = _event(target_list, by=by, step=step, nomination_id=getattr(nomination, "pk", None), comment=comment)
    event.save()
    return event
