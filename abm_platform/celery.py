"""The Celery application. Tasks live in each app's tasks.py and are found by autodiscovery;
periodic schedules live in the database (django-celery-beat) so admins can see and change them."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abm_platform.settings")

app = Celery("abm_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
