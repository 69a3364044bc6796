"""Who a campaign reaches: its accounts (a tier, a segment, a target list or hand-picked), and
inside each account the people a step picks by role, seniority, persona and DISC style."""
from __future__ import annotations

from dataclasses import dataclass

import pytz

from django.db import connection
from django.db.models import Q, QuerySet

from accounts.filters import AccountFilter
from accounts.models import Account, NominationStatus, TargetListNomination
from campaigns.models import AudienceKind, Campaign, Step
from contacts.models import Contact

CONTACT_CHANNELS = {"email", "ad_audience", "direct_mail", "event_invite", "sales_task"}


def campaign_audience(campaign: Campaign) -> QuerySet:
    """The campaign's accounts as a queryset of ids (never materialised here)."""
    accounts = Account.objects.for_workspace(campaign.workspace_id)
    if campaign.audience_kind == AudienceKind.TIER:
        return accounts.filter(tier_id=campaign.tier_id).values_list("pk", flat=True)
    if campaign.audience_kind == AudienceKind.SEGMENT:
        return AccountFilter({"segment": campaign.segment_id}, accounts,
                             workspace=campaign.workspace).qs.values_list("pk", flat=True)
    if campaign.audience_kind == AudienceKind.TARGET_LIST:
        approved = TargetListNomination.objects.for_workspace(campaign.workspace_id).filter(
            target_list_id=campaign.target_list_id, status=NominationStatus.APPROVED).values("account_id")
        return accounts.filter(pk__in=approved).values_list("pk", flat=True)
    return campaign.accounts.values_list("pk", flat=True)


@dataclass(frozen=True)
class Person:
    contact_id: int
    account_id: int
    name: str
    email: str
    roles: tuple[str, ...]
    seniority: str
    persona_id: int | None
    disc_style: str
    country: str
    time_zone: str
    consent: dict
    erased: bool


def country_timezone(country: str) -> str | None:
    """A person without a time zone of their own is in their country's first zone (pytz)."""
    zones = pytz.country_timezones.get(country.upper()) if country else None
    return zones[0] if zones else None


def _fits(person: Person, audience_filter: dict) -> bool:
    roles = set(audience_filter.get("roles") or ())
    seniorities = set(audience_filter.get("seniorities") or ())
    personas = {int(p) for p in audience_filter.get("personas") or ()}
    styles = set(audience_filter.get("disc_styles") or ())
    return ((not roles or bool(roles & set(person.roles)))
            and (not seniorities or person.seniority in seniorities)
            and (not personas or person.persona_id in personas)
            and (not styles or person.disc_style in styles or person.disc_style[:1].upper() in styles))


def _prefiltered(contacts: QuerySet, audience_filter: dict) -> QuerySet:
    """Narrow the people in SQL by the filter's seniorities, personas and (on PostgreSQL, where
    JSON containment exists) roles, so only likely fits travel to Python; `_fits` decides."""
    if audience_filter.get("seniorities"):
        contacts = contacts.filter(seniority__in=list(audience_filter["seniorities"]))
    if audience_filter.get("personas"):
        contacts = contacts.filter(persona_id__in=[int(p) for p in audience_filter["personas"]])
    if audience_filter.get("roles") and connection.vendor == "postgresql":
        any_role = Q()
        for role in audience_filter["roles"]:
            any_role |= Q(roles__contains=[role])
        contacts = contacts.filter(any_role)
    return contacts


PERSON_COLUMNS = ("pk", "account_id", "first_name", "last_name", "email", "roles", "seniority", "persona_id",
                  "disc_style", "country", "time_zone", "consent_email", "consent_phone", "consent_ads",
                  "consent_direct_mail", "erased_at")


def _person(row) -> Person:
    (pk, account_id, first, last, email, roles, seniority, persona_id, disc, country, tz,
     c_email, c_phone, c_ads, c_mail, erased_at) = row
    return Person(pk, account_id, f"{first} {last}".strip() or email, email, tuple(roles or ()), seniority or "",
                  persona_id, disc or "", country or "", tz or "",
                  {"email": c_email, "phone": c_phone, "ads": c_ads, "direct_mail": c_mail}, erased_at is not None)


def step_people(step: Step, account_ids: list[int]) -> tuple[dict[int, list[Person]], list[int]]:
    """The people of each account that the step's audience filter picks, and the accounts
    where nobody fits (a coverage gap the campaign shows, not a silent skip)."""
    rows = (_prefiltered(Contact.objects.for_workspace(step.workspace_id).filter(account_id__in=account_ids),
                         step.audience_filter or {})
            .order_by("pk").values_list(*PERSON_COLUMNS))
    people: dict[int, list[Person]] = {a: [] for a in account_ids}
    for row in rows:
        person = _person(row)
        if _fits(person, step.audience_filter or {}):
            people[person.account_id].append(person)
    gaps = [a for a, found in people.items() if not found]
    return people, gaps


def people_by_id(workspace_id: int, contact_ids) -> list[Person]:
    """These people by id, in id order (the order `step_people` gives inside an account)."""
    ids = sorted(set(contact_ids))
    people = []
    for start in range(0, len(ids), 10_000):
        people.extend(_person(row) for row in Contact.objects.for_workspace(workspace_id)
                      .filter(pk__any=ids[start:start + 10_000]).order_by("pk").values_list(*PERSON_COLUMNS))
    return people
