"""Signal files uploaded in the UI (or given to the command line): stored, checked, then
ingested by a background job with progress; the job's report has the counts and every rejected
row with its line, column, reason and value (downloadable as CSV)."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from abm_platform.jobs import job_create, job_start
from abm_platform.models import Job, Workspace
from abm_platform.uploads import upload_write
from insights.signals.adapters import FILE_EXTENSIONS, FileAdapter, SignalFileError
from insights.signals.engine.rows import KINDS
from insights.signals.services.ingest import signals_ingest

IMPORT_TASK = "insights.import_signals"
IMPORT_JOB_KIND = "signal_import"
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
DEFAULT_SOURCE = "upload"
_UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}\.(?:%s)$" % "|".join(FILE_EXTENSIONS))


def signal_upload_path(*, workspace_id: int, upload: str) -> Path:
    """Where an upload lives; a name that is not one of ours is refused."""
    if not _UPLOAD_NAME.match(upload or ""):
        raise SignalFileError([{"line": None, "column": "", "reason": "This upload does not exist; upload the file "
                                                                      "again."}])
    return Path(settings.MEDIA_ROOT) / "signal-imports" / str(int(workspace_id)) / upload


def signal_file_store(*, workspace: Workspace, file, filename: str) -> str:
    extension = Path(filename or "").suffix.lower().lstrip(".")
    if extension not in FILE_EXTENSIONS:
        raise SignalFileError([{"line": None, "column": "", "reason": f"Upload a CSV, XLSX, JSON or JSON-lines file "
                                                                      f"(not .{extension or '?'})."}])
    upload = f"{uuid.uuid4().hex}.{extension}"
    size = upload_write(file, signal_upload_path(workspace_id=workspace.pk, upload=upload),
                        max_bytes=MAX_UPLOAD_BYTES)
    if size > MAX_UPLOAD_BYTES or size == 0:
        reason = "The file is empty." if size == 0 else f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB."
        raise SignalFileError([{"line": None, "column": "", "reason": reason}])
    return upload


def signal_import_start(*, workspace: Workspace, kind: str, upload: str, filename: str = "",
                        source: str = "", by=None, queue: bool = True) -> Job:
    """Check the file's header and queue its ingest. Raises SignalFileError (and removes the
    upload) when the file cannot be ingested at all."""
    if kind not in KINDS:
        raise SignalFileError([{"line": None, "column": "kind", "reason": f"Choose one of {', '.join(KINDS)}."}])
    path = signal_upload_path(workspace_id=workspace.pk, upload=upload)
    try:
        FileAdapter(path=path, kind=kind).check_header()
    except SignalFileError:
        path.unlink(missing_ok=True)
        raise
    params = {"kind": kind, "upload": upload, "filename": Path(filename or upload).name[:200],
              "source": (source or DEFAULT_SOURCE).strip().lower()[:50]}
    if not queue:
        return job_create(workspace=workspace, kind=IMPORT_JOB_KIND, by=by, params=params)
    return job_start(workspace=workspace, kind=IMPORT_JOB_KIND, task=IMPORT_TASK, by=by, params=params)


def signal_import_run(*, job: Job, progress) -> dict:
    """The job's work; the upload is removed once its rows are in (the report keeps the rest)."""
    params = job.params
    path = signal_upload_path(workspace_id=job.workspace_id, upload=params.get("upload", ""))
    adapter = FileAdapter(path=path, kind=params["kind"], source=params.get("source") or DEFAULT_SOURCE)
    total = adapter.count()
    progress.update(0, total=total, message=f"0 of {total:,} rows")

    def report(done: int) -> None:
        progress.update(done, message=f"{done:,} of {total:,} rows")

    outcome = signals_ingest(workspace=job.workspace_id, kind=adapter.kind, rows=adapter.rows(),
                             source=adapter.source, progress=report, read_ahead=True)
    Job.objects.for_workspace(job.workspace_id).filter(pk=job.pk).update(error_report=outcome.errors)
    path.unlink(missing_ok=True)
    result = {"file": params.get("filename", ""), **outcome.counts()}
    if adapter.ignored_columns:
        result["ignored_columns"] = ", ".join(adapter.ignored_columns)[:500]
    return result


def signal_import_jobs(*, workspace: Workspace):
    return Job.objects.for_workspace(workspace).filter(Q(kind=IMPORT_JOB_KIND))
