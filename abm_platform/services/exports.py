"""Workspace export: every tenant-owned record, one file per model, zipped — the team's data is
theirs to take. Runs as a background job; later apps' models are included automatically."""
import csv
import io
import json
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from abm_platform.jobs import job_start
from abm_platform.models import Job, Workspace
from abm_platform.tenancy.models import workspace_scoped_models

EXPORT_FORMATS = ("csv", "json")
EXPORT_TASK = "abm_platform.workspace_export"
BATCH_SIZE = 2000


def workspace_export_start(*, workspace: Workspace, by=None, fmt: str = "csv") -> Job:
    return job_start(workspace=workspace, kind="workspace_export", task=EXPORT_TASK, by=by, params={"format": fmt})


def export_path(job: Job) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / str(job.workspace_id) / f"workspace-export-{job.pk}.zip"


def workspace_export_run(*, job: Job, progress) -> dict:
    """Write the zip. Idempotent: a re-run rewrites the same file from scratch."""
    fmt = job.params.get("format", "csv")
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Unsupported export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    models = workspace_scoped_models()
    counts = {m._meta.label: m.objects.for_workspace(job.workspace_id).count() for m in models}
    progress.set_total(sum(counts.values()))
    path = export_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    done = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for model in models:
            columns = [f.attname for f in model._meta.concrete_fields if f.name not in model.export_exclude_fields]
            rows = model.objects.for_workspace(job.workspace_id).order_by("pk").values_list(*columns)
            name = f"{model._meta.label_lower.replace('.', '__')}.{fmt}"
            with archive.open(name, "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = _writer(fmt, text, columns)
                for row in rows.iterator(chunk_size=BATCH_SIZE):
                    writer(row)
                    done += 1
                    if done % BATCH_SIZE == 0:
                        progress.update(done, message=f"Exporting {model._meta.verbose_name_plural}")
                if fmt == "json":
                    text.write("]\n")
                text.flush()
                text.detach()
    progress.update(done)
    return {"file": str(path.relative_to(settings.MEDIA_ROOT)), "format": fmt, "rows": counts,
            "total_rows": done, "bytes": path.stat().st_size}


def _writer(fmt: str, text, columns):
    if fmt == "csv":
        writer = csv.writer(text)
        writer.writerow(columns)
        return writer.writerow
    text.write("[\n")
    first = [True]

    def write_json(row) -> None:
        text.write(("" if first[0] else ",\n") + json.dumps(dict(zip(columns, row)), cls=DjangoJSONEncoder))
        first[0] = False

    return write_json
