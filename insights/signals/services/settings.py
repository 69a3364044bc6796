"""Per-workspace signal settings: refresh cadence, engagement rules, tracking key. One row per
workspace, created on demand with the defaults (refresh every 14 days, DOMAIN.md §1.3 rules)."""
from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from abm_platform.models import Workspace
from accounts.domains import normalise_domain
from insights.signals.engine.rules import (
    DEFAULT_EXCLUDED_PATHS, DEFAULT_HIGH_VALUE_PATHS, RuleSet, RulesError, clean_paths, merged_rules, rule_set,
    rules_overrides,
)
from insights.signals.models import SignalSettings

MAX_REFRESH_EVERY_DAYS = 365


def default_refresh_days() -> int:
    return int(getattr(django_settings, "SIGNAL_REFRESH_INTERVAL_DAYS", 14) or 14)


def signal_settings_get(*, workspace: Workspace | int) -> SignalSettings:
    """The workspace's settings, created with the defaults the first time they are asked for."""
    workspace_id = getattr(workspace, "pk", workspace)
    found = SignalSettings.objects.for_workspace(workspace_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return SignalSettings.objects.for_workspace(workspace_id).create(
                refresh_every_days=default_refresh_days(), high_value_paths=list(DEFAULT_HIGH_VALUE_PATHS),
                excluded_paths=list(DEFAULT_EXCLUDED_PATHS), tracking_key=new_tracking_key())
    except IntegrityError:  # created meanwhile by another request
        return SignalSettings.objects.for_workspace(workspace_id).get()


def new_tracking_key() -> str:
    return "tk_" + secrets.token_urlsafe(18)


def workspace_rule_set(settings: SignalSettings) -> RuleSet:
    return rule_set(settings.engagement_rules, settings.high_value_paths, settings.excluded_paths)


def signal_settings_update(*, workspace: Workspace, by=None, refresh_every_days: int | None = None,
                           engagement_rules: dict | None = None, high_value_paths: list[str] | None = None,
                           excluded_paths: list[str] | None = None,
                           website_domains: list[str] | None = None) -> tuple[SignalSettings, bool]:
    """Change the cadence and/or the engagement rules. Returns (settings, rules_changed): when
    the rules changed the caller starts the reweigh job (services/reweigh.py) so stored events
    follow the new rules (DOMAIN.md §1.3: rule changes apply retroactively)."""
    with transaction.atomic():
        current = signal_settings_get(workspace=workspace)
        current = SignalSettings.objects.for_workspace(workspace).select_for_update().get(pk=current.pk)
        before = (current.engagement_rules, current.high_value_paths, current.excluded_paths)
        try:
            if engagement_rules is not None:
                current.engagement_rules = rules_overrides(merged_rules(engagement_rules))
            if high_value_paths is not None:
                current.high_value_paths = list(clean_paths(high_value_paths))
            if excluded_paths is not None:
                current.excluded_paths = list(clean_paths(excluded_paths))
        except RulesError as error:
            raise ValidationError({key: [reason] for key, reason in error.problems.items()}) from None
        if website_domains is not None:
            current.website_domains = _website_domains(website_domains)
        if refresh_every_days is not None:
            if not 1 <= refresh_every_days <= MAX_REFRESH_EVERY_DAYS:
                raise ValidationError({"refresh_every_days": [f"Between 1 and {MAX_REFRESH_EVERY_DAYS} days."]})
            if refresh_every_days != current.refresh_every_days:
                current.refresh_every_days = refresh_every_days
                # The next refresh moves with the cadence; a workspace never refreshed stays due.
                if current.last_refresh_at is not None:
                    current.next_refresh_at = current.last_refresh_at + timedelta(days=refresh_every_days)
        current.updated_by = by if getattr(by, "pk", None) else None
        current.full_clean()
        current.save()
    rules_changed = before != (current.engagement_rules, current.high_value_paths, current.excluded_paths)
    return current, rules_changed


def _website_domains(values: list[str]) -> list[str]:
    """`www.Northwind.example`, `https://northwind.example/de` → `northwind.example`; anything
    without a registrable domain is refused by name."""
    domains, bad = [], []
    for value in values:
        domain = normalise_domain(value)
        (domains if domain else bad).append(domain or value)
    if bad:
        raise ValidationError({"website_domains": [f"Not a web domain: {', '.join(bad[:5])}."]})
    return list(dict.fromkeys(domains))


def signal_settings_new_tracking_key(*, workspace: Workspace, by=None) -> SignalSettings:
    """Replace the tracking key (e.g. after it was abused): the old snippet stops counting."""
    current = signal_settings_get(workspace=workspace)
    current.tracking_key = new_tracking_key()
    current.updated_by = by if getattr(by, "pk", None) else None
    current.save(update_fields=["tracking_key", "updated_by"])
    return current


def refresh_times(settings: SignalSettings, *, now=None) -> tuple:
    """(last, next) refresh as the UI shows them; never refreshed → due now."""
    now = now or timezone.now()
    return settings.last_refresh_at, settings.next_refresh_at or now
