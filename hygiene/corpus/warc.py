"""The WARC reader: HTML responses of a plain or gzip WARC as records, each record checked for damage (cut short,
wrong Content-Length, unreadable content) and the reader resynchronised after a broken one."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import brotli
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader

from detector.errors import InputError
from detector.settings import MAX_PAGE_BYTES
from hygiene.corpus.records import GZIP_MAGIC, SCAN_BLOCK, Record, first_line, printable_path

HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")
WARC_MAGIC = b"WARC/1."
ARCHIVE_STARTS = (b"WARC/", b"filedesc://")
"""How the files warcio reads start: WARC of any version, or the older ARC."""


def read_warc(path: str, after_offset: int | None = None) -> Iterator[Record]:
    """HTML response records of a WARC file (gzip or plain); unreadable records are reported, then skipped.

    After a broken record the reader resynchronises on the next gzip member or `WARC/1.` header.
    """
    with opened_warc(path) as (handle, compressed):
        offset: int | None = after_offset or 0
        skip_first = after_offset is not None
        while offset is not None:
            handle.seek(offset)
            broken_at = yield from warc_records_from(handle, path, skip_first)
            skip_first = False
            try:
                offset = None if broken_at is None else next_record_start(handle, broken_at + 1, compressed)
            except (EOFError, OSError, zlib.error):  # a WARC gzipped whole and cut short: nothing more to read
                offset = None


def check_warc_start(path: str) -> None:
    """InputError for a file that is no WARC at all: what it holds (uncompressed) does not start with a WARC record
    header (or an ARC file's). An empty file, or a gzip stream too damaged to tell, is left to the reader's reports."""
    with opened_warc(path) as (handle, compressed):
        handle.seek(0)
        try:
            start = (gzip.GzipFile(fileobj=handle) if compressed else handle).read(SCAN_BLOCK).lstrip()
        except (OSError, EOFError, zlib.error):
            return
    if start and not start.startswith(ARCHIVE_STARTS):
        raise InputError(f"{printable_path(path)}: not a WARC file (it does not start with a WARC record header)")


@contextmanager
def opened_warc(path: str) -> Iterator[tuple[IO[bytes], bool]]:
    """A WARC file open for reading, and whether each record is a gzip member of its own. A WARC gzipped whole
    (`gzip crawl.warc`), which warcio cannot read, is read uncompressed: its offsets count uncompressed bytes."""
    with open(path, "rb") as handle:
        if handle.read(3) != GZIP_MAGIC:
            yield handle, False
        elif not gzipped_whole(handle):
            yield handle, True
        else:
            handle.seek(0)
            with gzip.GzipFile(fileobj=handle) as uncompressed:
                yield uncompressed, False


def gzipped_whole(handle: IO[bytes]) -> bool:
    """Whether a gzip WARC is gzipped whole rather than record by record: its first gzip member holds a second
    record header, or fills the file."""
    handle.seek(0)
    decompressor = zlib.decompressobj(wbits=31)
    tail = b""
    while not decompressor.eof:
        data = decompressor.unconsumed_tail or handle.read(SCAN_BLOCK)
        if not data:
            return True
        try:
            window = tail + decompressor.decompress(data, SCAN_BLOCK)
        except zlib.error:
            return False
        if b"\nWARC/1." in window:
            return True
        tail = window[-len(b"\nWARC/1.") :]
    return not decompressor.unused_data and not handle.read(1)


class QuietArchiveIterator(ArchiveIterator):
    """warcio's record iterator without its multi-line warning on stderr for a record not followed by a blank
    line: `record_damage` reports that record in one line."""

    INC_RECORD = ""


def warc_records_from(handle: IO[bytes], path: str, skip_first: bool) -> Iterator[Record]:
    """Records from the current file position on; returns the offset of a broken record, or None at the end."""
    archive = QuietArchiveIterator(handle)
    records = iter(archive)
    while True:
        try:
            warc_record = next(records)
        except StopIteration:
            if only_blanks_after(handle, archive.offset):
                return None
            yield warc_error(path, archive.offset, "WARC record cut short: the file ends inside it")
            return archive.offset
        except Exception as exc:  # noqa: BLE001 - warcio raises anything (AttributeError, ...) on a damaged header
            broken_at = max(archive.offset, 0)  # warcio's offset goes negative in a gzip WARC of a single member
            yield warc_error(path, broken_at, f"unreadable WARC record ({type(exc).__name__}: {first_line(exc)})")
            return broken_at
        offset = archive.offset
        record = None if skip_first else readable_html_record(path, offset, warc_record)
        skip_first = False
        damage = record_damage(archive, warc_record)
        if damage is not None:
            yield warc_error(path, offset, damage)
            return offset
        if record is not None:
            yield record


def record_damage(archive: ArchiveIterator, warc_record: Any) -> str | None:
    """Read the rest of a record; say why it is damaged (cut short, wrong Content-Length), None if it is whole."""
    warnings = archive.err_count
    try:
        archive.read_to_end()
    except Exception as exc:  # noqa: BLE001 - a decompressor error in the rest of the record
        return f"unreadable WARC record ({type(exc).__name__}: {first_line(exc)})"
    if declared_length(warc_record) is None:
        return "WARC record without a valid Content-Length (cut short?)"
    if warc_record.raw_stream.limit > 0:
        return f"WARC record cut short: {warc_record.raw_stream.limit} bytes of its Content-Length missing"
    if archive.err_count > warnings:
        return "WARC record not followed by a blank line (wrong Content-Length?)"
    return None


def declared_length(warc_record: Any) -> int | None:
    """The length a record's header declares (WARC Content-Length, ARC length); None if missing or not a number."""
    name = "Content-Length" if warc_record.format == "warc" else "length"
    try:
        length = int(warc_record.rec_headers.get_header(name))
    except (TypeError, ValueError):
        return None
    return length if length >= 0 else None


def only_blanks_after(handle: IO[bytes], offset: int) -> bool:
    """Whether the file holds nothing but whitespace from `offset` on (not so if it is cut short there)."""
    try:
        handle.seek(offset)
        while block := handle.read(SCAN_BLOCK):
            if block.strip():
                return False
    except (EOFError, OSError, zlib.error):  # a WARC gzipped whole, cut short
        return False
    return True


def readable_html_record(path: str, offset: int, warc_record: Any) -> Record | None:
    """`warc_html_record`, or the report of a record whose content cannot be read or decoded."""
    try:
        return warc_html_record(path, offset, warc_record)
    except Exception as exc:  # noqa: BLE001 - warcio and its decompressors raise anything on damaged content
        return warc_error(path, offset, f"unreadable WARC record content ({type(exc).__name__}: {first_line(exc)})")


def warc_html_record(path: str, offset: int, warc_record: Any) -> Record | None:
    """The record for an HTML response (or a response without Content-Type, told apart by its bytes as `hygiene
    score` does), an error record for an oversized one, None for anything else."""
    if warc_record.rec_type != "response" or warc_record.http_headers is None:
        return None
    status = warc_record.http_headers.get_statuscode() or ""
    content_type = (warc_record.http_headers.get_header("Content-Type") or "").strip()
    if not status.startswith("2") or (content_type and not content_type.lower().startswith(HTML_CONTENT_TYPES)):
        return None
    payload = http_body(warc_record, MAX_PAGE_BYTES + 1)
    if len(payload) > MAX_PAGE_BYTES:
        return warc_error(path, offset, f"page larger than {MAX_PAGE_BYTES} bytes")
    headers = warc_record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    carried = {
        "url": url,
        "warc_record_id": headers.get_header("WARC-Record-ID"),
        "warc_date": headers.get_header("WARC-Date"),
    }
    return Record(
        file=path,
        position=offset,
        position_kind="offset",
        payload=payload,
        fmt="html" if content_type else "auto",
        url=url,
        content_type=content_type or None,
        carried=carried,
    )


def http_body(warc_record: Any, limit: int) -> bytes:
    """Up to `limit` bytes of a response's body, its Content-Encoding undone: gzip and deflate by warcio, brotli
    here (warcio's brotli support fails with brotli >= 1.2)."""
    encoding = (warc_record.http_headers.get_header("Content-Encoding") or "").strip().lower()
    if encoding != "br":
        return warc_record.content_stream().read(limit)
    body = warc_record.raw_stream
    if (warc_record.http_headers.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
        body = ChunkedDataReader(body)
    return brotli_decoded(body, limit)


def brotli_decoded(stream: IO[bytes], limit: int) -> bytes:
    """Up to `limit` bytes of a brotli stream, decoded; a body that is not brotli at all is returned as it is (as
    warcio does for gzip: some crawlers store bodies decoded and keep the header)."""
    decompressor = brotli.Decompressor()
    first = stream.read(SCAN_BLOCK)
    try:
        output = bytearray(decompressor.process(first, output_buffer_limit=limit))
    except brotli.error:
        return first + stream.read(limit - len(first))
    while len(output) < limit and not decompressor.is_finished():
        data = stream.read(SCAN_BLOCK) if decompressor.can_accept_more_data() else b""
        if not data and decompressor.can_accept_more_data():
            raise ValueError("brotli body cut short")
        output += decompressor.process(data, output_buffer_limit=limit - len(output))
    return bytes(output[:limit])


def warc_error(path: str, offset: int, message: str) -> Record:
    """A WARC record that could not be read."""
    return Record(file=path, position=offset, position_kind="offset", error=message)


def next_record_start(handle: IO[bytes], start: int, compressed: bool) -> int | None:
    """Offset of the next gzip member (or `WARC/1.` line) at or after `start`, None if there is none."""
    magic = GZIP_MAGIC if compressed else WARC_MAGIC
    handle.seek(start)
    position = start
    tail = b""
    while block := handle.read(SCAN_BLOCK):
        window = tail + block
        found = window.find(magic)
        if found >= 0:
            return position - len(tail) + found
        tail = window[-(len(magic) - 1) :]
        position += len(block)
    return None
