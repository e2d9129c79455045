"""Read a page from a file path, an http(s) URL, or `-` for standard input."""

from __future__ import annotations

import http.client
import re
import sys
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

from detector.errors import InputError
from detector.settings import FETCH_DEADLINE_S, FETCH_TIMEOUT_S, MAX_PAGE_BYTES, USER_AGENT

NON_PAGE_MEDIA_PREFIXES = ("image/", "audio/", "video/", "font/", "model/")
NON_PAGE_MEDIA_TYPES = frozenset(
    ("application/pdf", "application/zip", "application/gzip", "application/x-gzip", "application/msword")
)
"""Media types `score` refuses from a URL: documents that are no page whatever their bytes look like. A generic
type (`application/octet-stream`, sent by misconfigured servers for HTML) is read, as the crawler reads it."""
URL_SCHEME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*)://")
"""A source that starts like a URL; http and https (in any case) are fetched, other schemes refused."""
READ_CHUNK_BYTES = 65_536
COMPRESSED_WINDOW_BITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
"""zlib window bits of the content codings a server may send although none was asked for."""


@dataclass
class RawSource:
    """Undecoded bytes of a page with what is known about where they came from."""

    name: str
    data: bytes
    url: str | None = None
    content_type: str | None = None


def read_source(source: str, max_bytes: int = MAX_PAGE_BYTES) -> RawSource:
    """Read `source` (path, URL or `-`) into memory, refusing anything over `max_bytes`."""
    if source == "-":
        if sys.stdin is None:
            raise InputError("standard input is closed")
        return RawSource(source, _read_limited(sys.stdin.buffer, max_bytes, "standard input"))
    scheme = URL_SCHEME_RE.match(source)
    if scheme:
        if scheme.group(1).lower() not in ("http", "https"):
            raise InputError(
                f"{source}: unsupported URL scheme {scheme.group(1)!r} (read are file paths, http(s) URLs, -)"
            )
        return _fetch_url(source, max_bytes)
    return _read_file(source, max_bytes)


def _read_before_deadline(response, max_bytes: int, url: str) -> bytes:
    """Read a response body of at most `max_bytes` within FETCH_DEADLINE_S of now, chunk by chunk."""
    deadline = time.monotonic() + FETCH_DEADLINE_S
    chunks, size = [], 0
    while chunk := response.read1(READ_CHUNK_BYTES):
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise InputError(f"{url} is larger than the {max_bytes // (1024 * 1024)} MB page limit")
        if time.monotonic() > deadline:
            raise InputError(f"{url}: cannot fetch (the body took longer than {FETCH_DEADLINE_S:.0f} s)")
    return b"".join(chunks)


def _read_limited(stream, max_bytes: int, what: str) -> bytes:
    """Read at most `max_bytes` from a binary stream, with an error if there is more."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"{what} is larger than the {max_bytes // (1024 * 1024)} MB page limit")
    return data


def _read_file(source: str, max_bytes: int) -> RawSource:
    """Read a local file."""
    path = Path(source)
    try:
        if path.is_dir():
            raise InputError(f"{source}: is a directory, not a page")
        with path.open("rb") as handle:
            data = _read_limited(handle, max_bytes, source)
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except PermissionError:
        raise InputError(f"{source}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read ({exc.strerror or exc})") from None
    return RawSource(source, data)


def _fetch_url(url: str, max_bytes: int) -> RawSource:
    """Download a URL with a timeout and a size cap."""
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
            content_type = response.headers.get("Content-Type")
            _check_page_type(url, content_type)
            data = _read_before_deadline(response, max_bytes, url)
            if response.length:
                raise InputError(f"{url}: the body ended {response.length} bytes short of its Content-Length")
            data = _decompressed(url, data, response.headers.get("Content-Encoding"), max_bytes)
            return RawSource(url, data, url=response.geturl(), content_type=content_type)
    except urllib.error.HTTPError as exc:
        raise InputError(f"{url}: HTTP {exc.code} {_one_line(exc.reason)}") from None
    except urllib.error.URLError as exc:
        raise InputError(f"{url}: cannot fetch ({_one_line(exc.reason)})") from None
    except (TimeoutError, OSError, ValueError, http.client.HTTPException) as exc:
        raise InputError(f"{url}: cannot fetch ({_one_line(exc) or type(exc).__name__})") from None


def _decompressed(url: str, data: bytes, coding: str | None, max_bytes: int) -> bytes:
    """The body without the gzip or deflate coding a server applied (within the page limit); others refused."""
    coding = (coding or "identity").strip().lower()
    if coding == "identity":
        return data
    if coding not in COMPRESSED_WINDOW_BITS:
        raise InputError(f"{url}: served with Content-Encoding {coding}, which is not read")
    inflater = zlib.decompressobj(COMPRESSED_WINDOW_BITS[coding])
    try:
        body = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise InputError(f"{url}: a damaged {coding} body ({exc})") from None
    if len(body) > max_bytes:
        raise InputError(f"{url} is larger than the {max_bytes // (1024 * 1024)} MB page limit")
    if not inflater.eof:
        raise InputError(f"{url}: the {coding} body is cut short")
    return body


def _one_line(message: object) -> str:
    """An error message on one line (some carry the server's multi-line answer)."""
    return " ".join(str(message).split())


def _check_page_type(url: str, content_type: str | None) -> None:
    """Refuse a response declared as a PDF, an image or another document that is no page (the crawler drops
    those too, even when their bytes would pass for text)."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type.startswith(NON_PAGE_MEDIA_PREFIXES) or media_type in NON_PAGE_MEDIA_TYPES:
        raise InputError(f"{url}: served as {media_type}, not an HTML or text page")
