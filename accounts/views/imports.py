"""Import wizard and CSV export pages. Included by accounts/urls.py."""
urlpatterns: list = []
