"""Membership roles and the role sets views declare their access with."""
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MARKETING = "marketing", "Marketing"
    SALES = "sales", "Sales"
    EXECUTIVE = "executive", "Executive"
    VIEWER = "viewer", "Viewer"


# The effective role of a read-write API key: writes data like a teammate, never administers.
INTEGRATION = "integration"

ANY_ROLE = frozenset({*Role.values, INTEGRATION})
ADMINS = frozenset({Role.ADMIN})
# People (and integrations) who create and change the workspace's records.
EDITORS = frozenset({Role.ADMIN, Role.MARKETING, Role.SALES, INTEGRATION})
MARKETERS = frozenset({Role.ADMIN, Role.MARKETING})
SELLERS = frozenset({Role.ADMIN, Role.SALES})
APPROVERS = frozenset({Role.ADMIN, Role.EXECUTIVE})
