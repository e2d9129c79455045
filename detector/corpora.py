"""Read the evaluation corpora of `../shared/corpora` (pages with ground-truth article text).

Each corpus has a `ground-truth.json` `{page_id: {"articleBody", "url"?, "lang"?, "host"?}}` and gzipped pages.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from detector.weblinks import registrable_domain

CORPORA = ("zyte-aeb", "cwced-zh", "daniel-multilingual", "l3s-gn1")
EVALUATION_ONLY = frozenset({"l3s-gn1"})
"""Corpora whose licence forbids training a shipped model on them."""
PAGE_FOLDERS = {"l3s-gn1": "original"}
WRAPPER_RE = re.compile(rb"^\s*<text\b[^>]*>\s*", re.I)
WRAPPER_URL_RE = re.compile(rb"""<text[^>]*\bid\s*=\s*["']([^"']+)""", re.I)


@dataclass
class CorpusPage:
    """One real page with its ground truth."""

    corpus: str
    page_id: str
    site: str
    lang: str
    data: bytes
    article: str
    url: str | None


def iter_corpus(shared: Path, corpus: str, lang: str | None = None) -> Iterator[CorpusPage]:
    """Pages of one corpus in id order, optionally only one language."""
    folder = Path(shared) / "corpora" / corpus
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth):
        entry = truth[page_id]
        page_lang = entry.get("lang") or "en"
        if lang and page_lang != lang:
            continue
        path = folder / PAGE_FOLDERS.get(corpus, "html") / f"{page_id}.html.gz"
        if not path.exists():
            continue
        data = gzip.decompress(path.read_bytes())
        url = entry.get("url")
        wrapper = WRAPPER_RE.match(data)
        if wrapper:
            url = url or _wrapper_url(data)
        site = entry.get("host") or registrable_domain(url or "") or page_id
        yield CorpusPage(corpus, page_id, _site_key(site), page_lang, data, entry.get("articleBody") or "", url)


def _wrapper_url(data: bytes) -> str | None:
    """URL recorded in a crawl wrapper line (`<text id="http://...">`)."""
    match = WRAPPER_URL_RE.match(data)
    return match.group(1).decode("utf-8", "ignore") if match else None


def _site_key(site: str) -> str:
    """Group key for splitting by site: the registrable domain of a host name."""
    return registrable_domain("http://" + site) if "." in site and "/" not in site else site
