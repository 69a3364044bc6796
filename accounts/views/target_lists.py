"""Target-list workflow pages (nominate, review, approve). Included by accounts/urls.py."""
urlpatterns: list = []
