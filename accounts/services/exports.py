"""Export of a filtered account list as CSV, streamed in constant memory.

The columns are exactly the account import's (`ACCOUNT_COLUMNS` plus attr_<key> per custom
attribute), so an exported file imports back unchanged: tier and group by name, owner and SDR by
e-mail, the parent by its CRM id, multi-valued cells `;`-separated.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet

from abm_platform.models import Workspace
from accounts.models import Account, AccountIdentifier, AccountTechnology, AttributeDefinition, IdentifierKind
from accounts.services.imports import ACCOUNT_COLUMNS, ATTRIBUTE_PREFIX, spreadsheet_safe

EXPORT_CHUNK_SIZE = 2000
FLUSH_BYTES = 64 * 1024


def account_export_columns(*, workspace: Workspace) -> list[str]:
    keys = AttributeDefinition.objects.for_workspace(workspace).order_by("key").values_list("key", flat=True)
    return [*ACCOUNT_COLUMNS, *(f"{ATTRIBUTE_PREFIX}{key}" for key in keys)]


def account_export_rows(*, workspace: Workspace, queryset: QuerySet) -> Iterator[list[str]]:
    """The header, then one list of cells per account of `queryset` (a workspace-scoped account
    queryset, e.g. `account_list(...).qs`). Reads EXPORT_CHUNK_SIZE accounts at a time: a few
    queries per chunk, whatever the number of rows."""
    columns = account_export_columns(workspace=workspace)
    attribute_keys = [c[len(ATTRIBUTE_PREFIX):] for c in columns if c.startswith(ATTRIBUTE_PREFIX)]
    yield columns
    # Sorted in Python, not by the database's collation: the same file from SQLite and PostgreSQL.
    other_domains = AccountIdentifier.objects.for_workspace(workspace).filter(
        kind=IdentifierKind.DOMAIN, is_primary=False).order_by()
    technologies = AccountTechnology.objects.for_workspace(workspace).order_by()
    accounts = (queryset.select_related("tier", "group", "owner", "sdr", "parent")
                .prefetch_related(Prefetch("identifiers", queryset=other_domains, to_attr="export_other_domains"),
                                  Prefetch("technologies", queryset=technologies, to_attr="export_technologies")))
    for account in accounts.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield _row(account, attribute_keys)


def _row(account: Account, attribute_keys: list[str]) -> list[str]:
    values = {
        "external_id": account.external_id,
        "name": account.name,
        "domain": account.domain,
        "other_domains": "; ".join(sorted(i.value for i in account.export_other_domains)),
        "website": account.website,
        "industry": account.industry,
        "employees": account.employees,
        "annual_revenue": account.annual_revenue,
        "currency": account.currency,
        "country": account.country,
        "region": account.region,
        "city": account.city,
        "technologies": "; ".join(sorted(t.name for t in account.export_technologies)),
        "parent_external_id": account.parent.external_id if account.parent else "",
        "owner_email": account.owner.email if account.owner else "",
        "tier": account.tier.name if account.tier else "",
        "group": account.group.name if account.group else "",
        "sdr_email": account.sdr.email if account.sdr else "",
        "street": account.street,
        "postal_code": account.postal_code,
    }
    cells = [_text(values[column]) for column in ACCOUNT_COLUMNS]
    attributes = account.attributes or {}
    cells += [_text(attributes.get(key)) for key in attribute_keys]
    return cells


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def csv_stream(rows: Iterable[list[str]], *, bom: bool = False) -> Iterator[str]:
    """CSV text in pieces of about FLUSH_BYTES, for a StreamingHttpResponse or a file. Cells a
    spreadsheet would run as formulas are quoted off. `bom` helps Excel see UTF-8."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
