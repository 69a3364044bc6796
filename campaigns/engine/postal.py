"""Is an account's postal address good enough for a print-and-post vendor? Plain strings in,
the missing parts out.

A letter needs a street (with the number), a city and a country, and a postal code wherever
the country has postal codes. The few countries below are those commonly listed as having no
postal code system; everywhere else a missing postcode is reported (a vendor would send the
letter back or not print it).
"""
from __future__ import annotations

# ISO 3166-1 alpha-2 codes of countries without postal codes (Hong Kong, Macao, the United Arab
# Emirates, Qatar …); deliberately short: when in doubt a postcode is asked for.
NO_POSTAL_CODE = frozenset({"AE", "AG", "BS", "BZ", "FJ", "HK", "MO", "QA", "TV"})

# The block code of a letter planned to an account without a usable address.
NO_POSTAL_ADDRESS = "no_postal_address"
PARTS = (("street", "street"), ("postal_code", "postal code"), ("city", "city"), ("country", "country"))


def missing_address_parts(*, street: str, postal_code: str, city: str, country: str) -> list[str]:
    """The parts a letter to this address lacks, in label order ("street", "postal code" …);
    empty when it can be posted."""
    values = {"street": street, "postal_code": postal_code, "city": city, "country": country}
    missing = [label for key, label in PARTS if not str(values[key] or "").strip()]
    if "postal code" in missing and str(country or "").strip().upper() in NO_POSTAL_CODE:
        missing.remove("postal code")
    return missing
