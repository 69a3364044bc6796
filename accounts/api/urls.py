from rest_framework.routers import SimpleRouter

from accounts.api import imports, target_lists

router = SimpleRouter()
router.include_format_suffixes = False
target_lists.register(router)
imports.register(router)

urlpatterns = [*imports.urlpatterns, *target_lists.urlpatterns, *router.urls]
