"""The tools compared: ours and the peers, each behind the same small interface.

`load()` does the imports and model loading (timed as load time); `extract(page)` returns the clean text and,
for tools that judge whole pages, whether the page was flagged (ours) or dropped (datatrove's filters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pages import BenchPage

JUSTEXT_LANGUAGES = {"en": "English", "pl": "Polish", "ru": "Russian", "el": "Greek"}
DATATROVE_LANGUAGES = {"en": "eng", "zh": "cmn_Hani", "pl": "pol", "ru": "rus", "el": "ell"}


@dataclass
class Extraction:
    """What a tool made of one page."""

    text: str
    flagged: bool | None = None


class Tool:
    """One extractor under test."""

    name = ""
    label = ""
    model: str | None = None

    def load(self) -> None:
        """Import the library and load any model."""

    def extract(self, page: BenchPage) -> Extraction:
        """The clean text of one page."""
        raise NotImplementedError


class Hygiene(Tool):
    """scraper-hygiene: score every block with the trained model, keep the article text."""

    name = "hygiene"
    label = "hygiene (ours)"

    def load(self) -> None:
        from detector import Scorer

        self.scorer = Scorer.from_path(self.model)

    def extract(self, page: BenchPage) -> Extraction:
        result = self.scorer.score(page.html, fmt="html", url=page.url)
        return Extraction(result.text, result.contaminated)


class Trafilatura(Tool):
    """trafilatura with its defaults, comments excluded (the ground truths exclude them)."""

    name = "trafilatura"
    label = "trafilatura"

    def load(self) -> None:
        import trafilatura

        self.extract_text = trafilatura.extract

    def extract(self, page: BenchPage) -> Extraction:
        return Extraction(self.extract_text(page.html, url=page.url, include_comments=False) or "")


class Readability(Tool):
    """readability-lxml's article summary, turned into text with one line per block element."""

    name = "readability"
    label = "readability-lxml"

    def load(self) -> None:
        import lxml.html
        from readability import Document

        self.document = Document
        self.parse_fragment = lxml.html.fromstring

    def extract(self, page: BenchPage) -> Extraction:
        summary = self.document(page.html).summary(html_partial=True)
        return Extraction(html_text(self.parse_fragment(summary)) if summary.strip() else "")


def html_text(root: Any) -> str:
    """Text of an lxml tree with a line break after every block element (so words of two blocks never merge)."""
    from lxml.html.defs import block_tags

    for element in root.iter(*block_tags, "br", "article", "section", "header", "footer", "figcaption"):
        element.tail = "\n" + (element.tail or "")
    return root.text_content()


class JusText(Tool):
    """jusText with the page language's stoplist, or its language-independent mode when it has none (zh)."""

    name = "justext"
    label = "jusText"

    def load(self) -> None:
        import justext

        self.justext = justext
        self.stoplists = {lang: justext.get_stoplist(name) for lang, name in JUSTEXT_LANGUAGES.items()}

    def extract(self, page: BenchPage) -> Extraction:
        stoplist = self.stoplists.get(page.lang)
        if stoplist is None:
            paragraphs = self.justext.justext(page.html, frozenset(), stopwords_low=0, stopwords_high=0)
        else:
            paragraphs = self.justext.justext(page.html, stoplist)
        return Extraction("\n".join(p.text for p in paragraphs if not p.is_boilerplate))


class Resiliparse(Tool):
    """resiliparse's main-content plain-text extraction."""

    name = "resiliparse"
    label = "resiliparse"

    def load(self) -> None:
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        self.parse = HTMLTree.parse
        self.extract_plain_text = extract_plain_text

    def extract(self, page: BenchPage) -> Extraction:
        return Extraction(self.extract_plain_text(self.parse(page.html), main_content=True))


class Datatrove(Tool):
    """datatrove as FineWeb runs it: its trafilatura extractor, then the Gopher, C4 and FineWeb quality filters."""

    name = "datatrove"
    label = "datatrove (FineWeb filters)"

    def load(self) -> None:
        from datatrove.data import Document
        from datatrove.pipeline import filters
        from datatrove.pipeline.extractors import Trafilatura as Extractor

        self.document = Document
        self.extractor = Extractor(favour_precision=True)
        self.filters = {
            lang: [
                filters.GopherRepetitionFilter(language=code),
                filters.GopherQualityFilter(language=code),
                filters.C4QualityFilter(filter_no_terminal_punct=False, language=code),
                filters.FineWebQualityFilter(language=code),
            ]
            for lang, code in DATATROVE_LANGUAGES.items()
        }

    def extract(self, page: BenchPage) -> Extraction:
        document = self.document(text=self.extractor.extract(page.html) or "", id=page.key)
        for quality_filter in self.filters.get(page.lang, self.filters["en"]):
            verdict = quality_filter.filter(document)
            if verdict is False or (isinstance(verdict, tuple) and not verdict[0]):
                return Extraction("", flagged=True)
        return Extraction(document.text, flagged=False)


TOOLS: dict[str, type[Tool]] = {
    tool.name: tool for tool in (Hygiene, Trafilatura, Readability, JusText, Resiliparse, Datatrove)
}
