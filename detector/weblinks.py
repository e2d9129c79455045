"""Registrable domains of link targets (offline public-suffix list from tldextract)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import tldextract

from detector.pagecache import page_cache

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
PLAIN_URL_RE = re.compile(r"(?:[Hh][Tt][Tt][Pp][Ss]?:)?//([A-Za-z0-9.-]+)(?::[0-9]*)?(?:[/?#]|\Z)")
"""An absolute URL whose host is plain ASCII letters, digits, dots and hyphens, with no user or odd characters
before its path: its host is this group (what `urlsplit(url).hostname` says, without its cost)."""


@page_cache(65536)
def _domain_of_host(host: str) -> str:
    """Registrable domain of a host name (`news.bbc.co.uk` -> `bbc.co.uk`)."""
    parts = _EXTRACT(host)
    return parts.top_domain_under_public_suffix or parts.domain or host


@page_cache(8192)
def registrable_domain(url: str) -> str:
    """Registrable domain of an absolute URL; '' for relative, mailto or javascript links."""
    url = url.strip()
    plain = PLAIN_URL_RE.match(url)
    if plain:
        return _domain_of_host(plain.group(1).lower())
    if not url.lower().startswith(("http://", "https://", "//")):
        return ""
    try:
        host = urlsplit(url if not url.startswith("//") else "http:" + url).hostname or ""
    except ValueError:
        return ""
    return _domain_of_host(host.lower()) if host else ""


def site_domain(host: str) -> str:
    """The domain that names a host's site: its registrable domain, or its last two labels when its suffix is on no
    public list (`news.harbor.example` -> `harbor.example`, an intranet's `a.b.local` -> `b.local`); an IP address
    or a one-label name is its own site."""
    host = host.lower().strip(".")
    parts = _EXTRACT(host)
    if parts.suffix:
        return parts.top_domain_under_public_suffix or host
    if parts.ipv4 or ":" in host:
        return host
    return ".".join(host.split(".")[-2:])
