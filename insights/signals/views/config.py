"""Signal settings (admins change them): refresh cadence, engagement rules, high-value and
excluded pages, the website tracking snippet, and the data providers."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from abm_platform.tenancy.roles import ADMINS
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from insights.signals.forms import ProviderForm, SignalSettingsForm
from insights.signals.models import ProviderKind, SignalProvider
from insights.signals.selectors import signal_providers
from insights.signals.services.providers import drop_folder, drop_root, signal_provider_delete, signal_provider_save
from insights.signals.services.reweigh import engagement_reweigh_start
from insights.signals.services.settings import (
    signal_settings_get, signal_settings_new_tracking_key, signal_settings_update,
)


def _errors(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)


class SignalSettingsView(WorkspaceView, TemplateView):
    template_name = "insights/signals/settings.html"
    write_roles = ADMINS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        settings = signal_settings_get(workspace=self.workspace)
        providers = list(signal_providers(workspace=self.workspace))
        for provider in providers:
            try:
                provider.folder = drop_folder(provider) if provider.kind == ProviderKind.FILE_DROP else None
            except ValidationError:
                provider.folder = None
        context.setdefault("form", SignalSettingsForm(settings=settings))
        context.setdefault("provider_form", ProviderForm(initial={"kind": ProviderKind.FILE_DROP}))
        context.update(settings=settings, providers=providers, drop_root=drop_root(self.workspace.pk),
                       tracking_url=self.request.build_absolute_uri("/t/pageview"))
        return context

    def post(self, request):
        form = SignalSettingsForm(request.POST, settings=signal_settings_get(workspace=self.workspace))
        if not form.is_valid():
            messages.error(request, "Not saved: check the highlighted values.")
            return self.render_to_response(self.get_context_data(form=form))
        try:
            _, rules_changed = signal_settings_update(
                workspace=self.workspace, by=request.user, refresh_every_days=form.cleaned_data["refresh_every_days"],
                engagement_rules=form.engagement_rules(),
                high_value_paths=form.lines(form.cleaned_data["high_value_paths"]),
                excluded_paths=form.lines(form.cleaned_data["excluded_paths"]),
                website_domains=form.lines(form.cleaned_data["website_domains"]))
        except ValidationError as error:
            messages.error(request, f"Not saved: {_errors(error)}")
            return self.render_to_response(self.get_context_data(form=form))
        if rules_changed:
            job = engagement_reweigh_start(workspace=self.workspace, by=request.user, reason="rules changed")
            messages.success(request, "Saved. Stored engagement is being reweighed with the new rules; scores "
                                      "follow when it is done.")
            return redirect("jobs:detail", pk=job.pk)
        messages.success(request, "Saved.")
        return redirect("insights:signals:settings")


class TrackingKeyView(WorkspaceView, View):
    """Admins: replace the tracking key (the old snippet stops counting)."""

    write_roles = ADMINS

    def post(self, request):
        signal_settings_new_tracking_key(workspace=self.workspace, by=request.user)
        messages.success(request, "New tracking key: update the snippet on your website.")
        return redirect("/insights/signals/settings/#tracking")


class ProviderCreateView(WorkspaceView, View):
    write_roles = ADMINS

    def post(self, request):
        form = ProviderForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            config = {"path": data["path"]} if data["kind"] == ProviderKind.FILE_DROP else {}
            try:
                provider = signal_provider_save(workspace=self.workspace, name=data["name"], kind=data["kind"],
                                                signal_kind=data["signal_kind"], config=config)
            except ValidationError as error:
                messages.error(request, f"Not added: {_errors(error)}")
            else:
                messages.success(request, f"Provider {provider.name} added.")
        else:
            messages.error(request, "Not added: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("/insights/signals/settings/#providers")


class ProviderUpdateView(WorkspaceObjectMixin, View):
    """Pause, resume or remove a provider."""

    model = SignalProvider
    write_roles = ADMINS

    def post(self, request, pk):
        provider = self.get_object()
        action = request.POST.get("action", "")
        if action == "delete":
            signal_provider_delete(provider=provider)
            messages.success(request, f"Provider {provider.name} removed (its signals stay).")
        elif action in ("pause", "resume"):
            try:
                signal_provider_save(workspace=self.workspace, provider=provider, name=provider.name,
                                     kind=provider.kind, signal_kind=provider.signal_kind, config=provider.config,
                                     is_active=action == "resume")
            except ValidationError as error:
                messages.error(request, _errors(error))
            else:
                messages.success(request, f"Provider {provider.name} {'resumed' if action == 'resume' else 'paused'}.")
        return redirect("/insights/signals/settings/#providers")
