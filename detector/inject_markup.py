"""Markup builders for spam injections: hidden link farms, visible spam blocks, friend links, hijacked head.

Pure string builders driven by a `random.Random`; where the markup goes is decided in `detector.inject`.
"""

from __future__ import annotations

import html as htmlmod
import json
import string
from random import Random

from detector.spam_wording import SpamVocabulary, spam_domain

TRAIN_HIDINGS = (
    "display-none",
    "visibility-hidden",
    "class-display-none",
    "offscreen-absolute",
    "offscreen-fixed",
    "zero-size",
    "font-size-0",
    "marquee",
)
HOLDOUT_HIDINGS = ("opacity-0", "clip-rect", "clip-path", "text-indent", "js-style")
SPAM_SHAPES = ("keyword-line", "sentences", "brand-pairs", "anchor-list")

_LEGIT_CLASS_NAMES = frozenset({"hidden", "hide", "sronly", "visuallyhidden", "offscreen", "invisible", "collapse"})
_SEARCH_ENGINES = ("baidu", "sogou", "soso", "so.com", "sm.cn", "bing", "yahoo", "google", "360")


def random_class(rng: Random) -> str:
    """A random 3-6-letter class name (never an accessibility/utility name such as `hidden`)."""
    while True:
        name = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 6)))
        if name not in _LEGIT_CLASS_NAMES:
            return name


def spam_href(rng: Random, language: str) -> str:
    """An outbound spam URL on a numeric/pinyin/word domain."""
    scheme = rng.choice(("http", "https"))
    path = rng.choice(("/", "", f"/?ref={rng.randint(100, 99999)}", f"/{rng.randint(10, 9999)}.html"))
    return f"{scheme}://{spam_domain(rng, language)}{path}"


def anchor(rng: Random, href: str, text: str, quote: str = '"') -> str:
    """One `<a>` with an optional `target=_blank`; text is HTML-escaped."""
    target = f" target={quote}_blank{quote}" if rng.random() < 0.5 else ""
    return f"<a href={quote}{htmlmod.escape(href)}{quote}{target}>{htmlmod.escape(text, quote=False)}</a>"


def anchors(rng: Random, texts: list[str], language: str, quote: str = '"') -> tuple[list[str], list[str]]:
    """(anchor markup list, hrefs) for the given anchor texts."""
    hrefs = [spam_href(rng, language) for _ in texts]
    return [anchor(rng, h, t, quote) for h, t in zip(hrefs, texts)], hrefs


def arrange_anchors(rng: Random, links: list[str]) -> str:
    """Anchors as a bare run (various separators), a `<ul>` list or one `<p>` each."""
    shape = rng.choice(("run", "run", "ul", "p"))
    if shape == "ul":
        return "<ul>" + "".join(f"<li>{a}</li>" for a in links) + "</ul>"
    if shape == "p":
        return "".join(f"<p>{a}</p>" for a in links)
    return rng.choice(("", " ", "\n", "<br>", " | ", "<br/>\n")).join(links)


def _offset(rng: Random) -> int:
    """A large negative page offset in px."""
    return -rng.choice((9000, 9999, 5000, 3000, 10000, 152413851))


def hidden_container(rng: Random, hiding: str, inner: str) -> tuple[str, dict]:
    """`inner` wrapped so that browsers hide it with the `hiding` technique; returns (markup, details)."""
    details: dict = {"hiding": hiding}
    if hiding == "class-display-none":
        klass = random_class(rng)
        details["class"] = klass
        rule = rng.choice(("display:none", "display: none;", "display:none!important"))
        return f'<style>.{klass}{{{rule}}}</style><div class="{klass}">{inner}</div>', details
    if hiding == "marquee":
        attrs = rng.choice(
            (
                f'width="1" height="1" scrollamount="{rng.randint(1000, 9999)}"',
                f'style="width:1px;height:1px;overflow:hidden" scrollamount="{rng.randint(1000, 9999)}"',
                'height="1" width="1" behavior="scroll" scrolldelay="99999"',
            )
        )
        return f"<marquee {attrs}>{inner}</marquee>", details
    if hiding == "js-style":
        element_id = "".join(rng.choices(string.ascii_letters + string.digits, k=22))
        details["element_id"] = element_id
        css = f"#{element_id}{{position:fixed;overflow:hidden;top:{_offset(rng)}px;display:block;}}"
        script = (
            "<script>var s=document.createElement('st'+'yl'+'e');"
            f"s.innerHTML='{css}';document.head.appendChild(s);</script>"
        )
        return f'<div id="{element_id}">{inner}</div>{script}', details
    style = _inline_style(rng, hiding)
    details["style"] = style
    tag = rng.choice(("div", "div", "span")) if "<p>" not in inner and "<ul>" not in inner else "div"
    return f'<{tag} style="{style}">{inner}</{tag}>', details


def _inline_style(rng: Random, hiding: str) -> str:
    """The inline CSS that hides a container with technique `hiding`."""
    off = _offset(rng)
    styles = {
        "display-none": ("display:none", "display: none;", "DISPLAY: none"),
        "visibility-hidden": ("visibility:hidden", "visibility: hidden; height: 0"),
        "offscreen-absolute": (f"position:absolute;left:{off}px;top:{off}px", f"position: absolute; top: {off}px;"),
        "offscreen-fixed": (f"position:fixed;left:{off}px;top:{off}px;", f"position:fixed;top:{off}px"),
        "zero-size": ("width:0;height:0;overflow:hidden", "height:1px;width:1px;overflow:hidden"),
        "font-size-0": ("font-size:0", "font-size:0px;line-height:0"),
        "opacity-0": ("opacity:0", "opacity: 0; position: absolute"),
        "clip-rect": ("position:absolute;clip:rect(0,0,0,0)", "position:absolute;clip:rect(1px,1px,1px,1px)"),
        "clip-path": ("clip-path:inset(100%)", "clip-path:circle(0);position:absolute"),
        "text-indent": ("text-indent:-9999px;overflow:hidden;white-space:nowrap",),
    }
    return rng.choice(styles[hiding])


def spam_text_block(
    rng: Random, vocab: SpamVocabulary, shape: str, source: str, language: str, theme: str
) -> tuple[str, dict]:
    """Visible spam in one of the SPAM_SHAPES, as (inner markup, details)."""
    if shape == "keyword-line":
        return htmlmod.escape(vocab.keyword_line(rng, source, language, theme), quote=False), {}
    if shape == "brand-pairs":
        return htmlmod.escape(vocab.brand_pairs(rng, source, language, theme), quote=False), {}
    if shape == "sentences":
        sentences = [vocab.sentence(rng, source, language, theme) for _ in range(rng.randint(1, 3))]
        glue = "" if language.startswith(("zh", "ja")) else " "
        return htmlmod.escape(glue.join(sentences), quote=False), {}
    texts = vocab.phrases(rng, source, language, theme, rng.randint(5, 15))
    links, hrefs = anchors(rng, texts, language)
    return rng.choice((" ", " | ", "、", "")).join(links), {"hrefs": hrefs}


def wrap_visible(rng: Random, inner: str, bare_allowed: bool = False) -> str:
    """Visible spam in a paragraph-ish element (or bare text where the position allows it)."""
    if bare_allowed and "<a " not in inner and rng.random() < 0.4:
        return inner
    tag = rng.choice(("p", "p", "div", "h2", "span", "strong"))
    return f"<{tag}>{inner}</{tag}>"


def friend_links(rng: Random, vocab: SpamVocabulary, source: str, language: str, theme: str) -> tuple[str, dict]:
    """A meikro-style `<div class='fflink'>` of 10-40 keyword anchors to random domains."""
    texts = vocab.phrases(rng, source, language, theme, rng.randint(10, 40))
    links, hrefs = anchors(rng, texts, language, quote="'")
    label = htmlmod.escape(vocab.link_label(rng, language), quote=False) if rng.random() < 0.6 else ""
    klass = rng.choice(("fflink", "flink", "yqlj", "links", "friendlink"))
    sep = rng.choice(("", " ", "\n", " | "))
    return f"<div class='{klass}'>{label}{sep.join(links)}</div>", {"class": klass, "hrefs": hrefs}


def ncr(text: str, ascii_too: bool) -> str:
    """Text as decimal numeric character references (`&#22269;`), ASCII kept literal unless `ascii_too`."""
    return "".join(f"&#{ord(c)};" if ascii_too or ord(c) > 127 else htmlmod.escape(c) for c in text)


def redirect_script(rng: Random, url: str) -> str:
    """Referrer-conditioned redirect: visitors arriving from a search engine are sent to `url`."""
    engines = rng.sample(_SEARCH_ENGINES, k=rng.randint(3, len(_SEARCH_ENGINES)))
    go = rng.choice(("location.href", "window.location.href", "window.location"))
    if rng.random() < 0.5:
        pattern = "|".join(e.replace(".", "\\.") for e in engines)
        return f'<script>if(/{pattern}/i.test(document.referrer)){{{go}="{url}";}}</script>'
    tests = "||".join(f's.indexOf("{e}")>0' for e in engines)
    return f'<script>var s=document.referrer;if({tests}){{{go}="{url}";}}</script>'


def hijacked_head(
    rng: Random, vocab: SpamVocabulary, source: str, language: str, theme: str, original_title: str
) -> tuple[str, str, dict]:
    """(title markup, metas+scripts markup, details) of a hijacked head written in NCRs."""
    title = vocab.keyword_line(rng, source, language, theme)
    keywords = ",".join(vocab.phrases(rng, source, language, theme, rng.randint(3, 8)))
    description = vocab.sentence(rng, source, language, theme)
    ascii_too = rng.random() < 0.5
    url = spam_href(rng, language)
    metas = (
        f'<meta name="keywords" content="{ncr(keywords, ascii_too)}" />'
        f'<meta name="description" content="{ncr(description, ascii_too)}" />'
    )
    scripts = redirect_script(rng, url)
    if original_title and rng.random() < 0.5:
        scripts = f"<script>document.title={json.dumps(original_title)};</script>" + scripts
    details = {
        "title": title,
        "keywords": keywords,
        "description": description,
        "redirect": url,
        "original_title": original_title,
    }
    return f"<title>{ncr(title, ascii_too)}</title>", metas + scripts, details
