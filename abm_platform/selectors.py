"""Reads of the base layer, workspace first."""
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps

from abm_platform.models import Workspace
from abm_platform.tenancy.models import WorkspaceScopedModel

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class AuditEntry:
    when: datetime
    who: str
    action: str
    model: str
    object_id: int
    summary: str
    changes: list[str]


def audited_models() -> list[type]:
    """Models with an audit trail (django-simple-history) that a workspace owns."""
    return [m for m in apps.get_models()
            if hasattr(m, "history") and (issubclass(m, WorkspaceScopedModel) or m is Workspace)]


def audit_entries(*, workspace: Workspace, limit: int = 100, model_label: str | None = None) -> list[AuditEntry]:
    """The latest changes to the workspace's audited records, newest first: one indexed query
    per audited model (a bounded handful), merged in Python."""
    entries: list[AuditEntry] = []
    for model in audited_models():
        if model_label and model._meta.label_lower != model_label:
            continue
        history = model.history.model.objects
        rows = history.filter(id=workspace.pk) if model is Workspace else history.filter(workspace_id=workspace.pk)
        related = [f.name for f in model.history.model._meta.fields if f.is_relation and f.name != "workspace"]
        records = list(rows.select_related(*related).order_by("-history_date")[:limit])
        previous = _previous_versions(records)
        entries.extend(_entry(model, record, previous.get(record.history_id)) for record in records)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def audit_label(model, record) -> str:
    """A short name for the changed object, read from the history row itself (building the
    instance would cost a query per row). Models may define `audit_label(record)`."""
    if hasattr(model, "audit_label"):
        return model.audit_label(record)
    return str(getattr(record, "name", "") or f"#{record.id}")


def _label(model, field_name: str) -> str:
    try:
        return str(model._meta.get_field(field_name).verbose_name)
    except Exception:  # a field removed since the change was recorded
        return field_name


def _shown(record, field_name: str, value) -> str:
    """A changed value as a person reads it: related objects by name (already fetched with the
    history rows), dates formatted, empty as a dash."""
    field = record._meta.get_field(field_name) if field_name in {f.name for f in record._meta.fields} else None
    if field is not None and field.is_relation and value is not None:
        related = getattr(record, field_name, None)
        return str(related) if related is not None else f"#{value}"
    return _value(value)


def _value(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _previous_versions(records) -> dict:
    """Pair each version with the one before it among the fetched records (no query per row;
    the oldest fetched change of an object is shown without its field diff)."""
    previous, last_seen = {}, {}
    for record in sorted(records, key=lambda r: r.history_date):
        if record.id in last_seen:
            previous[record.history_id] = last_seen[record.id]
        last_seen[record.id] = record
    return previous


def _entry(model, record, before) -> AuditEntry:
    changes: list[str] = []
    if record.history_type == "~" and before is not None:
        delta = record.diff_against(before)
        changes = [f"{_label(model, c.field)}: {_shown(before, c.field, c.old)} → {_shown(record, c.field, c.new)}"
                   for c in delta.changes]
    return AuditEntry(
        when=record.history_date,
        who=str(record.history_user) if record.history_user else "system",
        action=HISTORY_TYPES.get(record.history_type, record.history_type),
        model=str(model._meta.verbose_name),
        object_id=record.id,
        summary=audit_label(model, record),
        changes=changes,
    )
