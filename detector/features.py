"""Block features: one dict of named values per block, computed the same way for training and scoring.

Features describe the shape of a block and its context (tags and how rare they are, repeated random ids,
emptiness, hiding, links foreign to the page's site, position, writing script against the page's majority,
keyword-list joiners, literal markup, title and page similarity, neighbours), plus a few hashed words.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import groupby

from detector.lexicon import lexicon_hits_per_text
from detector.pagecache import page_cache
from detector.segment import Block
from detector.text import (
    ASCII_DIGITS,
    CaselessLiterals,
    count_bytes,
    count_scripts,
    han_variant_counts,
    lower_for_literal_search,
    normalize_space,
    script_counts,
    token_tuple,
    tokens,
)
from detector.visibility import style_hidden_kind

COMMON_TAGS = frozenset(
    [
        "a",
        "abbr",
        "article",
        "aside",
        "b",
        "blockquote",
        "body",
        "br",
        "button",
        "caption",
        "code",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "i",
        "iframe",
        "img",
        "input",
        "label",
        "li",
        "link",
        "main",
        "meta",
        "nav",
        "ol",
        "option",
        "p",
        "picture",
        "pre",
        "script",
        "section",
        "select",
        "small",
        "source",
        "span",
        "strong",
        "style",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "time",
        "title",
        "tr",
        "u",
        "ul",
        "svg",
        "path",
        "noscript",
        "font",
        "center",
    ]
)
RARE_TAGS = frozenset(
    [
        "var",
        "menuitem",
        "strike",
        "listing",
        "cite",
        "video",
        "noframes",
        "address",
        "progress",
        "kbd",
        "dfn",
        "del",
        "s",
        "acronym",
        "big",
        "tt",
        "xmp",
        "plaintext",
        "marquee",
        "blink",
        "bdo",
        "samp",
        "q",
        "ins",
        "dir",
        "output",
        "meter",
        "rt",
        "rp",
        "ruby",
        "mark",
        "dialog",
        "details",
        "summary",
        "legend",
        "fieldset",
        "optgroup",
        "map",
        "area",
        "canvas",
        "audio",
        "embed",
        "object",
        "param",
        "track",
        "wbr",
        "bdi",
        "data",
        "datalist",
        "keygen",
        "nobr",
        "noembed",
    ]
)
KNOWN_TAGS = COMMON_TAGS | RARE_TAGS
LITERAL_TAG_RE = re.compile(r"<\s*+(/?)\s*+([a-zA-Z][a-zA-Z0-9]{0,15}+)((?:\s++[^<>]{0,200})?)\s*+/?>")
"""A tag written as text. Possessive: giving back spaces or name letters never makes a match, and backtracking
into them made a long run of spaces after `<a` quadratic."""
ID_ATTR_RE = re.compile(r"""\bid\s*=\s*["']?([^"'\s>]+)""", re.I)
STYLE_ATTR_RE = re.compile(r"""\bstyle\s*=\s*["']([^"']*)""", re.I)
PLAIN_ID_RE = re.compile(r"^[a-z0-9]{4,12}$")
SENTENCE_END_RE = re.compile(r"[.!?。！？…]")
JOINER_RE = re.compile(r"[_|,，、\-]")
SEGMENT_RE = re.compile(r"[^_|,，、\-\s]+")
"""What lies between joiners and spaces."""
DIGIT_RE = re.compile(r"\d")
ASCII_PUNCTUATION = (b".!?", b"_|,-", ASCII_DIGITS)
"""The ASCII characters of SENTENCE_END_RE, JOINER_RE and DIGIT_RE."""
URL_RE = CaselessLiterals(r"https?://|www\.|\.(?:com|net|cn|org|top|xyz|vip|cc)\b")
COPYRIGHT_RE = CaselessLiterals(
    r"©|\(c\) ?\d{4}|copyright|all rights reserved|版权|版權|著作権|無断転載|저작권|все права|alle rechte"
    r"|derechos reservados"
)
"""Copyright and reprint notices: the honest footer line that ends most pages, in any script."""
NO_PREVIOUS = {"prev:none": 1.0}
"""What the first block sees before it (don't mutate)."""
NO_FOLLOWING = {"next:none": 1.0}
"""What the last block sees after it (don't mutate)."""
NEIGHBOUR_KEYS = (
    "kind",
    "hid",
    "ld",
    "lex",
    "kw",
    "mk",
    "len",
    "foreign",
    "pos_after",
    "pos_before",
    "mis",
    "in_main",
    "copyright",
)
WORD_FEATURES_PER_BLOCK = 40
RANDOM_ID_VOWEL_SHARE = 0.2
SIBLING_SHARE = 0.2
"""A sibling of the main container joins it when it holds this share of the container's main-like text."""
_STRUCTURE_WORDS_TEXT = """
    article articles body content contents entry main post story text txt paragraph prose rich detail details news
    blog page copy lead summary abstract intro zhengwen neirong wenzhang cont art artic
    author byline date time dateline published updated source credit caption figure photo image img media video
    gallery figcaption
    nav navbar navigation menu breadcrumb breadcrumbs crumbs header head masthead top footer foot bottom sidebar
    side aside rail column widget widgets module block box panel card teaser list item items grid tab tabs
    share sharing social comment comments reply like follow subscribe newsletter signup login register account
    search form button btn icon
    related recommend recommended more read popular trending most latest hot topics tags categories
    keywords
    ads advert advertisement adv banner promo sponsor sponsored outbrain taboola dfp gpt adsense
    copyright legal disclaimer cookie cookies consent privacy policy terms notice
    hidden hide invisible show visible collapse dropdown popup modal overlay layer pop tooltip toggle drawer
    mobile desktop print screen reader only offscreen
    link links friend friendlink flink yqlj partner partners blogroll
    logo brand title headline heading subtitle wrap wrapper container inner outer clearfix row col left right
    center
"""
STRUCTURE_WORDS = frozenset(_STRUCTURE_WORDS_TEXT.split())
"""Class and id words that say what a part of a template is (as readability's class lists); other class
names (site slugs, CSS-in-JS hashes, WordPress category and tag classes) are no feature."""
JAPANESE_KANA_SHARE = 0.1
SCRIPT_MISMATCH = "mis"
"""The feature of a block written in another writing system than its page (or the other Han variant)."""


class Bins:
    """Feature names of a binned value: `prefix=i`, i the index of the first edge above the value (edges ascend)."""

    __slots__ = ("edges", "names")

    def __init__(self, prefix: str, edges: tuple[float, ...]) -> None:
        self.edges = edges
        self.names = tuple(f"{prefix}={index}" for index in range(len(edges) + 1))

    def name(self, value: float) -> str:
        """The feature name of the bin of `value`."""
        return self.names[bisect_right(self.edges, value)]


LEN_BINS = Bins("len", (3, 8, 15, 30, 60, 120, 250, 500))
SENT_BINS = Bins("sent", (1, 2, 4))
JOIN_BINS = Bins("join", (1, 3, 6, 12))
SEG_BINS = Bins("seg", (2, 4, 8, 16))
SEGL_BINS = Bins("segl", (3, 6, 10, 20))
DIGITS_BINS = Bins("digits", (0.05, 0.2, 0.5))
LEX_BINS = Bins("lex", (1, 2, 4))
LEXC_BINS = Bins("lexc", (1, 2, 4))
CTA_BINS = Bins("cta", (1, 2))
MK_N_BINS = Bins("mk_n", (2, 4, 8, 16, 64))
MK_DISTINCT_BINS = Bins("mk_distinct", (2, 4, 8))
MK_IDREP_BINS = Bins("mk_idrep", (0.2, 0.5, 0.9))
MK_RANDID_BINS = Bins("mk_randid", (0.2, 0.5, 0.9))
MK_DEPTH_BINS = Bins("mk_depth", (2, 3, 5))
LITERAL_SHARE_BINS = Bins("literal_share", (0.3, 0.6, 0.9))
LD_BINS = Bins("ld", (0.05, 0.3, 0.6, 0.9))
NLINKS_BINS = Bins("nlinks", (2, 4, 8, 16))
FOREIGN_BINS = Bins("foreign", (0.01, 0.5, 0.9))
FOREIGN_DOMAINS_BINS = Bins("foreign_domains", (1, 2, 4, 8))
MIXED_SCRIPTS_BINS = Bins("mixed_scripts", (0.1, 0.3))
AFTER_BY_BINS = Bins("after_by", (2, 5, 15))
TITLE_SIM_BINS = Bins("title_sim", (0.05, 0.2, 0.5))
HEADLINE_SIM_BINS = Bins("headline_sim", (0.2, 0.5, 0.8))
MAIN_SIM_BINS = Bins("main_sim", (0.1, 0.3, 0.5, 0.7))
RUN_BINS = Bins("run", (2, 4, 8, 16))
SHORT_LINE_CHARS = 30
DUMP_LIKE_SHORT_SHARE = 0.4
"""A text page more than this share of whose lines are short reads like a whole-page dump, not an article."""
POSITION_NAMES = tuple(f"pos={tenth}" for tenth in range(10))


@dataclass
class PageContext:
    """Page-wide facts each block is compared with."""

    domain: str
    title_tokens: frozenset
    repeated_main_tokens: frozenset
    majority_script: str
    majority_han: str
    first_main: int
    last_main: int
    n_blocks: int
    mode: str
    main_elements: frozenset


@dataclass
class PageFeatures:
    """A page's features before neighbours are joined in: each block's own features but its hashed words
    (`shapes`, which its neighbours see part of) and its hashed words (`words`)."""

    shapes: list[dict]
    words: list[dict]


def featurize_page(blocks: list[Block], domain: str, title: str, mode: str) -> list[dict]:
    """Feature dicts for every block of one page, in order: its own features, its hashed words and what it
    sees of its neighbours (`prev:`, `next:`)."""
    return joined_rows(page_features(blocks, domain, title, mode))


def page_features(blocks: list[Block], domain: str, title: str, mode: str) -> PageFeatures:
    """The features of every block of one page, neighbours not joined in (blocks get their own `features`)."""
    texts = [prose_of(block) for block in blocks]
    count_scripts([*texts, *(block.text for block in blocks if not block.is_structural())])
    context = page_context(blocks, domain, title, mode)
    lowered = [lower_for_literal_search(text) for text in texts]
    hits = lexicon_hits_per_text(texts, lowered)
    known: dict[str, TextFeatures] = {}
    prose_features = []
    for text, text_lowered, text_hits in zip(texts, lowered, hits):
        found = known.get(text)
        if found is None:
            found = known[text] = text_features(text, text_lowered, text_hits, context)
        prose_features.append(found)
    shapes = [block_shape(block, index, context, prose_features[index]) for index, block in enumerate(blocks)]
    if mode == "text":
        _add_run_features(shapes, [_is_short_line(block, text) for block, text in zip(blocks, texts)])
    else:
        _add_headline_similarity(blocks, shapes)
    for block, shape in zip(blocks, shapes):
        block.features = shape
    return PageFeatures(shapes, [prose.words for prose in prose_features])


def joined_rows(page: PageFeatures) -> list[dict]:
    """Every block's whole feature dict: own features, hashed words, and what it sees of its neighbours."""
    names = _NeighbourNames()
    shared = [_neighbour_view(shape, names) for shape in page.shapes]
    rows = []
    for index, (shape, words) in enumerate(zip(page.shapes, page.words)):
        previous, following = _neighbours(shared, index)
        rows.append({**shape, **words, **previous, **following})
    return rows


def joined_row(page: PageFeatures, index: int) -> dict:
    """`joined_rows(page)[index]`, computing only that row (the reasons of a flagged block)."""
    names, shapes = _NeighbourNames(), page.shapes
    previous = _neighbour_view(shapes[index - 1], names)[1] if index > 0 else NO_PREVIOUS
    following = _neighbour_view(shapes[index + 1], names)[0] if index + 1 < len(shapes) else NO_FOLLOWING
    return {**shapes[index], **page.words[index], **previous, **following}


def _add_headline_similarity(blocks: list[Block], shapes: list[dict]) -> None:
    """How much of the `<title>` the page's first `<h1>` repeats: an honest title is its headline (and the site's
    name), a hijacked one is not."""
    titles = [index for index, block in enumerate(blocks) if block.kind == "title"]
    if not titles:
        return
    headline = next((block.text for block in blocks if block.tag == "h1" and block.kind == "text"), None)
    headline_tokens = set(token_tuple(headline)) if headline else set()
    for index in titles:
        toks = set(token_tuple(blocks[index].text))
        if not headline_tokens or not toks:
            shapes[index]["headline_none"] = 1.0
        else:
            shapes[index][HEADLINE_SIM_BINS.name(len(toks & headline_tokens) / len(toks))] = 1.0


def _is_short_line(block: Block, text: str) -> bool:
    """A line of scraped text too short to be a sentence: a keyword, a menu item, a link label."""
    return block.kind == "line" and len(text) <= SHORT_LINE_CHARS and not SENTENCE_END_RE.search(text)


def _add_run_features(shapes: list[dict], short: list[bool]) -> None:
    """How many short lines in a row a short line of scraped text stands among, and whether the page reads like
    an article (few short lines: a run of keywords in it is foreign) or a whole-page dump (menus are runs)."""
    page = "dump" if sum(short) > DUMP_LIKE_SHORT_SHARE * len(short) else "article"
    start = 0
    for is_short, run in groupby(short):
        length = len(list(run))
        if is_short:
            name = f"{RUN_BINS.name(length)}/{page}"
            for index in range(start, start + length):
                shapes[index][name] = 1.0
        start += length


def page_context(blocks: list[Block], domain: str, title: str, mode: str) -> PageContext:
    """Majority script, main-text vocabulary and where the main text starts and ends."""
    scripts: dict[str, int] = {}
    simp = trad = 0
    main_tokens: Counter = Counter()
    long_indexes = []
    for index, block in enumerate(blocks):
        if block.is_structural() or block.kind in ("title", "meta"):
            continue
        counts = script_counts(block.text)
        for script, found in counts.items():
            scripts[script] = scripts.get(script, 0) + found
        block_simp, block_trad = han_variant_counts(block.text) if counts.get("han") else (0, 0)
        simp, trad = simp + block_simp, trad + block_trad
        if _is_main_like(block):
            long_indexes.append(index)
            main_tokens.update(tokens(block.text))
    majority = writing_system(scripts)
    return PageContext(
        domain=domain,
        title_tokens=frozenset(tokens(title)),
        repeated_main_tokens=frozenset(token for token, count in main_tokens.items() if count >= 2),
        majority_script=majority,
        majority_han=_han_label(simp, trad),
        first_main=long_indexes[0] if long_indexes else 0,
        last_main=long_indexes[-1] if long_indexes else len(blocks) - 1,
        n_blocks=len(blocks),
        mode=mode,
        main_elements=_main_elements([blocks[i] for i in long_indexes]),
    )


def _main_container(main_blocks: list[Block]) -> object | None:
    """The element holding most main-like text (parents score fully, grandparents half), as readability does."""
    scores: dict = {}
    for block in main_blocks:
        element = block.element
        if element is None:
            continue
        for share, ancestor in zip((1.0, 0.5), element.iterancestors()):
            scores[ancestor] = scores.get(ancestor, 0.0) + share * len(block.text)
    return max(scores, key=scores.get) if scores else None


def _main_elements(main_blocks: list[Block]) -> frozenset:
    """Every element inside the main container and inside its siblings that hold a good share of main-like
    text too (articles cut into several boxes by ads or pull quotes), as readability joins siblings."""
    container = _main_container(main_blocks)
    if container is None:
        return frozenset()
    parent = container.getparent()
    sibling_text: dict = {}
    for block in main_blocks:
        sibling = _child_of(parent, block.element) if parent is not None and block.element is not None else None
        if sibling is not None:
            sibling_text[sibling] = sibling_text.get(sibling, 0) + len(block.text)
    own = sibling_text.get(container, 0)
    kept = [container] + [s for s, chars in sibling_text.items() if s is not container and chars >= SIBLING_SHARE * own]
    return frozenset(element for root in kept for element in root.iter())


def _child_of(parent, element):
    """The child of `parent` that holds `element` (None when `element` is not below `parent`)."""
    node = element
    while node is not None:
        up = node.getparent()
        if up is parent:
            return node
        node = up
    return None


def _is_main_like(block: Block) -> bool:
    """Long prose with few links: what article paragraphs look like."""
    length = len(block.text)
    return length >= 60 and block.link_chars < 0.3 * length and bool(SENTENCE_END_RE.search(block.text))


def _han_label(simp: int, trad: int) -> str:
    """'simp', 'trad', 'mixed' or 'none' from counts of variant-specific characters."""
    if simp + trad < 2:
        return "none"
    if simp >= 3 * trad:
        return "simp"
    if trad >= 3 * simp:
        return "trad"
    return "mixed"


def prose_of(block: Block) -> str:
    """The text that text features describe: none for a run of empty elements (its text is its markup), and
    text outside literal tags otherwise, so that markup leaked into text reads as markup, not as words."""
    if block.kind == "markup":
        return ""
    if "<" not in block.text:
        return block.text
    return normalize_space(LITERAL_TAG_RE.sub(" ", block.text))


@dataclass(slots=True)
class TextFeatures:
    """The features that a block's prose alone decides on its page (duplicate texts of a page share them)."""

    shape: dict
    script: dict
    similarity: dict
    words: dict


def text_features(
    text: str, lowered: str | None, lexicon_hits: tuple[int, int, int], context: PageContext
) -> TextFeatures:
    """The features of a prose text on its page; `lowered` is its `lower_for_literal_search`."""
    shape: dict = {}
    _add_text_shape(shape, text, lowered, lexicon_hits)
    script: dict = {}
    _add_script_features(script, text, context)
    similarity: dict = {}
    _add_similarity_features(similarity, text, context)
    return TextFeatures(shape, script, similarity, _word_features(text))


def block_shape(block: Block, index: int, context: PageContext, prose: TextFeatures) -> dict:
    """Features of one block on its own and against the page, all but its hashed words; `prose` are those of
    its text."""
    features: dict = {"bias": 1.0, f"mode={context.mode}": 1.0, f"kind={block.kind}": 1.0, f"zone={block.zone}": 1.0}
    features.update(prose.shape)
    _add_markup_shape(features, block)
    features.update(_dom_context(block.tag, block.path[-2:], block.attr_tokens, block.hidden))
    _add_link_features(features, block, context)
    features.update(prose.script)
    _add_position_features(features, block, index, context)
    features.update(prose.similarity)
    return features


def _add_text_shape(features: dict, text: str, lowered: str | None, hits: tuple[int, int, int]) -> None:
    """Length, punctuation, joiners between keywords, URLs and spam morphemes."""
    length = len(text)
    sentence_ends, joiners, digits = _punctuation_counts(text)
    segments = SEGMENT_RE.findall(text)
    mean_segment = sum(map(len, segments)) / len(segments) if segments else 0.0
    features[LEN_BINS.name(length)] = 1.0
    features[SENT_BINS.name(sentence_ends)] = 1.0
    features[JOIN_BINS.name(joiners)] = 1.0
    features[SEG_BINS.name(len(segments))] = 1.0
    features[SEGL_BINS.name(mean_segment)] = 1.0
    features[DIGITS_BINS.name(digits / max(length, 1))] = 1.0
    word_hits, cjk_hits, calls = hits
    if word_hits:
        features[LEX_BINS.name(word_hits)] = 1.0
    if cjk_hits:
        features[LEXC_BINS.name(cjk_hits)] = 1.0
    if calls:
        features[CTA_BINS.name(calls)] = 1.0
    if len(segments) >= 4 and sentence_ends == 0 and joiners >= 3:
        features["kw=list"] = 1.0
    if URL_RE.search_lowered(text, lowered):
        features["has_url"] = 1.0
    if COPYRIGHT_RE.search_lowered(text, lowered):
        features["copyright"] = 1.0
    toks = token_tuple(text)
    if len(toks) > 10 and len(set(toks)) < 0.5 * len(toks):
        features["repetitive"] = 1.0


def _punctuation_counts(text: str) -> tuple[int, int, int]:
    """How many sentence ends, keyword joiners and digits a text holds (byte deletions count them in ASCII text)."""
    if not text.isascii():
        return len(SENTENCE_END_RE.findall(text)), len(JOINER_RE.findall(text)), len(DIGIT_RE.findall(text))
    raw = text.encode("ascii")
    return tuple(count_bytes(raw, chars) for chars in ASCII_PUNCTUATION)


def _add_markup_shape(features: dict, block: Block) -> None:
    """Tag inventory of an empty-element run, or of literal tags written inside text."""
    if block.kind == "markup":
        tags, ids, attr_sets = block.run_tags, block.run_ids, block.run_attr_sets
    else:
        if "<" not in block.text:
            return
        literal = LITERAL_TAG_RE.findall(block.text[:3000])
        if not literal:
            return
        opening = [(name.lower(), attrs) for slash, name, attrs in literal if not slash]
        tags = tuple(name for name, _ in opening) or tuple(name.lower() for _, name, _ in literal)
        ids = tuple((ID_ATTR_RE.search(attrs).group(1) if ID_ATTR_RE.search(attrs) else "") for _, attrs in opening)
        attr_sets = tuple(frozenset(["id"]) if i else frozenset() for i in ids)
    total = len(tags)
    if not total:
        return
    id_counts = Counter(i for i in ids if i)
    top_id, top_count = id_counts.most_common(1)[0] if id_counts else ("", 0)
    features[MK_N_BINS.name(total)] = 1.0
    features["mk_rare"] = sum(t in RARE_TAGS for t in tags) / total
    features["mk_unknown"] = sum(t not in KNOWN_TAGS for t in tags) / total
    features["mk_common"] = sum(t in COMMON_TAGS for t in tags) / total
    features[MK_DISTINCT_BINS.name(len(set(tags)))] = 1.0
    features[MK_IDREP_BINS.name(top_count / total)] = 1.0
    features[MK_RANDID_BINS.name(sum(map(_looks_random, ids)) / total)] = 1.0
    features["mk_only_id"] = sum(a == frozenset(["id"]) for a in attr_sets) / total
    features[MK_DEPTH_BINS.name(block.run_depth)] = 1.0
    if top_id and PLAIN_ID_RE.match(top_id) and top_count >= 2:
        features["mk_plain_repeated_id"] = 1.0
    if block.kind != "markup":
        features["literal_tags"] = min(total, 20) / 10
        features[LITERAL_SHARE_BINS.name(literal_markup_share(block.text))] = 1.0
        _add_literal_hiding(features, literal)


def _add_literal_hiding(features: dict, literal: list[tuple[str, str, str]]) -> None:
    """How literal tags written in text would hide what they wrap (an inline style), as DOM hiding reads."""
    for _, _, attrs in literal:
        style = STYLE_ATTR_RE.search(attrs)
        kind = style_hidden_kind(style.group(1)) if style else ""
        if kind:
            features["hid=" + kind] = 1.0
            features["hidden"] = 1.0
            return


def _looks_random(value: str) -> bool:
    """A short plain id that no template author would write: letters mixed with digits, or nearly no vowels."""
    if not PLAIN_ID_RE.match(value):
        return False
    letters = sum(ch.isalpha() for ch in value)
    if 0 < letters < len(value):
        return True
    return sum(ch in "aeiou" for ch in value) <= RANDOM_ID_VOWEL_SHARE * len(value)


def literal_markup_share(text: str) -> float:
    """Fraction of the characters of `text` that are inside literal tags."""
    inside = sum(match.end() - match.start() for match in LITERAL_TAG_RE.finditer(text))
    return inside / max(len(text), 1)


@page_cache(4096)
def _dom_context(tag: str, path_end: tuple[str, ...], attr_tokens: tuple[str, ...], hidden: str) -> dict:
    """Tag, last two ancestors, class/id words and how a block is hidden (cached: list items repeat them);
    don't mutate."""
    features = {}
    if tag:
        features["tag=" + tag] = 1.0
    if path_end:
        features["path=" + ">".join(path_end)] = 1.0
        features["parent=" + path_end[-1]] = 1.0
    if attr_tokens:
        for token in STRUCTURE_WORDS.intersection(attr_tokens):
            features["attr=" + token] = 1.0
    if hidden:
        features["hid=" + hidden] = 1.0
        features["hidden"] = 1.0
    return features


def _add_link_features(features: dict, block: Block, context: PageContext) -> None:
    """Link density and how many link targets lie outside the page's site."""
    density = block.link_chars / max(len(block.text), 1)
    features[LD_BINS.name(density)] = 1.0
    features["link_density"] = density
    if block.n_links:
        external = [d for d in block.link_domains if d and d != context.domain]
        distinct = len(set(external))
        features[NLINKS_BINS.name(block.n_links)] = 1.0
        features[FOREIGN_BINS.name(len(external) / block.n_links)] = 1.0
        features[FOREIGN_DOMAINS_BINS.name(distinct)] = 1.0
        numeric = sum(any(ch.isdigit() for ch in d.split(".")[0]) for d in external)
        if numeric:
            features["numeric_domains"] = min(numeric, 10) / 5


def writing_system(counts: dict) -> str:
    """Dominant writing system of script counts; Han with enough kana is Japanese ('ja')."""
    counts = {k: v for k, v in counts.items() if k != "digit" and v}
    if not counts:
        return "none"
    kana, han = counts.get("kana", 0), counts.get("han", 0)
    if kana and kana >= JAPANESE_KANA_SHARE * (kana + han):
        counts.pop("kana")
        counts.pop("han", None)
        counts["ja"] = kana + han
    return max(counts, key=counts.get)


def _is_script_mismatch(block_system: str, page_system: str) -> bool:
    """A block in another writing system than its page; kanji-only lines on a Japanese page are not."""
    return block_system != page_system and not (block_system == "han" and page_system == "ja")


def _script_family(system: str) -> str:
    """'latin' or 'other': which scripts meet is no feature, so spam in a script pair never trained looks the
    same as in a trained one (Cyrillic spam on a Polish page like Chinese spam on an English one)."""
    return "latin" if system == "latin" else "other"


def _add_script_features(features: dict, text: str, context: PageContext) -> None:
    """Whether the block's writing system differs from the page's (Simplified vs Traditional Han too).

    Which script a page is written in is no feature: a language the training pages lack must not look odd."""
    counts = {k: v for k, v in script_counts(text).items() if k != "digit"}
    if not counts:
        features["script=none"] = 1.0
        return
    dominant = writing_system(counts)
    if _is_script_mismatch(dominant, context.majority_script):
        features[f"mis={_script_family(dominant)}_on_{_script_family(context.majority_script)}"] = 1.0
        features[SCRIPT_MISMATCH] = 1.0
    else:
        features["script=same"] = 1.0
    if len(counts) > 1:
        features[MIXED_SCRIPTS_BINS.name(1 - max(counts.values()) / sum(counts.values()))] = 1.0
    if counts.get("han") and context.majority_script != "ja":
        simp, trad = han_variant_counts(text)
        own = _han_label(simp, trad)
        if own in ("simp", "trad") and context.majority_han in ("simp", "trad") and own != context.majority_han:
            features[SCRIPT_MISMATCH] = 1.0
            features["han_mismatch"] = 1.0


def _add_position_features(features: dict, block: Block, index: int, context: PageContext) -> None:
    """Relative position, whether the block stands before or after the main text, and inside its container."""
    relative = index / max(context.n_blocks - 1, 1)
    features[POSITION_NAMES[min(int(relative * 10), 9)]] = 1.0
    if context.main_elements:
        features["in_main" if block.element in context.main_elements else "out_main"] = 1.0
    if index > context.last_main:
        features["pos_after"] = 1.0
        features[AFTER_BY_BINS.name(index - context.last_main)] = 1.0
    elif index < context.first_main:
        features["pos_before"] = 1.0
    else:
        features["pos_inside"] = 1.0
    if index >= context.n_blocks - 2:
        features["pos_last"] = 1.0
    if index <= 1:
        features["pos_first"] = 1.0


def _add_similarity_features(features: dict, text: str, context: PageContext) -> None:
    """How much of the block's vocabulary the title and the page's main text share."""
    toks = set(token_tuple(text))
    if not toks:
        return
    main_share = len(toks & context.repeated_main_tokens) / len(toks)
    features[TITLE_SIM_BINS.name(len(toks & context.title_tokens) / len(toks))] = 1.0
    features[MAIN_SIM_BINS.name(main_share)] = 1.0
    features["main_sim"] = main_share


def _word_features(text: str) -> dict:
    """A few hashed words (Latin words, CJK character pairs) so that boilerplate phrases are learnt; numbers are
    no words (a year must not become a spam word because spam templates write the current one)."""
    head = text[:300]
    if head.isascii():
        grams = [t for t in token_tuple(head) if len(t) > 2 and not t.isdigit()]
    else:
        grams = _grams_of([t for t in token_tuple(head) if not t.isdigit()])
    weight = 1.0 / math.sqrt(max(len(grams), 1))
    return {"w=" + gram: weight for gram in grams[:WORD_FEATURES_PER_BLOCK]}


def _grams_of(toks: list[str]) -> list[str]:
    """Words of three or more characters, and pairs of neighbouring CJK characters (a lone one is no gram)."""
    grams: list[str] = []
    for left, right in zip(toks, toks[1:] + [""]):
        if len(left) == 1 and not left.isascii():
            if right and len(right) == 1 and not right.isascii():
                grams.append(left + right)
        elif len(left) > 2:
            grams.append(left)
    return grams


class _NeighbourNames(dict):
    """For one page: feature name -> its `next:` and `prev:` names when neighbours see it, else None (computed on
    first use: names repeat on every block)."""

    def __missing__(self, key: str) -> tuple[str, str] | None:
        names = self[key] = neighbour_names(key)
        return names


def _neighbour_view(shape: dict, names: _NeighbourNames) -> tuple[dict, dict]:
    """The features of a block that its neighbours see, keyed for the previous and the next position
    (never its hashed words: no `w=` name is a neighbour key)."""
    as_next, as_previous = {}, {}
    for key, value in shape.items():
        pair = names[key]
        if pair:
            as_next[pair[0]] = value
            as_previous[pair[1]] = value
    return as_next, as_previous


def neighbour_names(key: str) -> tuple[str, str] | None:
    """A feature's names as the previous block sees it (`next:`) and as the next block sees it (`prev:`); None
    for the features neighbours don't see."""
    return ("next:" + key, "prev:" + key) if _neighbours_see(key) else None


def _neighbours_see(key: str) -> bool:
    """True for the feature names shown to the previous and next blocks."""
    return key in NEIGHBOUR_KEYS or ("=" in key and key.startswith(NEIGHBOUR_KEYS))


def _neighbours(shared: list[tuple[dict, dict]], index: int) -> tuple[dict, dict]:
    """The features of the previous and the next block (`prev:`, `next:`) as block `index` sees them."""
    previous = shared[index - 1][1] if index > 0 else NO_PREVIOUS
    following = shared[index + 1][0] if index + 1 < len(shared) else NO_FOLLOWING
    return previous, following
