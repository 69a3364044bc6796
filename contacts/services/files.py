"""Contacts from files: the `import_contacts` import and the read-only `match_leads` evaluation.
Files are read with the accounts importer's reader (encodings, delimiters, XLSX, line numbers)."""
import csv
from collections import Counter
from pathlib import Path

from abm_platform.models import Workspace
from accounts.models import Account
from accounts.services.imports import import_table_open
from contacts.matching.matcher import Lead, Thresholds, match_many
from contacts.services.matching import account_index
from contacts.services.upsert import KNOWN_FIELDS, contacts_upsert

CHUNK = 2000
LEAD_COLUMNS = ["lead_id", "email", "company", "website", "phone", "country", "title"]
RESULT_COLUMNS = ["lead_id", "account_external_id", "confidence", "method", "decision", "reasons"]


def contacts_import_file(*, workspace: Workspace, path: Path, by=None, progress=None) -> dict:
    """Upsert every row (by CRM id, else e-mail) and match it to an account. Rows with errors
    are reported with their line and column; the others land; re-running changes nothing."""
    counts, errors = Counter(), []
    with import_table_open(path) as table:
        columns = [c.strip().lower() for c in table.columns]
        unknown = [c for c in columns if c and c not in KNOWN_FIELDS]
        if unknown:
            raise ValueError(f"Unknown columns: {', '.join(unknown)}. Allowed: {', '.join(sorted(KNOWN_FIELDS))}.")
        chunk: list[tuple[int, dict]] = []
        for line, cells in table.rows:
            chunk.append((line, {c: v for c, v in zip(columns, cells) if c and v != ""}))
            if len(chunk) == CHUNK:
                _import_chunk(workspace, chunk, by, counts, errors)
                chunk = []
                if progress:
                    progress(sum(counts.values()))
        if chunk:
            _import_chunk(workspace, chunk, by, counts, errors)
    return {"counts": dict(counts), "errors": errors}


def _import_chunk(workspace, chunk, by, counts, errors) -> None:
    results = contacts_upsert(workspace=workspace, records=[r for _, r in chunk], by=by, source="import")
    for (line, _), result in zip(chunk, results):
        counts[result.status] += 1
        errors.extend({"line": line, "column": column, "reason": reason} for column, reason in result.errors)


def leads_match_file(*, workspace: Workspace, leads_path: Path, out_path: Path,
                     thresholds: Thresholds = Thresholds()) -> Counter:
    """Match LEADS.csv (lead_id,email,company,website,phone,country,title) against the
    workspace's accounts and write RESULT.csv. Reads only: no contact is created."""
    index = account_index(workspace=workspace)
    external_ids = dict(Account.objects.for_workspace(workspace).values_list("pk", "external_id"))
    decisions = Counter()
    with import_table_open(leads_path) as table, out_path.open("w", newline="", encoding="utf-8") as out:
        columns = [c.strip().lower() for c in table.columns]
        missing = [c for c in ("lead_id",) if c not in columns]
        if missing:
            raise ValueError(f"LEADS.csv needs the columns {', '.join(LEAD_COLUMNS)} (missing: {', '.join(missing)}).")
        writer = csv.writer(out)
        writer.writerow(RESULT_COLUMNS)
        batch: list[Lead] = []
        for _, cells in table.rows:
            row = dict(zip(columns, cells))
            batch.append(Lead(**{k: row.get(k, "") for k in LEAD_COLUMNS}))
            if len(batch) == 50_000:
                _write_results(writer, batch, index, thresholds, external_ids, decisions)
                batch = []
        _write_results(writer, batch, index, thresholds, external_ids, decisions)
    return decisions


def _write_results(writer, batch, index, thresholds, external_ids, decisions) -> None:
    for result in match_many(batch, index, thresholds):
        decisions[result.decision] += 1
        account = external_ids.get(result.account_id, "") if result.decision != "none" else ""
        writer.writerow([result.lead_id, account, f"{result.confidence:.3f}", result.method, result.decision,
                         " | ".join(result.reasons)])
