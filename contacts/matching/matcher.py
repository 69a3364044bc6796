"""Lead-to-account matching: decide a lead's account (or none) with a confidence in [0, 1], the
method, human-readable reasons and, for the review queue, the candidate accounts.

Evidence, strongest first:
1. the e-mail or website domain is one of an account's domains (subdomains included; a
   subsidiary's own domain wins over its parent's) — free-mail and disposable domains never
   count;
2. the company name, normalised, equals an account's name or alias (or equals it once generic
   words like "Group" are dropped), or is its acronym;
3. the company name resembles an account's name (rapidfuzz over a blocking index);
4. a corporate domain that is a country variant of an account's domain (brand.es vs brand.de).
Country agreement raises confidence, disagreement lowers it. Names shared by several accounts
go to review unless the country or the domain breaks the tie.

Outcomes: "auto" when confidence ≥ thresholds.auto *and* the evidence may link on its own
(a domain; or, by name alone, an exact name/alias that is unambiguous, or a near-exact fuzzy
name that nothing else resembles and that the country and/or legal form typed corroborate — see
FUZZY_AUTO_SIMILARITY), "review" when ≥ thresholds.review, else "none". So a free-mail lead is
never linked by an uncorroborated fuzzy name, and never by any name below the auto threshold.

Pure: no Django. `match_many` gives exactly what `match` gives for each lead, only faster.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from contacts.matching.index import AccountIndex, FuzzyHit, NameHit, gc_paused, name_similarity
from contacts.matching.normalise import (
    CompanyName,
    host_chain,
    host_of,
    looks_like_acronym,
    mailbox_kind,
    normalise_company,
    normalise_country,
)


@dataclass(frozen=True, slots=True)
class Lead:
    """A lead as typed: only e-mail, website, company and country are used for matching."""

    lead_id: str
    email: str = ""
    company: str = ""
    website: str = ""
    phone: str = ""
    country: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Confidence cut-offs (per workspace): ≥ auto → linked automatically (if the evidence
    allows), ≥ review → review queue, below → unmatched."""

    auto: float = 0.90
    review: float = 0.60

    def __post_init__(self) -> None:
        if not 0.0 <= self.review <= self.auto <= 1.0:
            raise ValueError(f"need 0 ≤ review ≤ auto ≤ 1, got review={self.review}, auto={self.auto}")


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The decision for one lead. `account_id` is the proposed account (None when the decision
    is "none"); `candidates`: (account_id, score) pairs, best first, for the review queue."""

    lead_id: str
    account_id: int | None
    confidence: float
    method: str
    decision: str
    reasons: tuple[str, ...]
    candidates: tuple[tuple[int, float], ...] = ()


# Confidence of each kind of evidence. Set from the evaluation bench (bench/l2a_eval.py): the
# auto-linked share of each kind must be right ≥ 99 % of the time.
EMAIL_DOMAIN = 0.97
WEBSITE_DOMAIN = 0.95
BOTH_DOMAINS = 0.99
NAME_CONFIRMS_DOMAIN = 0.02
NAME_DIFFERS_FROM_DOMAIN = -0.02
DOMAIN_VS_NAME_CONFLICT = 0.90      # domain says A, company names an unrelated account B: trust the
                                    # domain (an agency or consultant typing its client), at the edge
                                    # of auto: a workspace with auto > 0.90 reviews these
SHARED_DOMAIN = 0.70                # unrelated accounts list the same domain (or e-mail ≠ website)
SHARED_DOMAIN_NAME_PICKS = 0.90     # … and the company name fits exactly one of them
SUBSIDIARY_BY_NAME = 0.95           # parent's domain, company names one of its subsidiaries
SUBSIDIARY_BY_COUNTRY = 0.91        # parent's domain, same-named subsidiary in the lead's country
SUBSIDIARY_BY_LEGAL_FORM = 0.85     # parent's domain, several subsidiaries fit; the legal form picks one
SUBSIDIARIES_TIED = 0.75            # parent's domain, several subsidiaries fit equally
SUBSIDIARY_NAME_FLOOR = 80.0        # similarity a subsidiary needs at all to be considered
SHARED_WORDS = -0.04                # the name's words also occur in other (unrelated) accounts' names
HAS_SUBSIDIARIES = -0.04            # name of a parent, lead's country is not the parent's
EXACT_NAME = 0.93
EXACT_GENERIC_NAME = 0.84           # "Global Solutions": many companies could be called that
CORE_NAME = 0.90
CORE_GENERIC_NAME = 0.80
TIE_BROKEN = -0.02                  # several accounts with the name; country/domain chose one
LEGAL_FORM_PICK = 0.80              # … only the legal form typed chose one: review
AMBIGUOUS_NAME = 0.70
ACRONYM = 0.72
DOMAIN_VARIANT = 0.72               # brand.es, account lists brand.de; no name to confirm
DOMAIN_VARIANT_SUPPORT = 0.06       # … and the name agrees
NAME_ONLY_CAP = 0.97                # a name (even with a domain variant) is never certain
UNLISTED_CORPORATE_DOMAIN = -0.08   # corporate e-mail domain not on the name-matched account
UNLISTED_DOMAIN_FUZZY = -0.15       # … and the name only resembles the account's
COUNTRY_AGREES = {"domain": 0.01, "name": 0.05}
COUNTRY_DIFFERS = {"domain": -0.02, "name": -0.12}
LEGAL_FORM_AGREES = 0.05            # an exact (non-generic) name typed with the account's legal form
COUNTRY_DIFFERS_LEGAL_AGREES = -0.02  # an exact name whose legal form typed is the account's: the
                                      # country typed is likelier the lead's own than the company's
FUZZY_CUTOFF = 75.0                 # similarity below which a name is not a candidate
CLOSE_SECOND = 3.0                  # another unrelated account within this many points: ambiguous
CLOSE_SECOND_PENALTY = -0.08
DOMAIN_NAME_AGREES = 88.0           # similarity at which the company confirms the domain account
# A fuzzy name may be linked automatically only when it is near-exact *and* corroborated: no other
# (unrelated) account resembles the company within FUZZY_AUTO_GAP points, the name is not a common
# one, the lead's corporate domain (if any) does not contradict it, the country typed does not
# differ and the legal form typed (if any) is the account's. The similarity needed depends on the
# corroboration; anything less goes to review (the free-mail rule).
FUZZY_AUTO_GAP = 10.0
FUZZY_AUTO_SIMILARITY = {           # (country agrees, legal form typed and the account's) → similarity
    (True, True): 90.0,
    (True, False): 92.0,
    (False, True): 90.0,            # no country typed (never a differing one)
}
FUZZY_CORROBORATED = 0.91           # confidence of such a corroborated near-exact name


def fuzzy_confidence(similarity: float) -> float:
    """75 % → 0.50, 85 % → 0.655, 90 % → 0.73, 95 % → 0.81, 99 % → 0.87: a fuzzy name alone
    never reaches 0.90."""
    return 0.50 + (similarity - FUZZY_CUTOFF) * 0.0155


@dataclass
class _Proposal:
    account_id: int | None = None
    confidence: float = 0.0
    method: str = "none"
    reasons: list[str] = field(default_factory=list)
    candidates: dict[int, float] = field(default_factory=dict)
    auto_allowed: bool = False


@dataclass(frozen=True, slots=True)
class _Key:
    """Everything a decision depends on; leads with equal keys get equal decisions."""

    email_given: bool
    email_host: str
    website_host: str
    company: str
    country: str


@dataclass(slots=True)
class _Evidence:
    key: _Key
    reasons: list[str]
    email_ids: tuple[int, ...]
    email_domain: str
    website_ids: tuple[int, ...]
    website_domain: str
    unlisted_stems: set[str]
    name: CompanyName
    hits: tuple[NameHit, ...]
    hit_kind: str            # "exact", "core", "acronym", "" (none)

    @property
    def needs_fuzzy(self) -> bool:
        return not self.email_ids and not self.website_ids and not self.hits and bool(self.name)


class _Matcher:
    def __init__(self, index: AccountIndex, thresholds: Thresholds) -> None:
        self.index = index
        self.thresholds = thresholds

    # -- the pipeline --------------------------------------------------------------------------

    def run(self, leads: Sequence[Lead], chunk: int = 200_000) -> list[MatchResult]:
        results: list[MatchResult] = []
        with gc_paused():
            for start in range(0, len(leads), chunk):
                results.extend(self._run_chunk(leads[start:start + chunk]))
        return results

    def _run_chunk(self, leads: Sequence[Lead]) -> list[MatchResult]:
        keys = [self._key(lead) for lead in leads]
        evidence = {key: self._evidence(key) for key in dict.fromkeys(keys)}
        # Keyed by the whole normalised name (not only its key): fuzzy scores use its spacing too.
        names = list(dict.fromkeys(ev.name for ev in evidence.values() if ev.needs_fuzzy))
        fuzzy = dict(zip(names, self.index.fuzzy(names, cutoff=FUZZY_CUTOFF))) if names else {}
        decided: dict[_Key, MatchResult] = {}
        results = []
        for lead, key in zip(leads, keys):
            template = decided.get(key)
            if template is None:
                ev = evidence[key]
                template = self._result(lead.lead_id, self._decide(ev, fuzzy.get(ev.name, ())))
                decided[key] = template
                results.append(template)
            else:
                results.append(MatchResult(lead.lead_id, template.account_id, template.confidence, template.method,
                                           template.decision, template.reasons, template.candidates))
        return results

    @staticmethod
    def _key(lead: Lead) -> _Key:
        email = (lead.email or "").strip()
        email_host = host_of(email) if "@" in email else ""
        return _Key(bool(email), email_host, host_of(lead.website or ""), (lead.company or "").strip(),
                    normalise_country(lead.country or ""))

    # -- evidence ------------------------------------------------------------------------------

    def _evidence(self, key: _Key) -> _Evidence:
        reasons: list[str] = []
        unlisted_stems: set[str] = set()
        email_ids, email_domain = (), ""
        if key.email_given and not key.email_host:
            reasons.append("the e-mail address has no usable domain")
        if key.email_host:
            email_ids, email_domain = self._domain_evidence(key.email_host, "e-mail domain", reasons, unlisted_stems)
        website_ids, website_domain = (), ""
        if key.website_host:
            website_ids, website_domain = self._domain_evidence(key.website_host, "website", reasons, unlisted_stems)
        name = normalise_company(key.company)
        hits, kind = (), ""
        if name:
            hits, kind = self._name_hits(name)
        return _Evidence(key, reasons, email_ids, email_domain, website_ids, website_domain, unlisted_stems,
                         name, hits, kind)

    def _domain_evidence(self, host: str, label: str, reasons: list[str],
                         unlisted_stems: set[str]) -> tuple[tuple[int, ...], str]:
        """Accounts owning the host (and the domain that matched); free-mail and disposable
        hosts are only a reason; an unknown corporate host's brand label is kept as evidence."""
        chain = host_chain(host)
        if not chain:
            reasons.append(f"{label} {host} is not a registrable domain")
            return (), ""
        registrable = chain[-1]
        kind = mailbox_kind(host)
        if kind == "disposable":
            reasons.append(f"{registrable} is a disposable e-mail domain: domain not used")
            return (), ""
        if kind == "free":
            reasons.append(f"{registrable} is a free-mail domain: domain not used")
            return (), ""
        ids, matched = self.index.accounts_for_host(host)
        if not ids:
            reasons.append(f"no account has the {label} {registrable}")
            stem = registrable.split(".", 1)[0]  # the brand label: brand.co.uk → brand
            if stem:
                unlisted_stems.add(stem)
        return ids, matched

    def _name_hits(self, name: CompanyName) -> tuple[tuple[NameHit, ...], str]:
        hits = self.index.exact(name.key)
        if hits:
            return hits, "exact"
        hits = self.index.core(name.core)
        if hits:
            return hits, "core"
        found: dict[int, NameHit] = {}
        if looks_like_acronym(name):
            for hit in self.index.acronym(name.key):
                found.setdefault(hit.account_id, hit)
        if name.acronym:
            for hit in self.index.exact(name.acronym):
                found.setdefault(hit.account_id, hit)
        if found:
            return tuple(found.values()), "acronym"
        return (), ""

    # -- decisions -----------------------------------------------------------------------------

    def _decide(self, ev: _Evidence, fuzzy: tuple[FuzzyHit, ...]) -> _Proposal:
        if ev.email_ids or ev.website_ids:
            proposal = self._by_domain(ev)
        else:
            proposal = self._by_name(ev, fuzzy)
        proposal.reasons[:0] = ev.reasons
        return proposal

    def _name(self, account_id: int) -> str:
        return self.index.get(account_id).name

    def _label(self, account_id: int) -> str:
        country = self.index.country_of(account_id)
        return f"{self._name(account_id)} ({country})" if country else self._name(account_id)

    def _by_domain(self, ev: _Evidence) -> _Proposal:
        p = _Proposal(auto_allowed=True)
        index = self.index
        pointed = list(dict.fromkeys(ev.email_ids + ev.website_ids))
        # The most specific account wins: drop any that is a parent of another one pointed at.
        specific = [a for a in pointed if not any(a in index.ancestors(b) for b in pointed if b != a)]
        if ev.email_ids:
            p.method = "email_domain"
            for a in ev.email_ids:
                p.reasons.append(f"e-mail domain {ev.key.email_host} is a domain of {self._name(a)}"
                                 + (f" ({ev.email_domain})" if ev.email_domain != ev.key.email_host else ""))
        if ev.website_ids:
            if not ev.email_ids:
                p.method = "website_domain"
            for a in ev.website_ids:
                p.reasons.append(f"website {ev.key.website_host} is a domain of {self._name(a)}")
        if len(specific) > 1:
            return self._shared_domain(ev, p, specific)
        account = specific[0]
        if ev.email_ids and ev.website_ids:
            p.confidence = BOTH_DOMAINS if account in ev.email_ids and account in ev.website_ids else EMAIL_DOMAIN
        else:
            p.confidence = EMAIL_DOMAIN if ev.email_ids else WEBSITE_DOMAIN
        if any(a != account for a in pointed):
            p.reasons.append(f"{self._name(account)} is a subsidiary: its own domain wins over its parent's")
        p.account_id = account
        self._check_company_against_domain(ev, p)
        self._country(ev, p, "domain")
        p.candidates[p.account_id] = max(p.candidates.get(p.account_id, 0.0), p.confidence)
        return p

    def _shared_domain(self, ev: _Evidence, p: _Proposal, accounts: list[int]) -> _Proposal:
        """Unrelated accounts list the same domain: the company name may pick one."""
        scored = sorted(((self._similarity_to_account(ev.name, a)[0], a) for a in accounts), key=lambda t: (-t[0], t[1]))
        agreeing = [a for s, a in scored if s >= DOMAIN_NAME_AGREES]
        names = ", ".join(self._label(a) for a in accounts)
        split = bool(ev.email_ids and ev.website_ids and set(ev.email_ids) != set(ev.website_ids))
        what = "the e-mail domain and the website belong to" if split else "the domain is listed by"
        if len(agreeing) == 1:
            p.account_id = agreeing[0]
            p.confidence = SHARED_DOMAIN_NAME_PICKS
            p.reasons.append(f"{what} different accounts ({names}); company '{ev.key.company}' picks "
                             f"{self._name(p.account_id)}")
        else:
            p.account_id = scored[0][1]
            p.confidence = SHARED_DOMAIN
            p.reasons.append(f"{what} different, unrelated accounts ({names}): needs review")
        for s, a in scored:
            p.candidates[a] = round(p.confidence if a == p.account_id else SHARED_DOMAIN, 3)
        self._country(ev, p, "domain")
        p.candidates[p.account_id] = p.confidence
        return p

    def _similarity_to_account(self, name: CompanyName, account_id: int) -> tuple[float, str]:
        """Best similarity (0–100) of a typed company to the account's name and aliases; an
        acronym of the account's name counts 95, an equal core name 97."""
        best, written = 0.0, ""
        if not name:
            return best, written
        for normal, _source, as_written in self.index.names_of(account_id):
            if normal.key == name.key:
                return 100.0, as_written
            if normal.core == name.core:
                score = 97.0
            elif (normal.acronym and normal.acronym == name.key) or (name.acronym and name.acronym == normal.key):
                score = 95.0
            else:
                score = name_similarity(name, normal)
            if score > best:
                best, written = score, as_written
        return best, written

    def _check_company_against_domain(self, ev: _Evidence, p: _Proposal) -> None:
        index = self.index
        account = p.account_id
        if not ev.name:
            if ev.key.company:
                p.reasons.append(f"company '{ev.key.company}' is not a usable name")
            else:
                p.reasons.append("no company name given")
            return
        similarity, written = self._similarity_to_account(ev.name, account)
        child = self._subsidiary_by_name(ev, account, similarity)
        if child is not None:
            why, children = child
            p.candidates[account] = round(min(p.confidence, SUBSIDIARIES_TIED) - 0.05, 3)
            p.account_id = children[0]
            company = ev.key.company
            if why == "name":
                p.confidence = SUBSIDIARY_BY_NAME
                p.reasons.append(f"company '{company}' names {self._name(children[0])}, a subsidiary of "
                                 f"{self._name(account)}: linked to the subsidiary")
            elif why == "country":
                p.confidence = SUBSIDIARY_BY_COUNTRY
                p.reasons.append(f"company '{company}' fits {self._name(account)} and its subsidiary "
                                 f"{self._label(children[0])} equally; country {ev.key.country} picks the subsidiary")
            elif why == "legal":
                p.confidence = SUBSIDIARY_BY_LEGAL_FORM
                p.reasons.append(f"company '{company}' fits {self._name(account)} and its subsidiaries about "
                                 f"equally; the legal form typed is that of {self._label(children[0])}")
            else:
                p.confidence = SUBSIDIARIES_TIED
                names = ", ".join(self._label(c) for c in children[:4])
                p.reasons.append(f"company '{company}' names subsidiaries of {self._name(account)} better than "
                                 f"the account itself, but several equally ({names}): needs review")
            for c in children[:4]:
                p.candidates.setdefault(c, round(SUBSIDIARIES_TIED - 0.05, 3))
            return
        if similarity >= DOMAIN_NAME_AGREES:
            p.confidence = min(0.995, p.confidence + NAME_CONFIRMS_DOMAIN)
            p.reasons.append(f"company '{ev.key.company}' ≈ '{written}' ({similarity:.0f} %)")
            return
        others = [h.account_id for h in ev.hits if h.account_id != account] if ev.hit_kind in ("exact", "core") else []
        parents = [b for b in others if b in index.ancestors(account)]
        others = [b for b in others if account not in index.ancestors(b)]
        if parents:
            p.reasons.append(f"company '{ev.key.company}' names the parent {self._name(parents[0])}; "
                             f"the subsidiary's own domain wins")
        elif others:
            p.confidence = DOMAIN_VS_NAME_CONFLICT
            names = ", ".join(self._label(b) for b in others[:3])
            p.reasons.append(f"company '{ev.key.company}' is the name of {names} but the domain belongs to "
                             f"{self._name(account)}: trusting the domain, lower confidence")
            for b in others[:4]:
                p.candidates[b] = 0.60
        else:
            p.confidence += NAME_DIFFERS_FROM_DOMAIN
            if written:
                p.reasons.append(f"company '{ev.key.company}' does not resemble '{written}' ({similarity:.0f} %)")
            else:
                p.reasons.append(f"company '{ev.key.company}' does not resemble {self._name(account)}")

    def _subsidiary_by_name(self, ev: _Evidence, account: int,
                            similarity: float) -> tuple[str, list[int]] | None:
        """On a parent's domain, the company may name one of its subsidiaries better than the
        parent ("Siemens Healthineers" on siemens.com), or fit a same-named subsidiary as well as
        the parent while the country is the subsidiary's and not the parent's. Returns (why,
        subsidiaries): why is "name", "country", "legal" (one picked) or "tied" (review)."""
        index = self.index
        subsidiaries = index.descendants(account)
        if not subsidiaries:
            return None
        scored = sorted(((self._similarity_to_account(ev.name, b)[0], b) for b in subsidiaries),
                        key=lambda t: (-t[0], t[1]))
        top = scored[0][0]
        if top < SUBSIDIARY_NAME_FLOOR or top < similarity:
            return None
        tops = [b for score, b in scored if score == top]
        country = ev.key.country
        in_country = [b for b in tops if country and index.country_of(b) == country]
        if top > similarity and top >= DOMAIN_NAME_AGREES:
            if len(tops) == 1:
                return "name", tops
            if len(in_country) == 1:
                return "name", in_country
            by_legal = [b for b in (in_country or tops)
                        if ev.name.legal and any(n.legal == ev.name.legal for n, _, _ in index.names_of(b))]
            if len(by_legal) == 1:
                return "legal", by_legal
            return "tied", in_country or tops
        if country and index.country_of(account) != country and len(in_country) == 1:
            return "country", in_country
        legal = ev.name.legal
        if legal and not any(n.legal == legal for n, _, _ in index.names_of(account)):
            # "Samartin GmbH" on the domain of Samartin SARL, whose subsidiary is Samartin GmbH.
            by_legal = [b for b in tops if any(n.legal == legal for n, _, _ in index.names_of(b))]
            if len(by_legal) == 1:
                return "legal", by_legal
        return None

    def _country(self, ev: _Evidence, p: _Proposal, kind: str, legal_agrees: bool = False) -> None:
        if p.account_id is None or not ev.key.country:
            return
        theirs = self.index.country_of(p.account_id)
        if not theirs:
            return
        if theirs == ev.key.country:
            p.confidence += COUNTRY_AGREES[kind]
            p.reasons.append(f"country {ev.key.country} matches")
        elif legal_agrees:
            p.confidence += COUNTRY_DIFFERS_LEGAL_AGREES
            p.reasons.append(f"country {ev.key.country} differs from {self._name(p.account_id)}'s {theirs}, but "
                             f"the legal form typed is theirs: likely the lead's own country")
        else:
            p.confidence += COUNTRY_DIFFERS[kind]
            p.reasons.append(f"country {ev.key.country} differs from {self._name(p.account_id)}'s {theirs}")

    def _legal_agrees(self, name: CompanyName, account_id: int) -> bool:
        """The company was typed with a legal form, and it is the account's."""
        return bool(name.legal) and any(n.legal == name.legal for n, _, _ in self.index.names_of(account_id))

    def _by_name(self, ev: _Evidence, fuzzy: tuple[FuzzyHit, ...]) -> _Proposal:
        p = _Proposal()
        if not ev.key.email_given and not ev.key.website_host:
            p.reasons.append("no e-mail or website given")
        if not ev.name:
            p.reasons.append(f"company '{ev.key.company}' is not a usable name" if ev.key.company
                             else "no company name given")
            return self._by_domain_variant(ev, p)
        if ev.hits:
            self._by_name_hits(ev, p)
        elif fuzzy:
            self._by_fuzzy(ev, p, fuzzy)
        else:
            p.reasons.append(f"no account name resembles company '{ev.key.company}'")
            return self._by_domain_variant(ev, p)
        if ev.unlisted_stems and p.account_id is not None:
            stems = self.index.stems_of(p.account_id)
            shared = sorted(ev.unlisted_stems & stems)
            if shared:
                p.confidence += DOMAIN_VARIANT_SUPPORT
                p.auto_allowed = p.auto_allowed or p.method == "fuzzy_name"
                p.reasons.append(f"the lead's domain is a variant of {self._name(p.account_id)}'s "
                                 f"domains (same brand '{shared[0]}')")
            else:
                # Someone with their own company domain, which is not the account's: an exact
                # name may still be the account (a domain it has not listed); a fuzzy one rarely.
                p.confidence += UNLISTED_CORPORATE_DOMAIN if p.method != "fuzzy_name" else UNLISTED_DOMAIN_FUZZY
                p.reasons.append(f"the lead's corporate domain is not one of {self._name(p.account_id)}'s domains")
        if p.account_id is not None:
            p.confidence = min(p.confidence, NAME_ONLY_CAP)
            p.candidates[p.account_id] = p.confidence
        return p

    def _pick(self, ev: _Evidence, ids: list[int]) -> tuple[int | None, str, bool]:
        """Break a tie between accounts sharing a name: the lead's domain brand, then country,
        then the legal form typed ("… AB" among "Premier Resources" in five countries).
        Returns (account, why, strong); a pick by legal form alone is weak (people change it)."""
        pool = ids
        if ev.unlisted_stems:
            by_stem = [a for a in ids if ev.unlisted_stems & self.index.stems_of(a)]
            if len(by_stem) == 1:
                return by_stem[0], f"the lead's domain brand picks {self._name(by_stem[0])}", True
        if ev.key.country:
            by_country = [a for a in ids if self.index.country_of(a) == ev.key.country]
            if len(by_country) == 1:
                return by_country[0], f"country {ev.key.country} picks {self._name(by_country[0])}", True
            pool = by_country or ids
        legal = ev.name.legal
        if legal:
            by_legal = [a for a in pool if any(n.legal == legal for n, _, _ in self.index.names_of(a))]
            if len(by_legal) == 1:
                strong = pool is not ids  # country narrowed it first
                how = f"country {ev.key.country} and the legal form" if strong else "the legal form"
                return by_legal[0], f"{how} typed picks {self._name(by_legal[0])}", strong
        return None, "", False

    def _top_of(self, ids: list[int]) -> int:
        """The account to propose among tied ones: a parent of the others if there is one."""
        for a in ids:
            if all(a == b or a in self.index.ancestors(b) for b in ids):
                return a
        return min(ids)

    def _by_name_hits(self, ev: _Evidence, p: _Proposal) -> None:
        hits = {h.account_id: h for h in ev.hits}
        ids = sorted(hits)
        # A learned alias was confirmed by a person: never "generic".
        generic = self.index.is_generic(ev.name) and any(hits[a].source == "name" for a in ids)
        company = ev.key.company
        if ev.hit_kind == "acronym":
            p.method, base = "acronym", ACRONYM
        elif ev.hit_kind == "core":
            p.method, base = "exact_name", (CORE_GENERIC_NAME if generic else CORE_NAME)
        else:
            base = EXACT_GENERIC_NAME if generic else EXACT_NAME
            p.method = "alias" if all(hits[a].source == "alias" for a in ids) else "exact_name"
        weak_pick = False
        if len(ids) > 1:
            chosen, why, strong = self._pick(ev, ids)
            if chosen is None:
                top = self._top_of(ids)
                p.account_id, p.confidence = top, AMBIGUOUS_NAME
                names = ", ".join(self._label(a) for a in ids[:5])
                more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
                p.reasons.append(f"{len(ids)} accounts match company '{company}': {names}{more}: ambiguous, "
                                 f"needs review")
                for a in ids[:10]:
                    p.candidates[a] = AMBIGUOUS_NAME
                return
            p.reasons.append(f"{len(ids)} accounts match company '{company}'; {why}")
            for a in ids[:10]:
                p.candidates[a] = round(AMBIGUOUS_NAME - 0.05, 3)
            account, base = chosen, base + TIE_BROKEN
            if not strong:
                weak_pick, base = True, min(base, LEGAL_FORM_PICK)
        else:
            account = ids[0]
        hit = hits[account]
        p.account_id, p.confidence = account, base
        what = "alias" if hit.source == "alias" else "name"
        if ev.hit_kind == "exact":
            p.reasons.append(f"company '{company}' is the {what} '{hit.written}' of {self._name(account)} "
                             f"(exact after normalisation)")
        elif ev.hit_kind == "core":
            p.reasons.append(f"company '{company}' matches the {what} '{hit.written}' of {self._name(account)} "
                             f"apart from generic words (group, holding …)")
        else:
            p.reasons.append(f"company '{company}' is an acronym of '{hit.written}'")
        if generic and ev.hit_kind != "acronym":
            p.reasons.append(f"'{company}' is a common name: weaker evidence, never linked by name alone")
        shared = ev.hit_kind in ("exact", "core") and not generic and self.index.words_shared_beyond(ev.name, ids)
        if shared:
            # "Taiyo" is exactly the account "Taiyo K.K." (or its core, "Taiyo Industries"), but
            # "Taiyo Chemical" is an account too: the lead may have shortened another name.
            p.confidence += SHARED_WORDS
            p.reasons.append(f"other accounts' names also contain the words of '{company}'")
        if self.index.descendants(account) and self.index.country_of(account) != ev.key.country:
            p.confidence += HAS_SUBSIDIARIES
            p.reasons.append(f"{self._name(account)} has subsidiaries and the lead's country is not "
                             f"{self.index.country_of(account) or 'known'}: the lead may work for one of them")
        legal_agrees = ev.hit_kind in ("exact", "core") and not generic and self._legal_agrees(ev.name, account)
        if legal_agrees:
            p.confidence += LEGAL_FORM_AGREES
            p.reasons.append(f"the legal form typed ('{ev.name.legal}') is {self._name(account)}'s")
        self._country(ev, p, "name", legal_agrees=legal_agrees)
        p.auto_allowed = ((ev.hit_kind == "exact" or (ev.hit_kind == "core" and not shared))
                          and not generic and not weak_pick)

    def _by_fuzzy(self, ev: _Evidence, p: _Proposal, fuzzy: tuple[FuzzyHit, ...]) -> None:
        p.method = "fuzzy_name"
        best = fuzzy[0]
        close = [h for h in fuzzy[1:] if h.similarity >= best.similarity - CLOSE_SECOND]
        chosen, unresolved = best, False
        if close:
            tied = [best.account_id] + [h.account_id for h in close]
            picked, why, _strong = self._pick(ev, tied)
            if picked is not None:
                chosen = next(h for h in fuzzy if h.account_id == picked)
                p.reasons.append(f"{len(tied)} accounts resemble company '{ev.key.company}' about equally; {why}")
            elif any(not self.index.related(a, best.account_id) for a in tied[1:]):
                unresolved = True
                p.reasons.append(f"{len(tied)} accounts resemble company '{ev.key.company}' about equally: "
                                 f"ambiguous")
        p.account_id = chosen.account_id
        p.confidence = fuzzy_confidence(chosen.similarity) + (CLOSE_SECOND_PENALTY if unresolved else 0.0)
        what = "alias" if chosen.source == "alias" else "name"
        p.reasons.append(f"company '{ev.key.company}' ≈ '{chosen.written}' ({chosen.similarity:.0f} %, {what} "
                         f"of {self._name(chosen.account_id)})")
        for h in fuzzy:
            if h.account_id != chosen.account_id:
                p.candidates[h.account_id] = round(fuzzy_confidence(h.similarity), 3)
        self._country(ev, p, "name")
        if not unresolved:
            self._fuzzy_corroborated(ev, p, chosen, fuzzy)

    def _fuzzy_corroborated(self, ev: _Evidence, p: _Proposal, chosen: FuzzyHit,
                            fuzzy: tuple[FuzzyHit, ...]) -> None:
        """A near-exact fuzzy name that the rest of the lead corroborates may be linked
        automatically (see FUZZY_AUTO_SIMILARITY); it never is otherwise."""
        account, index = chosen.account_id, self.index
        if ev.unlisted_stems or index.is_generic(ev.name):
            return
        if any(h.similarity > chosen.similarity - FUZZY_AUTO_GAP and not index.related(h.account_id, account)
               for h in fuzzy if h.account_id != account):
            return
        theirs = index.country_of(account)
        if ev.key.country and ev.key.country != theirs:
            return
        country_agrees = bool(ev.key.country)
        legal = ev.name.legal
        legal_agrees = self._legal_agrees(ev.name, account)
        if legal and not legal_agrees:
            return
        needed = FUZZY_AUTO_SIMILARITY.get((country_agrees, legal_agrees))
        if needed is None or chosen.similarity < needed:
            return
        p.confidence = max(p.confidence, FUZZY_CORROBORATED)
        p.auto_allowed = True
        what = " and ".join(w for w, ok in ((f"country {ev.key.country}", country_agrees),
                                            (f"legal form '{legal}'", legal_agrees)) if ok)
        p.reasons.append(f"near-exact name ({chosen.similarity:.0f} %), no other account within "
                         f"{FUZZY_AUTO_GAP:.0f} points, {what} agree{'s' if ' and ' not in what else ''}: "
                         f"linked by name")

    def _by_domain_variant(self, ev: _Evidence, p: _Proposal) -> _Proposal:
        """No name to go on: a corporate domain whose brand matches an account's domains."""
        ids = sorted({a for stem in ev.unlisted_stems for a in self.index.accounts_for_stem(stem)})
        if not ids:
            return p
        p.method = "domain_variant"
        chosen = ids[0] if len(ids) == 1 else self._pick(ev, ids)[0]  # any pick: review-level anyway
        if chosen is None:
            p.account_id, p.confidence = self._top_of(ids), DOMAIN_VARIANT - 0.10
            p.reasons.append(f"the lead's domain brand appears in the domains of {len(ids)} accounts: ambiguous")
        else:
            p.account_id, p.confidence = chosen, DOMAIN_VARIANT
            p.reasons.append(f"the lead's domain is a variant of {self._name(chosen)}'s domains "
                             f"(same brand, other suffix)")
            self._country(ev, p, "name")
        for a in ids[:10]:
            p.candidates[a] = round(p.confidence if a == p.account_id else DOMAIN_VARIANT - 0.10, 3)
        return p

    # -- the result ----------------------------------------------------------------------------

    def _result(self, lead_id: str, p: _Proposal) -> MatchResult:
        confidence = round(min(1.0, max(0.0, p.confidence)), 3) if p.account_id is not None else 0.0
        reasons = list(p.reasons)
        if p.account_id is None:
            decision = "none"
            if not reasons:
                reasons.append("nothing to match on")
        elif confidence >= self.thresholds.auto and p.auto_allowed:
            decision = "auto"
        elif confidence >= self.thresholds.review:
            decision = "review"
            if confidence >= self.thresholds.auto:
                reasons.append("matched by name alone without an exact, unambiguous name: needs review")
        else:
            decision = "none"
            reasons.append(f"confidence {confidence:.2f} is below the review threshold {self.thresholds.review:.2f}")
        candidates = sorted(((a, round(min(1.0, max(0.0, s)), 3)) for a, s in p.candidates.items()),
                            key=lambda t: (-t[1], t[0]))[:5]
        if p.account_id is not None:
            candidates = [(p.account_id, confidence)] + [c for c in candidates if c[0] != p.account_id][:4]
        return MatchResult(
            lead_id=lead_id,
            account_id=p.account_id if decision != "none" else None,
            confidence=confidence,
            method=p.method if decision != "none" else "none",
            decision=decision,
            reasons=tuple(reasons),
            candidates=tuple(candidates),
        )


def match(lead: Lead, index: AccountIndex, thresholds: Thresholds = Thresholds()) -> MatchResult:
    """Match one lead (on create/update)."""
    return _Matcher(index, thresholds).run([lead])[0]


def match_many(leads: Iterable[Lead], index: AccountIndex, thresholds: Thresholds = Thresholds()) -> list[MatchResult]:
    """Match many leads (imports, background jobs, the command line): identical results to
    `match` per lead; leads sharing domain, company and country are decided once, and fuzzy name
    lookups run in batches."""
    return _Matcher(index, thresholds).run(list(leads))
