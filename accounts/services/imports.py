"""Imports of accounts and opportunities from CSV and XLSX files.

The flow is the same from the UI wizard, the API and the command line:

1. `import_file_store` keeps the uploaded file under MEDIA_ROOT/imports/<workspace id>/<uuid>.<ext>;
2. `import_plan` reads its header and maps each column to a field (by name, or by the mapping the
   user chose), listing every problem with the header;
3. `import_start` creates the Job that the Celery task (`accounts.tasks`) runs with
   `import_run`: rows are read in chunks of CHUNK_SIZE and written through the one write path
   (`accounts_upsert` / `opportunities_upsert`), progress is reported per chunk, and every
   rejected row lands in the job's error report with its line, column and reason.

Rules a user can rely on (they are repeated in the wizard and in the command help):
- `line` is the row number a spreadsheet shows for the row; the header is line 1.
- An empty cell leaves the stored value as it is; it never blanks a field.
- A row with any error is rejected whole; the other rows land. Blank rows are skipped.
- Multi-valued cells (other_domains, technologies) are `;`-separated.
- Running the same file again changes nothing (every row comes back `unchanged`).
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from abm_platform.bulk import analyze
from abm_platform.jobs import job_create, job_start
from abm_platform.models import Job, Workspace
from abm_platform.uploads import upload_write
from accounts.models import (
    Account, AccountIdentifier, AccountTechnology, AttributeDefinition, Opportunity, OpportunityStageChange,
)
from accounts.services.opportunity_upsert import OPPORTUNITY_COLUMNS, opportunities_upsert
from accounts.services.upsert import ERROR, accounts_upsert

CHUNK_SIZE = 2000
# After writing this many rows, refresh PostgreSQL's planner statistics (abm_platform.bulk.analyze).
ANALYZE_AFTER_ROWS = 5000
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
EXTENSIONS = ("csv", "tsv", "txt", "xlsx")
PREVIEW_ROWS = 10
# A file full of bad rows still gets a complete count; the stored report stops here.
ERROR_REPORT_LIMIT = 100_000

ACCOUNT_COLUMNS = (
    "external_id", "name", "domain", "other_domains", "website", "industry", "employees", "annual_revenue",
    "currency", "country", "region", "city", "technologies", "parent_external_id", "owner_email", "tier",
    "group", "sdr_email", "street", "postal_code",
)
ATTRIBUTE_PREFIX = "attr_"

# Common spellings of a column in CRM exports → our field, after normalising the header.
ALIASES = {
    "accounts": {
        "crm_id": "external_id", "account_id": "external_id", "company": "name", "company_name": "name",
        "account_name": "name", "account": "name", "primary_domain": "domain", "url": "website",
        "web_site": "website", "employee_count": "employees", "number_of_employees": "employees",
        "revenue": "annual_revenue", "owner": "owner_email", "account_owner": "owner_email", "sdr": "sdr_email",
        "state": "region", "parent_id": "parent_external_id", "account_group": "group", "domains": "other_domains",
        # postal address, also as CRMs export it (Salesforce's Billing*, HubSpot's address/zip)
        "address": "street", "street_address": "street", "address_line_1": "street", "address1": "street",
        "billing_street": "street", "billingstreet": "street", "zip": "postal_code", "zip_code": "postal_code",
        "zipcode": "postal_code", "postcode": "postal_code", "post_code": "postal_code", "plz": "postal_code",
        "billing_postal_code": "postal_code", "billingpostalcode": "postal_code", "billing_city": "city",
        "billingcity": "city", "billing_state": "region", "billingstate": "region",
    },
    "opportunities": {
        "crm_id": "external_id", "opportunity_id": "external_id", "deal_id": "external_id",
        "account_id": "account_external_id", "domain": "account_domain", "opportunity_name": "name",
        "deal_name": "name", "deal_stage": "stage", "close_date": "expected_close_date", "owner": "owner_email",
        "recurring": "is_recurring",
    },
}

# Spreadsheet programs run cells starting with these as formulas; exports prefix them with a
# quote and imports take the quote off again, so a round trip keeps the value.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _upsert_accounts(*, workspace, records, by, reason):
    return accounts_upsert(workspace=workspace, records=records, by=by, reason=reason)


def _upsert_opportunities(*, workspace, records, by, reason):
    return opportunities_upsert(workspace=workspace, records=records, by=by)


@dataclass(frozen=True)
class ImportKind:
    """What one kind of import accepts and how it writes."""

    name: str
    label: str
    job_kind: str
    task: str
    columns: tuple[str, ...]
    key_columns: tuple[str, ...]  # at least one of them must be in the file
    key_reason: str
    upsert: Callable
    tables: tuple  # the models a big import fills, to ANALYZE afterwards
    attributes: bool = False  # accepts attr_<key> columns for the workspace's custom attributes

    def fields(self, workspace: Workspace) -> list[str]:
        extra = [f"{ATTRIBUTE_PREFIX}{key}" for key in _attribute_keys(workspace)] if self.attributes else []
        return [*self.columns, *extra]


ACCOUNT_IMPORT = ImportKind(
    name="accounts", label="Accounts", job_kind="account_import", task="accounts.import_accounts",
    columns=ACCOUNT_COLUMNS, key_columns=("external_id", "domain", "website"),
    key_reason="Add an external_id or a domain (or website) column: rows are matched by CRM id, else by domain.",
    upsert=_upsert_accounts, tables=(Account, AccountIdentifier, AccountTechnology), attributes=True,
)
OPPORTUNITY_IMPORT = ImportKind(
    name="opportunities", label="Opportunities", job_kind="opportunity_import", task="accounts.import_opportunities",
    columns=OPPORTUNITY_COLUMNS, key_columns=("external_id",),
    key_reason="Add an external_id column: deals are matched by their CRM id.",
    upsert=_upsert_opportunities, tables=(Opportunity, OpportunityStageChange),
)
IMPORT_KINDS = {kind.name: kind for kind in (ACCOUNT_IMPORT, OPPORTUNITY_IMPORT)}
IMPORT_JOB_KINDS = tuple(kind.job_kind for kind in IMPORT_KINDS.values())


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, or its header is wrong). `problems`
    lists each one as {line, column, reason}."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__(" ".join(_problem_text(p) for p in problems))


def _problem_text(problem: dict) -> str:
    return f"{problem['column']}: {problem['reason']}" if problem.get("column") else problem["reason"]


def import_kind(name: str) -> ImportKind:
    try:
        return IMPORT_KINDS[name]
    except KeyError:
        raise ImportFileError([{"line": None, "column": "kind", "reason": f"Unknown import kind {name!r}; use "
                                                                          f"{' or '.join(IMPORT_KINDS)}."}]) from None


# --- storing uploads -----------------------------------------------------------------------

_UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}\.(?:%s)$" % "|".join(EXTENSIONS))


def import_file_store(*, workspace: Workspace, file, filename: str) -> str:
    """Keep an uploaded file (any readable binary file object) for its import; returns its
    upload name `<uuid>.<ext>`, which later steps and the Job's params refer to."""
    extension = Path(filename or "").suffix.lower().lstrip(".")
    if extension == "xls":
        raise ImportFileError([{"line": None, "column": "", "reason": "Old .xls workbooks cannot be read: save the "
                                                                      "sheet as .xlsx or .csv and upload that."}])
    if extension not in EXTENSIONS:
        raise ImportFileError([{"line": None, "column": "", "reason": f"Upload a CSV or XLSX file "
                                                                      f"(not .{extension or '?'})."}])
    upload = f"{uuid.uuid4().hex}.{extension}"
    size = upload_write(file, import_file_path(workspace_id=workspace.pk, upload=upload), max_bytes=MAX_UPLOAD_BYTES)
    if size == 0 or size > MAX_UPLOAD_BYTES:
        reason = "The file is empty." if size == 0 else f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB."
        raise ImportFileError([{"line": None, "column": "", "reason": reason}])
    return upload


# Uploaded files are kept this long (to re-run or audit an import), then removed by the
# scheduled `accounts.import_files_purge` task.
UPLOAD_RETENTION = timedelta(days=7)


def import_files_purge(*, older_than: timedelta = UPLOAD_RETENTION) -> int:
    """Delete uploaded import files older than `older_than` across workspaces (abandoned wizard
    uploads and finished imports alike). Returns how many were removed."""
    root = Path(settings.MEDIA_ROOT) / "imports"
    if not root.exists():
        return 0
    cutoff = (timezone.now() - older_than).timestamp()
    removed = 0
    for path in root.glob("*/*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def import_file_path(*, workspace_id: int, upload: str) -> Path:
    """Where an upload lives. The workspace is part of the path, so one workspace can never
    name another's file; a name that is not one of ours is refused."""
    if not _UPLOAD_NAME.match(upload or ""):
        raise ImportFileError([{"line": None, "column": "", "reason": "This upload does not exist; upload the file "
                                                                      "again."}])
    return Path(settings.MEDIA_ROOT) / "imports" / str(int(workspace_id)) / upload


def import_file_discard(*, workspace_id: int, upload: str) -> None:
    import_file_path(workspace_id=workspace_id, upload=upload).unlink(missing_ok=True)


# --- reading files -------------------------------------------------------------------------

@dataclass
class ImportTable:
    """A file's header and its data rows as strings, each with the line a spreadsheet shows for
    it (header = 1). Blank rows are skipped; `rows` streams, so a big CSV is never all in memory."""

    columns: list[str]
    header_line: int
    rows: Iterator[tuple[int, list[str]]]


@contextmanager
def import_table_open(path: Path):
    if not path.exists():
        raise ImportFileError([{"line": None, "column": "", "reason": "The uploaded file is gone; upload it again."}])
    if path.suffix.lower() == ".xlsx":
        yield _open_xlsx(path)
        return
    encoding = _detect_encoding(path)
    with path.open("r", encoding=encoding, newline="") as text:
        sample = text.read(64 * 1024)
        text.seek(0)
        reader = csv.reader(text, delimiter=_detect_delimiter(sample, path.suffix.lower()))
        yield _table(_csv_records(reader))


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (what Excel writes in
    Western Europe), else Latin-1, which decodes anything."""
    with path.open("rb") as raw:
        head = raw.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        raw.seek(0)
        first = raw.read(64 * 1024)
        if b"\x00" in first:
            raise ImportFileError([{"line": None, "column": "", "reason": "This is not a text (CSV) file. Upload a "
                                                                          "CSV, or an XLSX saved from Excel."}])
        for encoding in ("utf-8", "cp1252"):
            raw.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                for chunk in iter(lambda: raw.read(1024 * 1024), b""):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
                return encoding
            except UnicodeDecodeError:
                continue
    return "latin-1"


def _detect_delimiter(sample: str, suffix: str) -> str:
    """The header line decides: whichever of , ; tab | it holds most (Excel writes `;` where
    the decimal separator is a comma)."""
    if suffix == ".tsv":
        return "\t"
    header = sample.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _csv_records(reader) -> Iterator[tuple[int, list[str]]]:
    line = 0
    try:
        for line, record in enumerate(reader, start=1):
            yield line, record
    except csv.Error as error:
        raise ImportFileError([{"line": line + 1, "column": "", "reason": f"The file cannot be read as CSV "
                                                                          f"here: {error}."}]) from None


# An XLSX is a zip of XML. Typical XML packs 5–20×; a zip bomb packs 1000× and more. Refused
# before anything is unpacked: more than this in all (a sheet this big would not fit in memory
# as a table anyway), or an entry past 10 MB that packs tighter than this.
MAX_WORKBOOK_UNPACKED = 1_000_000_000
MAX_WORKBOOK_RATIO = 200


def _check_workbook_size(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFileError([{"line": None, "column": "", "reason": f"The workbook cannot be read ({error}). "
                                                                      "Save it again as .xlsx or .csv."}]) from None
    unpacked = sum(entry.file_size for entry in entries)
    packed_too_tight = any(entry.file_size > 10_000_000 and entry.file_size > MAX_WORKBOOK_RATIO * max(
        entry.compress_size, 1) for entry in entries)
    if unpacked > MAX_WORKBOOK_UNPACKED or packed_too_tight:
        raise ImportFileError([{"line": None, "column": "", "reason": (
            f"The workbook unpacks to {unpacked / 1e6:,.0f} MB, which is more than an import reads "
            f"(at most {MAX_WORKBOOK_UNPACKED / 1e6:,.0f} MB, packed at most {MAX_WORKBOOK_RATIO}× tighter than "
            "it is big). Save the sheet as .csv, or split it.")}])


def _open_xlsx(path: Path) -> ImportTable:
    import pandas as pd  # heavy; only imports that read a workbook need it

    _check_workbook_size(path)
    try:
        frame = pd.read_excel(path, sheet_name=0, header=None, dtype=str, keep_default_na=False, engine="openpyxl")
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportFileError([{"line": None, "column": "", "reason": f"The workbook cannot be read ({error}). "
                                                                      "Save it again as .xlsx or .csv."}]) from None
    # pandas numbers the sheet's rows from 0 and keeps blank rows in the middle: row i is line i + 1.
    records = ((index + 1, [_xlsx_cell(v) for v in row]) for index, row in enumerate(frame.itertuples(index=False)))
    return _table(records)


_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$")


def _xlsx_cell(value) -> str:
    """A date cell arrives as `2024-03-31 00:00:00`: keep the date."""
    text = str(value)
    match = _MIDNIGHT.match(text)
    return match.group(1) if match else text


def _table(records: Iterator[tuple[int, list[str]]]) -> ImportTable:
    """The first non-blank record is the header; later blank records are skipped."""
    for line, header in records:
        if any(cell.strip() for cell in header):
            columns = [cell.strip().lstrip("\ufeff") for cell in header]
            while columns and not columns[-1]:
                columns.pop()
            return ImportTable(columns=columns, header_line=line,
                               rows=((n, r) for n, r in records if any(c.strip() for c in r)))
    raise ImportFileError([{"line": 1, "column": "", "reason": "The file is empty: it needs a header row and at "
                                                               "least one row of data."}])


# --- mapping columns -----------------------------------------------------------------------

@dataclass
class ImportPlan:
    """How a file's columns map to fields, and what is wrong with its header."""

    kind: ImportKind
    columns: list[str]
    fields: list[str | None]  # target field per column; None = not imported
    allowed: list[str]
    problems: list[dict] = field(default_factory=list)
    auto: list[str | None] = field(default_factory=list)  # what matching by name alone gives

    @property
    def ok(self) -> bool:
        return not self.problems

    def column_of(self, field_name: str) -> str:
        """The file's column that feeds `field_name` (for error reports); else the field."""
        for column, target in zip(self.columns, self.fields):
            if target == field_name:
                return column
        return field_name

    def explicit_mapping(self) -> dict[str, str]:
        """The mapping as far as it differs from matching by name: what a Job must remember."""
        return {c: (f or "") for c, f, a in zip(self.columns, self.fields, self.auto) if c and (f != a or f is None)}


def normalise_header(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", (name or "").strip().lower()).strip("_")


def auto_field(kind: ImportKind, column: str, allowed: list[str]) -> str | None:
    key = normalise_header(column)
    if key in allowed:
        return key
    alias = ALIASES.get(kind.name, {}).get(key)
    return alias if alias in allowed else None


def import_plan_columns(*, workspace: Workspace, kind: ImportKind, columns: list[str],
                        mapping: dict[str, str] | None = None, header_line: int = 1) -> ImportPlan:
    """Map `columns` to fields. `mapping` ({file column: field, or "" to skip it}) overrides
    matching by name for the columns it names; every other column must match a field by name."""
    mapping = dict(mapping or {})
    allowed = kind.fields(workspace)
    plan = ImportPlan(kind=kind, columns=list(columns), fields=[], allowed=allowed)

    def problem(column: str, reason: str) -> None:
        plan.problems.append({"line": header_line, "column": column, "reason": reason})

    for column, count in Counter(c for c in columns if c).items():
        if count > 1:
            problem(column, "This column appears more than once; rename or delete the copies.")
    unknown = []
    for column in columns:
        auto = auto_field(kind, column, allowed) if column else None
        plan.auto.append(auto)
        if not column:
            plan.fields.append(None)  # a column without a header: its cells are checked per row
        elif column in mapping:
            target = (mapping[column] or "").strip() or None
            if target is not None and target not in allowed:
                problem(column, _not_a_field(kind, target))
                target = None
            plan.fields.append(target)
        else:
            plan.fields.append(auto)
            if auto is None:
                unknown.append(column)
    for number, column in enumerate(unknown):
        problem(column, _unknown_column(kind, column, allowed, number))
    if hint := _other_kind_hint(kind, unknown):
        problem("", hint)
    for column in mapping:
        if column not in columns:
            problem(column, "The mapping names this column, but the file has no column of that name.")
    targets = Counter(f for f in plan.fields if f)
    for target, count in targets.items():
        if count > 1:
            sources = ", ".join(c for c, f in zip(columns, plan.fields) if f == target)
            problem(target, f"Columns {sources} are all imported as {target}; choose one.")
    if not any(key in targets for key in kind.key_columns):
        problem(kind.key_columns[0], kind.key_reason)
    return plan


def _unknown_column(kind: ImportKind, column: str, allowed: list[str], number: int) -> str:
    if normalise_header(column).startswith(ATTRIBUTE_PREFIX) and kind.attributes:
        key = normalise_header(column)[len(ATTRIBUTE_PREFIX):]
        return (f"There is no custom attribute {key!r}: define it in Settings first, or map this column away "
                f"(choose “skip”).")
    if number:  # the allowed columns are listed once, with the first unknown column
        return "Unknown column. Map it to a field or skip it."
    return f"Unknown column. Map it to a field or skip it. Allowed columns: {', '.join(allowed)}."


def _other_kind_hint(kind: ImportKind, unknown: list[str]) -> str:
    """A file of the other kind shows up as many unknown columns: say what it looks like."""
    for other in IMPORT_KINDS.values():
        fits = [c for c in unknown if auto_field(other, c, list(other.columns))]
        if other is not kind and len(fits) >= 2 and len(fits) * 2 >= len(unknown):
            return f"This looks like a file of {other.label.lower()}: import it as {other.name}."
    return ""


def _not_a_field(kind: ImportKind, target: str) -> str:
    return f"{target!r} is not a field of {kind.label.lower()} imports."


def _attribute_keys(workspace: Workspace) -> list[str]:
    return list(AttributeDefinition.objects.for_workspace(workspace).order_by("key").values_list("key", flat=True))


@dataclass
class ImportPreview:
    plan: ImportPlan
    rows: list[tuple[int, list[str]]]
    row_count: int


def import_preview(*, workspace: Workspace, kind: ImportKind, upload: str,
                   mapping: dict | None = None) -> ImportPreview:
    """The header, how it maps, the first PREVIEW_ROWS rows and the number of data rows."""
    with import_table_open(import_file_path(workspace_id=workspace.pk, upload=upload)) as table:
        plan = import_plan_columns(workspace=workspace, kind=kind, columns=table.columns, mapping=mapping,
                                   header_line=table.header_line)
        rows, count = [], 0
        for line, cells in table.rows:
            count += 1
            if len(rows) < PREVIEW_ROWS:
                rows.append((line, _fit(cells, len(table.columns))))
    return ImportPreview(plan=plan, rows=rows, row_count=count)


def _fit(cells: list[str], width: int) -> list[str]:
    return (list(cells) + [""] * width)[:width]


def import_plan(*, workspace: Workspace, kind: ImportKind, upload: str, mapping: dict | None = None) -> ImportPlan:
    with import_table_open(import_file_path(workspace_id=workspace.pk, upload=upload)) as table:
        return import_plan_columns(workspace=workspace, kind=kind, columns=table.columns, mapping=mapping,
                                   header_line=table.header_line)


# --- starting and running ------------------------------------------------------------------

def import_start(*, workspace: Workspace, kind: str, upload: str, filename: str = "", mapping: dict | None = None,
                 by=None, queue: bool = True) -> Job:
    """Check the file's header and queue its import. Raises ImportFileError when the file
    cannot be read or its header is wrong, so nothing is queued that cannot run (the caller
    decides whether to keep the file for another try). With `queue=False` the Job is only
    created: the caller runs it in-process (the command line does)."""
    spec = import_kind(kind)
    plan = import_plan(workspace=workspace, kind=spec, upload=upload, mapping=mapping)
    if not plan.ok:
        raise ImportFileError(plan.problems)
    params = {"kind": spec.name, "upload": upload, "filename": Path(filename or upload).name[:200]}
    if explicit := plan.explicit_mapping():
        params["mapping"] = explicit
    if not queue:
        return job_create(workspace=workspace, kind=spec.job_kind, by=by, params=params)
    return job_start(workspace=workspace, kind=spec.job_kind, task=spec.task, by=by, params=params)


@dataclass
class ImportOutcome:
    summary: dict
    errors: list[dict]


def import_run(*, job: Job, progress) -> dict:
    """The task's work: import the job's file and report. Safe to run again — a re-run upserts
    the same rows, which then come back unchanged."""
    params = job.params
    spec = import_kind(params.get("kind", ""))
    path = import_file_path(workspace_id=job.workspace_id, upload=params.get("upload", ""))

    def report(done: int, total: int) -> None:
        progress.update(done, total=total, message=f"{done:,} of {total:,} rows")

    outcome = import_execute(workspace=job.workspace, kind=spec, path=path, mapping=params.get("mapping"),
                             by=job.created_by, reason=f"Import job #{job.pk}", progress=report)
    Job.objects.for_workspace(job.workspace_id).filter(pk=job.pk).update(error_report=outcome.errors)
    return {"file": params.get("filename", ""), **outcome.summary}


def import_execute(*, workspace: Workspace, kind: ImportKind, path: Path, mapping: dict | None = None, by=None,
                   reason: str = "", progress: Callable[[int, int], None] | None = None,
                   dry_run: bool = False) -> ImportOutcome:
    """Read the file and upsert it chunk by chunk. With `dry_run`, every row is checked and
    written inside a transaction that is then rolled back: the counts are what a real run
    would give, and nothing stays."""
    with import_table_open(path) as table:
        plan = import_plan_columns(workspace=workspace, kind=kind, columns=table.columns, mapping=mapping,
                                   header_line=table.header_line)
        if not plan.ok:
            raise ImportFileError(plan.problems)
        total = sum(1 for _ in table.rows)
    counts = Counter()
    errors: list[dict] = []
    done = 0
    with transaction.atomic() if dry_run else _nothing():
        with import_table_open(path) as table:
            if progress:
                progress(0, total)
            waiting_for_parent: list = []
            for chunk in _chunks(table.rows, CHUNK_SIZE):
                _import_chunk(workspace, plan, chunk, by=by, reason=reason, counts=counts, errors=errors,
                              waiting_for_parent=waiting_for_parent)
                done += len(chunk) - len(waiting_for_parent)
                if progress:
                    progress(done, total)
            # Subsidiaries listed before their parent: their parent exists now.
            for chunk in _chunks(iter(waiting_for_parent), CHUNK_SIZE):
                _import_chunk(workspace, plan, chunk, by=by, reason=reason, counts=counts, errors=errors)
                done += len(chunk)
                if progress:
                    progress(done, total)
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run and counts["created"] + counts["updated"] >= ANALYZE_AFTER_ROWS:
        analyze(*kind.tables)  # lists would otherwise plan with stale row counts for a while
    summary = {"total": done, "created": counts["created"], "updated": counts["updated"],
               "unchanged": counts["unchanged"], "rejected": counts[ERROR]}
    if len(errors) > ERROR_REPORT_LIMIT:
        errors = errors[:ERROR_REPORT_LIMIT]
        summary["error_report_truncated_at"] = ERROR_REPORT_LIMIT
    return ImportOutcome(summary=summary, errors=errors)


@contextmanager
def _nothing():
    yield


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _import_chunk(workspace, plan: ImportPlan, chunk, *, by, reason, counts: Counter, errors: list[dict],
                  waiting_for_parent: list | None = None) -> None:
    """Upsert one chunk. Rows whose only problem is a parent not imported yet go to
    `waiting_for_parent` (when given) to be tried again after the whole file."""
    records, sources = [], []
    for line, cells in chunk:
        record, problems = _record(plan, cells)
        if problems:
            counts[ERROR] += 1
            errors.extend({"line": line, **p} for p in problems)
            continue
        records.append(record)
        sources.append((line, cells))
    if not records:
        return
    results = plan.kind.upsert(workspace=workspace, records=records, by=by, reason=reason)
    for result, (line, cells) in zip(results, sources):
        if waiting_for_parent is not None and result.errors and all(
                field == "parent_external_id" and message.startswith("No account with CRM id")
                for field, message in result.errors):
            waiting_for_parent.append((line, cells))
            continue
        counts[result.status] += 1
        for field_name, message in result.errors:
            column = plan.column_of(field_name)
            errors.append({"line": line, "column": column, "reason": message, "value": _cell(plan, cells, column)})


def _record(plan: ImportPlan, cells: list[str]) -> tuple[dict, list[dict]]:
    """One row as the upsert wants it: non-empty cells of imported columns, keyed by field.
    Empty cells are left out, so they leave the stored value alone."""
    record, problems = {}, []
    for index, cell in enumerate(cells):
        value = _unescape(cell.strip())
        if not value:
            continue
        target = plan.fields[index] if index < len(plan.fields) else None
        if target:
            record[target] = value
        elif index >= len(plan.columns) or not plan.columns[index]:
            problems.append({"column": f"(column {index + 1})", "value": value,
                             "reason": "This cell has no column header: name the column or clear the cell."})
    return record, problems


def _unescape(value: str) -> str:
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_START:
        return value[1:]
    return value


def _cell(plan: ImportPlan, cells: list[str], column: str) -> str:
    try:
        index = plan.columns.index(column)
    except ValueError:
        return ""
    return cells[index].strip() if index < len(cells) else ""


# --- error reports -------------------------------------------------------------------------

ERROR_REPORT_COLUMNS = ("line", "column", "reason", "value")


def spreadsheet_safe(value) -> str:
    """A cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def import_error_report_csv(*, job: Job) -> Iterator[str]:
    """The job's rejected rows as CSV text, a piece at a time (for a streaming response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ERROR_REPORT_COLUMNS)
    for number, row in enumerate(job.error_report or [], start=1):
        writer.writerow([spreadsheet_safe(row.get(name, "")) for name in ERROR_REPORT_COLUMNS])
        if number % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
