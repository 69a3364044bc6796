"""The lead review queue: leads the matcher was unsure about, best first, and a person's decision
(accept the suggestion, pick another account, no account, create a new account)."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import ListView

from abm_platform.tenancy.roles import EDITORS
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from accounts.models import Account
from contacts.forms import ReviewDecisionForm
from contacts.matching.normalise import mailbox_kind, registrable_domain
from contacts.models import MatchReview, ReviewStatus
from contacts.services.matching import contacts_match_start, match_review_decide
from contacts.views.display import decorate

MAILBOX_LABELS = {"free": "free-mail", "disposable": "disposable", "corporate": "company e-mail"}


class ReviewQueueView(WorkspaceView, ListView):
    """Open reviews, highest confidence first; the candidates of the whole page are read at once."""

    template_name = "contacts/review_queue.html"
    paginate_by = 50
    context_object_name = "reviews"

    def get_queryset(self):
        return (MatchReview.objects.for_workspace(self.workspace).filter(status=ReviewStatus.OPEN)
                .select_related("contact", "suggested_account__tier").order_by("-confidence", "created_at", "id"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reviews = list(context["reviews"])
        candidate_ids = {c.get("account_id") for r in reviews for c in r.candidates or []}
        accounts = Account.objects.for_workspace(self.workspace).filter(pk__in=candidate_ids).select_related("tier")
        by_id = {a.pk: a for a in accounts} if candidate_ids else {}
        for review in reviews:
            decorate(review.contact)
            domain = registrable_domain(review.contact.email) if review.contact.email else ""
            review.email_domain = domain
            review.mailbox = MAILBOX_LABELS.get(mailbox_kind(domain), "") if domain else ""
            review.candidate_rows = [
                {"account": by_id[c["account_id"]], "score": c.get("score") or 0,
                 "suggested": c["account_id"] == review.suggested_account_id}
                for c in review.candidates or [] if c.get("account_id") in by_id]
            review.others = [row for row in review.candidate_rows if not row["suggested"]]
        context.update(
            reviews=reviews,
            can_decide=self.can(EDITORS),
            recently_decided=MatchReview.objects.for_workspace(self.workspace).exclude(status=ReviewStatus.OPEN)
            .filter(decided_at__isnull=False).select_related("contact", "contact__account", "decided_by")
            .order_by("-decided_at")[:10],
        )
        return context


class MatchReviewDecideView(WorkspaceObjectMixin, View):
    model = MatchReview
    write_roles = EDITORS

    def post(self, request, pk):
        review = self.get_object()
        back = reverse("contacts:review_queue")
        form = ReviewDecisionForm(request.POST, workspace=self.workspace)
        if not form.is_valid():
            messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
            return redirect(f"{back}#review-{review.pk}")
        action, account = form.cleaned_data["action"], form.cleaned_data["account"]
        try:
            review = match_review_decide(review=review, by=request.user, action=action, account=account)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        messages.success(request, _decided_message(review, action))
        return redirect(back)


def _decided_message(review: MatchReview, action: str) -> str:
    contact = review.contact
    who = str(contact)
    if action == "reject":
        return f"{who} stays without an account."
    account = contact.account
    message = f"{who} is now linked to {account}."
    if action in ("accept", "pick") and contact.company_name:
        message += f" Leads typing “{contact.company_name}” will match it directly next time."
    if action == "new_account":
        message = f"Account {account} created and {who} linked to it."
    return message


class MatchUnlinkedView(WorkspaceView, View):
    """Start the background job that matches every contact without an account again."""

    write_roles = EDITORS

    def post(self, request):
        job = contacts_match_start(workspace=self.workspace, by=request.user)
        messages.success(request, "Matching started: contacts without an account are matched again.")
        return redirect("jobs:detail", pk=job.pk)
