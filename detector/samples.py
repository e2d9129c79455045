"""Users' labelled samples: JSON Lines, one page a line, validated into `LabelledPage`s.

    {"url": "https://example.com/a.html", "html": "<raw page>", "contamination": ["<b>spam</b>", "..."],
     "article": "the clean article text", "group": "my-label"}

`html` or `text` (exactly one) is the page; `contamination` lists exact substrings of it that are tag noise or
spam (`[]`: the page is clean); `article` (optional) is what the clean item should keep; without it, blocks that
are not contamination stay unlabelled. `url` and `group` (a name to report figures under) are optional.
"""

from __future__ import annotations

import hashlib
import html as htmlmod
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from detector.dataset import LabelledPage
from detector.errors import SampleError
from detector.inject import leaked_lines
from detector.text import normalize_space, without_lone_surrogates
from detector.weblinks import site_domain

PAGE_FIELDS = ("html", "text")
KNOWN_FIELDS = frozenset(("url", "html", "text", "contamination", "article", "group"))
ID_RE = re.compile(r"""\bid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>/=`]+))""", re.IGNORECASE)
QUOTE_CHARS = 40
OVERLAP_CHARS = 30
"""Contamination text this long found in the article makes a sample contradictory."""


@dataclass
class SampleFile:
    """The pages of one sample file and what identifies the file."""

    path: Path
    sha256: str
    pages: list[LabelledPage]
    where: list[str]
    """`FILE line N` of each page, for messages."""

    def summary(self) -> dict:
        """File name, sha256 and page counts, for model metadata."""
        dirty = sum(page.contaminated for page in self.pages)
        return {"file": self.path.name, "sha256": self.sha256, "pages": len(self.pages), "contaminated": dirty}


class _Seen:
    """Pages already read (by content digest), to report duplicates with where they first appeared."""

    def __init__(self) -> None:
        self.where: dict[str, str] = {}

    def check(self, page: str, fmt: str, where: str) -> None:
        """Raise on a page seen before; otherwise remember it."""
        digest = hashlib.sha256(page.encode("utf-8", "surrogatepass")).hexdigest()
        if digest in self.where:
            raise SampleError(f"{where}: {fmt}: duplicate page (same as {self.where[digest]})")
        self.where[digest] = where


def load_sample_files(paths: list[Path]) -> list[SampleFile]:
    """Read and validate sample files; duplicates are checked across all of them."""
    seen = _Seen()
    files = [read_sample_file(Path(path), seen) for path in paths]
    if not any(f.pages for f in files):
        raise SampleError(f"{', '.join(str(p) for p in paths)}: no samples")
    return files


def load_samples(paths: list[Path]) -> list[LabelledPage]:
    """All pages of the given sample files, in order."""
    return [page for sample_file in load_sample_files(paths) for page in sample_file.pages]


def read_sample_file(path: Path, seen: _Seen | None = None) -> SampleFile:
    """One JSON Lines file; blank lines are skipped."""
    seen = seen or _Seen()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SampleError(f"{path}: cannot read ({exc.strerror or exc})") from None
    pages, where = [], []
    for number, line in enumerate(raw.splitlines(), start=1):
        if line.strip():
            where.append(f"{path} line {number}")
            pages.append(parse_sample(line, where[-1], seen, f"{path.name} line {number}"))
    return SampleFile(path, hashlib.sha256(raw).hexdigest(), pages, where)


def parse_sample(line: bytes, where: str, seen: _Seen, site_key: str | None = None) -> LabelledPage:
    """Validate one line into a labelled page; `where` is `FILE line N` for messages, `site_key` names the site of a
    page without `url` (its own: `where` by default)."""
    record = _json_object(line, where)
    unknown = sorted(set(record) - KNOWN_FIELDS)
    if unknown:
        raise SampleError(f"{where}: {unknown[0]}: unknown field (fields: {', '.join(sorted(KNOWN_FIELDS))})")
    fmt = _page_field(record, where)
    page = without_lone_surrogates(record[fmt])
    url = _optional_string(record, "url", where)
    article = _optional_string(record, "article", where)
    group = _optional_string(record, "group", where)
    contamination = _contamination(record, page, where)
    seen.check(page, fmt, where)
    texts, ids, markups = contamination_labels(contamination, fmt)
    if article:
        _check_article_apart(texts, article, where)
    dirty = "contaminated" if contamination else "clean"
    return LabelledPage(
        page,
        fmt,
        url=url,
        article=article,
        site=_site_of(url, where) if url else site_key or where,
        group=group or f"{fmt}/{dirty}",
        texts=texts,
        ids=ids,
        markups=markups,
    )


def _site_of(url: str, where: str) -> str:
    """The site of a sample's URL for the split (`site_domain` of its host; a URL may leave out its scheme)."""
    address = url.strip()
    if "://" not in address:
        address = "http://" + address.lstrip("/")
    try:
        host = urlsplit(address).hostname
    except ValueError:
        host = None
    if not host:
        raise SampleError(f"{where}: url: no host name in {_quote(url)}")
    return site_domain(host)


def _json_object(line: bytes, where: str) -> dict:
    """The line as a JSON object."""
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SampleError(f"{where}: not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise SampleError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    except ValueError as exc:
        raise SampleError(f"{where}: not readable JSON ({exc})") from None
    except RecursionError:
        raise SampleError(f"{where}: not readable JSON (nested too deeply)") from None
    if not isinstance(record, dict):
        raise SampleError(f"{where}: expected a JSON object, got {type(record).__name__}")
    return record


def _page_field(record: dict, where: str) -> str:
    """Which of `html` / `text` holds the page (exactly one, a non-empty string)."""
    present = [name for name in PAGE_FIELDS if name in record]
    if not present:
        raise SampleError(f'{where}: html: missing page (give "html" or "text")')
    if len(present) > 1:
        raise SampleError(f'{where}: text: give either "html" or "text", not both')
    fmt = present[0]
    if not isinstance(record[fmt], str):
        raise SampleError(f"{where}: {fmt}: expected a string, got {_type_name(record[fmt])}")
    if not record[fmt].strip():
        raise SampleError(f"{where}: {fmt}: empty page")
    return fmt


def _optional_string(record: dict, name: str, where: str) -> str | None:
    """A field that may be absent or null, and otherwise is a non-empty string."""
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SampleError(f"{where}: {name}: expected a string, got {_type_name(value)}")
    if not value.strip():
        raise SampleError(f"{where}: {name}: empty string")
    return without_lone_surrogates(value)


def _contamination(record: dict, page: str, where: str) -> list[str]:
    """The `contamination` list: required, strings, each found verbatim in the page."""
    if "contamination" not in record:
        raise SampleError(f"{where}: contamination: missing (use [] for a clean page)")
    items = record["contamination"]
    if not isinstance(items, list):
        raise SampleError(f"{where}: contamination: expected a list of strings, got {_type_name(items)}")
    items = [without_lone_surrogates(item) if isinstance(item, str) else item for item in items]
    for index, item in enumerate(items):
        field_name = f"contamination[{index}]"
        if not isinstance(item, str):
            raise SampleError(f"{where}: {field_name}: expected a string, got {_type_name(item)}")
        if not item.strip():
            raise SampleError(f"{where}: {field_name}: empty string")
        if item not in page:
            raise SampleError(f"{where}: {field_name}: not found in the page: {_quote(item)}")
    return items


def _check_article_apart(texts: list[str], article: str, where: str) -> None:
    """SampleError when the labels contradict each other: a contamination item's text holds the whole article, or
    the article holds a contamination text of `OVERLAP_CHARS` or more (shorter ones, a word, may be honest)."""
    flat_article = normalize_space(article)
    for text in texts:
        if flat_article in text or (len(text) >= OVERLAP_CHARS and text in flat_article):
            raise SampleError(
                f"{where}: contamination: {_quote(text)} is also in the article: a text cannot be both "
                "(leave the article out of the contamination, and the contamination out of the article)"
            )


def contamination_labels(contamination: list[str], fmt: str) -> tuple[list[str], list[str], list[str]]:
    """(texts, ids, markups) for `gold_labels`: the visible text of each substring, ids of its elements,
    and the substring itself when it is markup."""
    texts: list[str] = []
    ids: list[str] = []
    markups: list[str] = []
    for item in contamination:
        literal = htmlmod.unescape(item) if fmt == "html" else item
        if "<" not in literal:
            texts.append(normalize_space(literal))
            continue
        markups.append(item)
        ids.extend(value for match in ID_RE.finditer(literal) for value in match.groups() if value)
        texts.extend(leaked_lines(item) if fmt == "html" else [normalize_space(item)])
    return texts, ids, markups


def _quote(text: str) -> str:
    """A short, one-line quotation of a substring for messages."""
    flat = normalize_space(text)
    return json.dumps(flat if len(flat) <= QUOTE_CHARS else flat[:QUOTE_CHARS] + "…", ensure_ascii=False)


def _type_name(value: object) -> str:
    """JSON name of a value's type."""
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "list", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
