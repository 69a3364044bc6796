from rest_framework.routers import SimpleRouter

from campaigns.api import views

router = SimpleRouter()
router.include_format_suffixes = False
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("plays", views.PlayViewSet, basename="play")
router.register("steps", views.StepViewSet, basename="step")
router.register("content-templates", views.ContentTemplateViewSet, basename="contenttemplate")
router.register("touches", views.TouchViewSet, basename="touch")
router.register("owner-consents", views.OwnerConsentViewSet, basename="ownerconsent")
router.register("sales-tasks", views.SalesTaskViewSet, basename="salestask")
router.register("webhook-subscriptions", views.WebhookSubscriptionViewSet, basename="webhooksubscription")

urlpatterns = router.urls
