"""Parsing of account field values as they arrive from files and CRMs. Pure: no Django.

Each parser returns the clean value or raises ValueError with a message a person can act on.
"""
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pycountry

_TRUE = {"true", "yes", "y", "1", "x", "ja", "oui", "si", "sí"}
_FALSE = {"false", "no", "n", "0", "nein", "non"}
_NUMBER_CLEAN = re.compile(r"[\s_,']")


def parse_int(value) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    text = _NUMBER_CLEAN.sub("", str(value))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a whole number") from None
    if number != number.to_integral_value() or number < 0:
        raise ValueError(f"{value!r} is not a whole number ≥ 0")
    return int(number)


def parse_decimal(value) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    text = _NUMBER_CLEAN.sub("", str(value))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{value!r} is not a number ≥ 0")
    return number.quantize(Decimal("0.01"))


def parse_bool(value) -> bool | None:
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not yes/no")


def parse_currency(value) -> str:
    text = str(value or "").strip().upper()
    if not text:
        return ""
    if pycountry.currencies.get(alpha_3=text) is None:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code (e.g. EUR, USD)")
    return text


@lru_cache(maxsize=4096)
def parse_country(value) -> str:
    """ISO alpha-2 from alpha-2, alpha-3 or an English name ('Germany', 'DEU', 'de' → 'DE')."""
    text = str(value or "").strip()
    if not text:
        return ""
    if text.upper() in ("UK", "GB"):
        return "GB"
    for lookup in ("alpha_2", "alpha_3"):
        country = pycountry.countries.get(**{lookup: text.upper()})
        if country:
            return country.alpha_2
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        pass
    try:
        matches = pycountry.countries.search_fuzzy(text) if len(text) > 3 else []
    except LookupError:
        matches = []
    if len(matches) == 1:
        return matches[0].alpha_2
    raise ValueError(f"{value!r} is not a country (use ISO codes such as DE or DEU, or the English name)")


def parse_website(value) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    if not re.match(r"^https?://[^\s/$.?#][^\s]*\.[^\s]{2,}$", text, re.IGNORECASE):
        raise ValueError(f"{value!r} is not a web address")
    return text[:300]
