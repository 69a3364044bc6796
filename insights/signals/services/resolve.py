"""Resolving the people and companies named by a batch of signals to contacts and accounts,
with a fixed number of queries per batch whatever its size:

- contacts by id and by e-mail (e-mails are stored lower-case),
- accounts by domain and by CRM id (AccountIdentifier: unique per workspace).

Domains are reduced to their registrable domain with the Public Suffix List, so
`uk.shop.siemens.com` finds the account of `siemens.com`. An unknown person's e-mail finds the
account of its domain (lead-to-account matching by e-mail domain), never through a free-mail
or disposable domain (gmail.com belongs to nobody).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection

from accounts.domains import normalise_domain
from accounts.models import AccountIdentifier, IdentifierKind
from contacts.matching.normalise import mailbox_kind
from contacts.models import Contact


@dataclass(frozen=True)
class Person:
    contact_id: int
    account_id: int | None
    seniority: str


def chunked(values: Iterable, size: int | None = None) -> Iterator[list]:
    """Value lists in pieces SQLite accepts (it caps bound parameters); on PostgreSQL a piece is
    one array parameter (the `__any` lookup, abm_platform/lookups.py), so pieces are big."""
    size = size or (20_000 if connection.vendor == "postgresql" else 900)
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def contacts_by_id(workspace_id: int, ids: set[int]) -> dict[int, Person]:
    found: dict[int, Person] = {}
    for part in chunked(ids):
        for pk, account_id, seniority in Contact.objects.for_workspace(workspace_id).filter(
                pk__any=part, erased_at__isnull=True).order_by().values_list("pk", "account_id", "seniority"):
            found[pk] = Person(pk, account_id, seniority)
    return found


def contacts_by_email(workspace_id: int, emails: set[str]) -> dict[str, Person]:
    # `email <> ''` repeats the unique index's condition, so PostgreSQL uses that index even for
    # many values (it cannot prove the condition from more than 100 values itself).
    found: dict[str, Person] = {}
    for part in chunked(emails):
        for pk, email, account_id, seniority in Contact.objects.for_workspace(workspace_id).filter(
                email__any=part, erased_at__isnull=True).exclude(email="").order_by().values_list(
                "pk", "email", "account_id", "seniority"):
            found[email] = Person(pk, account_id, seniority)
    return found


def accounts_by_identifier(workspace_id: int, *, domains: set[str] = frozenset(),
                           external_ids: set[str] = frozenset()) -> tuple[dict[str, int], dict[str, int]]:
    """({registrable domain: account id}, {CRM id: account id}) for what exists. One query per
    kind (each an index range on the unique (workspace, kind, value)); an OR of both would not."""
    found: dict[str, dict[str, int]] = {IdentifierKind.DOMAIN: {}, IdentifierKind.EXTERNAL_ID: {}}
    for kind, values in ((IdentifierKind.DOMAIN, domains), (IdentifierKind.EXTERNAL_ID, external_ids)):
        for part in chunked(v for v in values if v):
            rows = AccountIdentifier.objects.for_workspace(workspace_id).filter(kind=kind, value__any=part).order_by()
            found[kind].update(rows.values_list("value", "account_id"))
    return found[IdentifierKind.DOMAIN], found[IdentifierKind.EXTERNAL_ID]


@lru_cache(maxsize=200_000)
def registrable(domain_or_url: str) -> str:
    """`WWW.Shop.Siemens.co.uk` → `siemens.co.uk`. A name outside the Public Suffix List
    (`intranet.local`) is kept as given, lower-case: it can match no account, but the
    unresolved row should say what it was. Cached: a big ingest names the same domains again
    and again, and the suffix lookup was a fifth of its Python time."""
    if not domain_or_url:
        return ""
    return normalise_domain(domain_or_url) or domain_or_url.strip().lower()[:253]


def email_company_domain(email: str) -> tuple[str, str]:
    """(registrable domain, "") for a company address; ("", reason) for free-mail, disposable
    or unusable addresses, which never identify a company."""
    return _mail_domain_verdict(email.rsplit("@", 1)[-1] if "@" in email else "")


@lru_cache(maxsize=100_000)
def _mail_domain_verdict(mail_domain: str) -> tuple[str, str]:
    domain = registrable(mail_domain) if mail_domain else ""
    if not domain:
        return "", "the e-mail address has no usable domain"
    kind = mailbox_kind(domain)
    if kind == "free":
        return "", f"unknown person with a free-mail address ({domain}): free-mail never identifies a company"
    if kind == "disposable":
        return "", f"unknown person with a disposable address ({domain})"
    return domain, ""
