"""Build the benchmark's pages: the evaluation corpora decoded as their SOURCE.md says, and a contaminated set.

Every tool gets the same decoded text of every page. Pages are written once to a JSON Lines file that the
measuring processes stream, so no process holds the whole set in memory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from random import Random

from pages import BenchPage

from detector import decode
from detector.corpora import iter_corpus
from detector.dataset import is_test_site
from detector.inject import HOLDOUT_FAMILIES, TRAIN_FAMILIES, contaminate, mirror_text
from detector.spam_wording import SpamVocabulary

CLEAN_GROUPS = (
    ("zyte-aeb", None),
    ("cwced-zh", None),
    ("daniel-multilingual", "zh"),
    ("daniel-multilingual", "en"),
    ("daniel-multilingual", "pl"),
    ("daniel-multilingual", "ru"),
    ("daniel-multilingual", "el"),
    ("l3s-gn1", None),
)
DIRTY_SOURCES = (("l3s-gn1", None), ("cwced-zh", None), ("daniel-multilingual", "zh"))
"""Base pages of the contaminated set: English pages never trained on, and Chinese pages of held-out sites."""

CWCED_WRAPPER_RE = re.compile(rb"^\s*<text\b[^>]*>\s*", re.I)
WRAPPER_ENCODING_RE = re.compile(rb'encoding\s*=\s*"([^"]*)"', re.I)
META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)
GB_CHARSETS = {"gb2312", "gbk", "gb18030", "x-gbk"}
DECODING_SAMPLE = 4096


def python_codec(name: str | None) -> str | None:
    """The Python codec for a declared charset (GB2312/GBK as their superset GB18030), None when unset."""
    if not name:
        return None
    lowered = name.strip().lower()
    if lowered in GB_CHARSETS:
        return "gb18030"
    return {"utf8": "utf-8", "unset": None}.get(lowered, lowered)


def decode_cwced(data: bytes) -> str:
    """cwced-zh: drop the `<text ... encoding="...">` wrapper line, decode per it or the meta charset; a page that
    declares neither (`encoding="unset"`, no `<meta>`: five pages, four of them GBK) is decoded as `detector.decode`
    reads bytes."""
    codec = None
    wrapper = CWCED_WRAPPER_RE.match(data)
    if wrapper:
        declared = WRAPPER_ENCODING_RE.search(wrapper.group(0))
        codec = python_codec(declared.group(1).decode("ascii", "ignore") if declared else None)
        data = data[wrapper.end() :]
    if codec is None:
        meta = META_CHARSET_RE.search(data[:DECODING_SAMPLE])
        if meta is None:
            return decode.decode_page(data).text
        codec = python_codec(meta.group(1).decode("ascii", "ignore"))
    try:
        return data.decode(codec, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def decode_page(corpus: str, data: bytes) -> str:
    """Page text as SOURCE.md says: cwced per wrapper/meta (GB18030 for GB2312/GBK), all others UTF-8."""
    if corpus == "cwced-zh":
        return decode_cwced(data)
    return data.decode("utf-8", errors="replace")


def group_name(corpus: str, lang: str | None) -> str:
    """Row name of a group of pages: the corpus, with the language when the corpus is split by language."""
    return f"{corpus}/{lang}" if lang else corpus


def corpus_pages(shared: Path, corpus: str, lang: str | None, limit: int | None) -> Iterator[BenchPage]:
    """Up to `limit` decoded pages of one corpus (one language of it when `lang` is given)."""
    for count, page in enumerate(iter_corpus(shared, corpus, lang)):
        if limit is not None and count >= limit:
            return
        yield BenchPage(
            key=f"{corpus}/{page.page_id}",
            group=group_name(corpus, lang),
            lang=page.lang,
            url=page.url,
            html=decode_page(corpus, page.data),
            article=page.article,
            held_out=corpus == "l3s-gn1" or is_test_site(page.site),
        )


def dirty_pages(shared: Path, per_group: int, seed: int) -> Iterator[BenchPage]:
    """The contaminated set: clean base pages, each with 1-3 injections of training or held-out families."""
    vocab = SpamVocabulary.from_lexicons(shared)
    bases = [
        page
        for corpus, lang in DIRTY_SOURCES
        for page in corpus_pages(shared, corpus, lang, None)
        if page.held_out and page.article.strip()
    ]
    Random(seed).shuffle(bases)
    for name, families in (("dirty/train-families", TRAIN_FAMILIES), ("dirty/holdout-families", HOLDOUT_FAMILIES)):
        for base in balanced(bases, per_group):
            yield contaminated_copy(base, name, families, vocab, Random(f"{seed}/{name}/{base.key}"))


def balanced(pages: list[BenchPage], count: int) -> list[BenchPage]:
    """Up to `count` pages, half English and half Chinese when both are there."""
    english = [page for page in pages if page.lang == "en"]
    chinese = [page for page in pages if page.lang == "zh"]
    half = count // 2
    take_zh = min(len(chinese), count - min(half, len(english)))
    return chinese[:take_zh] + english[: count - take_zh]


def contaminated_copy(base: BenchPage, group: str, families, vocab: SpamVocabulary, rng: Random) -> BenchPage:
    """The base page with injections; the article is converted to Traditional when the page was mirrored."""
    html, records = contaminate(base.html, rng, families, vocab, article_text=base.article)
    mirrored = any(record.family == "mirror" for record in records)
    return BenchPage(
        key=f"{group}/{base.key}",
        group=group,
        lang=base.lang,
        url=base.url,
        html=html,
        article=mirror_text(base.article) if mirrored else base.article,
        held_out=True,
        texts=[text for record in records for text in record.texts],
        ids=[ident for record in records for ident in record.ids],
    )


def write_pages(path: Path, shared: Path, limit: int | None, dirty_per_group: int, seed: int) -> dict[str, int]:
    """Write every benchmark page to `path` (JSON Lines); return the page count of each group."""
    counts: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as handle:
        pages = [corpus_pages(shared, corpus, lang, limit) for corpus, lang in CLEAN_GROUPS]
        for page in (page for group in pages for page in group):
            handle.write(json.dumps(asdict(page), ensure_ascii=False) + "\n")
            counts[page.group] = counts.get(page.group, 0) + 1
        for page in dirty_pages(shared, dirty_per_group, seed):
            handle.write(json.dumps(asdict(page), ensure_ascii=False) + "\n")
            counts[page.group] = counts.get(page.group, 0) + 1
    return counts
