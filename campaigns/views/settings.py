"""Owner consents (an account owner lets a play touch an account sales is working) and webhook
subscriptions (admins; the signing secret is shown once)."""
from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from abm_platform.tenancy.roles import ADMINS, SELLERS, Role
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from accounts.models import Account, Hold
from accounts.services.holds import active_holds_q
from campaigns.forms import OwnerConsentForm, WebhookForm
from campaigns.models import OwnerConsent, WebhookDelivery, WebhookSubscription
from campaigns.selectors import owner_consent_queryset
from campaigns.services import editing
from campaigns.views.display import errors_to_form


def consent_accounts(workspace, user, role) -> list[Account]:
    """Accounts a consent is for: sales is working them (an open deal or an active hold); a rep
    sees the ones they own or are SDR of, an admin all of them."""
    holds = Hold.objects.for_workspace(workspace).filter(active_holds_q(), account=OuterRef("pk"))
    accounts = Account.objects.for_workspace(workspace).filter(Q(has_open_opportunity=True) | Exists(holds))
    if role != Role.ADMIN:
        accounts = accounts.filter(Q(owner=user) | Q(sdr=user))
    return list(accounts.only("pk", "name").order_by("name")[:500])


class OwnerConsentView(WorkspaceView, View):
    template_name = "campaigns/consents.html"
    write_roles = SELLERS

    def get(self, request):
        initial = {k: request.GET[k] for k in ("account", "play") if request.GET.get(k, "").isdigit()}
        return self.render_page(self.form(initial=initial))

    def form(self, data=None, initial=None):
        return OwnerConsentForm(data, initial=initial, workspace=self.workspace,
                                accounts=consent_accounts(self.workspace, self.request.user, self.role)
                                if self.can(SELLERS) else [])

    def render_page(self, form, status=200):
        show = self.request.GET.get("show", "active")
        consents = owner_consent_queryset(workspace=self.workspace)
        if show == "active":
            consents = consents.filter(expires_at__gt=timezone.now())
        page = Paginator(consents, 50).get_page(self.request.GET.get("page"))
        return render(self.request, self.template_name, {
            "form": form, "consents": page.object_list, "page_obj": page, "is_paginated": page.has_other_pages(),
            "show": show, "now": timezone.now(), "soon": timezone.now() + timedelta(days=7),
            "can_give": self.can(SELLERS), "section_tab": "consents", "user_id": self.request.user.pk,
            "is_admin": self.role == Role.ADMIN}, status=status)

    def post(self, request):
        form = self.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            account = Account.objects.for_workspace(self.workspace).filter(pk=int(data["account"])).first()
            try:
                if account is None:
                    raise ValidationError({"account": ["No such account."]})
                editing.owner_consent_give(workspace=self.workspace, account=account, play=data["play"],
                                           by=request.user, expires_at=data["expires_on"], comment=data["comment"],
                                           as_admin=self.role == Role.ADMIN)
            except PermissionDenied as error:
                form.add_error("account", str(error))
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, f"{data['play'].campaign.name} · {data['play'].name} may touch "
                                          f"{account.name} until {data['expires_on']:%Y-%m-%d}.")
                return redirect("campaigns:consents")
        return self.render_page(form, status=400)


class OwnerConsentRevokeView(WorkspaceObjectMixin, View):
    model = OwnerConsent
    write_roles = SELLERS

    def scope_queryset(self, queryset):
        return queryset.select_related("account")

    def get(self, request, pk):
        self.get_object()
        return redirect("campaigns:consents")

    def post(self, request, pk):
        consent = self.get_object()
        try:
            editing.owner_consent_revoke(consent=consent, by=request.user, as_admin=self.role == Role.ADMIN)
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Consent for {consent.account.name} revoked.")
        return redirect("campaigns:consents")


class WebhookListView(WorkspaceView, View):
    template_name = "campaigns/webhooks.html"
    read_roles = ADMINS
    write_roles = ADMINS

    def get(self, request):
        return self.render_page(WebhookForm())

    def render_page(self, form, *, secret=None, created=None, status=200):
        subscriptions = list(WebhookSubscription.objects.for_workspace(self.workspace).order_by("name")[:200])
        return render(self.request, self.template_name, {
            "form": form, "subscriptions": subscriptions, "secret": secret, "created": created,
            "section_tab": "webhooks"}, status=status)

    def post(self, request):
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                subscription, secret = editing.webhook_subscription_create(workspace=self.workspace,
                                                                           **form.cleaned_data)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                # Shown once, on this answer only: never stored in the session or a message.
                return self.render_page(WebhookForm(), secret=secret, created=subscription, status=201)
        return self.render_page(form, status=400)


class WebhookEditView(WorkspaceObjectMixin, View):
    """POST: save, switch on/off, rotate the secret (shown once) or delete."""

    model = WebhookSubscription
    read_roles = ADMINS
    write_roles = ADMINS
    template_name = "campaigns/webhook.html"

    def get(self, request, pk):
        subscription = self.get_object()
        form = WebhookForm(initial={"name": subscription.name, "url": subscription.url,
                                    "events": ", ".join(subscription.events), "is_active": subscription.is_active})
        return self.render_page(subscription, form)

    def render_page(self, subscription, form, *, secret=None, status=200):
        deliveries = list(WebhookDelivery.objects.for_workspace(self.workspace).filter(subscription=subscription)
                          .order_by("-created_at", "-pk")[:20])
        return render(self.request, self.template_name, {"subscription": subscription, "form": form, "secret": secret,
                                                          "deliveries": deliveries, "section_tab": "webhooks"},
                      status=status)

    def post(self, request, pk):
        subscription = self.get_object()
        action = request.POST.get("action", "save")
        if action == "delete":
            name = subscription.name
            editing.webhook_subscription_delete(subscription=subscription)
            messages.success(request, f"Webhook “{name}” deleted.")
            return redirect("campaigns:webhooks")
        if action == "rotate":
            subscription, secret = editing.webhook_subscription_rotate_secret(subscription=subscription)
            return self.render_page(subscription, WebhookForm(initial={
                "name": subscription.name, "url": subscription.url, "events": ", ".join(subscription.events),
                "is_active": subscription.is_active}), secret=secret)
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                editing.webhook_subscription_update(subscription=subscription, **form.cleaned_data)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "Webhook saved.")
                return redirect("campaigns:webhook", pk=subscription.pk)
        return self.render_page(subscription, form, status=400)

