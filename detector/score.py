"""Score one page: decode, parse, segment, featurize, classify every block, flag and clean."""

from __future__ import annotations

import gc
import math
import numbers
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detector.classify import block_classifier
from detector.clean import PROSE_KINDS, clean_text, never_content, settle_content
from detector.decode import decode_page, repair_misdecoded
from detector.errors import ConfigError, InputError, ModelError
from detector.explain import reasons_for
from detector.features import PageFeatures, joined_row, page_features
from detector.model import LoadedModel, load_model
from detector.pagecache import forget_page_caches
from detector.parse import looks_like_html, parse_html
from detector.result import Flag, PageResult
from detector.segment import Block, page_domain, segment_html, segment_text
from detector.settings import CONTAMINATION_LABELS, DEFAULT_THRESHOLD, FORMATS, MAX_PAGE_BYTES
from detector.text import tokens, without_lone_surrogates
from detector.weblinks import registrable_domain

MAX_FLAG_TEXT = 300
MORE_DIRTY_THAN_NOT = 0.5
"""A block more likely contamination than not is never article text, even on a page that is not flagged."""
MIN_EVIDENCE_TOKENS = 8
"""A lone flagged line shorter than this (a menu item, a byline, a copyright line) does not make a page
contaminated: a page needs two flagged blocks, a flagged structural block, or one flagged text this long."""


@dataclass
class Analysis:
    """A page's result with the blocks it was cut into and the label of each."""

    result: PageResult
    blocks: list[Block]
    labels: list[str]


@dataclass
class Classified:
    """A page's blocks, the block classifier's content/boilerplate call of each, and its P(content) and
    P(tag-noise) + P(spam)."""

    blocks: list[Block]
    labels: list[str]
    content: np.ndarray
    contamination: np.ndarray


@dataclass
class _ReadPage:
    """A page decoded, parsed, segmented and featurized: its resolved format, encoding, blocks, title, tree root
    (None for text), features and checked URL."""

    fmt: str
    encoding: str | None
    blocks: list[Block]
    title: str
    root: object
    features: PageFeatures
    url: str | None


class Scorer:
    """A loaded model and a threshold; reuse one Scorer for many pages (threads may share it; for processes, build
    one in each, or pickle it: it is rebuilt from its model file)."""

    def __init__(self, model: LoadedModel, threshold: float = DEFAULT_THRESHOLD) -> None:
        """Score with `model`; a page is contaminated when its score reaches `threshold`, a number in (0, 1]
        (ConfigError otherwise)."""
        self.model = model
        self._threshold = checked_threshold(threshold)
        self._probabilities = block_classifier(model.pipeline)

    @property
    def threshold(self) -> float:
        """The page score at which a page is contaminated (fixed: build another Scorer for another threshold)."""
        return self._threshold

    def __reduce__(self) -> tuple:
        """Pickle as the model file (absolute), its sha256, whether its article stage is loaded, and the threshold:
        the copy loads the model again and checks it is the same one."""
        model = self.model
        has_article = model.article is not None
        return (_scorer_from_file, (str(model.path.resolve()), model.sha256, has_article, self._threshold))

    @classmethod
    def from_path(cls, path: str | Path | None = None, threshold: float = DEFAULT_THRESHOLD) -> Scorer:
        """Load (and verify) a model file; None means the default model: `$HYGIENE_MODEL` if set, else the shipped
        one. ModelError for a missing, altered or foreign model, ConfigError for a path or threshold of a wrong
        type."""
        if path is not None and (not isinstance(path, (str, Path)) or not str(path).strip()):
            raise ConfigError(f"a model path is a non-empty str or Path, not {path!r}")
        return cls(load_model(path), threshold)

    def score(
        self,
        data: bytes | bytearray | memoryview | str,
        fmt: str = "auto",
        url: str | None = None,
        content_type: str | bytes | None = None,
    ) -> PageResult:
        """Score a page and return its verdict, flagged blocks and clean text.

        `data`: raw HTML or scraped text, as bytes (decoded by BOM, `content_type`'s charset, `<meta>` or
        detection) or str. `fmt`: "auto" (tell HTML from text), "html" or "text". `url`: where the page came from;
        it tells the page's own site from foreign link targets, so it can change the result. `content_type`: the
        HTTP Content-Type header (str or bytes, as Scrapy gives it), read for bytes only. Raises InputError for a
        page that cannot be read (empty, binary, too large, too deep, truncated inside a tag) and ConfigError for
        arguments of a wrong type; both are HygieneErrors with one-line messages."""
        with _collection_paused():  # held until the page's blocks are dropped too, not only while `analyse` runs
            return self.analyse(data, fmt, url, content_type).result

    def analyse(
        self, data: bytes | str, fmt: str = "auto", url: str | None = None, content_type: str | bytes | None = None
    ) -> Analysis:
        """Score a page and keep its blocks and their labels (for evaluation)."""
        with _one_page():
            return self._analyse(self._read(data, fmt, url, content_type))

    def classified(self, data: bytes | str, fmt: str = "auto", url: str | None = None) -> Classified:
        """A page's blocks with the block classifier's calls alone (no second stage): what the article stage is
        trained on."""
        with _one_page():
            page = self._read(data, fmt, url, None)
            _, clean_labels, contamination, content = self._classify(page.blocks, page.features)
            return Classified(page.blocks, clean_labels, content, contamination)

    def _read(self, data: bytes | str, fmt: str, url: str | None, content_type: str | bytes | None) -> _ReadPage:
        """Decode, parse, segment and featurize a page."""
        text, fmt, encoding = read_page(data, fmt, checked_content_type(content_type))
        url = checked_url(url)
        blocks, title, domain, root = segment_page(text, fmt, url)
        features = page_features(blocks, domain, title, fmt) if blocks else PageFeatures([], [])
        return _ReadPage(fmt, encoding, blocks, title, root, features, url)

    def _analyse(self, page: _ReadPage) -> Analysis:
        """Classify a read page's blocks, flag and clean."""
        fmt, blocks, title, features = page.fmt, page.blocks, page.title, page.features
        labels, clean_labels, contamination, content = self._classify(blocks, features)
        if self.model.article is not None:
            clean_labels = self.model.article.relabel(blocks, clean_labels, content, contamination, fmt)
        score = page_score(blocks, contamination)
        if score < self.threshold:
            labels = clean_labels
        else:
            labels = [label if label in CONTAMINATION_LABELS else clean for label, clean in zip(labels, clean_labels)]
        labels = settle_content(blocks, labels, content, contamination, fmt)
        flagged = self._flags(blocks, labels, contamination, features, page.root)
        result = PageResult(
            format=fmt,
            score=shown_score(score, self.threshold),
            contaminated=bool(score >= self.threshold),
            title=clean_title(blocks, labels, title),
            text=clean_text(blocks, labels),
            flagged=flagged,
            model={"version": self.model.version, "sha256": self.model.sha256},
            encoding=page.encoding,
            url=page.url,
        )
        return Analysis(result, blocks, labels)

    def _classify(
        self, blocks: list[Block], features: PageFeatures
    ) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
        """Per-block labels, the labels blocks would have unflagged (content or boilerplate), and the probabilities
        of contamination (P(tag-noise) + P(spam)) and of content."""
        if not blocks:
            return [], [], np.zeros(0), np.zeros(0)
        probabilities = self._probabilities(features)
        index = self.model.label_index()
        noise, spam = probabilities[:, index["tag-noise"]], probabilities[:, index["spam"]]
        contamination = noise + spam
        boilerplate_wins = probabilities[:, index["boilerplate"]] > probabilities[:, index["content"]]
        not_content = (boilerplate_wins | (contamination >= MORE_DIRTY_THAN_NOT)).tolist()
        dirty = (contamination >= self.threshold).tolist()
        noise_wins = (noise >= spam).tolist()
        labels, clean_labels = [], []
        for block, boilerplate, is_dirty, is_noise in zip(blocks, not_content, dirty, noise_wins):
            clean = "boilerplate" if boilerplate or never_content(block) else "content"
            clean_labels.append(clean)
            if is_dirty:
                labels.append("tag-noise" if is_noise else "spam")
            else:
                labels.append(clean)
        return labels, clean_labels, contamination, probabilities[:, index["content"]]

    def _flags(
        self, blocks: list[Block], labels: list[str], contamination: np.ndarray, features: PageFeatures, root
    ) -> list[Flag]:
        """The flagged blocks with where each stands and why."""
        at = [index for index, label in enumerate(labels) if label in CONTAMINATION_LABELS]
        flagged_labels = [labels[index] for index in at]
        reasons = reasons_for(self.model, [joined_row(features, index) for index in at], flagged_labels)
        return [
            Flag(
                label=label,
                text=blocks[index].text[:MAX_FLAG_TEXT],
                probability=round(float(contamination[index]), 4),
                where=_where(blocks[index], root),
                reasons=why,
            )
            for index, label, why in zip(at, flagged_labels, reasons)
        ]


def _scorer_from_file(path: str, sha256: str, article: bool, threshold: float) -> Scorer:
    """A pickled Scorer rebuilt: its model loaded from `path`; ModelError when that file is no longer the model."""
    model = load_model(path, article=article)
    if model.sha256 != sha256:
        raise ModelError(f"{path}: the model file changed since this Scorer was pickled")
    return Scorer(model, threshold)


class _CollectionPause:
    """Holds the cyclic garbage collector off while one thread scores a page. While threads score at once it runs
    as usual (a pause held over overlapping calls would never end); when the last one ends, the collector is as the
    first found it. A thread's nested pauses count once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth: dict[int, int] = {}
        self.was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        """Pause for the length of the `with` block, unless another thread is scoring too."""
        thread = threading.get_ident()
        with self.lock:
            if not self.depth:
                self.was_enabled = gc.isenabled()
                gc.disable()
            elif thread not in self.depth and self.was_enabled:
                gc.enable()
            self.depth[thread] = self.depth.get(thread, 0) + 1
        try:
            yield
        finally:
            with self.lock:
                self.depth[thread] -= 1
                if not self.depth[thread]:
                    del self.depth[thread]
                if not self.depth and self.was_enabled:
                    gc.enable()


_collection_paused = _CollectionPause()
"""Scoring runs with the collector paused: its passes over a page's short-lived objects cost 3-5% of the time;
the page's cycles, if any, are collected later."""


@contextmanager
def _one_page() -> Iterator[None]:
    """The scope of scoring one page: the collector paused, the page caches forgotten at the end."""
    with _collection_paused():
        try:
            yield
        finally:
            forget_page_caches()


def page_rule() -> dict:
    """The page-level decision, as recorded in a model's metadata beside the figures it produced."""
    return {
        "page_score": "max(second-highest block P(tag-noise) + P(spam), highest among structural blocks and "
        "texts of min_evidence_tokens or more)",
        "contaminated_when": "page_score >= threshold",
        "min_evidence_tokens": MIN_EVIDENCE_TOKENS,
    }


def page_score(blocks: list[Block], contamination: np.ndarray) -> float:
    """The page's contamination probability: the highest threshold at which it still holds evidence, i.e. two
    blocks above it (the second-highest block probability), or one block that is evidence alone (a structural
    block: tag noise, a hijacked title, a redirect script; or a text of MIN_EVIDENCE_TOKENS tokens or more)."""
    if not len(contamination):
        return 0.0
    second = float(np.partition(contamination, -2)[-2]) if len(contamination) > 1 else 0.0
    alone = (float(p) for block, p in zip(blocks, contamination) if p > second and _is_evidence_alone(block))
    return max(alone, default=second)


def shown_score(score: float, threshold: float) -> float:
    """The page score to 4 decimals, rounded down where rounding would carry it to the threshold: a score shown at
    the threshold is one that reached it (0.99996 is shown 0.9999, not 1.0, when the threshold is 1)."""
    shown = round(score, 4)
    if shown >= threshold > score:
        return math.floor(score * SCORE_SCALE) / SCORE_SCALE
    return shown


SCORE_SCALE = 10_000


def checked_threshold(threshold: object) -> float:
    """A threshold as a float: a real number in (0, 1] (numpy numbers included, bools not); ConfigError otherwise."""
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not 0.0 < float(threshold) <= 1.0:
        raise ConfigError(f"threshold must be a number in (0, 1], got {threshold!r}")
    return float(threshold)


def checked_url(url: object) -> str | None:
    """A page's URL: a str (lone surrogates replaced) or None; ConfigError otherwise."""
    if url is None:
        return None
    if not isinstance(url, str):
        raise ConfigError(f"url must be a str or None, not {type(url).__name__}")
    return without_lone_surrogates(url)


def checked_content_type(content_type: object) -> str | None:
    """A Content-Type header as str: bytes (as Scrapy's headers hold it) read as Latin-1; ConfigError for others."""
    if content_type is None or isinstance(content_type, str):
        return content_type
    if isinstance(content_type, bytes):
        return content_type.decode("latin-1")
    raise ConfigError(f"content_type must be a str, bytes or None, not {type(content_type).__name__}")


def _is_evidence_alone(block: Block) -> bool:
    """A block whose flag alone makes a page contaminated."""
    return block.kind not in PROSE_KINDS or len(tokens(block.text)) >= MIN_EVIDENCE_TOKENS


def read_page(data: bytes | str, fmt: str = "auto", content_type: str | None = None) -> tuple[str, str, str | None]:
    """Decode a page and resolve `auto` format: (text, format, encoding)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, (bytes, str)):
        raise InputError(f"a page is bytes or str, not {type(data).__name__}")
    if encoded_size(data) > MAX_PAGE_BYTES:
        raise InputError(f"page is larger than the {MAX_PAGE_BYTES // (1024 * 1024)} MB page limit")
    if isinstance(data, bytes):
        decoded = decode_page(data, content_type)
        text, encoding = decoded.text, decoded.encoding
    else:
        text, encoding = without_lone_surrogates(data), None
        if not text.strip():
            raise InputError("empty page")
        repaired = repair_misdecoded(text)
        if repaired is not None:
            text, encoding = repaired.text, repaired.encoding
    if fmt == "auto":
        fmt = "html" if looks_like_html(text) else "text"
    return text, fmt, encoding


def encoded_size(data: bytes | str) -> int:
    """A page's size in bytes; a str counts as UTF-8 (measured only when it might pass the page limit)."""
    if isinstance(data, bytes) or len(data) > MAX_PAGE_BYTES or len(data) * 4 <= MAX_PAGE_BYTES or data.isascii():
        return len(data)
    return len(data.encode("utf-8", "surrogatepass"))


def segment_page(text: str, fmt: str, url: str | None) -> tuple[list[Block], str, str, object]:
    """Blocks, title, site domain and tree root (None for text) of a decoded page."""
    if fmt == "text":
        return segment_text(text), "", registrable_domain(url or ""), None
    page = parse_html(text)
    blocks = segment_html(page)
    title = next((b.text for b in blocks if b.kind == "title"), "")
    return blocks, title, page_domain(page, url), page.root


def clean_title(blocks: list[Block], labels: list[str], title: str) -> str:
    """The page title, or its first `<h1>` when the title itself was flagged (hijacked titles)."""
    flagged_title = any(b.kind == "title" and label in CONTAMINATION_LABELS for b, label in zip(blocks, labels))
    if not flagged_title:
        return title
    return next((b.text for b, label in zip(blocks, labels) if b.tag == "h1" and label not in CONTAMINATION_LABELS), "")


def _where(block: Block, root) -> str:
    """Line range for text, zone and XPath for HTML."""
    if block.lines:
        first, last = block.lines
        return f"line {first}" if first == last else f"lines {first}-{last}"
    zone = {"pre-html": "before <html>", "post-html": "after </html>"}.get(block.zone, "")
    path = ""
    if block.element is not None:
        try:
            path = block.element.getroottree().getpath(block.element)
        except (ValueError, AttributeError):
            path = ""
        if block.zone in ("pre-html", "post-html"):
            path = path.replace("/div", "", 1) or "/"
    return f"{zone} {path}".strip() if zone else path
