"""Create or update many opportunities at once, matched by their CRM id: the write path for
opportunity imports.

Set-based like `accounts_upsert`: a batch costs a fixed handful of queries whatever its size.
Only the fields a record carries are changed; a record whose values equal what is stored is
`unchanged` (so re-running a file changes nothing). A record with any error is rejected whole,
with every problem listed by column — the others still land. Stage moves are recorded in the
stage history, and `Account.has_open_opportunity` is refreshed for every touched account in one
UPDATE.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from abm_platform.models import Membership, Workspace
from accounts.domains import normalise_domain
from accounts.fields import parse_bool, parse_currency, parse_decimal
from accounts.models import (
    AccountIdentifier, IdentifierKind, Opportunity, OpportunityStage, OpportunityStageChange, StageKind,
)
from accounts.services.opportunities import accounts_refresh_open_opportunity_flag
from accounts.services.upsert import HISTORY_BATCH_LIMIT

OPPORTUNITY_COLUMNS = (
    "external_id", "account_external_id", "account_domain", "name", "stage", "amount", "currency", "is_recurring",
    "mrr", "arr", "created_date", "expected_close_date", "closed_date", "owner_email", "loss_reason",
)
MAX_TEXT = {"external_id": 100, "name": 200, "loss_reason": 255}
# Largest values the columns hold (max_digits minus the two decimal places).
MAX_NUMBER = {"amount": Decimal(10) ** 14, "arr": Decimal(10) ** 14, "mrr": Decimal(10) ** 12}
# Fields compared and written, as attnames.
WRITTEN = ("external_id", "account_id", "name", "stage_id", "amount", "currency", "is_recurring", "mrr", "arr",
           "created_date", "expected_close_date", "closed_date", "owner_id", "loss_reason", "is_open")
_ATTNAME_TO_FIELD = {f.attname: f.name for f in Opportunity._meta.concrete_fields}

CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"


@dataclass
class OpportunityRowResult:
    index: int
    status: str = UNCHANGED
    opportunity_id: int | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)

    def as_dict(self) -> dict:
        return {"index": self.index, "status": self.status, "opportunity_id": self.opportunity_id,
                "errors": [{"field": f, "message": m} for f, m in self.errors]}


@dataclass
class _Clean:
    """One record after parsing: only the fields it carried."""

    result: OpportunityRowResult
    external_id: str = ""
    account_external_id: str = ""
    account_domain: str = ""
    values: dict = field(default_factory=dict)  # attname → parsed value
    stage: OpportunityStage | None = None
    opportunity: Opportunity | None = None


class _Lookups:
    """What records refer to by name, loaded once per batch."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.stages = {s.name.lower(): s for s in OpportunityStage.objects.for_workspace(workspace)}
        self.stages_by_id = {s.pk: s for s in self.stages.values()}
        self.members = dict(Membership.objects.for_workspace(workspace).values_list("user__email", "user_id"))


def opportunities_upsert(*, workspace: Workspace, records: list[dict], by=None) -> list[OpportunityRowResult]:
    """Upsert `records` (dicts of raw values keyed by OPPORTUNITY_COLUMNS). Returns one result
    per record, in order."""
    lookups = _Lookups(workspace)
    cleaned = [_parse(i, record, lookups) for i, record in enumerate(records)]
    _match(workspace, cleaned)
    live = [c for c in cleaned if c.result.status != ERROR]
    changes = [(c, _merge(c, lookups)) for c in live]
    live = [(c, fields) for c, fields in changes if c.result.status != ERROR]
    try:
        with transaction.atomic():
            _write(workspace, live, lookups, by=by)
    except IntegrityError:
        # Someone wrote the same CRM id meanwhile: redo one record at a time, so only the
        # clashing ones fail.
        if len(records) == 1:
            cleaned[0].result.status = ERROR
            cleaned[0].result.errors.append(("external_id", "Another deal took this CRM id meanwhile."))
        else:
            for c, _ in live:
                (single,) = opportunities_upsert(workspace=workspace, records=[records[c.result.index]], by=by)
                single.index = c.result.index
                c.result.__dict__.update(single.__dict__)
    return [c.result for c in cleaned]


# --- parsing -------------------------------------------------------------------------------

def _parse(index: int, record: dict, lookups: _Lookups) -> _Clean:
    clean = _Clean(result=OpportunityRowResult(index=index))
    errors = clean.result.errors
    values = clean.values

    def attempt(column, parse):
        try:
            return parse()
        except ValueError as error:
            errors.append((column, str(error)))
            return None

    def text(column) -> str | None:
        raw = str(record[column] if record[column] is not None else "").strip()
        if len(raw) > MAX_TEXT.get(column, 255):
            errors.append((column, f"Longer than {MAX_TEXT.get(column, 255)} characters."))
            return None
        return raw

    for key in record:
        if key not in OPPORTUNITY_COLUMNS:
            errors.append((key, "Unknown field."))
    clean.external_id = text("external_id") or "" if "external_id" in record else ""
    if not clean.external_id:
        errors.append(("external_id", "Give the deal's CRM id, so the record can be matched next time."))
    if "account_external_id" in record:
        clean.account_external_id = text("account_external_id") or ""
    if "account_domain" in record:
        raw = str(record["account_domain"] or "").strip()
        clean.account_domain = normalise_domain(raw)
        if raw and not clean.account_domain:
            errors.append(("account_domain", f"{raw!r} is not a domain name."))
    if "name" in record:
        name = text("name")
        if name == "":
            errors.append(("name", "A name is required."))
        elif name is not None:
            values["name"] = name
    if "stage" in record and str(record["stage"] or "").strip():
        clean.stage = lookups.stages.get(str(record["stage"]).strip().lower())
        if clean.stage is None:
            names = ", ".join(s.name for s in sorted(lookups.stages.values(), key=lambda s: s.order))
            errors.append(("stage", f"No stage named {str(record['stage']).strip()!r} (stages: {names})."))
        else:
            values["stage_id"] = clean.stage.pk
    for column in ("amount", "mrr", "arr"):
        if column in record:
            values[column] = attempt(column, lambda c=column: _parse_money(c, record[c]))
    if "currency" in record:
        values["currency"] = attempt("currency", lambda: parse_currency(record["currency"])) or ""
    if "is_recurring" in record:
        flag = attempt("is_recurring", lambda: parse_bool(record["is_recurring"]))
        if flag is not None:
            values["is_recurring"] = flag
    for column in ("created_date", "expected_close_date", "closed_date"):
        if column in record:
            day = attempt(column, lambda c=column: parse_date(record[c]))
            if day is not None or column != "created_date":  # a deal always has a created date
                values[column] = day
    if "owner_email" in record:
        email = str(record["owner_email"] or "").strip().lower()
        if email and email not in lookups.members:
            errors.append(("owner_email", f"{email} is not a member of this workspace."))
        values["owner_id"] = lookups.members.get(email) if email else None
    if "loss_reason" in record:
        reason = text("loss_reason")
        if reason is not None:
            values["loss_reason"] = reason
    if errors:
        clean.result.status = ERROR
    return clean


def _parse_money(column: str, raw) -> Decimal | None:
    number = parse_decimal(raw)
    if number is not None and number >= MAX_NUMBER[column]:
        raise ValueError(f"{raw!r} is too large.")
    return number


_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_date(value) -> date | None:
    """`2024-03-31`, `2024-03-31 00:00:00` (how spreadsheets hand over date cells),
    `2024-03-31T10:00:00Z` or `31.03.2024` → a date. Slashed dates are refused: 03/04/2024 is
    April in Europe and March in the US."""
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DATE.match(text)
    parts = (match.group(1), match.group(2), match.group(3)) if match else None
    if parts is None and (dotted := _DOTTED_DATE.match(text)):
        parts = (dotted.group(3), dotted.group(2), dotted.group(1))
    if parts is None:
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD)")
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValueError(f"{value!r} is not a date on the calendar") from None


# --- matching ------------------------------------------------------------------------------

def _match(workspace: Workspace, cleaned: list[_Clean]) -> None:
    """Find each record's deal by CRM id and its account by CRM id or domain (3 queries)."""
    external_ids = [c.external_id for c in cleaned if c.result.status != ERROR]
    existing: dict[str, Opportunity] = {}
    for start in range(0, len(external_ids), 5000):
        rows = Opportunity.objects.for_workspace(workspace).filter(external_id__in=external_ids[start:start + 5000])
        existing.update({o.external_id: o for o in rows})
    account_ids = _identifier_owners(workspace, IdentifierKind.EXTERNAL_ID,
                                     {c.account_external_id for c in cleaned if c.account_external_id})
    account_domains = _identifier_owners(workspace, IdentifierKind.DOMAIN,
                                         {c.account_domain for c in cleaned if c.account_domain})
    seen: dict[str, int] = {}
    for c in cleaned:
        if c.result.status == ERROR:
            continue
        errors = c.result.errors
        if c.external_id in seen:
            errors.append(("external_id", f"{c.external_id} appears more than once in this batch; "
                                          "only its first record was applied."))
        seen.setdefault(c.external_id, c.result.index)
        c.opportunity = existing.get(c.external_id)
        by_id = account_ids.get(c.account_external_id) if c.account_external_id else None
        by_domain = account_domains.get(c.account_domain) if c.account_domain else None
        if c.account_external_id and by_id is None:
            errors.append(("account_external_id", f"No account with CRM id {c.account_external_id!r}."))
        elif c.account_domain and not c.account_external_id and by_domain is None:
            errors.append(("account_domain", f"No account with the domain {c.account_domain}."))
        elif by_id and by_domain and by_id != by_domain:
            errors.append(("account_domain", f"{c.account_domain} belongs to another account than CRM id "
                                             f"{c.account_external_id}."))
        account_id = by_id or by_domain
        if account_id:
            c.values["account_id"] = account_id
        if c.opportunity is None:
            if not account_id and not errors:
                errors.append(("account_external_id", "A new deal needs its account: give account_external_id "
                                                      "or account_domain."))
            if "name" not in c.values:
                errors.append(("name", "A new deal needs a name."))
            if "stage_id" not in c.values:
                errors.append(("stage", "A new deal needs a stage."))
        if errors:
            c.result.status = ERROR


def _identifier_owners(workspace: Workspace, kind: str, values: set[str]) -> dict[str, int]:
    owners: dict[str, int] = {}
    values_list = list(values)
    for start in range(0, len(values_list), 5000):
        rows = AccountIdentifier.objects.for_workspace(workspace).filter(kind=kind,
                                                                        value__in=values_list[start:start + 5000])
        owners.update(dict(rows.values_list("value", "account_id")))
    return owners


# --- merging and checking ------------------------------------------------------------------

def _merge(c: _Clean, lookups: _Lookups) -> dict:
    """The record's final field values (stored values overlaid with the record's), checked as
    the single-record service checks a deal. Returns {attname: value} of what changes."""
    errors = c.result.errors
    stored = {name: getattr(c.opportunity, name) for name in WRITTEN} if c.opportunity else {
        "external_id": c.external_id, "account_id": None, "name": "", "stage_id": None, "amount": None,
        "currency": "", "is_recurring": False, "mrr": None, "arr": None, "created_date": timezone.localdate(),
        "expected_close_date": None, "closed_date": None, "owner_id": None, "loss_reason": "", "is_open": True,
    }
    final = {**stored, **c.values, "external_id": c.external_id}
    # A record that gives one of MRR and ARR sets the other to match it.
    if "mrr" in c.values and "arr" not in c.values:
        final["arr"] = final["mrr"] * 12 if final["mrr"] is not None else None
    elif "arr" in c.values and "mrr" not in c.values:
        final["mrr"] = (final["arr"] / 12).quantize(Decimal("0.01")) if final["arr"] is not None else None
    if final["is_recurring"] and final["mrr"] is None and final["arr"] is None:
        errors.append(("mrr", "A recurring deal needs its MRR or ARR."))
    if not final["currency"] and any(final[n] is not None for n in ("amount", "mrr", "arr")):
        final["currency"] = lookups.workspace.default_currency
    stage = lookups.stages_by_id[final["stage_id"]]
    if stage.kind == StageKind.LOST and not final["loss_reason"]:
        errors.append(("loss_reason", "Say why the deal was lost: it feeds win/loss analysis."))
    if stage.kind == StageKind.OPEN:
        final["closed_date"] = None
    elif final["closed_date"] is None:
        final["closed_date"] = timezone.localdate()
    if final["closed_date"] and final["created_date"] and final["closed_date"] < final["created_date"]:
        errors.append(("closed_date", "A deal cannot close before it was created."))
    final["is_open"] = stage.kind == StageKind.OPEN
    if errors:
        c.result.status = ERROR
        return {}
    return {name: value for name, value in final.items() if c.opportunity is None or stored[name] != value}


# --- writing -------------------------------------------------------------------------------

def _write(workspace: Workspace, live: list[tuple[_Clean, dict]], lookups: _Lookups, *, by) -> None:
    now = timezone.now()
    new, changed, changed_fields, stage_changes, touched_accounts = [], [], set(), [], set()
    for c, fields in live:
        if c.opportunity is None:
            c.opportunity = Opportunity(workspace=workspace, **fields)
            new.append(c.opportunity)
            c.result.status = CREATED
            touched_accounts.add(fields["account_id"])
            continue
        if not fields:
            continue
        touched_accounts.add(c.opportunity.account_id)
        if "stage_id" in fields:
            stage_changes.append((c.opportunity, c.opportunity.stage_id, fields["stage_id"], now))
        for name, value in fields.items():
            setattr(c.opportunity, name, value)
        touched_accounts.add(c.opportunity.account_id)
        changed.append(c.opportunity)
        changed_fields |= set(fields)
        c.result.status = UPDATED
    # As for accounts: small batches keep a per-deal history; a big import is recorded by its job.
    # The stage history below is kept either way (reports need it).
    with_history = len(live) <= HISTORY_BATCH_LIMIT
    deals = Opportunity.objects.for_workspace(workspace)
    if new:
        if with_history:
            bulk_create_with_history(new, Opportunity, batch_size=1000, default_user=by, default_date=now)
        else:
            deals.bulk_create(new, batch_size=1000)
        if new[0].pk is None:  # backends that do not return ids from bulk inserts
            raise IntegrityError("bulk insert returned no ids")
        stage_changes += [(o, None, o.stage_id, _start_of(o.created_date)) for o in new]
    if changed:
        fields = sorted(_ATTNAME_TO_FIELD[f] for f in changed_fields)
        if with_history:
            bulk_update_with_history(changed, Opportunity, fields, batch_size=1000, default_user=by, default_date=now)
        else:
            deals.bulk_update(changed, fields, batch_size=1000)
    OpportunityStageChange.objects.for_workspace(workspace).bulk_create(
        [OpportunityStageChange(opportunity=o, from_stage_id=before, to_stage_id=after, changed_at=at, changed_by=by)
         for o, before, after, at in stage_changes], batch_size=2000)
    if touched_accounts:
        accounts_refresh_open_opportunity_flag(workspace_id=workspace.pk, account_ids=touched_accounts)
    for c, _ in live:
        c.result.opportunity_id = c.opportunity.pk


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
