"""When a finished crawl is an error (exit 2) and how its log lines reach the terminal: decided from the crawl's
summary and Scrapy's stats, without running a crawl."""

from __future__ import annotations

import argparse
import io
import logging

import pytest

from detector.errors import ConfigError
from hygiene.commands.crawl import check_something_fetched, drop_log_tracebacks


def crawl_result(pages_seen: int = 0, dropped: dict | None = None, **counts: int) -> dict:
    """A crawl summary as `run_news_crawl` returns it."""
    base = {"pages_seen": pages_seen, "dropped": dropped or {}, "sitemaps": 0, "feeds": 0, "errors": 0, "requests": 3}
    return {**base, **counts}


def crawl_args(depth: int = 3, resume: bool = False) -> argparse.Namespace:
    """The crawl options the check reads."""
    return argparse.Namespace(depth=depth, resume=resume)


@pytest.mark.parametrize(
    ("result", "args", "message"),
    [
        (crawl_result(1, {"fetch-error": 1}, errors=2), crawl_args(), "not one page could be fetched"),
        (crawl_result(2, {"fetch-error": 1, "too-large": 1}), crawl_args(), "not one page could be fetched"),
        (crawl_result(0, errors=5), crawl_args(), "the crawl logged 5 errors and stored nothing"),
        (crawl_result(0, sitemaps=1), crawl_args(depth=0), "--depth 0 stops at sitemap and feed seeds"),
        (crawl_result(0, requests=2), crawl_args(depth=0), "--depth 0 stops at sitemap and feed seeds"),
        (crawl_result(0), crawl_args(), "not one page could be fetched"),
    ],
    ids=["all-refused", "failed-or-cut", "pipeline-errors", "depth-0-sitemap", "depth-0-unparsed-seed", "nothing"],
)
def test_a_crawl_that_got_nothing_is_an_error(result, args, message):
    with pytest.raises(ConfigError, match=message):
        check_something_fetched(result, args)


@pytest.mark.parametrize(
    ("result", "args"),
    [
        (crawl_result(3, {"fetch-error": 2}), crawl_args()),
        (crawl_result(4, unchanged=4), crawl_args()),
        (crawl_result(0, feeds=1), crawl_args()),
        (crawl_result(0, sitemaps=2), crawl_args(depth=2)),
        (crawl_result(0, requests=0), crawl_args(resume=True)),
        (crawl_result(0, requests=0), crawl_args(depth=0, resume=True)),
    ],
    ids=[
        "some-fetched",
        "all-unchanged",
        "quiet-feed",
        "sitemap-without-new-pages",
        "resume-with-nothing-left",
        "depth-0-resume-with-nothing-left",
    ],
)
def test_a_crawl_that_fetched_something_or_had_nothing_to_do_is_no_error(result, args):
    check_something_fetched(result, args)


def test_terminal_log_lines_keep_the_error_but_not_the_traceback():
    """An exception logged during the crawl reaches the terminal as one line ending with its type and message;
    a log file keeps the whole traceback."""
    terminal, log_file = logging.StreamHandler(io.StringIO()), logging.FileHandler("/dev/null", delay=True)
    file_stream = io.StringIO()
    log_file.setStream(file_stream)
    root = logging.getLogger()
    root.addHandler(terminal)
    root.addHandler(log_file)
    try:
        drop_log_tracebacks()
        try:
            raise RuntimeError("boom: the real reason")
        except RuntimeError:
            logging.getLogger("crawler.pipelines").error("Error processing %s", "PageItem", exc_info=True)
        logged_to_file = file_stream.getvalue()
    finally:
        root.removeHandler(terminal)
        root.removeHandler(log_file)
    assert terminal.stream.getvalue() == "Error processing PageItem [RuntimeError: boom: the real reason]\n"
    assert "Error processing PageItem\nTraceback (most recent call last)" in logged_to_file
