"""Scoring routes under /api/v1/scoring/."""
from rest_framework.routers import SimpleRouter

from scoring.api import views

router = SimpleRouter()
router.include_format_suffixes = False
router.register("scoring/icp-criteria", views.IcpCriterionViewSet, basename="scoring-icp-criterion")
router.register("scoring/weights", views.WeightsViewSet, basename="scoring-weights")
router.register("scoring/runs", views.RunViewSet, basename="scoring-run")
router.register("scoring/models", views.PredictiveModelViewSet, basename="scoring-model")
router.register("scoring/account-scores", views.AccountScoreViewSet, basename="scoring-account-score")
router.register("scoring/score-history", views.ScoreHistoryViewSet, basename="scoring-score-history")
router.register("scoring/contact-scores", views.ContactScoreViewSet, basename="scoring-contact-score")

urlpatterns = router.urls
