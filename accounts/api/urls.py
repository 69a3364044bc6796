from rest_framework.routers import SimpleRouter

from accounts.api import imports, target_lists, views

router = SimpleRouter()
router.include_format_suffixes = False
router.register("accounts", views.AccountViewSet, basename="account")
router.register("tiers", views.TierViewSet, basename="tier")
router.register("account-groups", views.AccountGroupViewSet, basename="accountgroup")
router.register("account-attributes", views.AttributeDefinitionViewSet, basename="attributedefinition")
router.register("segments", views.SegmentViewSet, basename="segment")
router.register("holds", views.HoldViewSet, basename="hold")
router.register("opportunity-stages", views.OpportunityStageViewSet, basename="opportunitystage")
router.register("opportunities", views.OpportunityViewSet, basename="opportunity")
router.register("account-plans", views.AccountPlanViewSet, basename="accountplan")
router.register("plan-steps", views.PlanStepViewSet, basename="planstep")
target_lists.register(router)
imports.register(router)

urlpatterns = [*imports.urlpatterns, *target_lists.urlpatterns, *router.urls]
