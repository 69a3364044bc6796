from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from abm_platform.jobs import job_create
from abm_platform.models import Job, JobStatus, Workspace
from contacts.services.files import contacts_import_file


class Command(BaseCommand):
    help = ("Import contacts from CSV/XLSX (columns: external_id,email,first_name,last_name,phone,job_title,company_name,"
            "website,country,source,owner_email,account_external_id,account_domain). Upserts by CRM id, else e-mail; "
            "each contact is matched to an account. Exit 1 when rows were rejected, 2 when nothing was imported.")

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="Workspace slug.")
        parser.add_argument("file", type=Path)

    def handle(self, *args, workspace, file, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.", returncode=2)
        job = job_create(workspace=ws, kind="contact_import", params={"filename": file.name})
        try:
            outcome = contacts_import_file(workspace=ws, path=file)
        except Exception as error:
            Job.objects.for_workspace(ws).filter(pk=job.pk).update(status=JobStatus.FAILED, error=str(error))
            raise CommandError(str(error), returncode=2) from None
        Job.objects.for_workspace(ws).filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED, result=outcome["counts"], error_report=outcome["errors"],
            progress_done=sum(outcome["counts"].values()), progress_total=sum(outcome["counts"].values()))
        self.stdout.write(f"{outcome['counts']}")
        for error in outcome["errors"]:
            self.stdout.write(f"  line {error['line']}: {error['column']}: {error['reason']}")
        if outcome["errors"]:
            raise CommandError(f"{outcome['counts'].get('error', 0)} rows rejected (the others landed).", returncode=1)
