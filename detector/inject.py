"""Contamination generator: inject tag noise and SEO spam into clean pages (HTML or scraped text).

Every injection is described by an `Injection` record listing exactly what was inserted: the texts a
naive scraper sees (whitespace-normalised, one entry per text line) and the random ids put on
tag-noise elements. Families are `FamilySpec`s; `TRAIN_FAMILIES` and `HOLDOUT_FAMILIES` differ in one
held-out dimension each (tag inventory, noise shape, language, position, hiding technique, wording).

    rng = random.Random(7)
    vocab = SpamVocabulary.builtin()          # or SpamVocabulary.from_lexicons(Path("../shared"))
    dirty, records = contaminate(html, rng, TRAIN_FAMILIES, vocab, article_text=text)
"""

from __future__ import annotations

import html as htmlmod
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from random import Random

import lxml.html
from lxml import etree

from detector import inject_locate as loc
from detector.inject_markup import (
    HOLDOUT_HIDINGS,
    SPAM_SHAPES,
    TRAIN_HIDINGS,
    anchors,
    arrange_anchors,
    friend_links,
    hidden_container,
    hijacked_head,
    spam_text_block,
    wrap_visible,
)
from detector.inject_noise import (
    HOLDOUT_TAGS,
    ID_SHAPES,
    TRAIN_TAGS,
    ganrao_block,
    noise_count,
    noise_groups,
    random_id,
)
from detector.spam_wording import BUILTIN, THEMES, SpamVocabulary, to_traditional

TAG_NOISE = "tag-noise"
SPAM = "spam"

NOISE_POSITIONS = (
    "before-doctype",
    "body-start",
    "noframes-before-html",
    "noframes-head",
    "noframes-body-start",
    "before-body-end",
    "after-html",
    "escaped-body-start",
    "escaped-before-article",
)
TRAIN_SPAM_POSITIONS = ("body-start", "before-article", "after-article", "before-body-end", "after-html")
HOLDOUT_SPAM_POSITIONS = ("article-middle",)
LINK_FARM_POSITIONS = ("body-start", "before-body-end", "after-article")
TRAIN_LANGUAGES = ("zh-hans", "zh-hant", "en", "ja", "id", "de")
HOLDOUT_LANGUAGES = ("ru", "ko")
TRAIN_SOURCES = (BUILTIN, "konsheng", "splorp")
HOLDOUT_SOURCES = ("houbb", "ldnoobw")

_ONCE_PER_PAGE = ("meta-hijack", "mirror")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_RAW_SEPARATORS = ("\n", "", " ", "\r\n")


@dataclass
class Injection:
    """What one injection inserted; `texts` are the lines a naive scraper sees, `ids` the tag-noise ids."""

    family: str
    spec: str
    kind: str
    position: str
    language: str = ""
    theme: str = ""
    source: str = ""
    texts: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    markup: str = ""
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain-JSON form."""
        return asdict(self)


@dataclass(frozen=True)
class FamilySpec:
    """A named, parameterised injection family; each tuple is the value range one dimension draws from."""

    name: str
    family: str
    positions: tuple[str, ...]
    languages: tuple[str, ...] = ()
    themes: tuple[str, ...] = THEMES
    sources: tuple[str, ...] = ()
    tagset: tuple[str, ...] = ()
    invent_tags: bool = False
    hidings: tuple[str, ...] = ()
    shapes: tuple[str, ...] = ()
    weight: float = 1.0
    holdout: str = ""
    """The dimension this family holds out ("" for training families)."""


@dataclass(frozen=True)
class _Setting:
    """The concrete draw of one family application."""

    position: str
    language: str = ""
    theme: str = ""
    source: str = ""


def _spam_spec(name: str, family: str, positions: tuple[str, ...], **kw) -> FamilySpec:
    """A spam family with training languages and wording unless overridden."""
    kw.setdefault("languages", TRAIN_LANGUAGES)
    kw.setdefault("sources", TRAIN_SOURCES)
    return FamilySpec(name=name, family=family, positions=positions, **kw)


TRAIN_FAMILIES: tuple[FamilySpec, ...] = (
    FamilySpec("tag-noise", "tag-noise", NOISE_POSITIONS, tagset=TRAIN_TAGS, invent_tags=True, weight=3.0),
    _spam_spec("link-farm", "link-farm", LINK_FARM_POSITIONS, hidings=TRAIN_HIDINGS, weight=2.0),
    _spam_spec("spam-block", "spam-block", TRAIN_SPAM_POSITIONS, shapes=SPAM_SHAPES, weight=3.0),
    _spam_spec("friend-links", "friend-links", ("before-body-end",)),
    _spam_spec("meta-hijack", "meta-hijack", ("head",)),
    _spam_spec(
        "mirror",
        "mirror",
        ("body-start", "before-body-end", "after-html"),
        languages=("zh-hans",),
        themes=("porn", "gambling"),
    ),
)

HOLDOUT_FAMILIES: tuple[FamilySpec, ...] = (
    FamilySpec(
        "tag-noise/holdout-tags",
        "tag-noise",
        NOISE_POSITIONS,
        tagset=HOLDOUT_TAGS,
        invent_tags=True,
        weight=2.0,
        holdout="tagset",
    ),
    FamilySpec("ganrao/holdout-shape", "ganrao", ("body-start", "before-body-end"), holdout="shape"),
    _spam_spec(
        "spam-block/holdout-language",
        "spam-block",
        TRAIN_SPAM_POSITIONS,
        shapes=SPAM_SHAPES,
        languages=HOLDOUT_LANGUAGES,
        sources=(BUILTIN,),
        holdout="language",
    ),
    _spam_spec(
        "link-farm/holdout-language",
        "link-farm",
        LINK_FARM_POSITIONS,
        hidings=TRAIN_HIDINGS,
        languages=HOLDOUT_LANGUAGES,
        sources=(BUILTIN,),
        holdout="language",
    ),
    _spam_spec(
        "spam-block/holdout-position", "spam-block", HOLDOUT_SPAM_POSITIONS, shapes=SPAM_SHAPES, holdout="position"
    ),
    _spam_spec("link-farm/holdout-hiding", "link-farm", LINK_FARM_POSITIONS, hidings=HOLDOUT_HIDINGS, holdout="hiding"),
    _spam_spec(
        "spam-block/holdout-wording",
        "spam-block",
        TRAIN_SPAM_POSITIONS,
        shapes=SPAM_SHAPES,
        sources=HOLDOUT_SOURCES,
        holdout="wording",
    ),
    _spam_spec(
        "link-farm/holdout-wording",
        "link-farm",
        LINK_FARM_POSITIONS,
        hidings=TRAIN_HIDINGS,
        sources=HOLDOUT_SOURCES,
        holdout="wording",
    ),
)

ALL_FAMILIES = TRAIN_FAMILIES + HOLDOUT_FAMILIES


# --- scraped text and label helpers -------------------------------------------------------------


def scraped_lines(root: etree._Element | etree._ElementTree) -> list[str]:
    """What a naive `//text()` scraper sees under `root` (a whole tree: also outside the root element):
    every text line, normalised, script/style skipped."""
    lines = []
    for node in root.xpath("//text()" if isinstance(root, etree._ElementTree) else ".//text()"):
        parent = node.getparent()
        if node.is_text and parent is not None and parent.tag in ("script", "style"):
            continue
        lines.extend(text for text in map(loc.norm, node.splitlines()) if text)
    return lines


def to_scraped_text(html: str) -> str:
    """A careless scraper's copy of a page: every text node of the whole document (incl. `<title>`, raw
    `<noframes>` text and text after `</html>`), one line each."""
    return "\n".join(scraped_lines(lxml.html.document_fromstring(html).getroottree()))


def leaked_lines(markup: str) -> list[str]:
    """The scraped text lines that `markup` contributes when placed in a page body, leaving out
    punctuation-only separators (`|`, `、` between anchors) that would match any page."""
    if not markup.strip():
        return []
    lines = scraped_lines(lxml.html.fragment_fromstring(markup, create_parent="div"))
    return [line for line in lines if _has_word(line)]


def _has_word(line: str) -> bool:
    """Whether a line has a letter, digit or ideograph."""
    return any(ch.isalnum() for ch in line)


def covered_fraction(text: str, injections: Sequence[Injection], kind: str | None = None) -> float:
    """Share of the non-space characters of `text` that come from injected texts (of `kind`, if given)."""
    block = loc.norm(text)
    if not block:
        return 0.0
    injected = [t for inj in injections if kind in (None, inj.kind) for t in inj.texts if t]
    if any(len(block) >= 2 and block in t for t in injected):
        return 1.0
    mask = bytearray(len(block))
    for piece in sorted(set(injected), key=len, reverse=True):
        at = block.find(piece)
        while at >= 0:
            mask[at : at + len(piece)] = b"\x01" * len(piece)
            at = block.find(piece, at + 1)
    solid = [i for i, ch in enumerate(block) if not ch.isspace()]
    return sum(mask[i] for i in solid) / len(solid)


mirror_text = to_traditional
"""Convert ground-truth article text the way the `mirror` family converts a page."""


def article_after(article: str, injections: Sequence[Injection]) -> str:
    """The ground-truth article as it reads in the contaminated page: Traditional once a mirror was applied."""
    return mirror_text(article) if any(inj.family == "mirror" for inj in injections) else article


# --- family application on HTML -----------------------------------------------------------------


class _Page:
    """The page being contaminated, with its article hints (kept in sync when it is mirrored)."""

    def __init__(self, html: str, article_text: str | None, article_xpath: str | None):
        self.html = html
        self.article_text = article_text
        self.article_xpath = article_xpath

    def insert(self, offset: int, markup: str) -> None:
        """Insert markup at a raw offset."""
        self.html = loc.insert_at(self.html, offset, markup)

    def paragraph_offset(self, rng: Random, where: str, raw: loc.RawPage) -> int | None:
        """Raw offset before the article, after it, or between two random paragraphs (None: not found)."""
        paragraphs = loc.article_paragraphs(self.html, rng, self.article_text, self.article_xpath)
        if where == "before-article" and paragraphs:
            return raw.start_offset(paragraphs[0])
        if where == "after-article" and paragraphs:
            return raw.end_offset(paragraphs[-1])
        if where == "article-middle" and len(paragraphs) >= 2:
            return raw.end_offset(paragraphs[rng.randrange(len(paragraphs) - 1)])
        return None

    def place(self, rng: Random, position: str, markup: str) -> str:
        """Insert `markup` at a named position; article positions fall back to before `</body>`.
        Returns the position actually used."""
        raw = loc.RawPage(self.html)
        offset = _landmark(raw, position)
        if offset is None:
            offset = self.paragraph_offset(rng, position.removeprefix("escaped-"), raw)
        if offset is None:
            position, offset = "before-body-end", raw.body_end()
        self.insert(offset, markup)
        return position


def _landmark(raw: loc.RawPage, position: str) -> int | None:
    """Raw offset of a page-chrome position (None for article positions)."""
    finders = {
        "before-doctype": lambda: 0,
        "noframes-before-html": raw.before_html,
        "noframes-head": raw.head_start,
        "head": raw.head_start,
        "body-start": raw.body_start,
        "noframes-body-start": raw.body_start,
        "escaped-body-start": raw.body_start,
        "before-body-end": raw.body_end,
        "after-html": raw.after_document,
    }
    finder = finders.get(position)
    return finder() if finder else None


def _noise_markup(rng: Random, spec: FamilySpec, position: str) -> tuple[str, str, dict]:
    """(markup, id, details) of a tag-noise block shaped for `position`."""
    shape = rng.choice(ID_SHAPES)
    noise_id = random_id(rng, shape)
    raw_context = position.startswith("noframes")
    groups = noise_groups(rng, spec.tagset, noise_id, noise_count(rng), spec.invent_tags, raw_context)
    body = rng.choice(_RAW_SEPARATORS).join(groups)
    if raw_context:
        markup = f'<noframes id="{noise_id}">{body}</noframes>'
    elif position.startswith("escaped"):
        wrap = rng.choice(("p", "div", "span"))
        markup = f"<{wrap}>{htmlmod.escape(body, quote=False)}</{wrap}>"
    else:
        markup = body
    return "\n" + markup + "\n", noise_id, {"id_shape": shape, "elements": sum(g.count("</") for g in groups)}


def _apply_tag_noise(page: _Page, rng: Random, spec: FamilySpec, setting: _Setting, vocab: SpamVocabulary) -> Injection:
    """Runs of empty nested elements sharing one random id, in any position (raw or escaped too)."""
    markup, noise_id, details = _noise_markup(rng, spec, setting.position)
    position = page.place(rng, setting.position, markup)
    return Injection(
        spec.family,
        spec.name,
        TAG_NOISE,
        position,
        texts=leaked_lines(markup),
        ids=[noise_id],
        markup=markup,
        details=details,
    )


def _apply_ganrao(page: _Page, rng: Random, spec: FamilySpec, setting: _Setting, vocab: SpamVocabulary) -> Injection:
    """meikro `ganrao()` noise: random tag pairs with per-pair ids inside an off-screen fixed div."""
    markup, ids = ganrao_block(rng, noise_count(rng))
    position = page.place(rng, setting.position, markup)
    return Injection(spec.family, spec.name, TAG_NOISE, position, texts=leaked_lines(markup), ids=ids, markup=markup)


def _spam_record(spec: FamilySpec, setting: _Setting, position: str, markup: str, details: dict) -> Injection:
    """The record of a spam injection (texts computed from the markup)."""
    return Injection(
        spec.family,
        spec.name,
        SPAM,
        position,
        setting.language,
        setting.theme,
        setting.source,
        texts=leaked_lines(markup),
        markup=markup,
        details=details,
    )


def _apply_link_farm(page: _Page, rng: Random, spec: FamilySpec, setting: _Setting, vocab: SpamVocabulary) -> Injection:
    """A hidden container of keyword anchors to spam domains."""
    texts = vocab.phrases(rng, setting.source, setting.language, setting.theme, rng.randint(5, 40))
    links, hrefs = anchors(rng, texts, setting.language)
    markup, details = hidden_container(rng, rng.choice(spec.hidings), arrange_anchors(rng, links))
    details["hrefs"] = hrefs
    position = page.place(rng, setting.position, markup)
    return _spam_record(spec, setting, position, markup, details)


def _apply_spam_block(
    page: _Page, rng: Random, spec: FamilySpec, setting: _Setting, vocab: SpamVocabulary
) -> Injection:
    """Visible spam (keyword line, sentences, brand pairs or anchor list) around or inside the article."""
    shape = rng.choice(spec.shapes)
    inner, details = spam_text_block(rng, vocab, shape, setting.source, setting.language, setting.theme)
    details["shape"] = shape
    markup = "\n" + wrap_visible(rng, inner, bare_allowed=setting.position == "after-html") + "\n"
    position = page.place(rng, setting.position, markup)
    return _spam_record(spec, setting, position, markup, details)


def _apply_friend_links(
    page: _Page, rng: Random, spec: FamilySpec, setting: _Setting, vocab: SpamVocabulary
) -> Injection:
    """A `fflink` friend-link block of keyword anchors before `</body>`."""
    markup, details = friend_links(rng, vocab, setting.source, setting.language, setting.theme)
    position = page.place(rng, setting.position, markup)
    return _spam_record(spec, setting, position, markup, details)


def _apply_meta_hijack(
    page: _Page, rng: Random, spec: FamilySpec, setting: _Setting, vocab: SpamVocabulary
) -> Injection:
    """NCR-encoded spam `<title>`/keywords/description plus a search-referrer redirect script."""
    span = loc.RawPage(page.html).title_span()
    original = ""
    if span:
        original = loc.norm(htmlmod.unescape(re.sub(r"<[^>]*>", "", page.html[span[0] : span[1]])))
        page.html = page.html[: span[0]] + page.html[span[1] :]
    title, rest, details = hijacked_head(rng, vocab, setting.source, setting.language, setting.theme, original)
    offset = span[0] if span else loc.RawPage(page.html).head_start()
    page.insert(offset, title + rest)
    return Injection(
        spec.family,
        spec.name,
        SPAM,
        "head",
        setting.language,
        setting.theme,
        setting.source,
        texts=[loc.norm(details["title"])],
        markup=title + rest,
        details=details,
    )


def _apply_mirror(page: _Page, rng: Random, spec: FamilySpec, setting: _Setting, vocab: SpamVocabulary) -> Injection:
    """Simplified -> Traditional conversion of the whole page, usually with a Simplified keyword line."""
    page.html = to_traditional(page.html)
    if page.article_text:
        page.article_text = to_traditional(page.article_text)
    details: dict = {"converted": "zh-hant"}
    if rng.random() < 0.3:
        return Injection(spec.family, spec.name, SPAM, "page", details=details)
    line = htmlmod.escape(vocab.keyword_line(rng, setting.source, setting.language, setting.theme), quote=False)
    markup = "\n" + wrap_visible(rng, line, bare_allowed=setting.position == "after-html") + "\n"
    position = page.place(rng, setting.position, markup)
    return _spam_record(spec, setting, position, markup, details)


_APPLIERS = {
    "tag-noise": _apply_tag_noise,
    "ganrao": _apply_ganrao,
    "link-farm": _apply_link_farm,
    "spam-block": _apply_spam_block,
    "friend-links": _apply_friend_links,
    "meta-hijack": _apply_meta_hijack,
    "mirror": _apply_mirror,
}


# --- choosing families ---------------------------------------------------------------------------


@lru_cache(maxsize=1024)
@lru_cache(maxsize=1024)
def _wording_options(spec: FamilySpec, vocab: SpamVocabulary) -> tuple[tuple[str, str, str], ...]:
    """(source, language, theme) combinations of `spec` that `vocab` can produce (cached per pair)."""
    return tuple(
        (s, lang, t) for s in spec.sources for lang in spec.languages for t in spec.themes if vocab.has(s, lang, t)
    )


def usable(spec: FamilySpec, vocab: SpamVocabulary, content: str = "") -> bool:
    """Whether `spec` can run with `vocab` (and on `content`: mirroring needs Chinese text)."""
    if spec.family == "mirror" and not _CJK.search(content):
        return False
    return not spec.languages or bool(_wording_options(spec, vocab))


def _draw_setting(rng: Random, spec: FamilySpec, vocab: SpamVocabulary) -> _Setting:
    """Draw the position and, for spam families, the wording source, language and theme."""
    position = rng.choice(spec.positions)
    if not spec.languages:
        return _Setting(position)
    source, language, theme = rng.choice(_wording_options(spec, vocab))
    return _Setting(position, language, theme, source)


def _choose(
    rng: Random, families: Sequence[FamilySpec], vocab: SpamVocabulary, content: str, count: int | None
) -> list[FamilySpec]:
    """1-3 usable families (weighted; meta-hijack and mirror at most once), mirror first."""
    wanted = count if count is not None else rng.randint(1, 3)
    candidates = [s for s in families if usable(s, vocab, content)]
    chosen: list[FamilySpec] = []
    for _ in range(wanted):
        used = {c.family for c in chosen}
        options = [s for s in candidates if not (s.family in _ONCE_PER_PAGE and s.family in used)]
        if not options:
            break
        chosen.append(rng.choices(options, weights=[s.weight for s in options])[0])
    return sorted(chosen, key=lambda s: s.family != "mirror")


def apply_family(
    html: str,
    rng: Random,
    spec: FamilySpec,
    vocab: SpamVocabulary,
    article_text: str | None = None,
    article_xpath: str | None = None,
) -> tuple[str, Injection]:
    """Apply one family to a page; returns the new page and the record of what was inserted."""
    page = _Page(html, article_text, article_xpath)
    record = _APPLIERS[spec.family](page, rng, spec, _draw_setting(rng, spec, vocab), vocab)
    return page.html, record


def contaminate(
    html: str,
    rng: Random,
    families: Sequence[FamilySpec],
    vocab: SpamVocabulary,
    article_text: str | None = None,
    article_xpath: str | None = None,
    count: int | None = None,
) -> tuple[str, list[Injection]]:
    """Apply `count` (default: random 1-3) injections drawn from `families` to a clean page."""
    page = _Page(html, article_text, article_xpath)
    records = []
    for spec in _choose(rng, families, vocab, html, count):
        setting = _draw_setting(rng, spec, vocab)
        records.append(_APPLIERS[spec.family](page, rng, spec, setting, vocab))
    return page.html, records


# --- text mode ------------------------------------------------------------------------------------

_TEXT_POSITION = {
    "before-doctype": "start",
    "body-start": "start",
    "noframes-before-html": "start",
    "noframes-head": "start",
    "noframes-body-start": "start",
    "escaped-body-start": "start",
    "escaped-before-article": "start",
    "head": "start",
    "before-article": "start",
    "after-article": "end",
    "before-body-end": "end",
    "after-html": "end",
    "article-middle": "between",
}


def _noise_lines(rng: Random, spec: FamilySpec) -> tuple[list[str], list[str]]:
    """(literal tag-noise lines, ids) as they appear in a careless scrape."""
    if spec.family == "ganrao":
        markup, ids = ganrao_block(rng, noise_count(rng, 3, 120))
        return [markup], ids
    noise_id = random_id(rng, rng.choice(ID_SHAPES))
    groups = noise_groups(rng, spec.tagset, noise_id, noise_count(rng, 3, 120), spec.invent_tags)
    per_line = 1 if rng.random() < 0.6 else rng.randint(2, 12)
    return ["".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line)], [noise_id]


def _spam_lines(rng: Random, spec: FamilySpec, setting: _Setting, vocab: SpamVocabulary) -> list[str]:
    """Spam lines of a spam family as a careless scrape shows them."""
    args = (rng, setting.source, setting.language, setting.theme)
    if spec.family == "meta-hijack" or spec.family == "mirror":
        return [vocab.keyword_line(*args)]
    if spec.family == "spam-block":
        markup, _ = spam_text_block(rng, vocab, rng.choice(spec.shapes), *args[1:])
        return leaked_lines(f"<p>{markup}</p>")
    texts = vocab.phrases(*args, rng.randint(10 if spec.family == "friend-links" else 5, 40))
    if spec.family == "friend-links" and rng.random() < 0.6:
        texts.insert(0, vocab.link_label(rng, setting.language))
    return texts if rng.random() < 0.6 else [" ".join(texts)]


def _insert_lines(rng: Random, paragraphs: list[str], lines: list[str], where: str) -> tuple[list[str], str]:
    """Insert lines at the start, the end or between two paragraphs; returns (paragraphs, where used)."""
    if where == "between" and len(paragraphs) >= 2:
        at = rng.randint(1, len(paragraphs) - 1)
        return paragraphs[:at] + lines + paragraphs[at:], where
    if where == "start":
        return lines + paragraphs, where
    return paragraphs + lines, "end"


def inject_text(text: str, rng: Random, spec: FamilySpec, vocab: SpamVocabulary) -> tuple[str, list[Injection]]:
    """Insert one family's literal tag lines or spam lines into already-scraped article text."""
    setting = _draw_setting(rng, spec, vocab)
    paragraphs = [p for p in text.split("\n") if p.strip()]
    details: dict = {}
    if spec.family == "mirror":
        paragraphs = [to_traditional(p) for p in paragraphs]
        details["converted"] = "zh-hant"
    if spec.family in ("tag-noise", "ganrao"):
        lines, ids = _noise_lines(rng, spec)
        kind, language, theme, source = TAG_NOISE, "", "", ""
    else:
        lines, ids = _spam_lines(rng, spec, setting, vocab), []
        kind, language, theme, source = SPAM, setting.language, setting.theme, setting.source
    lines = [loc.norm(line) for line in lines if _has_word(line)]
    paragraphs, where = _insert_lines(rng, paragraphs, lines, _TEXT_POSITION[setting.position])
    record = Injection(
        spec.family,
        spec.name,
        kind,
        where,
        language,
        theme,
        source,
        texts=lines,
        ids=ids,
        markup="\n".join(lines),
        details=details,
    )
    return "\n".join(paragraphs), [record]


def contaminate_text(
    text: str, rng: Random, families: Sequence[FamilySpec], vocab: SpamVocabulary, count: int | None = None
) -> tuple[str, list[Injection]]:
    """Apply `count` (default: random 1-3) text-mode injections drawn from `families`."""
    records: list[Injection] = []
    for spec in _choose(rng, families, vocab, text, count):
        text, new = inject_text(text, rng, spec, vocab)
        records.extend(new)
    return text, records
