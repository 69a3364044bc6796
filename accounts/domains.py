"""Domain and website normalisation with the Public Suffix List (tldextract's bundled snapshot:
no network at run time). Pure: no Django."""
from functools import lru_cache

import tldextract

_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=200_000)
def normalise_domain(value: str) -> str:
    """`WWW.Siemens.co.uk`, `https://siemens.co.uk/de/` or `mail.siemens.co.uk` → `siemens.co.uk`.
    Returns "" when there is no registrable domain (an IP, `localhost`, garbage)."""
    text = (value or "").strip().lower()
    if not text:
        return ""
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    if "://" not in text:
        text = "http://" + text
    return _extract(text).top_domain_under_public_suffix or ""


def split_multi(value) -> list[str]:
    """`a; b ;;c` → ['a', 'b', 'c'] (multi-valued import cells are `;`-separated)."""
    if value is None:
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]
