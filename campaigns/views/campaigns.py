"""Campaign pages: the list, create and edit, the campaign page (plays, coverage gaps, the pilot
start and the life-cycle buttons), the pilot report with the owner's Expand, and the touches
and blocks of the campaign."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import ListView

from abm_platform.tenancy.roles import MARKETERS, Role
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from accounts.models import Account
from campaigns.forms import CampaignForm, ExpandForm, PilotForm, PlayForm
from campaigns.models import AudienceKind, Campaign, CampaignStatus, Channel, TouchStatus
from campaigns.selectors import (
    campaign_plays, campaign_queryset, campaign_touch_counts, campaigns_with_audience_sizes, coverage_gaps,
    open_task_count, touch_list,
)
from campaigns.services import editing
from campaigns.services.audience import campaign_audience
from campaigns.services.enrolment import PILOT_SIZE, campaign_expand, campaign_set_status, campaign_start_pilot
from campaigns.services.reports import BLOCK_LABELS, block_label, pilot_report
from campaigns.views.display import errors_to_form, flat_errors, is_htmx

OWNERS = frozenset({Role.ADMIN, Role.MARKETING, Role.SALES, Role.EXECUTIVE})
STATUS_TABS = [("", "All"), ("running", "Running"), ("draft", "Drafts"), ("ended", "Stopped and completed")]


class CampaignListView(WorkspaceView, ListView):
    model = Campaign
    template_name = "campaigns/list.html"
    paginate_by = 25

    def get_queryset(self):
        queryset = campaign_queryset(workspace=self.workspace)
        tab = self.request.GET.get("status", "")
        if tab == "running":
            queryset = queryset.filter(status__in=[CampaignStatus.PILOT, CampaignStatus.ACTIVE, CampaignStatus.PAUSED])
        elif tab == "draft":
            queryset = queryset.filter(status=CampaignStatus.DRAFT)
        elif tab == "ended":
            queryset = queryset.filter(status__in=[CampaignStatus.STOPPED, CampaignStatus.COMPLETED])
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            campaigns=campaigns_with_audience_sizes(context["object_list"]),
            tabs=STATUS_TABS, tab=self.request.GET.get("status", ""), section_tab="campaigns",
            can_create=self.can(MARKETERS),
            my_open_tasks=open_task_count(workspace=self.workspace, user=self.request.user)
            if self.role in (Role.SALES, Role.ADMIN) else 0,
            any_campaigns=bool(context["object_list"]) or Campaign.objects.for_workspace(self.workspace).exists(),
        )
        return context


class CampaignFormMixin:
    template_name = "campaigns/form.html"

    def render_form(self, form, campaign=None, status=200):
        return render(self.request, self.template_name, {"form": form, "campaign": campaign,
                                                         "section_tab": "campaigns"}, status=status)


class CampaignCreateView(CampaignFormMixin, WorkspaceView, View):
    read_roles = MARKETERS
    write_roles = MARKETERS

    def get(self, request):
        form = CampaignForm(workspace=self.workspace, initial={"owner": request.user, "acquisition_only": True,
                                                               "audience_kind": AudienceKind.TIER})
        return self.render_form(form)

    def post(self, request):
        form = CampaignForm(request.POST, workspace=self.workspace)
        if form.is_valid():
            try:
                campaign = editing.campaign_create(workspace=self.workspace, by=request.user, **form.service_fields())
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, f"Campaign “{campaign.name}” created. Add a play with its steps, then "
                                          "start the pilot.")
                return redirect("campaigns:detail", pk=campaign.pk)
        return self.render_form(form, status=400)


class CampaignEditView(CampaignFormMixin, WorkspaceObjectMixin, View):
    model = Campaign
    read_roles = MARKETERS
    write_roles = MARKETERS

    def initial(self, campaign):
        accounts = "\n".join(a.domain or a.name for a in campaign.accounts.only("domain", "name")[:2000])
        return {"name": campaign.name, "objective": campaign.objective, "hypothesis": campaign.hypothesis,
                "success_metric": campaign.success_metric, "end_date": campaign.end_date, "owner": campaign.owner_id,
                "audience_kind": campaign.audience_kind, "tier": campaign.tier_id, "segment": campaign.segment_id,
                "target_list": campaign.target_list_id, "accounts": accounts,
                "acquisition_only": campaign.acquisition_only}

    def get(self, request, pk):
        campaign = self.get_object()
        return self.render_form(CampaignForm(workspace=self.workspace, initial=self.initial(campaign)), campaign)

    def post(self, request, pk):
        campaign = self.get_object()
        form = CampaignForm(request.POST, workspace=self.workspace)
        if form.is_valid():
            try:
                editing.campaign_update(campaign=campaign, by=request.user, **form.service_fields())
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "Campaign saved.")
                return redirect("campaigns:detail", pk=campaign.pk)
        return self.render_form(form, campaign, status=400)


class CampaignPageMixin(WorkspaceObjectMixin):
    """What every tab of a campaign shows in its head."""

    model = Campaign

    def scope_queryset(self, queryset):
        return campaign_queryset(workspace=self.workspace)

    def head_context(self, campaign) -> dict:
        campaigns_with_audience_sizes([campaign])
        return {"campaign": campaign, "section_tab": "campaigns", "can_edit": self.can(MARKETERS),
                "is_owner": self.request.user.pk == campaign.owner_id,
                "status_actions": _status_actions(campaign) if self.can(MARKETERS) else []}


def _status_actions(campaign) -> list[tuple[str, str, str]]:
    """(action, label, confirmation) of the life-cycle buttons this campaign offers."""
    actions = []
    if campaign.status in (CampaignStatus.PILOT, CampaignStatus.ACTIVE):
        actions.append(("pause", "Pause", ""))
    if campaign.status == CampaignStatus.PAUSED:
        actions.append(("resume", "Resume", ""))
    if campaign.status in (CampaignStatus.DRAFT, CampaignStatus.PILOT, CampaignStatus.ACTIVE, CampaignStatus.PAUSED):
        actions.append(("stop", "Stop", "Stop the campaign for good? Every enrolled account leaves its plays."))
    return actions


class CampaignDetailView(CampaignPageMixin, View):
    template_name = "campaigns/detail.html"

    def get(self, request, pk):
        campaign = self.get_object()
        return self.render_page(campaign)

    def render_page(self, campaign, *, pilot_form=None, play_form=None, status=200):
        context = self.head_context(campaign)
        plays = campaign_plays(campaign=campaign)
        pilot_ids = list(campaign.pilot_accounts.values_list("pk", flat=True))
        context.update(
            tab="overview", plays=plays, counts=campaign_touch_counts(campaign=campaign),
            gaps=coverage_gaps(campaign=campaign),
            pilot_accounts=Account.objects.for_workspace(self.workspace).filter(pk__in=pilot_ids).order_by("name"),
            pilot_form=pilot_form or (self._pilot_form(campaign) if campaign.status == CampaignStatus.DRAFT else None),
            pilot_size=PILOT_SIZE, play_form=play_form or PlayForm(initial={"name": "Main play"}),
            has_steps=any(p.steps.all() for p in plays),
        )
        return render(self.request, self.template_name, context, status=status)

    def _pilot_form(self, campaign, data=None):
        candidates = (Account.objects.for_workspace(self.workspace)
                      .filter(pk__in=campaign_audience(campaign)).only("pk", "name", "score")
                      .order_by("-score", "name")[:40])
        return PilotForm(data, workspace=self.workspace, candidates=candidates)


class CampaignStatusView(CampaignDetailView):
    """POST: start the pilot, pause, resume or stop."""

    read_roles = MARKETERS
    write_roles = MARKETERS

    def get(self, request, pk):
        return redirect("campaigns:detail", pk=self.get_object().pk)

    def post(self, request, pk):
        campaign = self.get_object()
        action = request.POST.get("action", "")
        try:
            if action == "start_pilot":
                form = self._pilot_form(campaign, request.POST)
                if not form.is_valid():
                    return self.render_page(campaign, pilot_form=form, status=400)
                campaign_start_pilot(campaign=campaign, by=request.user, account_ids=form.cleaned_data["account_ids"])
                messages.success(request, "Pilot started: the pilot accounts are enrolled; their first touches are "
                                          "planned at the next planning run.")
            elif action in ("pause", "resume", "stop"):
                new_status = {"pause": CampaignStatus.PAUSED, "resume": "resume", "stop": CampaignStatus.STOPPED}
                campaign_set_status(campaign=campaign, by=request.user, status=new_status[action])
                messages.success(request, {"pause": "Campaign paused: nothing is planned until you resume it.",
                                           "resume": "Campaign resumed.",
                                           "stop": "Campaign stopped."}[action])
            else:
                messages.error(request, "Unknown action.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("campaigns:detail", pk=campaign.pk)


class PlayCreateView(CampaignDetailView):
    """POST: a new play on the campaign; then its editor."""

    read_roles = MARKETERS
    write_roles = MARKETERS

    def get(self, request, pk):
        return redirect("campaigns:detail", pk=self.get_object().pk)

    def post(self, request, pk):
        campaign = self.get_object()
        form = PlayForm(request.POST)
        if form.is_valid():
            try:
                play = editing.play_create(campaign=campaign, **form.cleaned_data)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, f"Play “{play.name}” added: add its steps.")
                return redirect("campaigns:play", pk=play.pk)
        return self.render_page(campaign, play_form=form, status=400)


class PilotReportView(CampaignPageMixin, View):
    """The pilot report; POST: the owner expands the campaign with a comment."""

    template_name = "campaigns/report.html"
    write_roles = OWNERS

    def get(self, request, pk):
        return self.render_page(self.get_object())

    def render_page(self, campaign, *, expand_form=None, status=200):
        report = pilot_report(campaign=campaign)
        context = self.head_context(campaign)
        context.update(tab="report", report=report, chart=report.chart,
                       expand_form=expand_form or ExpandForm(),
                       can_expand=campaign.status == CampaignStatus.PILOT and context["is_owner"]
                       and self.role in OWNERS)
        return render(self.request, self.template_name, context, status=status)

    def post(self, request, pk):
        campaign = self.get_object()
        form = ExpandForm(request.POST)
        if form.is_valid():
            try:
                campaign_expand(campaign=campaign, by=request.user, comment=form.cleaned_data["comment"])
            except PermissionDenied:
                raise
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "Campaign expanded: the whole audience is enrolled.")
                return redirect("campaigns:report", pk=campaign.pk)
        messages.error(request, "Not expanded: " + " ".join(flat_errors(form)))
        return self.render_page(campaign, expand_form=form, status=400)


class CampaignTouchesView(CampaignPageMixin, View):
    """Every touch of the campaign, with the shared touch filters (status, block reason, channel,
    account, dates), paginated."""

    template_name = "campaigns/touches.html"
    paginate_by = 50

    def get(self, request, pk):
        from django.core.paginator import Paginator

        campaign = self.get_object()
        params = request.GET.copy()
        params["campaign"] = str(campaign.pk)
        filterset = touch_list(workspace=self.workspace, params=params, request=request)
        rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        page = Paginator(rows, self.paginate_by).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        codes = sorted(set(BLOCK_LABELS) | set(
            filterset.queryset.filter(campaign=campaign, status=TouchStatus.BLOCKED).exclude(block_code="")
            .values_list("block_code", flat=True).distinct()))
        context = self.head_context(campaign)
        context.update(tab="touches", filter=filterset, page_obj=page, touches=page.object_list,
                       is_paginated=page.has_other_pages(), query_string=query.urlencode(),
                       statuses=TouchStatus.choices, channels=Channel.choices,
                       block_codes=[(c, block_label(c)) for c in codes],
                       has_filters=any(v for k, v in request.GET.items() if k != "page"))
        if is_htmx(request):
            return render(request, "campaigns/_touch_table.html", context)
        return render(request, self.template_name, context)


def campaign_url(campaign, tab: str = "") -> str:
    return reverse(f"campaigns:{tab or 'detail'}", kwargs={"pk": campaign.pk})
