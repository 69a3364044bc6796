"""`python manage.py export_accounts --workspace SLUG [FILTER=VALUE …] --out FILE`"""
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from abm_platform.models import Workspace
from accounts.selectors import account_list
from accounts.services.exports import account_export_rows, csv_stream


class Command(BaseCommand):
    help = ("Export accounts to CSV with the account import's columns (so the file imports back unchanged). "
            "Filters are the accounts list's query parameters, e.g. country=DE,AT employees_min=500 tier=<tier id> "
            "q=acme has_open_opportunity=false attr_<key>=<value>.")

    def add_arguments(self, parser):
        parser.add_argument("filters", nargs="*", metavar="FILTER=VALUE", help="Filters as on the accounts list.")
        parser.add_argument("--workspace", required=True, help="Workspace slug.")
        parser.add_argument("--out", required=True, help="File to write, or - for standard output.")

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug {options['workspace']!r}.", returncode=2)
        params = QueryDict(mutable=True)
        for pair in options["filters"]:
            key, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"Filters take FILTER=VALUE, not {pair!r}.", returncode=2)
            params.appendlist(key.strip(), value.strip())
        filterset = account_list(workspace=workspace, params=params)
        if not filterset.is_valid():
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())
            raise CommandError(f"Invalid filters: {problems}", returncode=2)
        counter = {"rows": -1}  # the header is a row too

        def counted(rows):
            for row in rows:
                counter["rows"] += 1
                yield row

        rows = account_export_rows(workspace=workspace, queryset=filterset.qs)
        if options["out"] == "-":
            for piece in csv_stream(counted(rows)):
                self.stdout.write(piece, ending="")
        else:
            with open(options["out"], "w", encoding="utf-8", newline="") as out:
                for piece in csv_stream(counted(rows)):
                    out.write(piece)
        if options["out"] != "-":
            self.stderr.write(f"{counter['rows']:,} accounts written to {options['out']}.")
