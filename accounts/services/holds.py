"""Sales holds and the one question campaigns ask before touching an account."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from abm_platform.models import Workspace
from accounts.models import Account, Hold, Opportunity

DEFAULT_HOLD_DAYS = 30
MAX_HOLD_DAYS = 180


def hold_place(*, workspace: Workspace, account: Account, by, reason: str, expires_at: datetime | None = None) -> Hold:
    now = timezone.now()
    expires_at = expires_at or now + timedelta(days=DEFAULT_HOLD_DAYS)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the account is on hold (e.g. 'in final negotiation')."})
    if expires_at <= now:
        raise ValidationError({"expires_at": "The hold must expire in the future."})
    if expires_at > now + timedelta(days=MAX_HOLD_DAYS):
        raise ValidationError({"expires_at": f"A hold lasts at most {MAX_HOLD_DAYS} days; renew it if needed."})
    return Hold.objects.for_workspace(workspace).create(account=account, placed_by=by, reason=reason.strip(),
                                                        expires_at=expires_at)


def hold_release(*, hold: Hold, by) -> Hold:
    if hold.released_at is None:
        hold.released_at = timezone.now()
        hold.released_by = by
        hold.save(update_fields=["released_at", "released_by"])
    return hold


def active_holds_q(now: datetime | None = None) -> Q:
    return Q(released_at__isnull=True, expires_at__gt=now or timezone.now())


def active_hold_exists(workspace_id: int):
    """`Exists(...)` for annotating or filtering account querysets by 'on hold now'."""
    return Exists(Hold.objects.for_workspace(workspace_id).filter(active_holds_q(), account=OuterRef("pk")))


@dataclass(frozen=True)
class ContactBlock:
    """Why an account must not be cold-contacted without its owner's consent."""

    account_id: int
    reason: str  # "open_opportunity" | "hold"
    detail: str
    owner_id: int | None


def account_contact_blocks(*, workspace: Workspace, account_ids) -> dict[int, list[ContactBlock]]:
    """For the given accounts, every reason sales is closing them: an open opportunity or an
    active hold. Two indexed queries whatever the number of accounts; the campaigns engine
    calls this before any touch."""
    account_ids = list(account_ids)
    blocks: dict[int, list[ContactBlock]] = {}
    opportunities = (Opportunity.objects.for_workspace(workspace)
                     .filter(account_id__in=account_ids, is_open=True)
                     .values_list("account_id", "name", "owner_id", "account__owner_id"))
    for account_id, name, owner_id, account_owner_id in opportunities:
        blocks.setdefault(account_id, []).append(
            ContactBlock(account_id, "open_opportunity", f"Open opportunity “{name}”", owner_id or account_owner_id))
    holds = (Hold.objects.for_workspace(workspace).filter(active_holds_q(), account_id__in=account_ids)
             .values_list("account_id", "reason", "placed_by_id", "expires_at"))
    for account_id, reason, placed_by_id, expires_at in holds:
        blocks.setdefault(account_id, []).append(
            ContactBlock(account_id, "hold", f"On hold until {expires_at:%Y-%m-%d}: {reason}", placed_by_id))
    return blocks
