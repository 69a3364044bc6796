"""Ingesting signals: check each row, resolve a batch to accounts (and people) with a fixed
number of queries, store new signals with one bulk insert that skips rows already stored, and
keep rows that match no account as UnresolvedSignal for a later retry.

    report = signals_ingest(workspace=ws, kind="engagement", rows=[(1, {...}), (2, {...})], source="hubspot")
    report.as_dict()  # {"created": 1, "duplicates": 0, "unresolved": 1, "rejected": 0, "errors": [...]}

Every adapter (file drop, REST push, tracking, UI upload) and the unresolved retry come
through here, so the rules are the same whatever the source:

- a row with a problem is rejected whole and reported with its line, column, reason and value;
- the same signal sent twice is stored once (intent by provider + domain + topic + week,
  engagement and triggers by source + external id) and counted as a duplicate;
- a row whose company or person matches no account is kept, counted as unresolved and shown
  in the UI; `unresolved_signals_retry` stores it once the account exists;
- when something new was stored, campaign triggers are evaluated (services/notify.py).

Speed for big files: engagement rows are checked column by column (rows the quick check does
not take get the full row check, so errors read the same); a file's next batches are read,
checked and (PostgreSQL, engagement) resolved in a thread while the current one is inserted
(services/read_ahead.py); the events table has no per-row foreign-key constraint checks
(models.EngagementEvent). What is left is this Python work and the insert itself, each row a heap
tuple and seven index entries (bench/signals_ingest.py measures both against the bare insert).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from abm_platform.bulk import analyze
from abm_platform.models import Workspace
from insights.signals.adapters import FileAdapter
from insights.signals.engine import rows as row_engine
from insights.signals.engine.rules import CHANNEL_OF, RuleSet, variant_of, weigh
from insights.signals.models import EngagementEvent, IntentSignal, IntentTopic, TriggerEvent, UnresolvedSignal
from insights.signals.services.bulk import insert_new_rows
from insights.signals.services.notify import campaign_triggers_enqueue
from insights.signals.services.read_ahead import read_ahead_of
from insights.signals.services.resolve import (
    Person, accounts_by_identifier, contacts_by_email, contacts_by_id, email_company_domain, registrable,
)
from insights.signals.services.settings import signal_settings_get, workspace_rule_set

KINDS = row_engine.KINDS
BATCH_SIZE = 5000
# After storing this many rows in one ingest, refresh PostgreSQL's planner statistics
# (abm_platform.bulk.analyze): lists and resolution would otherwise plan with stale row counts.
ANALYZE_AFTER_ROWS = 50_000
# A push or file full of bad rows still gets complete counts; the stored error list stops here.
ERROR_LIMIT = 10_000

CREATED, DUPLICATE, UNRESOLVED, REJECTED = "created", "duplicate", "unresolved", "rejected"

INTENT_FIELDS = ["workspace", "account", "topic", "provider", "domain", "week_start", "score", "bucket_code",
                 "metro", "metro_score", "country", "received_at"]
ENGAGEMENT_FIELDS = ["workspace", "account", "contact", "type", "channel", "occurred_at", "occurred_day", "source",
                     "external_id", "url", "duration_seconds", "minutes", "half_life_days", "is_high_value",
                     "details", "variant", "received_at"]
TRIGGER_FIELDS = ["workspace", "account", "type", "occurred_on", "summary", "source_url", "source", "external_id",
                  "received_at"]
KIND_MODELS = {row_engine.INTENT: IntentSignal, row_engine.ENGAGEMENT: EngagementEvent,
               row_engine.TRIGGER: TriggerEvent}
UNRESOLVED_FIELDS = ["workspace", "kind", "source", "key", "reason", "payload", "fingerprint", "received_at",
                     "attempts"]


@dataclass
class IngestReport:
    """What happened to the rows of one ingest (a push, a file, a refresh)."""

    kind: str
    created: int = 0
    duplicates: int = 0
    unresolved: int = 0
    rejected: int = 0
    topics_created: int = 0
    errors: list[dict] = field(default_factory=list)
    errors_truncated: bool = False

    @property
    def total(self) -> int:
        return self.created + self.duplicates + self.unresolved + self.rejected

    def add_errors(self, errors: list[dict]) -> None:
        room = ERROR_LIMIT - len(self.errors)
        if len(errors) > room:
            self.errors_truncated = True
        self.errors.extend(errors[:max(0, room)])

    def merge(self, other: IngestReport) -> None:
        self.created += other.created
        self.duplicates += other.duplicates
        self.unresolved += other.unresolved
        self.rejected += other.rejected
        self.topics_created += other.topics_created
        self.add_errors(other.errors)
        self.errors_truncated = self.errors_truncated or other.errors_truncated

    def counts(self) -> dict:
        out = {"kind": self.kind, "total": self.total, "created": self.created, "duplicates": self.duplicates,
               "unresolved": self.unresolved, "rejected": self.rejected}
        if self.topics_created:
            out["topics_created"] = self.topics_created
        if self.errors_truncated:
            out["errors_truncated_at"] = ERROR_LIMIT
        return out

    def as_dict(self) -> dict:
        return {**self.counts(), "errors": self.errors}


@dataclass
class _Unresolved:
    line: int
    key: str
    reason: str
    payload: dict
    fingerprint: str


@dataclass
class BatchOutcome:
    """Per row of a batch (in order): CREATED/DUPLICATE (stored now or before), UNRESOLVED or
    REJECTED; plus the report of the batch and the rows to keep as unresolved."""

    outcomes: list[str]
    report: IngestReport
    unresolved: list[_Unresolved]


class IngestContext:
    """What every batch of one ingest shares: the workspace, the clock, the rules, the topics."""

    def __init__(self, *, workspace: Workspace | int, source: str = "", now: datetime | None = None,
                 rules: RuleSet | None = None) -> None:
        self.workspace_id: int = getattr(workspace, "pk", workspace)
        self.source = (source or "").strip().lower()[:50]
        self.now = now or timezone.now()
        self._rules = rules
        self._topics: dict[str, int] | None = None
        self.clause_cache: dict = {}  # engine.rules.weigh's cache, valid for these rules

    @property
    def rules(self) -> RuleSet:
        if self._rules is None:
            self._rules = workspace_rule_set(signal_settings_get(workspace=self.workspace_id))
        return self._rules

    def topic_ids(self, wanted: dict[str, str]) -> tuple[dict[str, int], int]:
        """{lower-case name: id} for the topics named ({lower name: (name, category)}), creating
        unknown ones (not selected: a team opts in to what counts). Returns (ids, created)."""
        if self._topics is None:
            self._topics = {name.lower(): pk for pk, name in
                            IntentTopic.objects.for_workspace(self.workspace_id).values_list("pk", "name")}
        missing = {key: value for key, value in wanted.items() if key not in self._topics}
        if missing:
            IntentTopic.objects.for_workspace(self.workspace_id).bulk_create(
                [IntentTopic(name=name, category=category) for name, category in missing.values()],
                ignore_conflicts=True)
            names = [name for name, _ in missing.values()]
            for pk, name in IntentTopic.objects.for_workspace(self.workspace_id).filter(name__in=names).values_list(
                    "pk", "name"):
                self._topics[name.lower()] = pk
        return self._topics, len(missing)


def signals_ingest(*, workspace: Workspace | int, kind: str, rows: Iterable[tuple[int, dict]], source: str = "",
                   now: datetime | None = None, context: IngestContext | None = None,
                   progress=None, read_ahead: bool = False) -> IngestReport:
    """Check, resolve and store `rows` ((line, row dict) pairs) of one kind, BATCH_SIZE at a
    time. `source` is used for rows that name none (intent: the provider). `progress(done)` is
    called after each batch. Safe to run again with the same rows: they come back duplicates.

    `read_ahead=True` reads and checks the next batches in a thread while this one is stored
    (services/read_ahead.py): only for `rows` that never touch the database (a file). On
    PostgreSQL the thread resolves engagement batches too, on its own connection, so the
    look-ups of the next batch overlap the insert of this one."""
    if kind not in KINDS:
        raise ValueError(f"unknown signal kind {kind!r}; use one of {', '.join(KINDS)}")
    context = context or IngestContext(workspace=workspace, source=source, now=now)
    report = IngestReport(kind=kind)
    done = 0
    resolve_ahead = read_ahead and _can_resolve_in_thread(kind)
    if resolve_ahead:
        context.rules  # noqa: B018 — loaded (and the settings created if need be) here, not in the thread
    with read_ahead_of(_prepared_batches(context, kind, rows, resolve=resolve_ahead), enabled=read_ahead) as prepared:
        for batch in prepared:
            with transaction.atomic():  # a batch lands whole: its signals and its unresolved rows
                outcome = batch_write(batch) if resolve_ahead else batch_store(context, kind, batch)
                unresolved_store(context, kind, outcome.unresolved)
            report.merge(outcome.report)
            done += len(batch.outcomes)
            if progress:
                progress(done)
    if report.created >= ANALYZE_AFTER_ROWS:
        analyze(KIND_MODELS[kind], UnresolvedSignal)
    if report.created:
        campaign_triggers_enqueue(workspace_id=context.workspace_id)
    return report


def _can_resolve_in_thread(kind: str) -> bool:
    """Resolution may run in the read-ahead thread, on that thread's own connection, when it
    only reads (engagement), on PostgreSQL (SQLite has one writer and a test's in-memory
    database), and when the caller is not inside a transaction (the thread would not see it)."""
    return kind == row_engine.ENGAGEMENT and connection.vendor == "postgresql" and not connection.in_atomic_block


def _prepared_batches(context: IngestContext, kind: str, rows: Iterable[tuple[int, dict]], *,
                      resolve: bool) -> Iterator[CheckedBatch | ResolvedBatch]:
    """Checked batches; resolved ones too when `resolve` — then this runs in the read-ahead
    thread, whose database connection is closed when it ends."""
    try:
        for batch in batched(rows, BATCH_SIZE):
            checked = batch_check(context, kind, batch)
            yield batch_resolve(context, kind, checked) if resolve else checked
    finally:
        if resolve:
            connection.close()


def signals_ingest_from(adapter, *, workspace: Workspace | int, now: datetime | None = None,
                        progress=None) -> IngestReport:
    """Ingest whatever an adapter (insights/signals/adapters.py) yields; a file is read ahead."""
    return signals_ingest(workspace=workspace, kind=adapter.kind, rows=adapter.rows(), source=adapter.source,
                          now=now, progress=progress, read_ahead=isinstance(adapter, FileAdapter))


def batched(rows: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest_batch(context: IngestContext, kind: str, batch: list[tuple[int, dict]]) -> BatchOutcome:
    """One batch: check every row, resolve them together, insert what is new. Unresolved rows
    are returned, not stored (the retry updates its own rows instead)."""
    return batch_store(context, kind, batch_check(context, kind, batch))


@dataclass
class CheckedBatch:
    """A batch after its rows were checked (no database needed): the rejected rows are counted
    and reported, `checked` holds (index, line, raw, values) of the others."""

    report: IngestReport
    outcomes: list[str]
    checked: list[tuple[int, int, dict, dict]]


def batch_check(context: IngestContext, kind: str, batch: list[tuple[int, dict]]) -> CheckedBatch:
    """Check every row. Engagement rows in the common shape are checked column by column
    (engine.rows.check_engagement_many); the others, and every other kind, row by row."""
    report = IngestReport(kind=kind)
    outcomes: list[str] = [REJECTED] * len(batch)
    checked: list[tuple[int, int, dict, dict]] = []
    if kind == row_engine.ENGAGEMENT:
        quick = row_engine.check_engagement_many([raw for _, raw in batch], now=context.now,
                                                 default_source=context.source)
    else:
        quick = [None] * len(batch)
    for index, ((line, raw), values) in enumerate(zip(batch, quick)):
        if values is None:
            result = row_engine.check_row(kind, raw, now=context.now, default_source=context.source)
            if result.errors:
                report.rejected += 1
                report.add_errors([{"line": line, **e} for e in result.errors])
                continue
            values = result.values
        checked.append((index, line, raw, values))
    return CheckedBatch(report=report, outcomes=outcomes, checked=checked)


def batch_store(context: IngestContext, kind: str, batch: CheckedBatch) -> BatchOutcome:
    """Resolve the checked rows of a batch together and insert what is new."""
    return batch_write(batch_resolve(context, kind, batch))


@dataclass
class ResolvedBatch:
    """A batch ready to be written: the rows to insert (the first of each key; later ones are
    counted duplicates already) and the unresolved rows, as (index, row) pairs."""

    report: IngestReport
    outcomes: list[str]
    model: type
    fields: list[str]
    to_insert: list[tuple]
    unresolved: list[tuple[int, _Unresolved]]


def batch_resolve(context: IngestContext, kind: str, batch: CheckedBatch) -> ResolvedBatch:
    """Resolve the checked rows to accounts and people. Reads only, for engagement and
    triggers (intent may create topics)."""
    report, outcomes, checked = batch.report, batch.outcomes, batch.checked
    resolver = {row_engine.INTENT: _intent_rows, row_engine.ENGAGEMENT: _engagement_rows,
                row_engine.TRIGGER: _trigger_rows}[kind]
    model, fields, keyed_rows, unresolved = resolver(context, checked, report)
    # The same signal twice in one batch is one signal: the first wins.
    seen: dict[tuple, int] = {}
    to_insert: list[tuple] = []
    for index, key, row in keyed_rows:
        if key in seen:
            outcomes[index] = DUPLICATE
            report.duplicates += 1
            continue
        seen[key] = index
        to_insert.append(row)
        outcomes[index] = CREATED
    return ResolvedBatch(report=report, outcomes=outcomes, model=model, fields=fields, to_insert=to_insert,
                         unresolved=unresolved)


def batch_write(batch: ResolvedBatch) -> BatchOutcome:
    """Insert what is new; what was there already is a duplicate."""
    report, outcomes = batch.report, batch.outcomes
    inserted = insert_new_rows(batch.model, batch.fields, batch.to_insert)
    report.created += inserted
    report.duplicates += len(batch.to_insert) - inserted
    for item_index, _ in batch.unresolved:
        outcomes[item_index] = UNRESOLVED
    report.unresolved += len(batch.unresolved)
    return BatchOutcome(outcomes=outcomes, report=report, unresolved=[item for _, item in batch.unresolved])


def unresolved_store(context: IngestContext, kind: str, items: list[_Unresolved]) -> int:
    """Keep unresolved rows (the same row sent again is kept once: unique fingerprint)."""
    rows = [(context.workspace_id, kind, (item.payload.get("source") or item.payload.get("provider") or "")[:50],
             item.key[:254], item.reason[:255], item.payload, item.fingerprint, context.now, 1) for item in items]
    return insert_new_rows(UnresolvedSignal, UNRESOLVED_FIELDS, rows)


# --- per kind: resolve and build the rows to insert ------------------------------------------------

def _unresolved(kind: str, line: int, raw: dict, values: dict, key: str, reason: str) -> _Unresolved:
    payload = {k: v for k, v in raw.items() if v not in (None, "")}
    # The effective source/provider travels with the row, so a retry stores it under the same key.
    if kind == row_engine.INTENT:
        payload["provider"] = values["provider"]
    else:
        payload["source"] = values["source"]
    # Columns the check does not read may hold text PostgreSQL cannot store (a NUL): those
    # characters are replaced, the row is kept.
    return _Unresolved(line=line, key=key, reason=reason, payload=row_engine.storable_value(payload),
                       fingerprint=row_engine.fingerprint(kind, values))


def _intent_rows(context: IngestContext, checked, report: IngestReport):
    for _, _, _, values in checked:
        values["domain"] = registrable(values["domain"])
    by_domain, _ = accounts_by_identifier(context.workspace_id, domains={v["domain"] for *_, v in checked})
    resolved = [(i, line, raw, v) for i, line, raw, v in checked if v["domain"] in by_domain]
    wanted = {}
    for *_, values in resolved:
        wanted.setdefault(values["topic"].lower(), (values["topic"], values["topic_category"]))
    topics, created = context.topic_ids(wanted) if wanted else ({}, 0)
    report.topics_created += created
    keyed, unresolved = [], []
    now, ws = context.now, context.workspace_id
    for index, line, raw, v in checked:
        account_id = by_domain.get(v["domain"])
        if account_id is None:
            unresolved.append((index, _unresolved(row_engine.INTENT, line, raw, v, v["domain"],
                                                  f"no account has the domain {v['domain']}")))
            continue
        topic_id = topics[v["topic"].lower()]
        keyed.append((index, (v["provider"], v["domain"], topic_id, v["week_start"]),
                      (ws, account_id, topic_id, v["provider"], v["domain"], v["week_start"], v["score"],
                       v["bucket_code"], v["metro"], v["metro_score"], v["country"], now)))
    return IntentSignal, INTENT_FIELDS, keyed, unresolved


def _engagement_rows(context: IngestContext, checked, report: IngestReport):
    ws = context.workspace_id
    ids = {v["contact_id"] for *_, v in checked if v["contact_id"]}
    emails = {v["email"] for *_, v in checked if v["email"]}
    people_by_id = contacts_by_id(ws, ids) if ids else {}
    people_by_email = contacts_by_email(ws, emails) if emails else {}

    # Who each row is about, and which identifiers of accounts we need to look up.
    plans = []
    domains, external_ids = set(), set()
    for index, line, raw, v in checked:
        person: Person | None = people_by_id.get(v["contact_id"]) if v["contact_id"] else None
        if person is None and v["email"]:
            person = people_by_email.get(v["email"])
        account_domain = registrable(v["account_domain"])
        email_domain, email_reason = ("", "")
        if person is None and v["email"]:
            email_domain, email_reason = email_company_domain(v["email"])
        elif person is not None and person.account_id is None and v["email"]:
            email_domain, email_reason = email_company_domain(v["email"])
        domains.update(d for d in (account_domain, email_domain) if d)
        if v["account_external_id"]:
            external_ids.add(v["account_external_id"])
        plans.append((index, line, raw, v, person, account_domain, email_domain, email_reason))
    by_domain, by_external = accounts_by_identifier(ws, domains=domains, external_ids=external_ids)

    rules, now = context.rules, context.now
    keyed, unresolved = [], []
    for index, line, raw, v, person, account_domain, email_domain, email_reason in plans:
        account_id = (person.account_id if person else None) or by_external.get(v["account_external_id"]) \
            or by_domain.get(account_domain) or by_domain.get(email_domain)
        if account_id is None:
            key, reason = _engagement_miss(v, person, account_domain, email_domain, email_reason)
            unresolved.append((index, _unresolved(row_engine.ENGAGEMENT, line, raw, v, key, reason)))
            continue
        variant = variant_of(v["type"], v["details"])
        weight = weigh(rules, v["type"], variant=variant, url=v["url"], duration_seconds=v["duration_seconds"],
                       has_contact=person is not None, seniority=person.seniority if person else None,
                       cache=context.clause_cache)
        occurred_at = v["occurred_at"]
        keyed.append((index, (v["source"], v["external_id"]),
                      (ws, account_id, person.contact_id if person else None, v["type"], CHANNEL_OF[v["type"]],
                       occurred_at, occurred_at.timestamp() / 86400.0, v["source"], v["external_id"], v["url"],
                       v["duration_seconds"], weight.minutes, weight.half_life_days, weight.is_high_value,
                       v["details"], variant, now)))
    return EngagementEvent, ENGAGEMENT_FIELDS, keyed, unresolved


def _engagement_miss(v: dict, person: Person | None, account_domain: str, email_domain: str,
                     email_reason: str) -> tuple[str, str]:
    if person is not None:
        return (v["email"] or f"contact {person.contact_id}",
                f"contact {person.contact_id} is not linked to an account yet (see the review queue)")
    if v["contact_id"] and not v["email"] and not account_domain and not v["account_external_id"]:
        return f"contact {v['contact_id']}", f"no contact with id {v['contact_id']}"
    if v["account_external_id"] and not account_domain and not v["email"]:
        return v["account_external_id"], f"no account with CRM id {v['account_external_id']}"
    if account_domain:
        return account_domain, f"no account has the domain {account_domain}"
    if email_reason:
        return v["email"], email_reason
    return v["email"], f"unknown person, and no account has the domain {email_domain}"


def _trigger_rows(context: IngestContext, checked, report: IngestReport):
    ws = context.workspace_id
    for *_, v in checked:
        v["account_domain"] = registrable(v["account_domain"])
    by_domain, by_external = accounts_by_identifier(
        ws, domains={v["account_domain"] for *_, v in checked if v["account_domain"]},
        external_ids={v["account_external_id"] for *_, v in checked if v["account_external_id"]})
    keyed, unresolved = [], []
    for index, line, raw, v in checked:
        account_id = by_external.get(v["account_external_id"]) or by_domain.get(v["account_domain"])
        if account_id is None:
            key = v["account_domain"] or v["account_external_id"]
            what = f"the domain {key}" if v["account_domain"] else f"the CRM id {key}"
            unresolved.append((index, _unresolved(row_engine.TRIGGER, line, raw, v, key, f"no account has {what}")))
            continue
        keyed.append((index, (v["source"], v["external_id"]),
                      (ws, account_id, v["type"], v["occurred_on"], v["summary"], v["source_url"], v["source"],
                       v["external_id"], context.now)))
    return TriggerEvent, TRIGGER_FIELDS, keyed, unresolved
