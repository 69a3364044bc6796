"""Signal providers: configuring them, and pulling the file drops during a refresh.

A file-drop provider reads a folder: `config = {"path": "<folder>"}`, relative to the
workspace's drop folder `<SIGNAL_DROP_ROOT>/<workspace id>/` (default
`MEDIA_ROOT/signal-drops/<workspace id>/`). A workspace can never name a folder outside its own
(other workspaces' drops, the server's files). Each refresh ingests the files that are there —
CSV, TSV, XLSX, JSON or JSON lines, of the provider's signal kind — and moves each into
`processed/` (or `failed/` when the file as a whole cannot be read), so no file is ingested
twice; a file ingested again anyway (moved back by hand) only yields duplicates. Files whose
name starts with a dot or ends in .part/.tmp are still being written and are left alone.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from abm_platform.models import Workspace
from insights.signals.adapters import FILE_EXTENSIONS, FileAdapter, SignalFileError
from insights.signals.models import ProviderKind, SignalKind, SignalProvider
from insights.signals.services.ingest import IngestContext, IngestReport, signals_ingest

PROCESSED = "processed"
FAILED = "failed"
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".partial")


def drop_root(workspace_id: int) -> Path:
    base = getattr(settings, "SIGNAL_DROP_ROOT", None) or Path(settings.MEDIA_ROOT) / "signal-drops"
    return (Path(base) / str(int(workspace_id))).resolve()


def drop_folder(provider: SignalProvider) -> Path:
    """The provider's folder, inside the workspace's drop root (ValidationError otherwise)."""
    return _folder(provider.workspace_id, (provider.config or {}).get("path", ""))


def _folder(workspace_id: int, raw_path) -> Path:
    if not isinstance(raw_path, str) or not raw_path.strip():
        raise ValidationError({"config": ['A file drop needs {"path": "<folder>"} (relative to the workspace\'s '
                                          'drop folder).']})
    root = drop_root(workspace_id)
    path = Path(raw_path.strip())
    folder = (path if path.is_absolute() else root / path).resolve()
    if folder != root and root not in folder.parents:
        raise ValidationError({"config": [f"The folder must be inside this workspace's drop folder {root}."]})
    return folder


def signal_provider_save(*, workspace: Workspace, name: str, kind: str, signal_kind: str = SignalKind.ENGAGEMENT,
                         config: dict | None = None, is_active: bool = True,
                         provider: SignalProvider | None = None, create_folder: bool = True) -> SignalProvider:
    """Create or change a provider. A file drop's folder is checked (and created, unless
    `create_folder` is off: a missing folder is simply empty at the next pull)."""
    provider = provider or SignalProvider(workspace=workspace)
    if provider.workspace_id != workspace.pk:
        raise ValidationError("This provider belongs to another workspace.")
    provider.name = (name or "").strip().lower()
    provider.kind = kind
    provider.signal_kind = signal_kind
    provider.config = config or {}
    provider.is_active = is_active
    if not isinstance(provider.config, dict):
        raise ValidationError({"config": ["Give an object."]})
    provider.full_clean()
    if kind == ProviderKind.FILE_DROP:
        folder = drop_folder(provider)
        if create_folder:
            folder.mkdir(parents=True, exist_ok=True)
    provider.save()
    return provider


def signal_provider_delete(*, provider: SignalProvider) -> None:
    """Signals it delivered stay (they carry its name as their source)."""
    provider.delete()


def pending_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and not p.name.lower().endswith(IN_PROGRESS_SUFFIXES)
                  and p.suffix.lower().lstrip(".") in FILE_EXTENSIONS)


def file_drop_pull(*, provider: SignalProvider, context: IngestContext | None = None) -> dict:
    """Ingest every waiting file of a file-drop provider and move it away. Returns
    {"files": n, "failed_files": [...], "created": n, "duplicates": n, "unresolved": n, "rejected": n}."""
    folder = drop_folder(provider)
    context = context or IngestContext(workspace=provider.workspace_id, source=provider.name)
    total = IngestReport(kind=provider.signal_kind)
    files, failed = 0, []
    for path in pending_files(folder):
        adapter = FileAdapter(path=path, kind=provider.signal_kind, source=provider.name, force_source=True)
        try:
            report = signals_ingest(workspace=provider.workspace_id, kind=adapter.kind, rows=adapter.rows(),
                                    source=provider.name, context=context)
        except SignalFileError as error:
            failed.append({"file": path.name, "reason": str(error)})
            _move(path, folder / FAILED)
            continue
        total.merge(report)
        files += 1
        _move(path, folder / PROCESSED)
    with transaction.atomic():
        SignalProvider.objects.for_workspace(provider.workspace_id).filter(pk=provider.pk).update(
            last_fetched_at=timezone.now())
    return {"files": files, "failed_files": failed, **{k: v for k, v in total.counts().items() if k != "kind"},
            "errors": total.errors[:200]}


def _move(path: Path, target_folder: Path) -> None:
    target_folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    shutil.move(str(path), str(target_folder / f"{stamp}-{path.name}"))
