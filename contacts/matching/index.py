"""The account side of lead-to-account matching: an immutable index over a workspace's accounts.

Built once from plain records (`AccountIndex.build`), then only read: by domain (each domain
belongs to one account; a subsidiary's own domain wins over its parent's), by exact normalised
name or alias, by "core" name (generic words dropped), by acronym, and fuzzily through a
blocking index over significant tokens and character n-grams, so a lead is compared with a few
dozen account names instead of all of them.

Pure: no Django.
"""
from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse

from contacts.matching.normalise import (
    GENERIC_WORDS,
    CompanyName,
    chain_kind,
    has_cjk,
    host_chain,
    host_of,
    normalise_company,
    normalise_country,
)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Bulk builds allocate millions of small objects that live on; the cyclic garbage collector
    would rescan them over and over (a third of the build time). Paused for the block only, and
    only re-enabled if it was enabled."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """One account as the matcher sees it. `domains`: registrable domains (or deeper hosts a
    subsidiary owns, e.g. `uk.brand.com`), primary first; `aliases`: other names the company is
    known by (learned from review decisions); `country`: ISO 3166-1 alpha-2."""

    id: int
    name: str
    domains: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    country: str = ""
    parent_id: int | None = None
    external_id: str = ""


@dataclass(frozen=True, slots=True)
class NameHit:
    """An account found by a name key. `source`: "name" or "alias"; `written`: that name or
    alias as the account has it (for reasons)."""

    account_id: int
    source: str
    written: str


@dataclass(frozen=True, slots=True)
class FuzzyHit:
    """An account whose name (or alias) resembles the query; `similarity` in 0–100."""

    account_id: int
    similarity: float
    source: str
    written: str


def name_similarity(a: CompanyName, b: CompanyName) -> float:
    """0–100. The best of: edit ratio of the spaced names, of the names with words sorted
    (word order), and of the compact keys (spacing and hyphens). Deliberately not token-set
    or partial ratios: "Siemens" must not equal "Siemens Healthineers"."""
    if not a or not b:
        return 0.0
    if a.key == b.key:
        return 100.0
    return max(fuzz.ratio(a.text, b.text), fuzz.token_sort_ratio(a.text, b.text), fuzz.ratio(a.key, b.key),
               shortened_similarity(a, b))


ABBREVIATED = 90.0     # "Liro Tecn." for "Liro Tecnologie"
LEADING_WORDS = 86.0   # "Laumawei" for "Laumawei Maschinenbau"


def shortened_similarity(typed: CompanyName, name: CompanyName) -> float:
    """People shorten names: words cut off ("Tecn."), or trailing words left out. Scored as a
    near match (review-level), never as equal. Asymmetric: `typed` is the shorter one."""
    a, b = typed.tokens, name.tokens
    if len(a) < len(b) and b[:len(a)] == a and len(typed.key) >= 5:
        return LEADING_WORDS
    if len(a) == len(b) and a != b and all(x == y or (len(x) >= 3 and y.startswith(x)) for x, y in zip(a, b)):
        return ABBREVIATED
    return 0.0


_BLOCK_STOP = frozenset({"and", "of", "for", "de", "des", "du", "la", "le", "der", "die", "das",
                         "von", "van", "y", "e", "del", "di", "da", "do", "a", "the"})


def _features(name: CompanyName) -> list[str]:
    """Blocking keys: each significant word, and the character n-grams of the compact key
    (trigrams; bigrams for CJK names, which are short), with start/end markers."""
    keys = ["w:" + token for token in name.tokens if token not in _BLOCK_STOP and len(token) > 1]
    padded = "^" + name.key + "$"
    size = 2 if has_cjk(name.key) else 3
    keys.extend(padded[i:i + size] for i in range(len(padded) - size + 1))
    return keys


class AccountIndex:
    """Read-only lookup structures over a set of AccountRecords. Build with `AccountIndex.build`."""

    #: Blocking keys held by more than this share of the names are too common to block on.
    MAX_KEY_SHARE = 0.01
    #: How many names the blocking stage hands to the fuzzy scorer per query.
    BLOCK_SIZE = 40

    def __init__(self) -> None:  # use build()
        self.records: dict[int, AccountRecord] = {}
        self.ignored_domains: tuple[tuple[int, str, str], ...] = ()
        self._domains: dict[str, tuple[int, ...]] = {}
        self._stems: dict[str, tuple[int, ...]] = {}
        self._account_stems: dict[int, frozenset[str]] = {}
        self._exact: dict[str, tuple[NameHit, ...]] = {}
        self._core: dict[str, tuple[NameHit, ...]] = {}
        self._acronym: dict[str, tuple[NameHit, ...]] = {}
        self._names: dict[int, tuple[tuple[CompanyName, str, str], ...]] = {}
        self._parents: dict[int, int] = {}
        self._ancestors: dict[int, tuple[int, ...]] = {}
        self._descendants: dict[int, tuple[int, ...]] = {}
        self._token_df: Counter = Counter()
        self._generic_df = 20
        self._entries: list[tuple[int, CompanyName, str, str]] = []
        self._feature_ids: dict[str, int] = {}
        self._feature_df = np.zeros(0, dtype=np.int64)
        self._matrix = sparse.csr_matrix((0, 0), dtype=np.int32)
        self._max_df = 0

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def build(cls, records: Iterable[AccountRecord]) -> AccountIndex:
        index = cls()
        with gc_paused():
            for record in records:
                index.records[record.id] = record
                if record.parent_id is not None and record.parent_id != record.id:
                    index._parents[record.id] = record.parent_id
            index._build_family()
            index._build_domains()
            index._build_names()
            index._build_blocking()
        return index

    def _build_family(self) -> None:
        children: dict[int, list[int]] = defaultdict(list)
        for child in self._parents:
            chain: list[int] = []
            current = self._parents.get(child)
            while current is not None and current not in chain and current != child and len(chain) < 50:
                chain.append(current)
                current = self._parents.get(current)
            self._ancestors[child] = tuple(chain)
            for ancestor in chain:
                children[ancestor].append(child)
        self._descendants = {a: tuple(sorted(ids)) for a, ids in children.items()}

    def _build_domains(self) -> None:
        listers: dict[str, list[int]] = defaultdict(list)
        stems: dict[str, set[int]] = defaultdict(set)
        ignored = []
        for record in self.records.values():
            for raw in record.domains:
                host = host_of(raw)
                chain = host_chain(host) if host else ()
                if not chain:
                    ignored.append((record.id, raw, "not a domain"))
                    continue
                kind = chain_kind(chain)
                if kind in ("free", "disposable"):
                    # A CRM record with "gmail.com" as its domain must not swallow every
                    # gmail lead.
                    ignored.append((record.id, raw, f"{kind}-mail domain"))
                    continue
                if record.id not in listers[host]:
                    listers[host].append(record.id)
                stem = chain[-1].split(".", 1)[0]  # the registrable domain's own label
                if len(stem) >= 3:
                    stems[stem].add(record.id)
        for host, ids in listers.items():
            if len(ids) > 1:
                # Listed by a parent and its subsidiary: the subsidiary (the most specific
                # account) keeps it. Unrelated accounts listing one domain stay ambiguous.
                ids = [a for a in ids if not any(a in self.ancestors(b) for b in ids if b != a)]
            self._domains[host] = tuple(sorted(ids))
        self._stems = {stem: tuple(sorted(ids)) for stem, ids in stems.items()}
        by_account: dict[int, set[str]] = defaultdict(set)
        for stem, ids in stems.items():
            for account_id in ids:
                by_account[account_id].add(stem)
        self._account_stems = {a: frozenset(v) for a, v in by_account.items()}
        self.ignored_domains = tuple(ignored)

    def _build_names(self) -> None:
        exact: dict[str, dict[int, NameHit]] = defaultdict(dict)
        core: dict[str, dict[int, NameHit]] = defaultdict(dict)
        acronym: dict[str, dict[int, NameHit]] = defaultdict(dict)
        for record in self.records.values():
            names = []
            seen = set()
            for source, written in [("name", record.name)] + [("alias", a) for a in record.aliases]:
                normal = normalise_company(written)
                if not normal or normal.key in seen:
                    continue
                seen.add(normal.key)
                names.append((normal, source, written))
                hit = NameHit(record.id, source, written)
                exact[normal.key].setdefault(record.id, hit)
                core[normal.core].setdefault(record.id, hit)
                if len(normal.acronym) >= 3:
                    acronym[normal.acronym].setdefault(record.id, hit)
            self._names[record.id] = tuple(names)
            for token in {t for normal, _, _ in names for t in normal.tokens}:
                self._token_df[token] += 1
        self._exact = {k: tuple(v.values()) for k, v in exact.items()}
        self._core = {k: tuple(v.values()) for k, v in core.items()}
        self._acronym = {k: tuple(v.values()) for k, v in acronym.items()}
        self._generic_df = max(10, len(self.records) // 2000)

    def _build_blocking(self) -> None:
        rows, cols = [], []
        feature_ids = self._feature_ids
        for account_id, names in self._names.items():
            for normal, source, written in names:
                entry = len(self._entries)
                self._entries.append((account_id, normal, source, written))
                for feature in set(_features(normal)):
                    fid = feature_ids.setdefault(feature, len(feature_ids))
                    rows.append(fid)
                    cols.append(entry)
        data = np.ones(len(rows), dtype=np.int32)
        matrix = sparse.csr_matrix((data, (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
                                   shape=(len(feature_ids), len(self._entries)), dtype=np.int32)
        self._matrix = matrix
        self._feature_df = np.diff(matrix.indptr)
        self._max_df = max(200, int(self.MAX_KEY_SHARE * len(self._entries)))

    # -- reading -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.records)

    def __contains__(self, account_id: int) -> bool:
        return account_id in self.records

    def get(self, account_id: int) -> AccountRecord:
        return self.records[account_id]

    def country_of(self, account_id: int) -> str:
        return normalise_country(self.records[account_id].country)

    def ancestors(self, account_id: int) -> tuple[int, ...]:
        """Parent, grandparent … (cycles in bad data are cut)."""
        return self._ancestors.get(account_id, ())

    def descendants(self, account_id: int) -> tuple[int, ...]:
        """Subsidiaries, their subsidiaries …"""
        return self._descendants.get(account_id, ())

    def related(self, a: int, b: int) -> bool:
        """Same account, or one is an ancestor of the other."""
        return a == b or a in self.ancestors(b) or b in self.ancestors(a)

    def accounts_for_host(self, host: str) -> tuple[tuple[int, ...], str]:
        """Accounts owning the host or its nearest listed parent (`mail.brand.de` finds an
        account listing `brand.de`), and the domain that matched."""
        for part in host_chain(host):
            ids = self._domains.get(part)
            if ids:
                return ids, part
        return (), ""

    def accounts_for_stem(self, stem: str) -> tuple[int, ...]:
        """Accounts with a domain whose registrable label is `stem` (brand.de, brand.fr → brand)."""
        return self._stems.get(stem, ()) if len(stem) >= 3 else ()

    def stems_of(self, account_id: int) -> frozenset[str]:
        """The brand labels of the account's domains (`brand` for brand.de and uk.brand.com)."""
        return self._account_stems.get(account_id, frozenset())

    def exact(self, key: str) -> tuple[NameHit, ...]:
        return self._exact.get(key, ()) if key else ()

    def core(self, core_key: str) -> tuple[NameHit, ...]:
        return self._core.get(core_key, ()) if core_key else ()

    def acronym(self, key: str) -> tuple[NameHit, ...]:
        """Accounts whose multiword name abbreviates to `key` ("ibm")."""
        return self._acronym.get(key, ()) if key else ()

    def names_of(self, account_id: int) -> tuple[tuple[CompanyName, str, str], ...]:
        """(normalised, "name"/"alias", as written) for the account's name and aliases."""
        return self._names.get(account_id, ())

    def is_generic(self, name: CompanyName) -> bool:
        """A name any number of unrelated companies could carry: very short, held by three or
        more accounts, or made only of words that many accounts' names use ("Global
        Solutions")."""
        # Three letters ("ABC") could be anyone; three CJK characters (ソニー, 华为技术) are a name.
        too_short = len(name.key) <= (1 if has_cjk(name.key) else 3)
        if too_short or len(self._exact.get(name.key, ())) >= 3:
            return True
        significant = [t for t in name.tokens if t not in _BLOCK_STOP and t not in GENERIC_WORDS]
        return bool(significant) and all(self._token_df.get(t, 0) > self._generic_df for t in significant)

    def words_shared_beyond(self, name: CompanyName, account_ids: Iterable[int]) -> bool:
        """True when every significant word of `name` also appears in the name of some account
        outside the given accounts' families ("Taiyo" while "Taiyo Chemical" and "Taiyo
        Industries" are both accounts): a short or partial name could mean another company."""
        family: set[int] = set()
        for account_id in account_ids:
            family.add(account_id)
            family.update(self.ancestors(account_id))
            family.update(self.descendants(account_id))
            for ancestor in self.ancestors(account_id):
                family.update(self.descendants(ancestor))
        significant = [t for t in name.tokens if t not in _BLOCK_STOP and t not in GENERIC_WORDS]
        if not significant:
            return True
        matrix = self._matrix
        for token in significant:
            fid = self._feature_ids.get("w:" + token)
            if fid is None:
                return False
            entries = matrix.indices[matrix.indptr[fid]:matrix.indptr[fid + 1]]
            if len(entries) <= len(family) and all(self._entries[e][0] in family for e in entries.tolist()):
                return False
            if not any(self._entries[e][0] not in family for e in entries[:2000].tolist()):
                return False
        return True

    def fuzzy(self, names: Sequence[CompanyName], *, limit: int = 5, cutoff: float = 75.0,
              batch: int = 2000) -> list[tuple[FuzzyHit, ...]]:
        """For each name: up to `limit` accounts whose name or alias resembles it (similarity
        ≥ `cutoff`), best first, one hit per account. Blocking: the names sharing the most
        rare-enough keys (words, n-grams) with the query, then rapidfuzz scoring on those only."""
        results: list[tuple[FuzzyHit, ...]] = []
        for start in range(0, len(names), batch):
            chunk = names[start:start + batch]
            query = self._query_matrix(chunk)
            overlaps = (query @ self._matrix).tocsr() if query.nnz else None
            for row, name in enumerate(chunk):
                if overlaps is None or not name:
                    results.append(())
                    continue
                lo, hi = overlaps.indptr[row], overlaps.indptr[row + 1]
                results.append(self._score(name, overlaps.indices[lo:hi], overlaps.data[lo:hi], limit, cutoff))
        return results

    def _query_matrix(self, names: Sequence[CompanyName]) -> sparse.csr_matrix:
        rows, cols, data = [], [], []
        df = self._feature_df
        for row, name in enumerate(names):
            if not name:
                continue
            known = {self._feature_ids[f] for f in _features(name) if f in self._feature_ids}
            usable = [fid for fid in known if df[fid] <= self._max_df]
            if len(usable) < 2:
                # Made only of common keys: block on the three least common.
                usable = sorted(known, key=lambda fid: (df[fid], fid))[:3]
            rows.extend([row] * len(usable))
            cols.extend(usable)
            data.extend([1] * len(usable))
        return sparse.csr_matrix((np.asarray(data, dtype=np.int32), (rows, cols)),
                                 shape=(len(names), len(self._feature_ids)), dtype=np.int32)

    def _score(self, name: CompanyName, entries: np.ndarray, counts: np.ndarray, limit: int,
               cutoff: float) -> tuple[FuzzyHit, ...]:
        if len(entries) > self.BLOCK_SIZE:
            # Most shared keys first; ties by entry number (lower first), so the block never
            # depends on how a batch was put together.
            composite = counts.astype(np.int64) * (1 << 32) - entries
            entries = entries[np.argpartition(-composite, self.BLOCK_SIZE)[: self.BLOCK_SIZE]]
        block = [self._entries[entry] for entry in np.sort(entries).tolist()]
        # name_similarity() for the whole block at once (same scorers, same float64 scores).
        texts = [normal.text for _, normal, _, _ in block]
        similarities = np.maximum(np.maximum(
            process.cdist([name.text], texts, scorer=fuzz.ratio, workers=1, dtype=np.float64)[0],
            process.cdist([name.text], texts, scorer=fuzz.token_sort_ratio, workers=1, dtype=np.float64)[0]),
            process.cdist([name.key], [normal.key for _, normal, _, _ in block], scorer=fuzz.ratio, workers=1,
                          dtype=np.float64)[0])
        best: dict[int, FuzzyHit] = {}
        first = name.tokens[0]
        for (account_id, normal, source, written), similarity in zip(block, similarities.tolist()):
            if similarity < ABBREVIATED and normal.tokens[0].startswith(first):
                similarity = max(similarity, shortened_similarity(name, normal))
            if similarity < cutoff:
                continue
            held = best.get(account_id)
            if held is None or similarity > held.similarity:
                best[account_id] = FuzzyHit(account_id, round(similarity, 1), source, written)
        ranked = sorted(best.values(), key=lambda hit: (-hit.similarity, hit.account_id))
        return tuple(ranked[:limit])
