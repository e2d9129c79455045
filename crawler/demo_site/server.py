"""A small real HTTP server on 127.0.0.1, in a thread, serving a site held in memory.

Used by `hygiene crawl --demo` and by the crawl tests. Each path maps to a `Route`; pages get an
ETag and a Last-Modified date and answer conditional requests with 304, like most news sites.
Every request is logged (method, path, status) so tests can check what a crawler fetched.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BASE_PLACEHOLDER = b"{{BASE}}"
"""Written in page bodies where the site's own origin goes (sitemaps and feeds need absolute URLs)."""

SITE_EPOCH = 1_700_000_000
"""Default modification time of every page (a fixed date, so answers are reproducible)."""


@dataclass
class Route:
    """How one path answers."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = HTTPStatus.OK
    headers: dict[str, str] = field(default_factory=dict)
    fail_first: int = 0
    """Answer 500 this many times before serving the page."""
    etag: bool = True
    """Send an ETag (a hash of the body) and honour If-None-Match."""
    modified: int | None = SITE_EPOCH
    """Unix time sent as Last-Modified and compared with If-Modified-Since; None sends no date."""
    delay: float = 0.0
    """Seconds to wait before answering (a slow page)."""


@dataclass
class LoggedRequest:
    """One request the server answered."""

    method: str
    path: str
    status: int


class SiteServer:
    """Serve `routes` on 127.0.0.1 from a daemon thread; use as a context manager or start()/stop()."""

    def __init__(self, routes: dict[str, Route], port: int = 0):
        self.routes = routes
        self.log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", port), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="site-server", daemon=True)

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` of the running server."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        """Absolute URL of a path on this server."""
        return self.base_url + path

    def start(self) -> SiteServer:
        """Start serving in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def requested_paths(self) -> list[str]:
        """Paths requested so far, in order (query strings included)."""
        with self._lock:
            return [entry.path for entry in self.log]

    def _record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.log.append(LoggedRequest(method, path, status))

    def answer(self, method: str, path: str, headers) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for a request (the server's whole behaviour)."""
        route = self.routes.get(path)
        if route is None:
            return HTTPStatus.NOT_FOUND, {"Content-Type": "text/plain"}, b"not found"
        time.sleep(route.delay)
        if route.fail_first > 0:
            route.fail_first -= 1
            return HTTPStatus.INTERNAL_SERVER_ERROR, {"Content-Type": "text/plain"}, b"temporary failure"
        body = route.body.replace(BASE_PLACEHOLDER, self.base_url.encode())
        out = {"Content-Type": route.content_type, **route.headers}
        if route.status != HTTPStatus.OK:
            return route.status, out, body
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"' if route.etag else None
        if etag:
            out["ETag"] = etag
        if route.modified is not None:
            out["Last-Modified"] = formatdate(route.modified, usegmt=True)
        if _not_modified(headers, etag, route.modified):
            return HTTPStatus.NOT_MODIFIED, {k: v for k, v in out.items() if k != "Content-Type"}, b""
        return route.status, out, body

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                self._respond(send_body=True)

            def do_HEAD(self) -> None:  # noqa: N802
                self._respond(send_body=False)

            def _respond(self, send_body: bool) -> None:
                status, headers, body = server.answer(self.command, self.path, self.headers)
                server._record(self.command, self.path, int(status))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body and body:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(body)  # the client may give up (e.g. a download size limit)

            def log_message(self, format: str, *args) -> None:  # noqa: A002 (base class signature)
                """Requests are kept in `server.log`, not printed."""

        return Handler


class _QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that does not print clients hanging up (crawlers do, on purpose)."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """Ignore connection resets and broken pipes; report anything else as usual."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _not_modified(headers, etag: str | None, modified: int | None) -> bool:
    """True when the request's validators match the current page (RFC 9110: If-None-Match first)."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        return etag is not None and etag in [tag.strip() for tag in if_none_match.split(",")]
    if_modified_since = headers.get("If-Modified-Since")
    if if_modified_since and modified is not None:
        try:
            return parsedate_to_datetime(if_modified_since).timestamp() >= modified
        except (TypeError, ValueError):
            return False
    return False
