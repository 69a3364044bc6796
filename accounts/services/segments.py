from django.core.exceptions import ValidationError

from abm_platform.models import Workspace
from accounts.models import Account, Segment, SegmentKind, SegmentMember

# Parameters a dynamic segment may store: the accounts filter's own, minus paging and nesting.
NOT_STORED = {"page", "page_size", "ordering", "segment", "csrfmiddlewaretoken"}


def segment_create(*, workspace: Workspace, name: str, kind: str, filters: dict | None = None, description: str = "",
                   by=None) -> Segment:
    """A saved filter (re-evaluated on every read) or an empty static list."""
    rules = {k: v for k, v in (filters or {}).items() if k not in NOT_STORED and v not in ("", None)}
    if kind == SegmentKind.DYNAMIC and not rules:
        raise ValidationError("A saved filter needs at least one filter: narrow the list first.")
    if Segment.objects.for_workspace(workspace).filter(name__iexact=name.strip()).exists():
        raise ValidationError(f"A segment named “{name.strip()}” already exists.")
    segment = Segment(workspace=workspace, name=name.strip(), kind=kind, description=description, created_by=by,
                      filters=rules if kind == SegmentKind.DYNAMIC else {})
    segment.full_clean()
    segment.save()
    return segment


def segment_add_accounts(*, segment: Segment, account_ids) -> int:
    """Add this workspace's accounts among `account_ids` to a static segment (others are ignored)."""
    if segment.kind != SegmentKind.STATIC:
        raise ValidationError("Only static segments have members; a saved filter selects its own accounts.")
    ids = set(Account.objects.for_workspace(segment.workspace_id).filter(pk__in=list(account_ids))
              .values_list("pk", flat=True))
    SegmentMember.objects.for_workspace(segment.workspace_id).bulk_create(
        [SegmentMember(segment=segment, account_id=i) for i in ids], ignore_conflicts=True)
    return len(ids)
