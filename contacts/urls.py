from django.urls import path

from contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.ContactsIndexView.as_view(), name="index"),
]
