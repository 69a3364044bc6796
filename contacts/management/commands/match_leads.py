from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from abm_platform.models import Workspace
from contacts.services.files import leads_match_file


class Command(BaseCommand):
    help = ("Match LEADS.csv (lead_id,email,company,website,phone,country,title) to the workspace's accounts and "
            "write RESULT.csv (lead_id,account_external_id,confidence,method,decision,reasons). Reads only.")

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="Workspace slug.")
        parser.add_argument("leads", type=Path)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, workspace, leads, out, **options):
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.")
        try:
            decisions = leads_match_file(workspace=ws, leads_path=leads, out_path=out)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(
            f"{sum(decisions.values())} leads → auto {decisions['auto']}, review {decisions['review']}, "
            f"none {decisions['none']}; written to {out}"))
