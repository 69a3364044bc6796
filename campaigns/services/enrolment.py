"""Campaign life cycle: pilot on 2–3 accounts, the owner's explicit expand, pause, stop; and
enrolling accounts into plays (at most one active enrolment per play and account)."""
from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus, Enrolment, EnrolmentStatus, Play, Step, TriggerKind
from campaigns.services.audience import campaign_audience

PILOT_SIZE = (2, 3)


def play_enrol(*, play: Play, account_ids, reason: str, is_pilot: bool = False) -> int:
    """Enrol accounts that are not already active in the play. Returns how many were enrolled."""
    ids = list(dict.fromkeys(account_ids))
    scoped = Enrolment.objects.for_workspace(play.workspace_id)
    first = Step.objects.for_workspace(play.workspace_id).filter(play=play).order_by("order").first()
    now = timezone.now()
    order, at = (first.order, now + timedelta(hours=first.delay_hours)) if first else (1, now)
    # The partial unique index (one active enrolment per play and account) is the guarantee when
    # two enrolments race. On PostgreSQL it also skips the accounts already active: one statement,
    # no look-up first (for 20k accounts the look-up cost more than the insert).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Enrolment._meta.db_table} (workspace_id, play_id, account_id, status, is_pilot, "
                "trigger_reason, next_step_order, next_step_at, started_at, end_reason) "
                "SELECT %s, %s, a, %s, %s, %s, %s, %s, %s, '' FROM unnest(%s::bigint[]) AS a "
                "ON CONFLICT DO NOTHING",
                [play.workspace_id, play.pk, EnrolmentStatus.ACTIVE, is_pilot, reason[:255], order, at, now, ids])
            return cursor.rowcount
    active = set(scoped.filter(play=play, status=EnrolmentStatus.ACTIVE, account_id__in=ids)
                 .values_list("account_id", flat=True))
    new = [a for a in ids if a not in active]
    scoped.bulk_create([Enrolment(play=play, account_id=a, is_pilot=is_pilot, trigger_reason=reason[:255],
                                  next_step_order=order, next_step_at=at) for a in new],
                       ignore_conflicts=True, batch_size=2000)
    return len(new)


def _manual_plays(campaign: Campaign):
    return Play.objects.for_workspace(campaign.workspace_id).filter(campaign=campaign, is_active=True,
                                                                     trigger=TriggerKind.MANUAL)


@transaction.atomic
def campaign_start_pilot(*, campaign: Campaign, by, account_ids: list[int]) -> Campaign:
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError("Only a draft campaign starts a pilot.")
    if not Play.objects.for_workspace(campaign.workspace_id).filter(campaign=campaign, steps__isnull=False).exists():
        raise ValidationError("Add a play with at least one step before starting the pilot.")
    ids = list(dict.fromkeys(int(a) for a in account_ids))
    if not PILOT_SIZE[0] <= len(ids) <= PILOT_SIZE[1]:
        raise ValidationError({"accounts": f"A pilot runs on {PILOT_SIZE[0]}–{PILOT_SIZE[1]} accounts; {len(ids)} given."})
    audience = set(campaign_audience(campaign).filter(pk__in=ids))
    outside = [a for a in ids if a not in audience]
    if outside:
        raise ValidationError({"accounts": f"Pilot accounts must be in the campaign's audience: {outside} are not."})
    campaign.pilot_accounts.set(ids)
    campaign.status = CampaignStatus.PILOT
    campaign.save(update_fields=["status"])
    for play in _manual_plays(campaign):
        play_enrol(play=play, account_ids=ids, reason="pilot", is_pilot=True)
    return campaign


@transaction.atomic
def campaign_expand(*, campaign: Campaign, by, comment: str) -> Campaign:
    """Only the owner expands, after the pilot, with a comment; enrols the whole audience."""
    if by is None or by.pk != campaign.owner_id:
        raise PermissionDenied("Only the campaign's owner expands it.")
    if campaign.status != CampaignStatus.PILOT:
        raise ValidationError("Only a campaign in pilot can be expanded.")
    if not comment.strip():
        raise ValidationError({"comment": "Say why the pilot justifies expanding (it is recorded)."})
    campaign.status, campaign.expanded_at, campaign.expanded_by = CampaignStatus.ACTIVE, timezone.now(), by
    campaign.expand_comment = comment.strip()
    campaign.save(update_fields=["status", "expanded_at", "expanded_by", "expand_comment"])
    audience = list(campaign_audience(campaign))
    for play in _manual_plays(campaign):
        play_enrol(play=play, account_ids=audience, reason="expanded")
    return campaign


@transaction.atomic
def campaign_set_status(*, campaign: Campaign, by, status: str) -> Campaign:
    """Pause, resume or stop. Stopping ends every active enrolment."""
    allowed = {CampaignStatus.PAUSED: {CampaignStatus.PILOT, CampaignStatus.ACTIVE},
               CampaignStatus.STOPPED: {CampaignStatus.DRAFT, CampaignStatus.PILOT, CampaignStatus.ACTIVE,
                                        CampaignStatus.PAUSED}}
    if status == "resume":
        if campaign.status != CampaignStatus.PAUSED:
            raise ValidationError("Only a paused campaign resumes.")
        status = CampaignStatus.ACTIVE if campaign.expanded_at else CampaignStatus.PILOT
    elif campaign.status not in allowed.get(status, set()):
        raise ValidationError(f"A {campaign.get_status_display().lower()} campaign cannot become {status}.")
    campaign.status = status
    campaign.save(update_fields=["status"])
    if status == CampaignStatus.STOPPED:
        Enrolment.objects.for_workspace(campaign.workspace_id).filter(
            play__campaign=campaign, status=EnrolmentStatus.ACTIVE).update(
            status=EnrolmentStatus.STOPPED, ended_at=timezone.now(), end_reason=f"Campaign stopped by {by}")
    return campaign
