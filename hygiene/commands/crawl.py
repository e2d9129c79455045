"""`hygiene crawl`: crawl news sites into the SQLite store (the Scrapy `news` spider, run in-process).

Twisted's reactor cannot be restarted, so one `hygiene crawl` runs one crawl; a scheduler starts
it as a subprocess. `--demo` serves the built-in demo news site on 127.0.0.1 and crawls it.
Scrapy, the model and the demo site are imported only when a crawl runs, so `hygiene --help` stays fast.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from crawler.store import default_db_path, given_db_path
from crawler.summary import summary, summary_lines
from detector.errors import ConfigError
from detector.settings import DEFAULT_THRESHOLD
from hygiene.parsing import count, domain, idna_host, positive_int, threshold

EXIT_INTERRUPTED = 130
COMPONENT_SETTINGS = ("ITEM_PIPELINES", "EXTENSIONS", "ADDONS")
"""Settings (with every `*_MIDDLEWARES` one) whose keys name classes a crawl imports as it starts."""
REFUSED_SETTINGS = {
    "HYGIENE_DB": "give --db",
    "HYGIENE_MODEL": "give --model",
    "JOBDIR": "the job directory is kept beside the store (<db name>.jobs/)",
    "LOG_FILE": "give --log-file",
}
"""Settings that `hygiene crawl` sets from its own checked options, with what to do instead."""
FLOAT_READ_INT_SETTINGS = {"DNS_TIMEOUT", "DOWNLOAD_TIMEOUT"}
"""Settings with an integer default that Scrapy reads as a float (seconds)."""
SCRAPY_BOOLEANS = {"True", "true", "False", "false"}
"""Spellings Scrapy's `getbool` accepts besides integers."""
SEEDS_FILE_COMMENT = re.compile(r"(^|\s)#.*")
"""A comment in a seeds file: from a `#` that starts the line or follows a blank (a URL's own `#fragment` stays)."""
DEMO_PORT = 8765
"""The demo site's port when free (a fixed port keeps URLs stable, so a second demo run is incremental)."""

EPILOG = """\
seeds: front pages, section pages, sitemap.xml (or a sitemap index, .xml.gz too) and RSS/Atom
feeds, in any mix. Links are followed within the seeds' hosts (or --allow-domain) up to --depth
hops; a sitemap index, a sitemap or a feed counts as a hop. --depth 0 fetches the seeds only (so a
sitemap or feed seed gives no page); there is no unlimited depth: give a large N with --max-pages.
robots.txt is obeyed, AutoThrottle adapts the delay, 5xx answers and timeouts are retried twice,
bodies over 8 MiB are refused.

store: every article page is scored; clean and contaminated pages both become items holding the
clean text, and a contaminated page's raw bytes and flagged blocks also go to quarantine. Listing
pages, empty pages and fetch errors are recorded as dropped, with the reason. A page stored before
is not stored again unless it changed: not even requested when its sitemap <lastmod> is the one
stored, else asked with its ETag/Last-Modified (304 = unchanged), else compared by body hash.

resume: without --resume a crawl starts from the seeds; with --resume it continues the last crawl
with the same seeds, --allow-domain and --depth into the same store (Scrapy JOBDIR, kept beside the
database in <db name>.jobs/). After a crawl killed outright (no clean shutdown), --resume starts
again from the seeds and skips every page already stored, so nothing is lost or stored twice.

settings: -s NAME=VALUE takes a Scrapy setting or one of crawler/settings.py (declare the settings
of third-party middlewares there), with a value of its type (a number, True/False, a JSON object
for a dict; LOG_LEVEL a logging level, HYGIENE_THRESHOLD in (0, 1]). The store, the model and the
log are --db, --model and --log-file, never -s HYGIENE_DB, HYGIENE_MODEL, LOG_FILE or JOBDIR.

exit codes: 0 crawl finished (contaminated pages are expected, see the summary); 2 error (bad seeds,
options, model or database, or not one page could be fetched); 130 interrupted (continue with
--resume).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `crawl` sub-command."""
    parser = subparsers.add_parser(
        "crawl",
        help="crawl news sites into the SQLite store (clean items + quarantine)",
        description="Crawl news sites from seeds, score every article, store clean items, quarantine the rest.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("seeds", nargs="*", metavar="SEED", help="start URLs: pages, sitemaps or feeds")
    parser.add_argument("--seeds-file", type=Path, metavar="FILE", help="more seeds, one URL a line (# comments)")
    parser.add_argument("--db", metavar="PATH", help="SQLite store (default: hygiene.db in the user data folder)")
    parser.add_argument(
        "--depth",
        type=count,
        default=3,
        metavar="N",
        help="link hops from a seed; 0 = the seeds only (default: 3; no unlimited setting)",
    )
    parser.add_argument(
        "--max-pages",
        type=positive_int,
        metavar="N",
        help="stop after N pages (1 or more; robots.txt, sitemaps and feeds are not counted)",
    )
    parser.add_argument(
        "--allow-domain",
        action="append",
        default=[],
        type=domain,
        metavar="D",
        help="follow links to D and its subdomains (repeatable; default: the seeds' hosts)",
    )
    parser.add_argument("--resume", action="store_true", help="continue the last crawl of these seeds")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="serve the built-in demo news site on 127.0.0.1 and crawl it (no network needed;"
        " default store: demo.db beside the default hygiene.db)",
    )
    parser.add_argument("--model", metavar="PATH", help="detector model (default: the shipped model)")
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy setting or one of crawler/settings.py, e.g. -s DOWNLOAD_DELAY=2 (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log Scrapy's progress (INFO) to stderr, tracebacks included"
    )
    parser.add_argument("--log-file", metavar="FILE", help="write Scrapy's log to FILE instead of stderr")
    parser.set_defaults(func=run)


def read_seeds(args: argparse.Namespace) -> list[str]:
    """Seeds from the command line and --seeds-file, checked to be http(s) URLs; ConfigError otherwise."""
    from crawler.spiders.news import url_problem

    seeds = list(args.seeds) + (seeds_in_file(args.seeds_file) if args.seeds_file else [])
    for seed in seeds:
        problem = url_problem(seed)
        if problem:
            raise ConfigError(f"seed {seed!r} {problem}")
    return list(dict.fromkeys(seeds))


def seeds_in_file(path: Path) -> list[str]:
    """The seeds of a --seeds-file, one URL a line; blank lines and `#` comments (starting a line or after a blank)
    are left out; ConfigError for an unreadable file or a line holding more than one URL."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read seeds ({exc})") from None
    seeds = []
    for number, line in enumerate(lines, start=1):
        seed = SEEDS_FILE_COMMENT.sub("", line).strip()
        if len(seed.split()) > 1:
            raise ConfigError(f"{path}, line {number}: one URL a line, got {seed!r}")
        seeds += [seed] if seed else []
    if not seeds:
        raise ConfigError(f"{path}: no seed URL in the file (one URL a line)")
    return seeds


def check_seeds_allowed(seeds: list[str], domains: list[str]) -> None:
    """ConfigError when --allow-domain leaves a seed outside (Scrapy would filter it silently)."""
    for seed in seeds if domains else []:
        host = idna_host(urlsplit(seed).hostname or "")
        if not any(host == d or host.endswith(f".{d}") for d in domains):  # `domain` lowered them
            raise ConfigError(f"seed {seed!r} is outside --allow-domain {', '.join(domains)}")


def parse_settings(pairs: list[str]) -> dict[str, str]:
    """`-s NAME=VALUE` options as a dict; ConfigError on a pair without `=`."""
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"-s expects NAME=VALUE, got {pair!r}")
        settings[name.strip()] = value
    return settings


def checked_overrides(args: argparse.Namespace) -> dict[str, str]:
    """The `-s` overrides, each checked, and --log-file checked; ConfigError for the first problem. `hygiene crawl`
    and `hygiene schedule add` both call this before anything starts."""
    overrides = parse_settings(args.set)
    known = known_settings()
    for name, value in overrides.items():
        check_setting(name, value, known)
    if args.log_file:
        check_log_file(Path(args.log_file))
    return overrides


def known_settings() -> dict[str, object]:
    """Every setting name a crawl reads, with its default: Scrapy's defaults, then crawler/settings.py."""
    from scrapy.settings import default_settings

    from crawler import settings

    return {
        name: getattr(module, name) for module in (default_settings, settings) for name in dir(module) if name.isupper()
    }


def check_setting(name: str, value: str, known: dict[str, object]) -> None:
    """ConfigError unless `-s name=value` names a known setting that `hygiene crawl` leaves to the user, with a
    value of its type."""
    if name in REFUSED_SETTINGS:
        raise ConfigError(f"-s {name} is not for hygiene crawl: {REFUSED_SETTINGS[name]}")
    if name not in known:
        raise ConfigError(
            f"-s {name}: not a Scrapy setting nor one of crawler/settings.py (declare the settings of third-party"
            " middlewares and extensions there)"
        )
    check = value_check(name, known[name])
    if check and not check[1](value):
        raise ConfigError(f"-s {name}={value}: expected {check[0]}")
    if name in COMPONENT_SETTINGS or name.endswith("_MIDDLEWARES"):
        check_components(name, json.loads(value))


def check_components(name: str, components: dict) -> None:
    """ConfigError naming the first class of a component setting (`{"path.Class": order}`) that cannot be imported:
    Scrapy would only fail as the crawl starts, with a traceback."""
    from scrapy.utils.misc import load_object

    for path in components:
        try:
            load_object(path)
        except (ImportError, NameError, ValueError, AttributeError) as exc:
            raise ConfigError(f"-s {name}: cannot import {path} ({type(exc).__name__}: {exc})") from None


def value_check(name: str, default: object) -> tuple[str, Callable[[str], bool]] | None:
    """What a value of the setting must be and the test of its text, from its name or its default's type (as
    Scrapy reads it); None when any text will do."""
    if name == "LOG_LEVEL":
        return "a logging level (DEBUG, INFO, WARNING, ERROR or CRITICAL)", _is_log_level
    if name == "HYGIENE_THRESHOLD":
        return "a number in (0, 1]", _is_threshold
    if isinstance(default, bool):
        return "a boolean (True/False, true/false or 1/0)", _is_scrapy_bool
    if isinstance(default, int) and name not in FLOAT_READ_INT_SETTINGS:
        return "an integer", _is_integer
    if isinstance(default, (int, float)):
        return "a number", _is_number
    if isinstance(default, dict):
        return 'a JSON object, e.g. {"name": 100}', _is_json_object
    return None


def _is_log_level(text: str) -> bool:
    """A level name of the logging module (DEBUG, INFO ...)."""
    return isinstance(logging.getLevelName(text), int)


def _is_integer(text: str) -> bool:
    """An integer as Scrapy's getint reads it."""
    try:
        int(text)
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    """A finite number as Scrapy's getfloat reads it."""
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _is_threshold(text: str) -> bool:
    """A contamination threshold: a number in (0, 1], as `--threshold` takes it."""
    try:
        threshold(text)
    except argparse.ArgumentTypeError:
        return False
    return True


def _is_scrapy_bool(text: str) -> bool:
    """A boolean as Scrapy's getbool reads it: an integer, True/true or False/false."""
    return text in SCRAPY_BOOLEANS or _is_integer(text)


def _is_json_object(text: str) -> bool:
    """A JSON object, as Scrapy's getdict reads a dict setting given as text."""
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def check_log_file(path: Path) -> None:
    """ConfigError unless the log file can be opened for appending (a file made by the check is removed again)."""
    existed = path.exists()
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise ConfigError(f"--log-file {path}: cannot write ({exc.strerror or exc})") from None
    if not existed:
        path.unlink()


def job_dir_for(db_path: Path, seeds: list[str], allow_domains: list[str], depth: int) -> Path:
    """The JOBDIR of a crawl: beside the database, one per (seeds, domains, depth)."""
    key = json.dumps([sorted(seeds), sorted(allow_domains), depth]).encode()
    return db_path.parent / f"{db_path.stem}.jobs" / hashlib.sha256(key).hexdigest()[:16]


def run(args: argparse.Namespace) -> int:
    """Run the crawl (or the demo) and print the summary; return the exit code (see the epilog)."""
    overrides = checked_overrides(args)
    if args.demo:
        if args.seeds or args.seeds_file:
            raise ConfigError("--demo crawls the demo site: give no seeds with it")
        db_path = given_db_path(args.db) if args.db else default_db_path().with_name("demo.db")
        return run_demo(args, db_path, overrides)
    seeds = read_seeds(args)
    if not seeds:
        raise ConfigError("give at least one seed URL (or --seeds-file, or --demo)")
    check_seeds_allowed(seeds, args.allow_domain)
    db_path = given_db_path(args.db) if args.db else default_db_path()
    return crawl(args, seeds, db_path, overrides)


def run_demo(args: argparse.Namespace, db_path: Path, overrides: dict[str, str]) -> int:
    """Serve the demo site on 127.0.0.1 while crawling it; our own server needs no politeness delay."""
    from crawler.demo_site import SiteServer, demo_routes, demo_seeds

    try:
        server = SiteServer(demo_routes(), port=DEMO_PORT)
    except OSError:
        server = SiteServer(demo_routes(), port=0)
        print(
            f"hygiene: warning: port {DEMO_PORT} is busy, the demo site is served on another port: its stories get new"
            " URLs, so this run stores them again beside those of earlier runs",
            file=sys.stderr,
        )
    with server:
        print(f"demo site: {server.base_url}/  store: {db_path}", file=sys.stderr)
        local = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_START_DELAY": "0"}
        return crawl(args, demo_seeds(server.base_url), db_path, {**local, **overrides})


def crawl(args: argparse.Namespace, seeds: list[str], db_path: Path, overrides: dict[str, str]) -> int:
    """Check everything that can fail up front, run the crawl, print the summary."""
    from crawler.extensions import clear_job_dir, lock_job_dir
    from crawler.pipelines import check_crawl_settings

    check_crawl_settings(str(db_path), args.model, overrides.get("HYGIENE_THRESHOLD", DEFAULT_THRESHOLD))
    job_dir = job_dir_for(db_path.resolve(), seeds, args.allow_domain, args.depth)
    if not lock_job_dir(job_dir):  # held until the crawl closes: the crawl's JobDirGuard takes it over
        raise ConfigError(f"a crawl of the same seeds into {db_path} is already running ({job_dir})")
    if not args.resume:
        clear_job_dir(job_dir)
    settings = {
        "HYGIENE_DB": str(db_path),
        "HYGIENE_MODEL": args.model,
        "JOBDIR": str(job_dir),
        "LOG_LEVEL": "INFO" if args.verbose else "WARNING",
        **({"LOG_FILE": args.log_file} if args.log_file else {}),
        **overrides,
    }
    spider_args = {"seeds": seeds, "allow_domains": args.allow_domain, "depth": args.depth, "max_pages": args.max_pages}
    result = run_news_crawl(settings, spider_args, tracebacks=args.verbose)
    started, store_error = result.pop("started"), result.pop("store_error")
    print_summary(result, db_path, args.json)
    if not started:
        raise ConfigError("the crawl could not start (see the error above)")
    if store_error:
        raise ConfigError(f"{store_error}: the crawl stopped")
    if result["finish_reason"] in (None, "shutdown"):
        print("hygiene: interrupted; continue with the same command and --resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    check_something_fetched(result, args)
    return 0


def check_something_fetched(result: dict, args: argparse.Namespace) -> None:
    """ConfigError when the crawl got nothing at all: every request failed, the crawl logged errors and stored
    nothing, or a --depth 0 crawl gave no page (its seeds were sitemaps or feeds). A quiet feed, a sitemap without
    new entries and a --resume with nothing left to do are no error."""
    if result["pages_seen"] == 0 and result["errors"]:
        raise ConfigError(f"the crawl logged {result['errors']} errors and stored nothing (see the log above)")
    if args.resume and result["requests"] == 0:
        return
    if result["pages_seen"] == 0 and args.depth == 0:
        raise ConfigError(
            "not one page could be fetched from the seeds (--depth 0 stops at sitemap and feed seeds: --depth 1 "
            "fetches their pages)"
        )
    if pages_fetched(result) + result["sitemaps"] + result["feeds"] == 0:
        raise ConfigError(
            "not one page could be fetched from the seeds (every request failed: refused, timed out or an HTTP "
            "error; --verbose logs each)"
        )


def pages_fetched(result: dict) -> int:
    """Pages of a crawl summary that were downloaded whole (seen, less fetch errors and bodies cut at the size cap)."""
    dropped = result["dropped"]
    return result["pages_seen"] - dropped.get("fetch-error", 0) - dropped.get("too-large", 0)


def drop_log_tracebacks() -> None:
    """Keep tracebacks out of the terminal log handler Scrapy installed for this crawl (run once the engine starts:
    each crawler re-installs Scrapy's root handler when it applies its settings)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handler.setFormatter(_OneLineFormatter(handler.formatter or logging.Formatter()))


class _OneLineFormatter(logging.Formatter):
    """A handler's formatter that writes a record with an exception on one line, the traceback's last line
    (`ConnectionRefusedError: …`) at the end of the message; the record itself is left whole for other handlers
    (`--verbose` or `--log-file` keep tracebacks)."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        """The inner formatter's line for a copy of the record whose exception is folded into its message."""
        if not record.exc_info or record.exc_info[1] is None:
            return self.inner.format(record)
        error = record.exc_info[1]
        detail = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        line = logging.makeLogRecord(record.__dict__)
        line.msg, line.args = f"{record.getMessage()} [{detail}]", None
        line.exc_info = line.exc_text = line.stack_info = None
        return self.inner.format(line)


def run_news_crawl(settings: dict, spider_args: dict, tracebacks: bool = False) -> dict:
    """Run the `news` spider in this process with a progress bar; return the crawl summary. Log records keep
    their tracebacks only when asked."""
    from scrapy import signals
    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.settings import Settings

    from crawler.pipelines import STORE_ERROR_STAT
    from crawler.progress import ProgressBar
    from crawler.spiders.news import NewsSpider

    scrapy_settings = Settings()
    scrapy_settings.setmodule("crawler.settings", priority="project")
    scrapy_settings.setdict({k: v for k, v in settings.items() if v is not None}, priority="cmdline")
    process = AsyncCrawlerProcess(scrapy_settings)
    crawler = process.create_crawler(NewsSpider)
    if not tracebacks:
        crawler.signals.connect(drop_log_tracebacks, signal=signals.engine_started)
    with ProgressBar(crawler):
        task = process.crawl(crawler, **spider_args)
        process.start()
    if task.done() and not task.cancelled() and task.exception() is not None:
        error = task.exception()
        raise ConfigError(f"the crawl could not run ({type(error).__name__}: {str(error).splitlines()[0][:300]})")
    stats = crawler.stats.get_stats()
    return {
        **summary(stats, stats.get("finish_reason")),
        "sitemaps": stats.get("hygiene/sitemaps", 0),
        "feeds": stats.get("hygiene/feeds", 0),
        "errors": stats.get("log_count/ERROR", 0),
        "requests": stats.get("downloader/request_count", 0),
        "store_error": stats.get(STORE_ERROR_STAT),
        "started": "start_time" in stats,
    }


def print_summary(result: dict, db_path: Path, as_json: bool) -> None:
    """The end-of-crawl summary on stdout, as text lines or one JSON object."""
    if as_json:
        print(json.dumps({**result, "db": str(db_path)}, sort_keys=True))
        return
    print("\n".join([*summary_lines(result), f"store          {db_path}"]))
