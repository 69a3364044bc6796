"""What the contacts layer adds to the dashboard (registered in ContactsConfig.ready)."""
from django.db.models import Count, Q

from contacts.models import Contact, MatchReview, ReviewStatus


def dashboard_panel(request, workspace) -> dict:
    contacts = Contact.objects.for_workspace(workspace).aggregate(
        total=Count("pk"), linked=Count("pk", filter=Q(account__isnull=False)),
        mql=Count("pk", filter=Q(lifecycle_stage="mql")))
    reviews = MatchReview.objects.for_workspace(workspace).filter(status=ReviewStatus.OPEN).count()
    return {"contacts": contacts, "reviews": reviews}
