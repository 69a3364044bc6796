from rest_framework.routers import SimpleRouter

from contacts.api import views

router = SimpleRouter()
router.include_format_suffixes = False
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("match-reviews", views.MatchReviewViewSet, basename="matchreview")
router.register("buying-groups", views.BuyingGroupViewSet, basename="buyinggroup")
router.register("personas", views.PersonaViewSet, basename="persona")
router.register("title-rules", views.TitleRuleViewSet, basename="titlerule")

urlpatterns = router.urls
