"""`python manage.py import_opportunities --workspace SLUG FILE [--dry-run] [--map COLUMN=FIELD …]`"""
from accounts.management.commands.import_accounts import ImportCommand


class Command(ImportCommand):
    help = ("Import opportunities from a CSV or XLSX file: upsert by external_id; the account by "
            "account_external_id or account_domain, the stage by name.")
    kind = "opportunities"
