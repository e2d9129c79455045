"""scraper-hygiene's detector: a stand-alone library (no Scrapy) that scores and cleans news pages.

The path of a page: `fetch` (file, URL, stdin) -> `decode` (charset) -> `parse` (lxml, plus raw bytes
around `<html>`) -> `segment` (blocks) -> `features` -> `model` (one scikit-learn Pipeline) ->
`score` (labels, page verdict, reasons) -> `clean` (the article text).

    from detector import Scorer
    result = Scorer.from_path().score(html_bytes, url="https://example.com/a.html")
    result.contaminated, result.score, result.text, result.flagged

`Scorer` is imported on first use, so that light users (errors, the command line's help) don't load scikit-learn.
"""

from typing import TYPE_CHECKING, Any

from detector.errors import ConfigError, HygieneError, InputError, ModelError, SampleError
from detector.result import Flag, PageResult

if TYPE_CHECKING:
    from detector.score import Scorer

__all__ = ["ConfigError", "Flag", "HygieneError", "InputError", "ModelError", "PageResult", "SampleError", "Scorer"]


def __getattr__(name: str) -> Any:
    """Import `Scorer` lazily (PEP 562)."""
    if name == "Scorer":
        from detector.score import Scorer

        return Scorer
    raise AttributeError(f"module 'detector' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, `Scorer` included before its first use."""
    return sorted({*globals(), *__all__})
