"""Create or update many contacts at once: the one write path for imports, the CRM bulk
endpoint and single API writes (same contract as accounts.services.upsert).

Each record is matched by CRM id, else by e-mail; only the fields it carries change; a record
with any error is rejected whole with every problem by column. New and changed contacts get
their title read (seniority, department, roles, persona) and are matched to an account unless
the record names the account itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from abm_platform.models import Membership, Workspace
from accounts.fields import parse_country
from accounts.models import AccountIdentifier, IdentifierKind
from accounts.services.upsert import CREATED, ERROR, UNCHANGED, UPDATED
from contacts.models import Contact, ContactSource, MatchStatus
from contacts.services.inference import contacts_apply_inference

TEXT_FIELDS = {"first_name": 100, "last_name": 100, "phone": 50, "job_title": 200, "company_name": 200,
               "website": 300, "time_zone": 50}
KNOWN_FIELDS = frozenset({"external_id", "email", "country", "source", "owner_email", "account_external_id",
                          "account_domain", *TEXT_FIELDS})
# Changing these re-runs title inference or account matching.
TITLE_FIELDS = {"job_title"}
MATCH_FIELDS = {"email", "company_name", "website", "country"}


@dataclass
class RowResult:
    index: int
    status: str = UNCHANGED
    contact_id: int | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"index": self.index, "status": self.status, "contact_id": self.contact_id,
                "errors": [{"field": f, "message": m} for f, m in self.errors]}


@dataclass
class _Clean:
    result: RowResult
    values: dict = field(default_factory=dict)
    account_ref: tuple[str, str] | None = None  # ("external_id" | "domain", value) named by the record
    contact: Contact | None = None


def contacts_upsert(*, workspace: Workspace, records: list[dict], by=None,
                    source: str = ContactSource.API) -> list[RowResult]:
    members = dict(Membership.objects.for_workspace(workspace).values_list("user__email", "user_id"))
    cleaned = [_parse(i, r, members) for i, r in enumerate(records)]
    _match_existing(workspace, cleaned)
    _resolve_account_refs(workspace, cleaned)
    live = [c for c in cleaned if c.result.status != ERROR]
    with transaction.atomic():
        _write(workspace, live, by=by, source=source)
    return [c.result for c in cleaned]


def _parse(index: int, record: dict, members: dict) -> _Clean:
    clean = _Clean(result=RowResult(index=index))
    errors = clean.result.errors
    for key in record:
        if key not in KNOWN_FIELDS:
            errors.append((key, "Unknown field."))
    for name, limit in TEXT_FIELDS.items():
        if name in record:
            text = str(record[name] or "").strip()
            if len(text) > limit:
                errors.append((name, f"Longer than {limit} characters."))
            clean.values[name] = text[:limit]
    if "external_id" in record:
        clean.values["external_id"] = str(record["external_id"] or "").strip()[:100]
    if "email" in record:
        email = str(record["email"] or "").strip().lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(("email", f"{email!r} is not an e-mail address."))
        clean.values["email"] = email
    if "country" in record:
        try:
            clean.values["country"] = parse_country(record["country"])
        except ValueError as error:
            errors.append(("country", str(error)))
    if "source" in record and record["source"]:
        if record["source"] not in ContactSource.values:
            errors.append(("source", f"Unknown source; one of {', '.join(ContactSource.values)}."))
        else:
            clean.values["source"] = record["source"]
    if "owner_email" in record:
        email = str(record["owner_email"] or "").strip().lower()
        if email and email not in members:
            errors.append(("owner_email", f"{email} is not a member of this workspace."))
        clean.values["owner_id"] = members.get(email) if email else None
    for key, kind in (("account_external_id", IdentifierKind.EXTERNAL_ID), ("account_domain", IdentifierKind.DOMAIN)):
        if record.get(key):
            value = str(record[key]).strip()
            if kind == IdentifierKind.DOMAIN:
                from accounts.domains import normalise_domain

                value = normalise_domain(value)
            clean.account_ref = clean.account_ref or (kind, value)
    if not clean.values.get("external_id") and not clean.values.get("email"):
        errors.append(("email", "Give an e-mail or a CRM id, so the person can be matched next time."))
    if errors:
        clean.result.status = ERROR
    return clean


def _match_existing(workspace: Workspace, cleaned: list[_Clean]) -> None:
    external_ids = {c.values["external_id"] for c in cleaned if c.values.get("external_id")}
    emails = {c.values["email"] for c in cleaned if c.values.get("email")}
    contacts = Contact.objects.for_workspace(workspace)
    by_external = {c.external_id: c for c in contacts.filter(external_id__in=external_ids)} if external_ids else {}
    by_email = {c.email: c for c in contacts.filter(email__in=emails)} if emails else {}
    claimed: dict[tuple[str, str], int] = {}
    for c in cleaned:
        if c.result.status == ERROR:
            continue
        found = by_external.get(c.values.get("external_id")) or by_email.get(c.values.get("email"))
        email_owner = by_email.get(c.values.get("email"))
        if found and email_owner and email_owner.pk != found.pk:
            c.result.errors.append(("email", f"{c.values['email']} belongs to another contact (#{email_owner.pk})."))
        for key in (("external_id", c.values.get("external_id")), ("email", c.values.get("email"))):
            if key[1] and key in claimed and claimed[key] != c.result.index:
                c.result.errors.append((key[0], f"{key[1]} appears more than once in this batch; "
                                                "only its first record was applied."))
            elif key[1]:
                claimed[key] = c.result.index
        c.contact = found
        if c.result.errors:
            c.result.status = ERROR


def _resolve_account_refs(workspace: Workspace, cleaned: list[_Clean]) -> None:
    refs = {c.account_ref for c in cleaned if c.account_ref and c.result.status != ERROR}
    owners = {}
    for kind in (IdentifierKind.EXTERNAL_ID, IdentifierKind.DOMAIN):
        values = [v for k, v in refs if k == kind]
        if values:
            rows = AccountIdentifier.objects.for_workspace(workspace).filter(kind=kind, value__in=values)
            owners.update({(kind, v): a for v, a in rows.values_list("value", "account_id")})
    for c in cleaned:
        if c.account_ref and c.result.status != ERROR:
            account_id = owners.get(c.account_ref)
            if account_id is None:
                column = "account_external_id" if c.account_ref[0] == IdentifierKind.EXTERNAL_ID else "account_domain"
                c.result.errors.append((column, f"No account with {c.account_ref[0].replace('_', ' ')} "
                                                f"{c.account_ref[1]!r}."))
                c.result.status = ERROR
            else:
                c.values.update(account_id=account_id, match_status=MatchStatus.MANUAL, match_confidence=1.0,
                                match_method="crm", match_reasons=["Account given by the CRM record."])


def _write(workspace: Workspace, live: list[_Clean], *, by, source: str) -> None:
    new, changed, fields, to_infer, to_match = [], [], set(), [], []
    for c in live:
        contact = c.contact or Contact(workspace=workspace, source=source)
        touched = set()
        for name, value in c.values.items():
            if getattr(contact, name) != value:
                setattr(contact, name, value)
                touched.add(name)
        if c.contact is None:
            new.append(contact)
            c.result.status = CREATED
        elif touched:
            changed.append(contact)
            fields |= touched
            c.result.status = UPDATED
        else:
            c.result.status = UNCHANGED
        if c.contact is None or touched & TITLE_FIELDS:
            to_infer.append(contact)
        if "account_id" not in c.values and contact.match_status != MatchStatus.MANUAL and (
                c.contact is None or touched & MATCH_FIELDS):
            to_match.append(contact)
        c.contact = contact
    if to_infer:
        fields |= set(contacts_apply_inference(workspace=workspace, contacts=to_infer))
    Contact.objects.for_workspace(workspace).bulk_create(new, batch_size=1000)
    if changed or to_infer:
        now = timezone.now()
        existing = [c for c in {*changed, *to_infer} if c.pk and c not in new]
        for contact in existing:
            contact.updated_at = now
        Contact.objects.for_workspace(workspace).bulk_update(
            existing, sorted(_field_names(fields | {"updated_at"})), batch_size=1000)
    if to_match:
        from contacts.services.matching import contacts_match

        contacts_match(workspace=workspace, contacts=to_match)
    for c in live:
        c.result.contact_id = c.contact.pk


def _field_names(attnames: set[str]) -> set[str]:
    return {a[:-3] if a in ("owner_id", "account_id", "persona_id") else a for a in attnames}
