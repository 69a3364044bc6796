"""The play editor: a play's settings and its steps as an ordered list — channel, delay, the
audience inside the account (role, seniority, persona, DISC style), the template or task — with
add, edit, move up/down and delete. With htmx each action swaps the step list in place; without
it every form posts and comes back to the editor."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from abm_platform.tenancy.roles import MARKETERS
from abm_platform.tenancy.views import WorkspaceObjectMixin
from campaigns.forms import PlayForm, StepForm
from campaigns.models import Channel, Enrolment, Play, Step, Touch
from campaigns.selectors import play_steps
from campaigns.services import editing
from campaigns.services.audience import CONTACT_CHANNELS
from campaigns.services.editing import TASK_KINDS
from campaigns.services.exports import LAYOUT_LABELS, LAYOUTS_BY_CHANNEL, ExportError, step_export_csv
from campaigns.views.display import audience_chips, delay_text, errors_to_form, is_htmx
from contacts.models import Persona

CHANNEL_ICONS = {Channel.EMAIL: "✉", Channel.AD_AUDIENCE: "◎", Channel.DIRECT_MAIL: "✈", Channel.EVENT_INVITE: "★",
                 Channel.SALES_TASK: "☎", Channel.WEB_PERSONALISATION: "⌂", Channel.WEBHOOK: "⇄"}


class PlayPageMixin(WorkspaceObjectMixin):
    write_roles = MARKETERS

    def steps_context(self, play: Play, *, edit_id: int | None = None, edit_form=None, add_form=None) -> dict:
        steps = play_steps(play=play)
        personas = dict(Persona.objects.for_workspace(self.workspace).values_list("pk", "name"))
        touched = set(Touch.objects.for_workspace(self.workspace).filter(step__play=play)
                      .values_list("step_id", flat=True).distinct())
        rows = []
        for position, step in enumerate(steps):
            rows.append({
                "step": step, "icon": CHANNEL_ICONS.get(step.channel, "•"), "delay": delay_text(step.delay_hours),
                "task_label": TASK_KINDS.get(step.task_kind, step.task_kind),
                "chips": audience_chips(step.audience_filter or {}, personas),
                "whole_group": step.channel in CONTACT_CHANNELS and not step.audience_filter,
                "account_level": step.channel not in CONTACT_CHANNELS, "has_touches": step.pk in touched,
                "exports": [(layout, LAYOUT_LABELS[layout]) for layout in LAYOUTS_BY_CHANNEL.get(step.channel, ())],
                "first": position == 0, "last": position == len(steps) - 1,
                "editing": step.pk == edit_id,
                "form": (edit_form if edit_form is not None else StepForm.for_step(
                    step, workspace=self.workspace, prefix=f"s{step.pk}")) if step.pk == edit_id else None,
            })
        return {"play": play, "rows": rows, "can_edit": self.can(MARKETERS),
                "add_form": add_form or StepForm(workspace=self.workspace, prefix="new",
                                                 initial={"delay": 2 if steps else 0, "delay_unit": "days"})}

    def render_steps(self, play, status=200, **kwargs):
        return render(self.request, "campaigns/_steps.html", self.steps_context(play, **kwargs), status=status)

    def render_editor(self, play, *, play_form=None, status=200, **kwargs):
        context = self.steps_context(play, **kwargs)
        context.update(campaign=play.campaign, section_tab="campaigns", play_form=play_form or PlayForm(instance=play),
                       enrolled=Enrolment.objects.for_workspace(self.workspace).filter(play=play,
                                                                                      status="active").count())
        return render(self.request, "campaigns/play.html", context, status=status)

    def done(self, play, message: str = ""):
        if message and not is_htmx(self.request):
            messages.success(self.request, message)
        if is_htmx(self.request):
            return self.render_steps(play)
        return redirect(reverse("campaigns:play", kwargs={"pk": play.pk}) + "#steps")


class PlayEditorView(PlayPageMixin, View):
    model = Play

    def scope_queryset(self, queryset):
        return queryset.select_related("campaign")

    def get(self, request, pk):
        play = self.get_object()
        edit = request.GET.get("edit", "")
        return self.render_editor(play, edit_id=int(edit) if edit.isdigit() else None)

    def post(self, request, pk):
        """Save the play's own settings (name, trigger, exit goal, priority, on/off)."""
        play = self.get_object()
        form = PlayForm(request.POST, instance=Play(workspace_id=play.workspace_id, campaign=play.campaign))
        if form.is_valid():
            try:
                editing.play_update(play=play, **{k: form.cleaned_data[k] for k in PlayForm.Meta.fields})
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "Play saved.")
                return redirect("campaigns:play", pk=play.pk)
        return self.render_editor(play, play_form=form, status=400)


class StepAddView(PlayPageMixin, View):
    model = Play

    def get(self, request, pk):
        return redirect("campaigns:play", pk=self.get_object().pk)

    def post(self, request, pk):
        play = self.get_object()
        form = StepForm(request.POST, workspace=self.workspace, prefix="new")
        if form.is_valid():
            try:
                step = editing.step_create(play=play, **form.service_fields())
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                return self.done(play, f"Step {step.order} added.")
        if is_htmx(request):
            return self.render_steps(play, add_form=form)
        return self.render_editor(play, add_form=form, status=400)


class StepMixin(PlayPageMixin):
    model = Step

    def scope_queryset(self, queryset):
        return queryset.select_related("play", "play__campaign", "template")


class StepEditView(StepMixin, View):
    def get(self, request, pk):
        step = self.get_object()
        if is_htmx(request):
            return self.render_steps(step.play, edit_id=step.pk)
        return redirect(reverse("campaigns:play", kwargs={"pk": step.play_id}) + f"?edit={step.pk}#step-{step.pk}")

    def post(self, request, pk):
        step = self.get_object()
        if request.POST.get("cancel"):
            return self.done(step.play)
        form = StepForm(request.POST, workspace=self.workspace, prefix=f"s{step.pk}")
        if form.is_valid():
            try:
                editing.step_update(step=step, **form.service_fields())
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                return self.done(step.play, f"Step {step.order} saved.")
        step.refresh_from_db()
        if is_htmx(request):
            return self.render_steps(step.play, edit_id=step.pk, edit_form=form)
        return self.render_editor(step.play, edit_id=step.pk, edit_form=form, status=400)


class StepExportView(StepMixin, View):
    """An ad audience or direct-mail step's file (?layout=…), streamed as CSV. The files hold
    people, so only marketing reads them."""

    read_roles = MARKETERS

    def get(self, request, pk):
        step = self.get_object()
        try:
            filename, pieces = step_export_csv(workspace=self.workspace, step_id=step.pk,
                                               layout=request.GET.get("layout", ""))
        except ExportError as error:
            messages.error(request, str(error))
            return redirect(reverse("campaigns:play", kwargs={"pk": step.play_id}) + f"#step-{step.pk}")
        response = StreamingHttpResponse(pieces, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class StepMoveView(StepMixin, View):
    def get(self, request, pk):
        return redirect("campaigns:play", pk=self.get_object().play_id)

    def post(self, request, pk):
        step = self.get_object()
        try:
            editing.step_move(step=step, direction=-1 if request.POST.get("direction") == "up" else 1)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            if is_htmx(request):
                context = self.steps_context(step.play)
                context["error"] = " ".join(error.messages)
                return render(request, "campaigns/_steps.html", context)
        return self.done(step.play)


class StepDeleteView(StepMixin, View):
    def get(self, request, pk):
        return redirect("campaigns:play", pk=self.get_object().play_id)

    def post(self, request, pk):
        step = self.get_object()
        play = step.play
        try:
            editing.step_delete(step=step)
        except ValidationError as error:
            if is_htmx(request):
                context = self.steps_context(play)
                context["error"] = " ".join(error.messages)
                return render(request, "campaigns/_steps.html", context)
            messages.error(request, " ".join(error.messages))
            return redirect("campaigns:play", pk=play.pk)
        return self.done(play, "Step deleted.")
