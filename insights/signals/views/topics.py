"""Intent topic configuration: which topics count towards intent scores, and their weights."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import ListView

from abm_platform.tenancy.roles import MARKETERS
from abm_platform.tenancy.views import WorkspaceObjectMixin, WorkspaceView
from insights.signals.filters import IntentTopicFilter
from insights.signals.forms import TopicForm, TopicUpdateForm
from insights.signals.models import IntentTopic
from insights.signals.services.topics import intent_topic_create, intent_topic_update


class TopicListView(WorkspaceView, ListView):
    """Everyone reads the taxonomy; admins and marketing change it (POST adds a topic)."""

    model = IntentTopic
    template_name = "insights/signals/topics.html"
    paginate_by = 50
    write_roles = MARKETERS

    def scope_queryset(self, queryset):
        queryset = queryset.annotate(signal_count=Count("signals"), last_week=Max("signals__week_start"))
        self.filterset = IntentTopicFilter(self.request.GET, queryset=queryset)
        return self.filterset.qs.order_by("-is_selected", "name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", TopicForm(initial={"is_selected": True, "weight": 1.0}))
        all_topics = IntentTopic.objects.for_workspace(self.workspace)
        context.update(filter=self.filterset, selected_count=all_topics.filter(is_selected=True).count())
        return context

    def post(self, request):
        form = TopicForm(request.POST)
        if form.is_valid():
            try:
                topic = intent_topic_create(workspace=self.workspace, **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, "Not added: " + " ".join(error.messages))
            else:
                messages.success(request, f"Topic “{topic.name}” added.")
                return redirect("insights:signals:topics")
        else:
            messages.error(request, "Not added: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


class TopicUpdateView(WorkspaceObjectMixin, View):
    """Select or unselect one topic and set its weight."""

    model = IntentTopic
    write_roles = MARKETERS

    def post(self, request, pk):
        topic = self.get_object()
        form = TopicUpdateForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"{topic.name}: the weight must be above 0 and at most 1.")
        else:
            try:
                intent_topic_update(topic=topic, **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                state = "counts towards intent" if topic.is_selected else "no longer counts"
                messages.success(request, f"“{topic.name}” {state} (weight {topic.weight:g}).")
        # Back to the same page of the list (only ever a path of this list).
        back = reverse("insights:signals:topics")
        target = request.POST.get("next", "")
        return redirect(target if target.startswith(back) and "//" not in target else back)
