from django.urls import path

from scoring.views import config, model, ranked, runs

app_name = "scoring"
urlpatterns = [
    path("", ranked.HotAccountsView.as_view(), name="index"),
    path("icp/", config.IcpView.as_view(), name="icp"),
    path("icp/preview/", config.IcpPreviewView.as_view(), name="icp_preview"),
    path("icp/<int:pk>/", config.IcpEditView.as_view(), name="icp_edit"),
    path("icp/<int:pk>/preview/", config.IcpCriterionPreviewView.as_view(), name="icp_criterion_preview"),
    path("icp/<int:pk>/delete/", config.IcpDeleteView.as_view(), name="icp_delete"),
    path("weights/", config.WeightsView.as_view(), name="weights"),
    path("weights/preview/", config.WeightsPreviewView.as_view(), name="weights_preview"),
    path("weights/<int:pk>/sign-off/", config.WeightsSignOffView.as_view(), name="weights_sign_off"),
    path("model/", model.ModelView.as_view(), name="model"),
    path("model/train/", model.ModelTrainView.as_view(), name="model_train"),
    path("runs/", runs.RunsView.as_view(), name="runs"),
    path("runs/recompute/", runs.RecomputeView.as_view(), name="recompute"),
]
