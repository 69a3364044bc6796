"""Campaigns API: campaigns with their life cycle (pilot, owner-only expand, pause, resume, stop),
a preview of any step for any person and the pilot report; plays, steps and content templates
(checked at save time: an unknown variable or a syntax error is a 400 naming the line); the
touch outbox and its blocks; owner consents; sales tasks; webhook subscriptions.

Every object route fetches the object first (another workspace's id is a 404) and only then
reads the input."""
from __future__ import annotations

from dataclasses import asdict

from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from abm_platform.api.viewsets import WorkspaceViewSet
from abm_platform.tenancy.roles import ADMINS, INTEGRATION, MARKETERS, SELLERS, Role
from accounts.models import Account
from campaigns.api import serializers as s
from campaigns.models import (
    Campaign, ContentTemplate, Enrolment, OwnerConsent, Play, SalesTask, Step, TaskStatus, Touch, WebhookSubscription,
)
from campaigns.selectors import (
    OwnerConsentFilter, SalesTaskFilter, TouchFilter, campaign_queryset, campaigns_with_audience_sizes,
    owner_consent_queryset, sales_task_queryset, template_queryset, touch_queryset,
)
from campaigns.services import editing
from campaigns.services.enrolment import campaign_expand, campaign_set_status, campaign_start_pilot
from campaigns.services.exports import AD_LAYOUTS, DIRECT_MAIL, ExportError, step_export_csv
from campaigns.services.planning import touch_key
from campaigns.services.reports import pilot_report
from contacts.models import Contact

# Every person may be a campaign's owner; integrations (API keys) and viewers are not.
OWNERS = frozenset({Role.ADMIN, Role.MARKETING, Role.SALES, Role.EXECUTIVE})


class FilteredListMixin:
    """Lists filtered by the FilterSet the pages use too, built with the caller's workspace."""

    list_actions = ("list",)

    def filter_queryset(self, queryset):
        if self.action not in self.list_actions:
            return queryset
        filterset = self.filterset_class(self.request.query_params, queryset, request=self.request,
                                         workspace=self.workspace)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs


def _paginated(view, queryset, serializer_class, prepare=None):
    page = view.paginate_queryset(queryset)
    rows = prepare(page) if prepare else page
    return view.get_paginated_response(serializer_class(rows, many=True, context=view.get_serializer_context()).data)


# --- campaigns -------------------------------------------------------------------------------

class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Campaigns. Marketing creates and changes them, starts the pilot on 2–3 accounts of the
    audience and pauses, resumes or stops them; only the owner expands a pilot, with a comment."""

    model = Campaign
    serializer_class = s.CampaignSerializer
    write_roles = MARKETERS
    action_roles = {"expand": OWNERS}
    filterset_fields = ["status", "audience_kind", "owner"]

    def scope_queryset(self, queryset):
        only_ids = Account.unscoped_objects.only("pk")
        return campaign_queryset(workspace=self.workspace).prefetch_related(
            Prefetch("accounts", queryset=only_ids), Prefetch("pilot_accounts", queryset=only_ids))

    def _respond(self, campaign, code=status.HTTP_200_OK) -> Response:
        campaign = campaigns_with_audience_sizes([self.get_queryset().get(pk=campaign.pk)])[0]
        return Response(s.CampaignSerializer(campaign).data, status=code)

    def list(self, request):
        return _paginated(self, self.filter_queryset(self.get_queryset()), s.CampaignSerializer,
                          prepare=campaigns_with_audience_sizes)

    def retrieve(self, request, pk=None):
        return self._respond(self.get_object())

    def _input(self, request, partial: bool) -> dict:
        data = s.CampaignInputSerializer(data=request.data, partial=partial, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    @extend_schema(request=s.CampaignInputSerializer, responses={201: s.CampaignSerializer})
    def create(self, request):
        campaign = editing.campaign_create(workspace=self.workspace, by=request.user, **self._input(request, False))
        return self._respond(campaign, status.HTTP_201_CREATED)

    @extend_schema(request=s.CampaignInputSerializer, responses=s.CampaignSerializer)
    def update(self, request, pk=None):
        campaign = self.get_object()
        return self._respond(editing.campaign_update(campaign=campaign, by=request.user, **self._input(request, False)))

    @extend_schema(request=s.CampaignInputSerializer, responses=s.CampaignSerializer)
    def partial_update(self, request, pk=None):
        campaign = self.get_object()
        return self._respond(editing.campaign_update(campaign=campaign, by=request.user, **self._input(request, True)))

    def destroy(self, request, pk=None):
        editing.campaign_delete(campaign=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.CampaignPilotInputSerializer, responses=s.CampaignSerializer)
    @action(detail=True, methods=["post"], url_path="start-pilot")
    def start_pilot(self, request, pk=None):
        """Start the pilot on 2–3 accounts of the audience: they are enrolled in the manual plays."""
        campaign = self.get_object()
        data = s.CampaignPilotInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(campaign_start_pilot(campaign=campaign, by=request.user,
                                                  account_ids=data.validated_data["accounts"]))

    @extend_schema(request=s.ExpandInputSerializer, responses=s.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def expand(self, request, pk=None):
        """The owner expands the pilot to the whole audience, saying why (recorded). Anyone else: 403."""
        campaign = self.get_object()
        data = s.ExpandInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(campaign_expand(campaign=campaign, by=request.user,
                                             comment=data.validated_data["comment"]))

    def _status(self, request, new_status: str) -> Response:
        return self._respond(campaign_set_status(campaign=self.get_object(), by=request.user, status=new_status))

    @extend_schema(request=None, responses=s.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._status(request, "paused")

    @extend_schema(request=None, responses=s.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._status(request, "resume")

    @extend_schema(request=None, responses=s.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        """Stop for good: every active enrolment ends."""
        return self._status(request, "stopped")

    @extend_schema(parameters=[
        OpenApiParameter("step", int, required=True, description="A step of this campaign."),
        OpenApiParameter("account", int, required=False, description="The account (default: the person's)."),
        OpenApiParameter("contact", int, required=False, description="The person (none for account-level steps)."),
        OpenApiParameter("arm", str, required=False, description="A/B arm; default: the person's own arm."),
    ], responses=s.PreviewSerializer)
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """The step's content rendered for one account and person, as it would be sent: their A/B
        arm and DISC variant; template problems come back in `errors` with their line."""
        campaign = self.get_object()
        params = request.query_params
        step = _scoped(Step, self.workspace, params.get("step"), "step", play__campaign=campaign)
        contact = _scoped(Contact, self.workspace, params.get("contact"), "contact") if params.get("contact") else None
        if params.get("account"):
            account = _scoped(Account, self.workspace, params.get("account"), "account")
        elif contact is not None and contact.account_id:
            account = contact.account
        else:
            raise ValidationError({"account": ["Give an account (or a person linked to one)."]})
        if contact is not None and contact.account_id not in (None, account.pk):
            raise ValidationError({"contact": ["This person is not at that account."]})
        body = {"step": step.pk, "template": step.template_id, "account": account.pk,
                "contact": contact.pk if contact else None}
        if step.template is None:
            return Response({**body, "ok": True, "variant": "", "subject": "", "body_text": "", "body_html": None,
                             "errors": []})
        enrolment = (Enrolment.objects.for_workspace(self.workspace).filter(play_id=step.play_id, account=account)
                     .order_by("-started_at").first())
        key = touch_key(enrolment.pk, step.pk, contact.pk if contact else None) if enrolment else None
        preview = editing.template_preview(template=step.template, account=account, contact=contact,
                                           arm=params.get("arm") or None, key=key)
        return Response({**body, "ok": preview.ok, "variant": preview.variant, "subject": preview.subject,
                         "body_text": preview.body_text, "body_html": preview.body_html,
                         "errors": [asdict(p) | {"text": str(p)} for p in preview.problems]})

    @extend_schema(responses=s.PilotReportSerializer)
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        """The pilot report: touches sent and blocked by reason, each pilot account's engagement
        against its own 4-week baseline, meetings and opportunities since enrolment, A/B results."""
        report = pilot_report(campaign=self.get_object())
        return Response(s.PilotReportSerializer(report).data)


def _scoped(model, workspace, value, name, **conditions):
    if value in (None, "") or not str(value).isdigit():
        raise ValidationError({name: [f"Give a {name} id."]})
    found = model.objects.for_workspace(workspace).filter(pk=int(value), **conditions).first()
    if found is None:
        raise ValidationError({name: [f"No such {name}."]})
    return found


# --- plays, steps, templates -----------------------------------------------------------------

class PlayViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, mixins.DestroyModelMixin, WorkspaceViewSet):
    """Plays of a campaign: trigger, exit goal, priority and their ordered steps."""

    model = Play
    serializer_class = s.PlaySerializer
    write_roles = MARKETERS
    filterset_fields = ["campaign", "is_active", "trigger"]

    def scope_queryset(self, queryset):
        return queryset.prefetch_related(Prefetch("steps", queryset=Step.unscoped_objects.order_by("order")))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = editing.play_create(campaign=data.pop("campaign"), **data)

    def perform_update(self, serializer):
        serializer.instance = editing.play_update(play=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        editing.play_delete(play=instance)

    @extend_schema(request=s.ReorderSerializer, responses=s.PlaySerializer)
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        """Put the play's steps in a new order: every step id of the play, once."""
        play = self.get_object()
        data = s.ReorderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        editing.steps_reorder(play=play, step_ids=data.validated_data["steps"])
        play = self.get_queryset().get(pk=play.pk)
        return Response(s.PlaySerializer(play, context=self.get_serializer_context()).data)


class StepViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, mixins.DestroyModelMixin, WorkspaceViewSet):
    """Steps of plays. A new step goes at the end of its play; its audience inside the account is
    `audience_filter` {"roles": [...], "seniorities": [...], "personas": [ids], "disc_styles": [...]}."""

    model = Step
    serializer_class = s.StepSerializer
    write_roles = MARKETERS
    # The files hold people (hashed e-mails; names and addresses for the vendor): marketing and
    # read-write integrations that hand them to the platforms.
    action_roles = {"export": MARKETERS | {INTEGRATION}}
    filterset_fields = ["play", "channel"]

    def scope_queryset(self, queryset):
        return queryset.order_by("play_id", "order")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = editing.step_create(play=data.pop("play"), **data)

    def perform_update(self, serializer):
        serializer.instance = editing.step_update(step=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        editing.step_delete(step=instance)

    @extend_schema(parameters=[OpenApiParameter(
        "layout", enum=[*AD_LAYOUTS, DIRECT_MAIL], required=False,
        description="Ad audience steps: linkedin_contacts (default), linkedin_companies or google_customer_match; "
                    "direct-mail steps: direct_mail.")],
        responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The step's file for LinkedIn Matched Audiences, Google Customer Match or the print
        vendor (CSV, streamed): the people of its sent touches, in the platform's own layout."""
        step = self.get_object()
        try:
            filename, pieces = step_export_csv(workspace=self.workspace, step_id=step.pk,
                                               layout=request.query_params.get("layout", ""))
        except ExportError as error:
            raise ValidationError({"layout": [str(error)]}) from None
        response = StreamingHttpResponse(pieces, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ContentTemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             mixins.UpdateModelMixin, mixins.DestroyModelMixin, WorkspaceViewSet):
    """Content templates (sandboxed Jinja2): a subject and body, DISC variants and A/B arms.
    Saving renders every text with sample data: an unknown variable or a syntax error is a 400
    whose messages name the field, the variant and the line."""

    model = ContentTemplate
    serializer_class = s.ContentTemplateSerializer
    write_roles = MARKETERS
    filterset_fields = ["channel"]

    def scope_queryset(self, queryset):
        return template_queryset(workspace=self.workspace).order_by("name", "pk")

    def perform_create(self, serializer):
        serializer.instance = editing.template_create(workspace=self.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = editing.template_update(template=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        editing.template_delete(template=instance)

    @extend_schema(parameters=[
        OpenApiParameter("account", int, required=False, description="Render for this account (default: sample data)."),
        OpenApiParameter("contact", int, required=False, description="… and this person."),
        OpenApiParameter("arm", str, required=False, description="A/B arm (default A)."),
    ], responses=s.PreviewSerializer)
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        template = self.get_object()
        params = request.query_params
        contact = _scoped(Contact, self.workspace, params.get("contact"), "contact") if params.get("contact") else None
        account = _scoped(Account, self.workspace, params.get("account"), "account") if params.get("account") else (
            contact.account if contact is not None and contact.account_id else None)
        preview = editing.template_preview(template=template, account=account, contact=contact,
                                           arm=params.get("arm") or None)
        return Response({"ok": preview.ok, "step": 0, "template": template.pk,
                         "account": account.pk if account else None, "contact": contact.pk if contact else None,
                         "variant": preview.variant, "subject": preview.subject, "body_text": preview.body_text,
                         "body_html": preview.body_html,
                         "errors": [asdict(p) | {"text": str(p)} for p in preview.problems]})


# --- touches ---------------------------------------------------------------------------------

class TouchViewSet(FilteredListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """The outbox: every touch planned, deferred, blocked (rule, code and reason), sent or failed.
    `blocks/` lists only the blocked ones, with the same filters."""

    model = Touch
    serializer_class = s.TouchSerializer
    filterset_class = TouchFilter
    list_actions = ("list", "blocks")

    def scope_queryset(self, queryset):
        return touch_queryset(workspace=self.workspace)

    @action(detail=False, methods=["get"])
    def blocks(self, request):
        return _paginated(self, self.filter_queryset(self.get_queryset()).filter(status="blocked"), s.TouchSerializer)


# --- owner consents, sales tasks, webhooks ---------------------------------------------------

class OwnerConsentViewSet(FilteredListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, WorkspaceViewSet):
    """Owner consents: the account owner (or SDR; an admin for them) lets a play touch an account
    sales is working, until the consent expires. `revoke` ends one now."""

    model = OwnerConsent
    serializer_class = s.OwnerConsentSerializer
    filterset_class = OwnerConsentFilter
    write_roles = SELLERS

    def scope_queryset(self, queryset):
        return owner_consent_queryset(workspace=self.workspace)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = editing.owner_consent_give(
            workspace=self.workspace, account=data["account"], play=data["play"], by=self.request.user,
            expires_at=data["expires_at"], comment=data.get("comment", ""),
            as_admin=self.request.workspace_context.role == Role.ADMIN)

    @extend_schema(request=None, responses=s.OwnerConsentSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        consent = editing.owner_consent_revoke(consent=self.get_object(), by=request.user,
                                               as_admin=request.workspace_context.role == Role.ADMIN)
        return Response(s.OwnerConsentSerializer(consent).data)


class SalesTaskViewSet(FilteredListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, WorkspaceViewSet):
    """Sales tasks plays give reps: open ones first, the earliest due first (`?assignee=me` for
    your own). The assignee completes or skips a task with its outcome; an admin may for them."""

    model = SalesTask
    serializer_class = s.SalesTaskSerializer
    filterset_class = SalesTaskFilter
    write_roles = SELLERS

    def scope_queryset(self, queryset):
        return sales_task_queryset(workspace=self.workspace)

    def _finish(self, request, new_status):
        task = self.get_object()
        data = s.TaskFinishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = editing.sales_task_finish(task=task, by=request.user, status=new_status,
                                         outcome=data.validated_data["outcome"],
                                         as_manager=request.workspace_context.role == Role.ADMIN)
        return Response(s.SalesTaskSerializer(self.get_queryset().get(pk=task.pk)).data)

    @extend_schema(request=s.TaskFinishSerializer, responses=s.SalesTaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._finish(request, TaskStatus.DONE)

    @extend_schema(request=s.TaskFinishSerializer, responses=s.SalesTaskSerializer)
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        return self._finish(request, TaskStatus.SKIPPED)


class WebhookSubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                                 mixins.DestroyModelMixin, WorkspaceViewSet):
    """Endpoints of other tools that receive HMAC-SHA256-signed events (admins). The secret is
    in the answer to create and `rotate-secret` only."""

    model = WebhookSubscription
    serializer_class = s.WebhookSubscriptionSerializer
    read_roles = ADMINS
    write_roles = ADMINS

    @extend_schema(request=s.WebhookSubscriptionSerializer, responses={201: s.WebhookSubscriptionSecretSerializer})
    def create(self, request):
        data = s.WebhookSubscriptionSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        subscription, secret = editing.webhook_subscription_create(workspace=self.workspace, **data.validated_data)
        subscription.secret = secret
        return Response(s.WebhookSubscriptionSecretSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = editing.webhook_subscription_update(subscription=serializer.instance,
                                                                  **serializer.validated_data)

    def perform_destroy(self, instance):
        editing.webhook_subscription_delete(subscription=instance)

    @extend_schema(request=None, responses=s.WebhookSubscriptionSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new signing secret (the old one stops working now)."""
        subscription, secret = editing.webhook_subscription_rotate_secret(subscription=self.get_object())
        return Response(s.WebhookSubscriptionSecretSerializer(subscription).data)

