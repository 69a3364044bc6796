"""Campaign pages under /campaigns/ (namespace `campaigns`). Object routes take only `<int:pk>`
of the model their view declares, so the isolation walk covers them."""
from django.urls import path

from campaigns.views import campaigns, plays, settings, tasks, templates

app_name = "campaigns"
urlpatterns = [
    path("", campaigns.CampaignListView.as_view(), name="index"),
    path("new/", campaigns.CampaignCreateView.as_view(), name="create"),
    path("<int:pk>/", campaigns.CampaignDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", campaigns.CampaignEditView.as_view(), name="edit"),
    path("<int:pk>/status/", campaigns.CampaignStatusView.as_view(), name="status"),
    path("<int:pk>/plays/", campaigns.PlayCreateView.as_view(), name="play_create"),
    path("<int:pk>/report/", campaigns.PilotReportView.as_view(), name="report"),
    path("<int:pk>/touches/", campaigns.CampaignTouchesView.as_view(), name="touches"),
    path("plays/<int:pk>/", plays.PlayEditorView.as_view(), name="play"),
    path("plays/<int:pk>/steps/", plays.StepAddView.as_view(), name="step_add"),
    path("steps/<int:pk>/", plays.StepEditView.as_view(), name="step"),
    path("steps/<int:pk>/move/", plays.StepMoveView.as_view(), name="step_move"),
    path("steps/<int:pk>/export/", plays.StepExportView.as_view(), name="step_export"),
    path("steps/<int:pk>/delete/", plays.StepDeleteView.as_view(), name="step_delete"),
    path("templates/", templates.TemplateListView.as_view(), name="templates"),
    path("templates/new/", templates.TemplateCreateView.as_view(), name="template_create"),
    path("templates/preview/", templates.NewTemplatePreviewView.as_view(), name="template_preview_new"),
    path("templates/people/", templates.PeopleOptionsView.as_view(), name="template_people"),
    path("templates/<int:pk>/", templates.TemplateEditView.as_view(), name="template"),
    path("templates/<int:pk>/preview/", templates.TemplatePreviewView.as_view(), name="template_preview"),
    path("tasks/", tasks.TaskListView.as_view(), name="tasks"),
    path("tasks/<int:pk>/finish/", tasks.TaskFinishView.as_view(), name="task_finish"),
    path("consents/", settings.OwnerConsentView.as_view(), name="consents"),
    path("consents/<int:pk>/revoke/", settings.OwnerConsentRevokeView.as_view(), name="consent_revoke"),
    path("webhooks/", settings.WebhookListView.as_view(), name="webhooks"),
    path("webhooks/<int:pk>/", settings.WebhookEditView.as_view(), name="webhook"),
]
