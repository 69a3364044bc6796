"""`python manage.py refresh_signals --workspace SLUG` — the periodic refresh, now, in this
process (the same job the schedule and the "Refresh now" button start); prints the report."""
from django.core.management.base import BaseCommand, CommandError

from abm_platform.models import JobStatus, Membership, Workspace


class Command(BaseCommand):
    help = ("Refresh a workspace's signals now: pull file drops, retry unresolved signals, reweigh engagement, "
            "then queue the scoring recompute. Exit status 0 done, 1 the refresh failed, 2 nothing to do.")

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="Workspace slug.")
        parser.add_argument("--by", metavar="EMAIL", help="Member recorded as having started the refresh.")

    def handle(self, *args, **options):
        from insights import tasks  # registers the task; its runner claims, reports and finishes the job
        from insights.signals.services.refresh import signals_refresh_start

        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug {options['workspace']!r}.", returncode=2)
        by = None
        if options["by"]:
            membership = Membership.objects.for_workspace(workspace).filter(
                user__email=options["by"].strip().lower()).select_related("user").first()
            if membership is None:
                raise CommandError(f"{options['by']} is not a member of {workspace.slug}.", returncode=2)
            by = membership.user
        job, started = signals_refresh_start(workspace=workspace, by=by, trigger="command", queue=False)
        if not started:
            raise CommandError(f"A refresh of {workspace.slug} is already {job.status} (job #{job.pk}).",
                               returncode=2)
        tasks.refresh_signals.apply(kwargs={"job_id": job.pk})
        job.refresh_from_db()
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"Refresh job #{job.pk} {job.status}: {job.error or job.message}", returncode=1)
        result = job.result
        self.stdout.write(f"Job #{job.pk}: signals of {workspace.name} refreshed.")
        for name, summary in result.get("providers", {}).items():
            self.stdout.write(f"  {name}: {summary}")
        self.stdout.write(f"  file drops: {result['files']} file(s), {result['created']:,} new signals, "
                          f"{result['duplicates']:,} duplicates, {result['unresolved']:,} unresolved, "
                          f"{result['rejected']:,} rejected")
        self.stdout.write(f"  unresolved signals retried: {result['unresolved_retried']:,}, "
                          f"resolved: {result['unresolved_resolved']:,}")
        self.stdout.write(f"  engagement events reweighed: {result['events_reweighed']:,}")
        self.stdout.write(f"  next refresh: {result['next_refresh_at']}; scoring recompute queued.")
        self.stdout.write(f"Report: /jobs/{job.pk}/")
