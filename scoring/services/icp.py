"""The ideal customer profile: its criteria are written here, and only here.

Each kind of criterion has its own `config` shape (IcpCriterion's docstring); a config the fit
engine could not read is refused with a message that says what is expected, so a marketer never
saves a criterion that silently scores nothing.
"""
from __future__ import annotations

from numbers import Real

from django.core.exceptions import ValidationError
from django.db import transaction

from abm_platform.models import Workspace
from scoring.models import CriterionKind, IcpCriterion

LIST_KINDS = ("industry", "country", "region")
RANGE_KINDS = ("employees", "revenue")
ATTRIBUTE_OPS = ("eq", "in", "gte", "lte", "true")


def icp_config_clean(kind: str, config, *, is_disqualifier: bool = False) -> dict:
    """The config, cleaned for its kind, or a ValidationError under `config` saying what is wrong."""
    if kind not in CriterionKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(CriterionKind.values)}."})
    if not isinstance(config, dict):
        raise ValidationError({"config": "Give the criterion's settings as an object, e.g. {\"values\": [...]}."})
    if kind in LIST_KINDS:
        values = _text_list(config.get("values"), f"List the {kind} values this criterion matches, e.g. "
                                                  f"{{\"values\": [\"Logistics\"]}}.")
        adjacent = config.get("adjacent") or []
        adjacent = _text_list(adjacent, "`adjacent` must be a list of names.", allow_empty=True)
        if is_disqualifier and adjacent:
            raise ValidationError({"config": "A disqualifier has no adjacent values: it matches or it does not."})
        overlap = {v.casefold() for v in values} & {v.casefold() for v in adjacent}
        if overlap:
            raise ValidationError({"config": "A value cannot be both wanted and adjacent: "
                                             f"{', '.join(sorted(overlap))}."})
        return {"values": values, "adjacent": adjacent}
    if kind in RANGE_KINDS:
        low, high = _number(config.get("min"), "min"), _number(config.get("max"), "max")
        if low is None and high is None:
            raise ValidationError({"config": "Give a minimum, a maximum or both, e.g. {\"min\": 200, \"max\": 5000}."})
        if low is not None and high is not None and low > high:
            raise ValidationError({"config": f"The minimum ({low:g}) is above the maximum ({high:g})."})
        return {k: v for k, v in (("min", low), ("max", high)) if v is not None}
    if kind == "technology":
        values = _text_list(config.get("values"),
                            "List the technologies, e.g. {\"values\": [\"SAP\", \"Salesforce\"]}.")
        k = config.get("k", 1)
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(values):
            raise ValidationError({"config": f"`k` (how many of them make a full match) must be a whole number "
                                             f"from 1 to {len(values)}."})
        return {"values": values, "k": k}
    # attribute
    key = config.get("key")
    if not isinstance(key, str) or not key.strip():
        raise ValidationError({"config": "Name the custom attribute, e.g. {\"key\": \"fleet_size\", \"op\": \"gte\", "
                                         "\"value\": 50}."})
    op = config.get("op", "eq")
    if op not in ATTRIBUTE_OPS:
        raise ValidationError({"config": f"`op` must be one of: {', '.join(ATTRIBUTE_OPS)}."})
    cleaned = {"key": key.strip(), "op": op}
    value = config.get("value")
    if op == "true":
        return cleaned
    if op == "in":
        cleaned["value"] = _text_list(value, "With `in`, give `value` as a list, e.g. [\"gold\", \"platinum\"].")
    elif op in ("gte", "lte"):
        number = _number(value, "value")
        if number is None:
            raise ValidationError({"config": f"With `{op}`, `value` must be a number."})
        cleaned["value"] = number
    else:
        if value in (None, "") or isinstance(value, (list, dict)):
            raise ValidationError({"config": "With `eq`, give the `value` to compare with."})
        cleaned["value"] = value
    return cleaned


@transaction.atomic
def icp_criterion_save(*, workspace: Workspace, criterion: IcpCriterion | None = None, kind: str, label: str,
                       config, weight: float = 1.0, is_disqualifier: bool = False, order: int = 0) -> IcpCriterion:
    """Create a criterion, or change `criterion`; the config is checked for its kind first."""
    cleaned = icp_config_clean(kind, config, is_disqualifier=is_disqualifier)
    if criterion is None:
        criterion = IcpCriterion(workspace=workspace)
    criterion.kind, criterion.label, criterion.config = kind, (label or "").strip(), cleaned
    criterion.weight, criterion.is_disqualifier, criterion.order = weight, is_disqualifier, order or 0
    criterion.full_clean()
    criterion.save()
    return criterion


def icp_criterion_delete(*, criterion: IcpCriterion) -> None:
    criterion.delete()


def _text_list(value, message: str, *, allow_empty: bool = False) -> list[str]:
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, (str, int, float)) for v in value):
        raise ValidationError({"config": message})
    cleaned = list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))
    if not cleaned and not allow_empty:
        raise ValidationError({"config": message})
    return cleaned


def _number(value, name: str) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (Real, str)):
        raise ValidationError({"config": f"`{name}` must be a number."})
    try:
        number = float(value)
    except ValueError:
        raise ValidationError({"config": f"`{name}` must be a number, not {value!r}."}) from None
    if number < 0:
        raise ValidationError({"config": f"`{name}` cannot be negative."})
    return int(number) if number.is_integer() else number
