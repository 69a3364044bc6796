"""Where signals come from, behind one interface: an adapter knows the kind of its rows and
their default source, and yields them as (line, row dict) pairs for `signals_ingest`.

- `FileAdapter`     a CSV/TSV/XLSX file (first row = header) or JSON (an array of objects, or
                    one object per line: .jsonl / .ndjson). Used by file-drop providers, the
                    UI upload and the bench.
- `PushAdapter`     rows pushed to the REST API (a JSON list).
- `TrackingAdapter` one page view from the website tracking snippet.

Lines: the row a spreadsheet shows for CSV (header = 1), the line for JSON lines, the position
(from 1) for a JSON array or a push.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from accounts.services.imports import ImportFileError, import_table_open, normalise_header
from insights.signals.engine import rows as row_engine

FILE_EXTENSIONS = ("csv", "tsv", "txt", "xlsx", "json", "jsonl", "ndjson")
JSON_LINES = ("jsonl", "ndjson")
MAX_JSON_ARRAY_BYTES = 200 * 1024 * 1024  # a whole-array JSON file is read at once; bigger → JSON lines

# Column names providers use → ours (after lower-casing and replacing non-alphanumerics by "_").
# The intent ones are Bombora's "All Domains All Topics" file (DOMAIN.md §1.2).
ALIASES = {
    row_engine.INTENT: {
        "company": "company_name", "category": "topic_category", "composite_score": "score",
        "surge_score": "score", "metro_area": "metro", "metro_composite_score": "metro_score",
        "domain_origin_country": "country", "week": "week_start", "date": "week_start",
    },
    row_engine.ENGAGEMENT: {
        "activity_type": "type", "event_type": "type", "timestamp": "occurred_at", "date": "occurred_at",
        "id": "external_id", "event_id": "external_id", "e_mail": "email", "domain": "account_domain",
        "page_url": "url", "duration": "duration_seconds",
    },
    row_engine.TRIGGER: {
        "event_type": "type", "date": "occurred_on", "title": "summary", "url": "source_url",
        "id": "external_id", "domain": "account_domain",
    },
}
# At least one column of each group must be present in a file's header.
REQUIRED = {
    row_engine.INTENT: [("week_start",), ("domain",), ("topic",), ("score",)],
    row_engine.ENGAGEMENT: [("type",), ("occurred_at",), ("email", "contact_id", "account_domain",
                                                         "account_external_id")],
    row_engine.TRIGGER: [("type",), ("occurred_on",), ("summary",), ("account_domain", "account_external_id")],
}


class SignalFileError(ValueError):
    """A file that cannot be ingested as a whole; `problems` as [{line, column, reason}]."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__(" ".join(p["reason"] for p in problems))


class SignalAdapter(Protocol):
    """What `signals_ingest_from` needs from any source of signals."""

    kind: str
    source: str

    def rows(self) -> Iterator[tuple[int, dict]]: ...


def column_name(kind: str, header: str) -> str:
    key = normalise_header(header)
    return ALIASES.get(kind, {}).get(key, key)


@dataclass
class FileAdapter:
    """A signal file. `force_source` stamps every row with `source` (a file-drop provider's
    name is the source of everything it delivers); otherwise `source` is only the default."""

    path: Path
    kind: str
    source: str = ""
    force_source: bool = False
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def extension(self) -> str:
        return self.path.suffix.lower().lstrip(".")

    def rows(self) -> Iterator[tuple[int, dict]]:
        if self.extension not in FILE_EXTENSIONS:
            raise SignalFileError([{"line": None, "column": "", "reason": f"Give a CSV, XLSX, JSON or JSON-lines "
                                                                          f"file (not .{self.extension or '?'})."}])
        if not self.path.exists():
            raise SignalFileError([{"line": None, "column": "", "reason": "The file is gone."}])
        if self.extension in JSON_LINES:
            records = self._json_lines()
        elif self.extension == "json":
            records = self._json_array()
        else:
            records = self._table()
        for line, row in records:
            yield line, self._stamp(row)

    def check_header(self) -> None:
        """Raise SignalFileError when a table file lacks a required column (JSON is checked per row)."""
        if self.extension in ("json", *JSON_LINES):
            return
        with self._open_table() as table:
            self._columns(table.columns, table.header_line)

    def count(self) -> int:
        return sum(1 for _ in self.rows())

    def _stamp(self, row: dict) -> dict:
        if not isinstance(row, dict):
            return row  # rejected by the row check, with its line
        name = "provider" if self.kind == row_engine.INTENT else "source"
        if self.force_source and self.source:
            row[name] = self.source
        return row

    def _open_table(self):
        try:
            return import_table_open(self.path)
        except ImportFileError as error:
            raise SignalFileError(error.problems) from None

    def _columns(self, headers: list[str], header_line: int) -> list[str | None]:
        allowed = set(row_engine.COLUMNS[self.kind])
        names: list[str | None] = []
        self.ignored_columns = []
        for header in headers:
            name = column_name(self.kind, header) if header else ""
            if name in allowed and name not in names:
                names.append(name)
            else:
                names.append(None)
                if header:
                    self.ignored_columns.append(header)
        present = {n for n in names if n}
        problems = []
        for group in REQUIRED[self.kind]:
            if not present & set(group):
                wanted = " or ".join(group)
                problems.append({"line": header_line, "column": group[0],
                                 "reason": f"The file has no {wanted} column (columns of {self.kind} files: "
                                           f"{', '.join(row_engine.COLUMNS[self.kind])})."})
        if problems:
            raise SignalFileError(problems)
        return names

    def _table(self) -> Iterator[tuple[int, dict]]:
        with self._open_table() as table:
            names = self._columns(table.columns, table.header_line)
            try:
                for line, cells in table.rows:
                    yield line, {name: cell for name, cell in zip(names, cells) if name and cell.strip()}
            except ImportFileError as error:
                raise SignalFileError(error.problems) from None

    def _json_lines(self) -> Iterator[tuple[int, dict]]:
        with self.path.open("r", encoding="utf-8-sig") as handle:
            for line, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    yield line, json.loads(text)
                except json.JSONDecodeError as error:
                    yield line, {row_engine.PARSE_ERROR: f"This line is not valid JSON ({error.msg})."}

    def _json_array(self) -> Iterator[tuple[int, dict]]:
        if self.path.stat().st_size > MAX_JSON_ARRAY_BYTES:
            raise SignalFileError([{"line": None, "column": "", "reason": "A JSON array this big cannot be read at "
                                                                          "once: send JSON lines (.jsonl)."}])
        try:
            with self.path.open("r", encoding="utf-8-sig") as handle:
                data = json.load(handle)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise SignalFileError([{"line": getattr(error, "lineno", None), "column": "",
                                    "reason": f"The file is not valid JSON: {error}."}]) from None
        if isinstance(data, dict) and isinstance(data.get("rows"), list):
            data = data["rows"]
        if not isinstance(data, list):
            raise SignalFileError([{"line": None, "column": "", "reason": "Give a JSON array of objects (or one "
                                                                          "object per line in a .jsonl file)."}])
        yield from enumerate(data, start=1)


@dataclass
class PushAdapter:
    """Rows pushed through the REST API."""

    kind: str
    records: list
    source: str = "api"

    def rows(self) -> Iterator[tuple[int, dict]]:
        return enumerate(self.records, start=1)


@dataclass
class TrackingAdapter:
    """One page view of a known contact from the website snippet: a web visit, idempotent per
    contact, page and minute (its external id says so)."""

    contact_id: int
    url: str
    occurred_at: str
    external_id: str
    duration_seconds: int | None = None
    kind: str = row_engine.ENGAGEMENT
    source: str = "tracking"

    def rows(self) -> Iterator[tuple[int, dict]]:
        row = {"type": "web_visit", "contact_id": self.contact_id, "url": self.url, "occurred_at": self.occurred_at,
               "external_id": self.external_id, "source": self.source}
        if self.duration_seconds is not None:
            row["duration_seconds"] = self.duration_seconds
        yield 1, row
