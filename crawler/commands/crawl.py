"""`scrapy crawl` that refuses bad spider arguments and a bad store, model or threshold with one error line and
exit code 2.

Scrapy builds the spider and the item pipelines inside the running crawl, where an exception from their
constructors only surfaces as an asyncio traceback. A spider class with `check_arguments(arguments)` (raising
ValueError) has its `-a` arguments checked here first, before anything starts, and so are the store (HYGIENE_DB),
the model (HYGIENE_MODEL) and the threshold (HYGIENE_THRESHOLD) when the hygiene pipeline is enabled; the refusal
is one line on stderr (Scrapy's own usage errors print the usage block first).
"""

from __future__ import annotations

import argparse
import sys

from scrapy import Spider
from scrapy.commands import crawl
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader

from crawler.pipelines import HygienePipeline, check_crawl_settings
from detector.errors import HygieneError


class Command(crawl.Command):
    """Scrapy's `crawl` command, with the spider's arguments checked up front."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Scrapy's options, then the spider's `-a` arguments."""
        super().process_options(args, opts)
        loader = get_spider_loader(self.settings)
        if len(args) == 1 and args[0] not in loader.list():
            spiders = ", ".join(loader.list())
            sys.stderr.write(f"scrapy crawl: error: no spider named {args[0]!r} (spiders: {spiders})\n")
            raise SystemExit(2)
        if len(args) == 1:
            check_spider_arguments(loader.load(args[0]), opts.spargs)
            check_hygiene_settings(self.settings)


def check_spider_arguments(spidercls: type[Spider], arguments: dict[str, str]) -> None:
    """Exit with code 2 and the spider's message on one line when its `check_arguments` refuses the arguments."""
    check = getattr(spidercls, "check_arguments", None)
    if check is None:
        return
    try:
        check(arguments)
    except ValueError as exc:
        sys.stderr.write(f"scrapy crawl: error: {exc}\n")
        raise SystemExit(2) from None


def check_hygiene_settings(settings: Settings) -> None:
    """Exit with code 2 and one line when the hygiene pipeline is enabled and its store, model or threshold is bad."""
    pipelines = settings.getwithbase("ITEM_PIPELINES")
    if not any(path in (HygienePipeline, "crawler.pipelines.HygienePipeline") for path in pipelines):
        return
    try:
        check_crawl_settings(
            settings.get("HYGIENE_DB"), settings.get("HYGIENE_MODEL"), settings.get("HYGIENE_THRESHOLD")
        )
    except HygieneError as exc:
        sys.stderr.write(f"scrapy crawl: error: {exc}\n")
        raise SystemExit(exc.exit_code) from None
