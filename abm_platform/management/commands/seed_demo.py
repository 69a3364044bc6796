from django.core.management.base import BaseCommand

from abm_platform.services.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create the demo workspace with one user per role and realistic data (safe to re-run)."

    def handle(self, *args, **options):
        workspace, logins = demo_seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo workspace “{workspace.name}” ({workspace.slug}) is ready."))
        self.stdout.write(f"Sign in at http://127.0.0.1:8000/login/ with password {DEMO_PASSWORD!r} as:")
        for email, role in logins:
            self.stdout.write(f"  {role:<10} {email}")
