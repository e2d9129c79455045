"""scraper-hygiene's detector: a stand-alone library (no Scrapy) that scores and cleans news pages.

The path of a page: `fetch` (file, URL, stdin) -> `decode` (charset) -> `parse` (lxml, plus raw bytes
around `<html>`) -> `segment` (blocks) -> `features` -> `model` (one scikit-learn Pipeline) ->
`score` (labels, page verdict, reasons) -> `clean` (the article text).

    from detector import Scorer
    result = Scorer.from_path().score(html_bytes, url="https://example.com/a.html")
    result.contaminated, result.score, result.text, result.flagged
"""

from detector.errors import HygieneError, InputError, ModelError, SampleError
from detector.result import Flag, PageResult
from detector.score import Scorer

__all__ = ["Flag", "HygieneError", "InputError", "ModelError", "PageResult", "SampleError", "Scorer"]
