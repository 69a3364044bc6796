"""`python manage.py import_accounts --workspace SLUG FILE [--dry-run] [--map COLUMN=FIELD …]`"""
import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter

from abm_platform.models import Job, JobStatus, Membership, Workspace
from accounts.services.imports import (
    IMPORT_KINDS, ImportFileError, import_execute, import_file_discard, import_file_store, import_start,
)

RULES = """
Rules: the header row names the columns (line 1); line numbers are the rows a spreadsheet
shows. An empty cell leaves the stored value as it is (it never blanks a field). Multi-valued
cells are ;-separated. A row with any error is rejected whole and listed with its line, column
and reason; the other rows land. Running the same file again changes nothing.
CSV in UTF-8 (with or without BOM), UTF-16 or Windows-1252, separated by , ; tab or |; or XLSX
(first sheet).

Exit status: 0 every row landed; 1 some rows were rejected (the others landed); 2 nothing was
imported (unknown workspace, unreadable file or a wrong header).
"""


class ImportCommand(BaseCommand):
    """Runs an import in this process, through the same service and Job as the UI: the job shows
    on the Jobs page with its report."""

    kind = "accounts"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX file.")
        parser.add_argument("--workspace", required=True, help="Workspace slug.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Check every row and report what would happen; change nothing.")
        parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                            help="Import the file's COLUMN as FIELD (FIELD empty: skip the column). Repeatable.")
        parser.add_argument("--by", metavar="EMAIL", help="Member recorded as the author of the changes.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = RULES
        parser.formatter_class = _RawEpilog
        return parser

    def handle(self, *args, **options):
        spec = IMPORT_KINDS[self.kind]
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug {options['workspace']!r}.", returncode=2)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.", returncode=2)
        mapping = _mapping(options["map"])
        by = _member(workspace, options["by"])
        try:
            if options["dry_run"]:
                outcome = import_execute(workspace=workspace, kind=spec, path=path, mapping=mapping, by=by,
                                         dry_run=True)
                summary, errors, job = outcome.summary, outcome.errors, None
            else:
                job = self._run(workspace, spec, path, mapping, by)
                summary, errors = job.result, job.error_report
        except ImportFileError as error:
            raise CommandError(f"{path.name} was not imported:\n" + "\n".join(
                f"  {_where(p)}{p['reason']}" for p in error.problems), returncode=2) from None
        self._report(path, workspace, spec, summary, errors, job, dry_run=options["dry_run"])
        if summary.get("rejected"):
            raise CommandError(f"{summary['rejected']} of {summary['total']} rows were rejected.", returncode=1)

    def _run(self, workspace, spec, path: Path, mapping, by) -> Job:
        from accounts import tasks  # registers the task names; the runner claims, reports and finishes

        with path.open("rb") as file:
            upload = import_file_store(workspace=workspace, file=file, filename=path.name)
        try:
            job = import_start(workspace=workspace, kind=spec.name, upload=upload, filename=path.name,
                               mapping=mapping, by=by, queue=False)
        except ImportFileError:
            import_file_discard(workspace_id=workspace.pk, upload=upload)
            raise
        task = tasks.import_accounts if spec.name == "accounts" else tasks.import_opportunities
        task.apply(kwargs={"job_id": job.pk})
        job.refresh_from_db()
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"Import job #{job.pk} {job.status}: {job.error or job.message}", returncode=2)
        return job

    def _report(self, path, workspace, spec, summary, errors, job, *, dry_run: bool) -> None:
        head = "Dry run, nothing was changed" if dry_run else f"Job #{job.pk}"
        self.stdout.write(
            f"{head}: {path.name} → {spec.label.lower()} of {workspace.name}: {summary['total']:,} rows, "
            f"{summary['created']:,} created, {summary['updated']:,} updated, {summary['unchanged']:,} unchanged, "
            f"{summary['rejected']:,} rejected.")
        if errors:
            self.stdout.write("Rejected rows:")
            for row in errors:
                value = f" (value: {row['value']!r})" if row.get("value") else ""
                self.stdout.write(f"  {_where(row)}{row['reason']}{value}")
        if job is not None:
            self.stdout.write(f"Report: /jobs/{job.pk}/")


class Command(ImportCommand):
    help = "Import accounts from a CSV or XLSX file: upsert by external_id, else by domain."
    kind = "accounts"


def _where(problem: dict) -> str:
    parts = []
    if problem.get("line"):
        parts.append(f"line {problem['line']}")
    if problem.get("column"):
        parts.append(f"column {problem['column']}")
    return ", ".join(parts) + ": " if parts else ""


def _mapping(pairs: list[str]) -> dict[str, str] | None:
    mapping = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        if not sep:
            raise CommandError(f"--map takes COLUMN=FIELD, not {pair!r}.", returncode=2)
        mapping[column.strip()] = target.strip()
    return mapping or None


def _member(workspace, email: str | None):
    if not email:
        return None
    membership = (Membership.objects.for_workspace(workspace).select_related("user")
                  .filter(user__email__iexact=email.strip()).first())
    if membership is None:
        raise CommandError(f"{email} is not a member of {workspace.name}.", returncode=2)
    return membership.user


class _RawEpilog(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's option order, with the rules printed as written."""
