"""Lead-to-account (L2A) matching engine. Pure Python on plain data: no Django.

    index = AccountIndex.build(records)            # AccountRecord per account
    result = match(lead, index, Thresholds())      # or match_many(leads, index, thresholds)
"""
from contacts.matching.index import AccountIndex, AccountRecord
from contacts.matching.matcher import Lead, MatchResult, Thresholds, match, match_many
from contacts.matching.normalise import company_key, is_disposable, is_free_mail, normalise_company

__all__ = [
    "AccountIndex", "AccountRecord", "Lead", "MatchResult", "Thresholds", "match", "match_many",
    "company_key", "is_disposable", "is_free_mail", "normalise_company",
]
