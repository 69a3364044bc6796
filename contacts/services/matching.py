"""Lead-to-account matching against the database: builds the engine's index from a workspace's
accounts, applies decisions to contacts (linked, review queue, or none), and learns aliases
from review decisions."""
from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from abm_platform.models import Workspace
from accounts.models import Account, AccountIdentifier, IdentifierKind
from accounts.services.upsert import accounts_upsert
from contacts.matching.index import AccountIndex, AccountRecord
from contacts.matching.matcher import Lead, MatchResult, Thresholds, match_many
from contacts.matching.normalise import company_key, mailbox_kind, normalise_company, registrable_domain
from contacts.models import Contact, MatchingSettings, MatchReview, MatchStatus, ReviewStatus

DEFAULT_THRESHOLDS = Thresholds()


def account_index(*, workspace: Workspace) -> AccountIndex:
    """The matcher's index of the workspace's accounts, rebuilt only when accounts or their
    domains/aliases changed (one cheap query decides)."""
    accounts = Account.objects.for_workspace(workspace).aggregate(n=Count("pk"), changed=Max("updated_at"))
    identifiers = AccountIdentifier.objects.for_workspace(workspace).aggregate(n=Count("pk"), last=Max("pk"))
    version = (accounts["n"], accounts["changed"], identifiers["n"], identifiers["last"])
    cached = _INDEXES.get(workspace.pk)
    if cached is None or cached[0] != version:
        # One index per workspace (≈ 270 MB per 100k accounts): the old version goes first.
        _INDEXES.pop(workspace.pk, None)
        _INDEXES[workspace.pk] = (version, _build_index(workspace.pk))
    return _INDEXES[workspace.pk][1]


# workspace id → (version, index). Process memory: each worker builds its own (≈ 7 s per 100k
# accounts) and rebuilds only after accounts, domains or aliases change.
_INDEXES: dict[int, tuple[tuple, AccountIndex]] = {}


def _build_index(workspace_id: int) -> AccountIndex:
    domains: dict[int, list[tuple[bool, str]]] = {}
    aliases: dict[int, list[str]] = {}
    rows = AccountIdentifier.objects.for_workspace(workspace_id).filter(
        kind__in=[IdentifierKind.DOMAIN, IdentifierKind.ALIAS]).values_list("account_id", "kind", "value", "is_primary")
    for account_id, kind, value, primary in rows.iterator(chunk_size=20_000):
        if kind == IdentifierKind.DOMAIN:
            domains.setdefault(account_id, []).append((not primary, value))
        else:
            aliases.setdefault(account_id, []).append(value)
    records = (
        AccountRecord(id=pk, name=name, domains=tuple(v for _, v in sorted(domains.get(pk, []))),
                      aliases=tuple(aliases.get(pk, ())), country=country, parent_id=parent_id,
                      external_id=external_id)
        for pk, name, country, parent_id, external_id in Account.objects.for_workspace(workspace_id)
        .values_list("pk", "name", "country", "parent_id", "external_id").iterator(chunk_size=20_000)
    )
    return AccountIndex.build(records)


def lead_of(contact: Contact) -> Lead:
    return Lead(lead_id=str(contact.pk or id(contact)), email=contact.email, company=contact.company_name,
                website=contact.website, phone=contact.phone, country=contact.country, title=contact.job_title)


def workspace_thresholds(workspace) -> Thresholds:
    settings = MatchingSettings.objects.for_workspace(workspace).first()
    if settings is None:
        return DEFAULT_THRESHOLDS
    return Thresholds(auto=settings.auto_threshold, review=settings.review_threshold)


def contacts_match(*, workspace: Workspace, contacts: list[Contact], thresholds: Thresholds | None = None) -> Counter:
    """Match saved contacts and store the decisions: `auto` links the account, `review` opens a
    review (the contact stays unlinked until a person decides), `none` clears the link.
    Contacts whose account a person or the CRM set are left alone."""
    contacts = [c for c in contacts if c.match_status != MatchStatus.MANUAL]
    if not contacts:
        return Counter()
    thresholds = thresholds or workspace_thresholds(workspace)
    results = match_many([lead_of(c) for c in contacts], account_index(workspace=workspace), thresholds)
    reviews = []
    for contact, result in zip(contacts, results):
        _apply(contact, result)
        if result.decision == "review":
            reviews.append(MatchReview(contact=contact, suggested_account_id=result.account_id,
                                       confidence=result.confidence, reasons=list(result.reasons),
                                       candidates=[{"account_id": a, "score": s} for a, s in result.candidates]))
    with transaction.atomic():
        Contact.objects.for_workspace(workspace).bulk_update(
            contacts, ["account", "match_status", "match_confidence", "match_method", "match_reasons"], batch_size=1000)
        MatchReview.objects.for_workspace(workspace).filter(
            contact__in=[c.pk for c in contacts], status=ReviewStatus.OPEN).delete()  # superseded
        MatchReview.objects.for_workspace(workspace).bulk_create(reviews, batch_size=1000)
    return Counter(r.decision for r in results)


def _apply(contact: Contact, result: MatchResult) -> None:
    contact.account_id = result.account_id if result.decision == "auto" else None
    contact.match_status = {"auto": MatchStatus.AUTO, "review": MatchStatus.REVIEW}.get(result.decision,
                                                                                       MatchStatus.NONE)
    contact.match_confidence = round(result.confidence, 3)
    contact.match_method = result.method
    contact.match_reasons = list(result.reasons)


# --- the review queue ------------------------------------------------------------------------

@transaction.atomic
def match_review_decide(*, review: MatchReview, by, action: str, account: Account | None = None) -> MatchReview:
    """accept (the suggested account), pick (another account), reject (no account), or
    new_account (create one from the lead's company and website). Accepting or picking records
    the typed company name as an alias of the account, so the next such lead matches directly."""
    review = MatchReview.objects.for_workspace(review.workspace_id).select_for_update().select_related(
        "contact").get(pk=review.pk)
    if review.status != ReviewStatus.OPEN:
        raise ValidationError(f"This review was already decided ({review.get_status_display().lower()}).")
    contact = review.contact
    if action == "accept":
        if review.suggested_account_id is None:
            raise ValidationError("There is no suggestion to accept: pick an account.")
        account = Account.objects.for_workspace(review.workspace_id).get(pk=review.suggested_account_id)
        status = ReviewStatus.ACCEPTED
    elif action == "pick":
        if account is None or account.workspace_id != review.workspace_id:
            raise ValidationError({"account": "Pick an account of this workspace."})
        status = ReviewStatus.REASSIGNED
    elif action == "reject":
        account, status = None, ReviewStatus.REJECTED
    elif action == "new_account":
        account, status = _account_from_lead(contact, by=by), ReviewStatus.NEW_ACCOUNT
    else:
        raise ValidationError({"action": "One of accept, pick, reject, new_account."})
    contact.account = account
    contact.match_status = MatchStatus.MANUAL
    contact.match_method = f"review:{action}"
    contact.match_reasons = [*contact.match_reasons, f"Decided by {by} in the review queue ({action})."]
    contact.save(update_fields=["account", "match_status", "match_method", "match_reasons", "updated_at"])
    if account is not None and action in ("accept", "pick"):
        account_alias_learn(account=account, name=contact.company_name)
    review.status, review.decided_by, review.decided_at = status, by, timezone.now()
    review.save(update_fields=["status", "decided_by", "decided_at"])
    return review


def account_alias_learn(*, account: Account, name: str) -> bool:
    """Remember `name` as another name of `account`, stored by its normalised key (so "ACME LTD."
    and "Acme Ltd" are one alias). Refused when it is already the account's name, or when it is
    the name of another account — it would make that name ambiguous."""
    normal = normalise_company(name)
    alias, key = normal.text, normal.key
    if not key or key == company_key(account.name):
        return False
    others = [hit.account_id for hit in account_index(workspace=account.workspace).exact(key)
              if hit.account_id != account.pk]
    if others:
        return False
    try:
        with transaction.atomic():
            AccountIdentifier.objects.for_workspace(account.workspace_id).create(
                account=account, kind=IdentifierKind.ALIAS, value=alias[:253])
    except IntegrityError:
        return False
    return True


def _account_from_lead(contact: Contact, *, by) -> Account:
    if not contact.company_name:
        raise ValidationError("The lead gave no company name to create an account from.")
    record = {"name": contact.company_name, "country": contact.country}
    email_domain = registrable_domain(contact.email)
    if contact.website:
        record["website"] = contact.website
    elif email_domain and mailbox_kind(email_domain) == "corporate":
        record["domain"] = email_domain
    else:
        raise ValidationError("Creating an account needs the lead's website or a company e-mail address.")
    (result,) = accounts_upsert(workspace=contact.workspace, records=[record], by=by, reason="From a lead review")
    if result.status == "error" or result.account_id is None:
        raise ValidationError("; ".join(f"{f}: {m}" for f, m in result.errors) or "Could not create the account.")
    return Account.objects.for_workspace(contact.workspace_id).get(pk=result.account_id)


# --- matching everything that is not linked yet, in the background -----------------------------

MATCH_TASK = "contacts.match_unlinked"
MATCH_BATCH = 5000


def contacts_match_start(*, workspace: Workspace, by=None):
    """Match every contact without an account (unmatched or waiting in review) again — after
    accounts were imported or aliases learned. A background job with progress."""
    from abm_platform.jobs import job_start

    return job_start(workspace=workspace, kind="contact_matching", task=MATCH_TASK, by=by)


def contacts_match_run(*, job, progress) -> dict:
    """Batches by primary key; safe to run twice (decisions are recomputed, reviews replaced)."""
    pending = Contact.objects.for_workspace(job.workspace_id).filter(
        account__isnull=True, erased_at__isnull=True, match_status__in=[MatchStatus.NONE, MatchStatus.REVIEW]
    ).order_by("pk")
    total = pending.count()
    progress.set_total(total)
    decisions, last_pk, done = Counter(), 0, 0
    thresholds = workspace_thresholds(job.workspace_id)
    while True:
        batch = list(pending.filter(pk__gt=last_pk)[:MATCH_BATCH])
        if not batch:
            break
        decisions += contacts_match(workspace=job.workspace, contacts=batch, thresholds=thresholds)
        last_pk, done = batch[-1].pk, done + len(batch)
        progress.update(done, message=f"{done:,} of {total:,} contacts matched")
    return {"contacts": done, **{k: decisions.get(k, 0) for k in ("auto", "review", "none")}}
