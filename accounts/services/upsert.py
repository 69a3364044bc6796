"""Create or update many accounts at once: the one write path for imports, the CRM bulk
endpoint and single API writes.

Set-based: a batch costs a fixed handful of queries whatever its size. Each record is matched by
CRM id, else by any of its domains; only the fields a record carries are changed; a record whose
values equal what is stored is `unchanged` (so re-running a file changes nothing). A record with
any error is rejected whole, with every problem listed by column — the others still land.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from abm_platform.bulk import insert_rows
from abm_platform.models import Membership, Workspace
from accounts.domains import normalise_domain, split_multi
from accounts.fields import parse_bool, parse_country, parse_currency, parse_decimal, parse_int, parse_website
from accounts.models import (
    Account, AccountGroup, AccountIdentifier, AccountTechnology, AttributeDefinition, AttributeType,
    IdentifierKind, Relationship, Tier, TierChange,
)

# Fields a record may carry, besides `attributes` (a dict) and the relation columns below.
SCALAR_FIELDS = ("name", "website", "industry", "employees", "annual_revenue", "currency", "country", "region", "city",
                 "street", "postal_code", "relationship")
RELATION_FIELDS = ("owner_email", "sdr_email", "tier", "group", "parent_external_id")
LIST_FIELDS = ("other_domains", "technologies")
KNOWN_FIELDS = frozenset({"external_id", "domain", "attributes", *SCALAR_FIELDS, *RELATION_FIELDS, *LIST_FIELDS})
MAX_TEXT = {"name": 200, "industry": 100, "region": 100, "city": 100, "street": 200, "postal_code": 20}

CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"
HISTORY_BATCH_LIMIT = 100


@dataclass
class RowResult:
    index: int
    status: str = UNCHANGED
    account_id: int | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)

    def as_dict(self) -> dict:
        return {"index": self.index, "status": self.status, "account_id": self.account_id,
                "errors": [{"field": f, "message": m} for f, m in self.errors]}


@dataclass
class _Clean:
    """One record after parsing: only the fields it carried."""

    result: RowResult
    external_id: str | None = None
    domain: str | None = None
    other_domains: list[str] | None = None
    values: dict = field(default_factory=dict)  # Account field name → value
    attributes: dict | None = None
    technologies: list[str] | None = None
    tier_id: object = ...  # ... = not given; None = no tier
    parent_external_id: str | None = None
    account: Account | None = None


class _Lookups:
    """Everything records refer to by name, loaded once per batch."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        tiers = list(Tier.objects.for_workspace(workspace))
        self.tiers = {t.name.lower(): t.pk for t in tiers}
        self.tiers.update({str(t.order): t.pk for t in tiers})
        self.tier_limits = {t.pk: (t.name, t.max_accounts) for t in tiers if t.max_accounts is not None}
        self.groups = {g.name.lower(): g.pk for g in AccountGroup.objects.for_workspace(workspace)}
        self.attributes = {a.key: a for a in AttributeDefinition.objects.for_workspace(workspace)}
        self.members = dict(Membership.objects.for_workspace(workspace).values_list("user__email", "user_id"))


def accounts_upsert(*, workspace: Workspace, records: list[dict], by=None, reason: str = "") -> list[RowResult]:
    """Upsert `records` (dicts of raw values, e.g. CSV cells or JSON). Returns one result per
    record, in order. `reason` is recorded on tier moves (e.g. "import job #12")."""
    lookups = _Lookups(workspace)
    cleaned = [_parse(i, record, lookups) for i, record in enumerate(records)]
    _match_existing(workspace, cleaned)
    _check_identity_conflicts(workspace, cleaned)
    _check_tier_capacity(workspace, cleaned, lookups)
    live = [c for c in cleaned if c.result.status != ERROR]
    try:
        with transaction.atomic():
            _write(workspace, live, by=by, reason=reason)
    except IntegrityError:
        # Someone wrote the same domain or id meanwhile: redo one record at a time, so only the
        # clashing ones fail.
        if len(records) == 1:
            cleaned[0].result.status = ERROR
            cleaned[0].result.errors.append(("domain", "Another account took this domain or CRM id meanwhile."))
        else:
            for c in live:
                (single,) = accounts_upsert(workspace=workspace, records=[records[c.result.index]], by=by, reason=reason)
                single.index = c.result.index
                c.result.__dict__.update(single.__dict__)
    return [c.result for c in cleaned]


# --- parsing -------------------------------------------------------------------------------

def _parse(index: int, record: dict, lookups: _Lookups) -> _Clean:
    clean = _Clean(result=RowResult(index=index))
    errors = clean.result.errors

    def attempt(column, parse):
        try:
            return parse()
        except ValueError as error:
            errors.append((column, str(error)))
            return None

    for key in record:
        if key not in KNOWN_FIELDS and not key.startswith("attr_"):
            errors.append((key, "Unknown field."))
    if "external_id" in record:
        clean.external_id = str(record["external_id"] or "").strip()[:100]
    if "domain" in record:
        raw = str(record["domain"] or "").strip()
        clean.domain = normalise_domain(raw)
        if raw and not clean.domain:
            errors.append(("domain", f"{raw!r} is not a domain name."))
    if "other_domains" in record:
        raw_list = record["other_domains"]
        items = raw_list if isinstance(raw_list, list) else split_multi(raw_list)
        clean.other_domains = []
        for item in items:
            normalised = normalise_domain(str(item))
            if not normalised:
                errors.append(("other_domains", f"{item!r} is not a domain name."))
            elif normalised not in clean.other_domains:
                clean.other_domains.append(normalised)
    for name in SCALAR_FIELDS:
        if name in record:
            clean.values[name] = attempt(name, lambda n=name: _parse_scalar(n, record[n]))
    if "website" in record and "domain" not in record and clean.values.get("website"):
        clean.domain = normalise_domain(clean.values["website"])  # the website names the domain
    if clean.values.get("annual_revenue") is not None and not clean.values.get("currency"):
        clean.values["currency"] = lookups.workspace.default_currency
    if "technologies" in record:
        raw_list = record["technologies"]
        items = raw_list if isinstance(raw_list, list) else split_multi(raw_list)
        seen: dict[str, str] = {}
        for item in items:
            seen.setdefault(str(item).strip().lower(), str(item).strip()[:100])
        clean.technologies = sorted(v for v in seen.values() if v)
    for column, target in (("owner_email", "owner_id"), ("sdr_email", "sdr_id")):
        if column in record:
            email = str(record[column] or "").strip().lower()
            if email and email not in lookups.members:
                errors.append((column, f"{email} is not a member of this workspace."))
            clean.values[target] = lookups.members.get(email) if email else None
    if "tier" in record:
        name = str(record["tier"] or "").strip().lower()
        if name and name not in lookups.tiers:
            errors.append(("tier", f"No tier named {record['tier']!r}."))
        clean.tier_id = lookups.tiers.get(name) if name else None
    if "group" in record:
        name = str(record["group"] or "").strip().lower()
        if name and name not in lookups.groups:
            errors.append(("group", f"No account group named {record['group']!r}."))
        clean.values["group_id"] = lookups.groups.get(name) if name else None
    if "parent_external_id" in record:
        clean.parent_external_id = str(record["parent_external_id"] or "").strip()
    attributes = dict(record.get("attributes") or {})
    attributes.update({k[5:]: v for k, v in record.items() if k.startswith("attr_")})
    if attributes or "attributes" in record:
        clean.attributes = {}
        for key, raw in attributes.items():
            definition = lookups.attributes.get(key)
            if definition is None:
                errors.append((f"attr_{key}", f"No custom attribute {key!r}; define it in Settings first."))
                continue
            value = attempt(f"attr_{key}", lambda d=definition, r=raw: _parse_attribute(d, r))
            if value is not None:
                clean.attributes[key] = value
    if clean.external_id is None and not clean.domain and not str(record.get("domain") or "").strip():
        errors.append(("external_id", "Give a CRM id or a domain, so the record can be matched next time."))
    if errors:
        clean.result.status = ERROR
    return clean


def _parse_scalar(name: str, raw):
    if name == "employees":
        return parse_int(raw)
    if name == "annual_revenue":
        return parse_decimal(raw)
    if name == "currency":
        return parse_currency(raw)
    if name == "country":
        return parse_country(raw)
    if name == "website":
        return parse_website(raw)
    if name == "relationship":
        value = str(raw or "").strip().lower() or Relationship.PROSPECT
        if value not in Relationship.values:
            raise ValueError(f"Choose one of {', '.join(Relationship.values)}.")
        return value
    text = str(raw if raw is not None else "").strip()
    if name == "street":        # one line on a label: "Hafenstraße 12\nHaus B" → "Hafenstraße 12, Haus B"
        text = ", ".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    if name == "postal_code":   # "sw1a  1aa" → "SW1A 1AA": postcodes are written in capitals
        text = " ".join(text.split()).upper()
    if name == "name" and not text:
        raise ValueError("A name is required.")
    if len(text) > MAX_TEXT[name]:
        raise ValueError(f"Longer than {MAX_TEXT[name]} characters.")
    return text


def _parse_attribute(definition: AttributeDefinition, raw):
    if raw is None or str(raw).strip() == "":
        return None
    if definition.type == AttributeType.NUMBER:
        try:
            return float(str(raw).replace(",", "").replace("_", "").strip())
        except ValueError:
            raise ValueError(f"{raw!r} is not a number") from None
    if definition.type == AttributeType.BOOLEAN:
        return parse_bool(raw)
    if definition.type == AttributeType.CHOICE:
        by_lower = {str(c).lower(): c for c in definition.choices}
        if str(raw).strip().lower() not in by_lower:
            raise ValueError(f"{raw!r} is not one of {', '.join(map(str, definition.choices))}")
        return by_lower[str(raw).strip().lower()]
    text = str(raw).strip()
    if len(text) > 255:
        raise ValueError("Longer than 255 characters.")
    return text


# --- matching ------------------------------------------------------------------------------

def _match_existing(workspace: Workspace, cleaned: list[_Clean]) -> None:
    """Find each record's account: by CRM id, else by any of its domains (2 queries)."""
    external_ids = {c.external_id for c in cleaned if c.external_id}
    domains = {d for c in cleaned for d in _domains_of(c)}
    owners = _identifier_owners(workspace, external_ids, domains)
    account_ids = {owners.get(("external_id", c.external_id)) for c in cleaned if c.external_id}
    account_ids |= {owners.get(("domain", d)) for c in cleaned for d in _domains_of(c)}
    accounts = Account.objects.for_workspace(workspace).in_bulk([i for i in account_ids if i])
    for c in cleaned:
        account_id = owners.get(("external_id", c.external_id)) if c.external_id else None
        if account_id is None:
            by_domain = [owners.get(("domain", d)) for d in _domains_of(c) if owners.get(("domain", d))]
            account_id = by_domain[0] if by_domain else None
            if account_id and c.external_id and accounts[account_id].external_id:
                c.result.errors.append(("domain", f"{_domains_of(c)[0]} belongs to account "
                                                  f"“{accounts[account_id].name}” (CRM id "
                                                  f"{accounts[account_id].external_id}), not to {c.external_id}."))
                c.result.status = ERROR
                continue
        c.account = accounts.get(account_id) if account_id else None
        if c.account is None and c.result.status != ERROR and not c.values.get("name"):
            c.result.errors.append(("name", "A new account needs a name."))
            c.result.status = ERROR


def _check_identity_conflicts(workspace: Workspace, cleaned: list[_Clean]) -> None:
    """No domain or CRM id may end up on two accounts — not against stored ones, not within the
    batch — and a parent must exist or come in the same batch."""
    domains = {d for c in cleaned for d in _domains_of(c)}
    owners = _identifier_owners(workspace, set(), domains)
    claimed: dict[tuple[str, str], tuple[object, int]] = {}
    for c in cleaned:
        if c.result.status == ERROR:
            continue
        token = c.account.pk if c.account else ("new", c.result.index)
        keys = [("domain", d) for d in _domains_of(c)] + ([("external_id", c.external_id)] if c.external_id else [])
        for key in keys:
            owner = owners.get(key) if key[0] == "domain" else None
            if owner is not None and owner != token:
                c.result.errors.append((_column_of(c, key), f"{key[1]} already belongs to another account (#{owner})."))
            elif key in claimed and claimed[key][0] != token:
                c.result.errors.append((_column_of(c, key), f"{key[1]} appears more than once in this batch; "
                                                            "only its first record was applied."))
            else:
                claimed[key] = (token, c.result.index)
        if c.result.errors:
            c.result.status = ERROR
    _check_parents(workspace, cleaned)


def _check_tier_capacity(workspace: Workspace, cleaned: list[_Clean], lookups: _Lookups) -> None:
    """A tier's maximum holds for imports too: records that would overfill it are rejected on
    their `tier` column, in order, the earlier ones land."""
    if not lookups.tier_limits:
        return
    counts = dict(Account.objects.for_workspace(workspace).filter(tier_id__in=list(lookups.tier_limits))
                  .values("tier_id").annotate(n=Count("pk")).values_list("tier_id", "n"))
    for c in cleaned:
        if c.result.status == ERROR or c.tier_id in (..., None) or c.tier_id not in lookups.tier_limits:
            continue
        if c.account is not None and c.account.tier_id == c.tier_id:
            continue
        name, limit = lookups.tier_limits[c.tier_id]
        if counts.get(c.tier_id, 0) >= limit:
            c.result.errors.append(("tier", f"{name} holds at most {limit} accounts and is full."))
            c.result.status = ERROR
            continue
        counts[c.tier_id] = counts.get(c.tier_id, 0) + 1
        if c.account is not None and c.account.tier_id in counts:
            counts[c.account.tier_id] -= 1


def _check_parents(workspace: Workspace, cleaned: list[_Clean]) -> None:
    wanted = {c.parent_external_id for c in cleaned if c.parent_external_id and c.result.status != ERROR}
    known = set(AccountIdentifier.objects.for_workspace(workspace)
                .filter(kind=IdentifierKind.EXTERNAL_ID, value__in=wanted).values_list("value", flat=True))
    known |= {c.external_id for c in cleaned if c.external_id and c.result.status != ERROR}
    for c in cleaned:
        if not c.parent_external_id or c.result.status == ERROR:
            continue
        own_id = c.external_id if c.external_id is not None else (c.account.external_id if c.account else "")
        if c.parent_external_id == own_id:
            c.result.errors.append(("parent_external_id", "An account cannot be its own parent."))
        elif c.parent_external_id not in known:
            c.result.errors.append(("parent_external_id", f"No account with CRM id {c.parent_external_id!r}."))
        if c.result.errors:
            c.result.status = ERROR


def _column_of(c: _Clean, key) -> str:
    if key[0] == "external_id":
        return "external_id"
    return "domain" if key[1] == c.domain else "other_domains"


def _domains_of(c: _Clean) -> list[str]:
    return [d for d in [c.domain, *(c.other_domains or [])] if d]


def _identifier_owners(workspace, external_ids: set, domains: set) -> dict[tuple[str, str], int]:
    owners: dict[tuple[str, str], int] = {}
    for kind, values in ((IdentifierKind.EXTERNAL_ID, external_ids), (IdentifierKind.DOMAIN, domains)):
        values = list(values)
        for start in range(0, len(values), 5000):
            rows = AccountIdentifier.objects.for_workspace(workspace).filter(kind=kind, value__in=values[start:start + 5000])
            owners.update({(kind, v): a for v, a in rows.values_list("value", "account_id")})
    return owners


# --- writing -------------------------------------------------------------------------------

def _write(workspace: Workspace, live: list[_Clean], *, by, reason: str) -> None:
    now = timezone.now()
    current_identifiers = _load_identifiers(workspace, [c.account.pk for c in live if c.account])
    current_technologies = _load_technologies(workspace, [c.account.pk for c in live if c.account])
    new, changed, changed_fields, tier_moves = [], [], set(), []
    for c in live:
        account = c.account or Account(workspace=workspace)
        before_tier = account.tier_id
        fields = _apply(c, account)
        if c.tier_id is not ... and c.tier_id != account.tier_id:
            account.tier_id = c.tier_id
            fields.add("tier_id")
            tier_moves.append((account, before_tier))
        identifiers_changed = _identifiers_wanted(c, account, current_identifiers.get(account.pk)) is not None
        technologies_changed = (c.technologies is not None
                                and sorted(current_technologies.get(account.pk, [])) != c.technologies)
        if c.account is None:
            new.append(account)
            c.result.status = CREATED
        elif fields or identifiers_changed or technologies_changed:
            if fields:
                changed.append(account)
                changed_fields |= fields
            c.result.status = UPDATED
        c.account = account
    # Small batches (people and CRM calls) keep a per-account history; a large import is
    # recorded by its job (who, when, which file, what changed) instead of 100k history rows.
    with_history = len(live) <= HISTORY_BATCH_LIMIT
    if new:
        if with_history:
            bulk_create_with_history(new, Account, batch_size=1000, default_user=by, default_date=now)
        else:
            Account.objects.for_workspace(workspace).bulk_create(new, batch_size=1000)
        if new[0].pk is None:  # backends that do not return ids from bulk inserts
            raise IntegrityError("bulk insert returned no ids")
    if changed:
        for account in changed:
            account.updated_at = now
        fields = [_field_name(f) for f in changed_fields | {"updated_at"}]
        if with_history:
            bulk_update_with_history(changed, Account, fields, batch_size=1000, default_user=by, default_date=now)
        else:
            Account.objects.for_workspace(workspace).bulk_update(changed, fields, batch_size=1000)
    _write_identifiers(workspace, live, current_identifiers)
    _write_technologies(workspace, [c for c in live if c.technologies is not None], current_technologies)
    _write_parents(workspace, live)
    if tier_moves:
        TierChange.objects.for_workspace(workspace).bulk_create(
            [TierChange(account_id=a.pk, from_tier_id=old, to_tier_id=a.tier_id, changed_by=by, reason=reason[:255])
             for a, old in tier_moves])
    for c in live:
        c.result.account_id = c.account.pk


def _field_name(attname: str) -> str:
    return _ATTNAME_TO_FIELD[attname]


_ATTNAME_TO_FIELD = {f.attname: f.name for f in Account._meta.concrete_fields}


def _apply(c: _Clean, account: Account) -> set[str]:
    """Set the record's values on the account; return the attnames that changed."""
    changed = set()
    wanted = dict(c.values)
    if c.external_id is not None:
        wanted["external_id"] = c.external_id
    if c.domain is not None:
        wanted["domain"] = c.domain
    if c.attributes is not None:
        merged = {**(account.attributes or {}), **c.attributes}
        wanted["attributes"] = {k: v for k, v in merged.items() if v is not None}
    for name, value in wanted.items():
        current = getattr(account, name)
        if isinstance(current, Decimal) and value is not None:
            value = Decimal(value)
        if current != value and not (current in ("", None) and value in ("", None)):
            setattr(account, name, "" if value is None and name not in NULLABLE else value)
            changed.add(name)
    return changed


NULLABLE = {"employees", "annual_revenue", "owner_id", "sdr_id", "group_id", "tier_id", "parent_id"}


def _load_identifiers(workspace, account_ids) -> dict[int, dict[str, set]]:
    result: dict[int, dict[str, set]] = {}
    rows = AccountIdentifier.objects.for_workspace(workspace).filter(account_id__in=account_ids)
    for account_id, kind, value, primary in rows.values_list("account_id", "kind", "value", "is_primary"):
        result.setdefault(account_id, {}).setdefault(kind, set()).add((value, primary))
    return result


def _identifiers_wanted(c: _Clean, account: Account, current: dict | None) -> dict | None:
    """The identifier set per kind this record wants, or None when nothing changes."""
    current = current or {}
    wanted: dict[str, set] = {}
    if c.external_id is not None:
        wanted["external_id"] = {(c.external_id, True)} if c.external_id else set()
    if c.domain is not None or c.other_domains is not None:
        primary = c.domain if c.domain is not None else account.domain
        others = c.other_domains if c.other_domains is not None else [
            v for v, p in current.get("domain", set()) if not p]
        wanted["domain"] = ({(primary, True)} if primary else set()) | {(d, False) for d in others if d != primary}
    changed = {k: v for k, v in wanted.items() if current.get(k, set()) != v}
    return changed or None


def _write_identifiers(workspace, live, current_identifiers) -> None:
    """Replace, per account and kind, the identifiers that changed (delete + insert, set-based)."""
    replace: dict[str, list[int]] = {}
    create = []
    for c in live:
        wanted = _identifiers_wanted(c, c.account, current_identifiers.get(c.account.pk))
        for kind, values in (wanted or {}).items():
            replace.setdefault(kind, []).append(c.account.pk)
            create += [(c.account.pk, kind, v, p) for v, p in values]
    identifiers = AccountIdentifier.objects.for_workspace(workspace)
    for kind, account_ids in replace.items():
        for start in range(0, len(account_ids), 5000):
            identifiers.filter(kind=kind, account_id__in=account_ids[start:start + 5000])._raw_delete(identifiers.db)
    insert_rows(AccountIdentifier, ["workspace", "account", "kind", "value", "is_primary"],
                ((workspace.pk, *row) for row in create))


def _load_technologies(workspace, account_ids) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    rows = AccountTechnology.objects.for_workspace(workspace).filter(account_id__in=account_ids)
    for account_id, name in rows.values_list("account_id", "name"):
        result.setdefault(account_id, []).append(name)
    return result


def _write_technologies(workspace, records, current) -> None:
    changed = [c for c in records if sorted(current.get(c.account.pk, [])) != c.technologies]
    if not changed:
        return
    technologies = AccountTechnology.objects.for_workspace(workspace)
    ids = [c.account.pk for c in changed]
    for start in range(0, len(ids), 5000):
        technologies.filter(account_id__in=ids[start:start + 5000])._raw_delete(technologies.db)
    insert_rows(AccountTechnology, ["workspace", "account", "name"],
                ((workspace.pk, c.account.pk, t) for c in changed for t in c.technologies))


def _write_parents(workspace, live) -> None:
    """Parents by CRM id, after creation so a file may list a subsidiary before its parent."""
    wanted = [c for c in live if c.parent_external_id is not None]
    if not wanted:
        return
    ids = {c.parent_external_id for c in wanted if c.parent_external_id}
    parents = dict(AccountIdentifier.objects.for_workspace(workspace)
                   .filter(kind=IdentifierKind.EXTERNAL_ID, value__in=ids).values_list("value", "account_id"))
    changed = []
    for c in wanted:
        parent_id = parents.get(c.parent_external_id) if c.parent_external_id else None
        if c.account.parent_id != parent_id:
            c.account.parent_id = parent_id
            changed.append(c.account)
            if c.result.status == UNCHANGED:
                c.result.status = UPDATED
    Account.objects.for_workspace(workspace).bulk_update(changed, ["parent"], batch_size=1000)

