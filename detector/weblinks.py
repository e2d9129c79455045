"""Registrable domains of link targets (offline public-suffix list from tldextract)."""

from __future__ import annotations

from urllib.parse import urlsplit

import tldextract

from detector.pagecache import page_cache

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@page_cache(65536)
def _domain_of_host(host: str) -> str:
    """Registrable domain of a host name (`news.bbc.co.uk` -> `bbc.co.uk`)."""
    parts = _EXTRACT(host)
    return parts.top_domain_under_public_suffix or parts.domain or host


@page_cache(8192)
def registrable_domain(url: str) -> str:
    """Registrable domain of an absolute URL; '' for relative, mailto or javascript links."""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://", "//")):
        return ""
    try:
        host = urlsplit(url if not url.startswith("//") else "http:" + url).hostname or ""
    except ValueError:
        return ""
    return _domain_of_host(host.lower()) if host else ""
