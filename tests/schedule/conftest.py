"""Fixtures for the scheduler tests: a tiny news site on 127.0.0.1 and a `hygiene` runner."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

TOPICS = [
    ("harbour", "The harbour authority approved a plan to deepen the main channel before the winter storms."),
    ("railway", "Engineers reopened the coastal railway line after a landslide closed it for nine days."),
    ("library", "The city library will stay open until midnight during the exam season, the council said."),
]
HANG_SECONDS = 120


def article_page(slug: str, lead: str, nav: str = "<nav><a href='/'>Home</a></nav>") -> str:
    """A news article with enough story text and an `og:type` of article, as the crawler expects."""
    paragraphs = [
        lead,
        f"Officials described the {slug} decision as the result of two years of consultation with residents,"
        " shop owners and the regional transport board, who met eleven times in the town hall.",
        f"Critics of the {slug} plan said the cost had doubled since the first estimate and asked for an"
        " independent review before any contract is signed, a request the mayor rejected on Tuesday.",
        f"Work related to the {slug} is expected to begin in spring and to last about eighteen months,"
        " according to the schedule published on the council website together with the full budget.",
    ]
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{slug.title()} news</title>"
        f"<meta property='og:type' content='article'>"
        f"<meta property='article:published_time' content='2024-05-0{len(slug) % 9 + 1}T08:00:00Z'></head>"
        f"<body>{nav}<article><h1>{slug.title()} plan approved</h1>{body}</article>"
        "<footer>Local News Daily</footer></body></html>"
    )


def front_page() -> str:
    """A listing page linking every article."""
    links = "".join(f"<li><a href='/news/{slug}.html'>{slug.title()} plan approved</a></li>" for slug, _ in TOPICS)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Local News Daily</title></head>"
        f"<body><h1>Local News Daily</h1><ul>{links}</ul></body></html>"
    )


@dataclass
class Site:
    """The fixture site: its base URL and what it served."""

    url: str
    hits: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def article_urls(self) -> list[str]:
        return [f"{self.url}/news/{slug}.html" for slug, _ in TOPICS]


def make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    """Request handler serving the front page, the articles, `/slow/<s>/` (a link-less article after s seconds)
    and `/hang/` (no answer until the test ends)."""
    pages = {"/": front_page(), **{f"/news/{slug}.html": article_page(slug, lead) for slug, lead in TOPICS}}
    lone_article = article_page(*TOPICS[0], nav="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            site.hits.append(self.path)
            if self.path == "/hang/":
                site.release.wait(HANG_SECONDS)
                return
            if self.path.startswith("/slow/"):
                time.sleep(float(self.path.split("/")[2]))
            body = lone_article if self.path.startswith("/slow/") else pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            encoded = (body or "not found").encode()
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server signature
            """Keep test output quiet."""

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    """Serve the fixture site on 127.0.0.1 (port 0 = any free port) for one test."""
    holder = Site(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(holder))
    server.daemon_threads = True
    holder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder
    holder.release.set()
    server.shutdown()
    server.server_close()


class SchedulerProcess:
    """A real `hygiene schedule run` process on a store, its log in a file."""

    def __init__(self, db: Path, log: Path, *options: str) -> None:
        self.log_path = log
        with log.open("wb") as log_file:
            self.process = subprocess.Popen([sys.executable, "-m", "hygiene", "schedule", "run", "--db", str(db),
                                             *options], stdout=log_file, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self, signum: int = signal.SIGTERM, seconds: float = 60) -> int:
        """Send `signum` and wait for the exit code."""
        self.process.send_signal(signum)
        return self.process.wait(seconds)

    def crawl_pids(self) -> list[int]:
        """Pids of the crawls it started, from its `run N started (pid P)` log lines."""
        return [int(pid) for pid in re.findall(r"started \(pid (\d+)\)", self.log())]


@pytest.fixture
def start_scheduler(tmp_path) -> Iterator:
    """Start scheduler processes; any still running at the end is killed with its crawls."""
    started: list[SchedulerProcess] = []

    def start(db: Path, *options: str) -> SchedulerProcess:
        scheduler = SchedulerProcess(db, tmp_path / f"scheduler-{len(started)}.log", *options)
        started.append(scheduler)
        return scheduler

    yield start
    for scheduler in started:
        if scheduler.process.poll() is None:
            scheduler.process.kill()
            scheduler.process.wait()
        for pid in scheduler.crawl_pids():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
