"""Batch cleaning of whole corpora: JSON Lines and WARC readers, a resumable writer, an ordered process pool.

Memory stays flat on any input size: records are streamed, at most a bounded number of chunks is in flight,
and results are written in input order as soon as they come back.
"""

from __future__ import annotations

import gzip
import json
import math
import multiprocessing
import os
import re
import signal
import sys
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import brotli
from threadpoolctl import threadpool_limits
from tqdm import tqdm
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader

from detector.errors import ConfigError, HygieneError, InputError
from detector.settings import MAX_PAGE_BYTES

MAX_JSONL_LINE_BYTES = 4 * MAX_PAGE_BYTES
"""A JSON line may hold a page escaped in JSON (up to ~4x longer); longer lines are reported and skipped."""

HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_MAGIC = b"WARC/1."
SCAN_BLOCK = 1 << 20
CHUNK_SIZE = 8
"""Records sent to a worker at once: large enough to amortise the pickling, small enough to keep order cheap."""
CHUNKS_IN_FLIGHT_PER_WORKER = 4

FORMAT_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonl.gz": "jsonl",
    ".ndjson.gz": "jsonl",
    ".warc": "warc",
    ".warc.gz": "warc",
}


@dataclass
class Record:
    """One document read from an input, or the report of one that could not be read (`error` set). A JSON line
    travels unparsed (`line`, `field_name`): the worker that cleans it parses it, not the process reading the
    input, which would otherwise hold back every worker."""

    file: str
    position: int
    position_kind: str
    payload: bytes | str | None = None
    fmt: str = "auto"
    url: str | None = None
    content_type: str | None = None
    carried: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    line: bytes | None = None
    field_name: str | None = None

    def where(self) -> str:
        """Human location: `file:line` for JSON Lines, `file@offset` for WARC."""
        separator = ":" if self.position_kind == "line" else "@"
        return f"{self.file}{separator}{self.position}"

    def source(self) -> dict[str, Any]:
        """The `source` field of the output line, which resuming reads back."""
        return {"file": printable_path(self.file), self.position_kind: self.position}


@dataclass
class Outcome:
    """What cleaning one record produced: output lines, or the one-line reason it was skipped."""

    where: str
    output_line: str | None = None
    quarantine_line: str | None = None
    error: str | None = None
    contaminated: bool = False


@dataclass
class ResumePoint:
    """The last record the output already holds: the index of its input file and its position there."""

    file_index: int
    position: int


def detect_format(path: str, forced: str | None) -> str:
    """`jsonl` or `warc`, from `--format` or the file name's suffix."""
    if forced:
        return forced
    name = Path(path).name.lower()
    for suffix, fmt in FORMAT_SUFFIXES.items():
        if name.endswith(suffix):
            return fmt
    raise ConfigError(f"cannot tell the format of {path} from its name; pass --format jsonl or --format warc")


def printable_path(path: str) -> str:
    """A file name as valid Unicode: bytes that are not UTF-8 (kept as surrogates by Python) become U+FFFD."""
    return os.fsencode(path).decode("utf-8", errors="replace")


def open_maybe_gzip(path: str) -> IO[bytes]:
    """Open a file for binary reading, through gzip when it starts with the gzip magic."""
    handle = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    if handle.read(2) == GZIP_MAGIC[:2]:
        handle.close()
        return gzip.open(path, "rb")
    handle.seek(0)
    return handle


# ---------------------------------------------------------------- JSON Lines


def read_jsonl(path: str, field_name: str | None, after_line: int = 0) -> Iterator[Record]:
    """Records of a JSON Lines file (gzip or plain), skipping the first `after_line` lines.

    Undecodable compressed data (a truncated download) is reported once; the lines before it are kept.
    """
    with open_maybe_gzip(path) as handle:
        line_number = 0
        try:
            for line, too_long in jsonl_lines(handle):
                line_number += 1
                if line_number <= after_line or not line.strip():
                    continue
                if too_long:
                    yield jsonl_error(path, line_number, f"line longer than {MAX_JSONL_LINE_BYTES} bytes")
                else:
                    yield Record(path, line_number, "line", line=line, field_name=field_name)
        except (OSError, EOFError, zlib.error) as exc:
            message = f"unreadable data ({type(exc).__name__}: {first_line(exc)}); rest of the file skipped"
            yield jsonl_error(path, line_number + 1, message)


def jsonl_lines(handle: IO[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Lines of a JSON Lines file and whether each was too long to keep (then only its start is returned)."""
    while line := handle.readline(MAX_JSONL_LINE_BYTES + 1):
        too_long = len(line) > MAX_JSONL_LINE_BYTES and not line.endswith(b"\n")
        if too_long:
            skip_rest_of_line(handle)
        yield line, too_long


def skip_rest_of_line(handle: IO[bytes]) -> None:
    """Read past the end of an over-long line without holding it in memory."""
    while True:
        piece = handle.readline(SCAN_BLOCK)
        if not piece or piece.endswith(b"\n"):
            return


def jsonl_error(path: str, line_number: int, message: str) -> Record:
    """A JSON line that could not be read."""
    return Record(file=path, position=line_number, position_kind="line", error=message)


def finite_or_none(number: str) -> float | None:
    """A JSON number as a float; None for one too large for a float (`1e999`), which JSON could not write back."""
    value = float(number)
    return value if math.isfinite(value) else None


def without_surrogates(value: Any) -> Any:
    """A parsed JSON value with every lone surrogate in its strings (and keys) replaced by U+FFFD."""
    if isinstance(value, str):
        return value if value.isascii() else LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {without_surrogates(key): without_surrogates(item) for key, item in value.items()}
    return value


def parsed(record: Record) -> Record:
    """The record an unparsed JSON line holds (a report if it holds none); other records as they are."""
    if record.line is None:
        return record
    return jsonl_record(record.file, record.position, record.line, record.field_name)


def jsonl_record(path: str, line_number: int, line: bytes, field_name: str | None) -> Record:
    """Parse one JSON line into a record: the page field is the payload, every other field is carried. Lone
    surrogates become U+FFFD and NaN or Infinity null, so that every output line can be written as valid JSON."""
    try:
        document = without_surrogates(json.loads(line, parse_constant=lambda _: None, parse_float=finite_or_none))
    except ValueError as exc:
        return jsonl_error(path, line_number, f"not valid JSON ({str(exc).splitlines()[0]})")
    except RecursionError:
        return jsonl_error(path, line_number, "JSON nested too deeply")
    if not isinstance(document, dict):
        return jsonl_error(path, line_number, "not a JSON object")
    name = field_name or ("html" if "html" in document else "text")
    payload = document.pop(name, None)
    if not isinstance(payload, str):
        return jsonl_error(path, line_number, f"field {name!r} missing or not a string")
    url = document.get("url")
    return Record(
        file=path,
        position=line_number,
        position_kind="line",
        payload=payload,
        fmt=name if name in ("html", "text") else "auto",
        url=url if isinstance(url, str) else None,
        carried=document,
    )


# ---------------------------------------------------------------- WARC


def read_warc(path: str, after_offset: int | None = None) -> Iterator[Record]:
    """HTML response records of a WARC file (gzip or plain); unreadable records are reported, then skipped.

    After a broken record the reader resynchronises on the next gzip member or `WARC/1.` header.
    """
    with open(path, "rb") as handle:
        compressed = handle.read(3) == GZIP_MAGIC
        offset: int | None = after_offset or 0
        skip_first = after_offset is not None
        while offset is not None:
            handle.seek(offset)
            broken_at = yield from warc_records_from(handle, path, skip_first)
            skip_first = False
            offset = None if broken_at is None else next_record_start(handle, broken_at + 1, compressed)


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
    """Whether the file holds nothing but whitespace from `offset` on."""
    handle.seek(offset)
    while block := handle.read(SCAN_BLOCK):
        if block.strip():
            return False
    return True


def readable_html_record(path: str, offset: int, warc_record: Any) -> Record | None:
    """`warc_html_record`, or the report of a record whose content cannot be read or decoded."""
    try:
        return warc_html_record(path, offset, warc_record)
    except Exception as exc:  # noqa: BLE001 - warcio and its decompressors raise anything on damaged content
        return warc_error(path, offset, f"unreadable WARC record content ({type(exc).__name__}: {first_line(exc)})")


def warc_html_record(path: str, offset: int, warc_record: Any) -> Record | None:
    """The record for an HTML response, an error record for an oversized one, None for anything else."""
    if warc_record.rec_type != "response" or warc_record.http_headers is None:
        return None
    status = warc_record.http_headers.get_statuscode() or ""
    content_type = warc_record.http_headers.get_header("Content-Type") or ""
    if not status.startswith("2") or not content_type.lower().startswith(HTML_CONTENT_TYPES):
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
        fmt="html",
        url=url,
        content_type=content_type,
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


def first_line(exc: BaseException) -> str:
    """The first line of an exception message, trimmed to a readable length."""
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else "no detail"


# ---------------------------------------------------------------- reading all inputs


def read_inputs(
    paths: list[str], formats: list[str], field_name: str | None, resume: ResumePoint | None
) -> Iterator[Record]:
    """Records of every input in order, starting after the resume point if there is one."""
    for index, (path, fmt) in enumerate(zip(paths, formats, strict=True)):
        if resume is not None and index < resume.file_index:
            continue
        after = resume.position if resume is not None and index == resume.file_index else None
        if fmt == "jsonl":
            yield from read_jsonl(path, field_name, after or 0)
        else:
            yield from read_warc(path, after)


# ---------------------------------------------------------------- resuming


def last_complete_line(path: Path) -> bytes | None:
    """The last complete line of a file. A last line without its newline counts only if it is whole JSON: the
    partial line an interrupted write leaves never is."""
    with open(path, "rb") as handle:
        end = handle.seek(0, os.SEEK_END)
        start = line_start_before(handle, end)
        handle.seek(start)
        tail = handle.read(end - start)
        if is_json(tail):
            return tail
        if start == 0:
            return None
        begin = line_start_before(handle, start - 1)
        handle.seek(begin)
        return handle.read(start - begin)


def end_with_complete_line(path: Path) -> None:
    """Before appending to a regular file: cut a partial last line (an interrupted write), end a whole one."""
    if path.is_file():
        with open(path, "r+b") as handle:
            end = handle.seek(0, os.SEEK_END)
            start = line_start_before(handle, end)
            handle.seek(start)
            if is_json(handle.read(end - start)):
                handle.write(b"\n")
            else:
                handle.truncate(start)


def is_json(data: bytes) -> bool:
    """Whether `data` is one whole JSON value."""
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return False
    return True


def line_start_before(handle: IO[bytes], end: int) -> int:
    """Offset just after the last newline before `end` (0 if none): where the line containing `end` starts."""
    position = end
    while position > 0:
        step = min(SCAN_BLOCK, position)
        handle.seek(position - step)
        found = handle.read(step).rfind(b"\n")
        if found >= 0:
            return position - step + found + 1
        position -= step
    return 0


def source_of(line: bytes, path: Path, quarantine: bool = False) -> Record:
    """Where an output (or, with `quarantine`, a quarantine) line was cleaned from; ConfigError for other lines."""
    try:
        document = json.loads(line)
        source = document["source"]
        kind = "line" if "line" in source else "offset"
        if not isinstance(source["file"], str) or not isinstance(source[kind], int):
            raise TypeError
        if quarantine and "raw" not in document:
            raise KeyError
        return Record(file=source["file"], position=source[kind], position_kind=kind)
    except (ValueError, KeyError, TypeError, AttributeError):
        what = "a `hygiene clean` quarantine line" if quarantine else "`hygiene clean` output"
        raise ConfigError(
            f"{path} exists but its last line is not {what}; move it away or pick another "
            f"{'--quarantine file' if quarantine else 'output'}"
        ) from None


def input_index(file: str, inputs: list[str]) -> int | None:
    """Which input an output line's `source.file` names (compared as resolved, printable paths), if any."""
    resolved = [printable_path(str(Path(path).resolve())) for path in inputs]
    wanted = printable_path(str(Path(file).resolve()))
    return resolved.index(wanted) if wanted in resolved else None


def resume_point(output: Path, inputs: list[str]) -> ResumePoint | None:
    """Where a re-run starts: after the last record the output holds, None for a new or empty output (or a device)."""
    if not output.is_file():
        return None
    line = last_complete_line(output)
    if line is None:
        return None
    source = source_of(line, output)
    index = input_index(source.file, inputs)
    if index is None:
        raise ConfigError(
            f"{output} holds documents from {source.file}, which is not among the inputs; "
            "re-run with the same inputs in the same order, or pick another output"
        )
    return ResumePoint(index, source.position)


def last_quarantined(quarantine: Path, inputs: list[str]) -> str | None:
    """Where the quarantine file's last line was cleaned from (`file:line` or `file@offset`, None if from none of
    the inputs); ConfigError if the file does not end with a quarantine line."""
    if not quarantine.is_file():
        return None
    line = last_complete_line(quarantine)
    if line is None:
        return None
    source = source_of(line, quarantine, quarantine=True)
    index = input_index(source.file, inputs)
    return None if index is None else Record(inputs[index], source.position, source.position_kind).where()


# ---------------------------------------------------------------- the ordered, bounded pool


def chunked(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    """Lists of up to `size` consecutive records."""
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ordered_map(
    func: Callable[[list[Record]], list[Outcome]],
    chunks: Iterable[list[Record]],
    workers: int,
    initializer: Callable[..., None],
    initargs: tuple,
) -> Iterator[list[Outcome]]:
    """Apply `func` to every chunk over `workers` processes, yielding results in input order.

    At most `CHUNKS_IN_FLIGHT_PER_WORKER * workers` chunks are pending, so memory does not grow with the input.
    """
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=initargs) as pool:
        pending: deque[Future] = deque()
        try:
            for chunk in chunks:
                pending.append(pool.submit(func, chunk))
                if len(pending) >= CHUNKS_IN_FLIGHT_PER_WORKER * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool:
            raise HygieneError("a worker process died (out of memory?); re-run the same command to resume") from None
        finally:
            for future in pending:
                future.cancel()


# ---------------------------------------------------------------- cleaning one record (runs in workers)

_scorer: Any = None
_load_error: HygieneError | None = None


def load_scorer(model: str | None, threshold: float) -> None:
    """Load the model into this process (once: every record of this process reuses it)."""
    global _scorer
    from detector import Scorer

    _scorer = Scorer.from_path(model, threshold=threshold)


def init_worker(model: str | None, threshold: float) -> None:
    """Worker initialiser: ignore Ctrl-C (the parent handles it), one numeric thread, load the model once.

    A model that fails to load is kept as an error and raised by the first chunk, so the parent reports it.
    """
    global _load_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threadpool_limits(limits=1)
    try:
        load_scorer(model, threshold)
    except HygieneError as exc:
        _load_error = exc


def clean_chunk(records: list[Record]) -> list[Outcome]:
    """Clean a chunk of records with this process's scorer."""
    if _load_error is not None:
        raise _load_error
    return [clean_record(_scorer, record) for record in records]


def clean_record(scorer: Any, record: Record) -> Outcome:
    """Score and clean one record into its output (and quarantine) line, or the reason it was skipped."""
    record = parsed(record)
    if record.error is not None:
        return Outcome(where=record.where(), error=record.error)
    try:
        result = scorer.score(record.payload, fmt=record.fmt, url=record.url, content_type=record.content_type)
    except InputError as exc:
        return Outcome(where=record.where(), error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one page must not stop a corpus run that would stop there again
        return Outcome(where=record.where(), error=f"internal error ({type(exc).__name__}: {first_line(exc)})")
    document = {
        **record.carried,
        "source": record.source(),
        "title": result.title,
        "text": result.text,
        "score": round(result.score, 4),
        "contaminated": result.contaminated,
        "flags": [flag_dict(flag) for flag in result.flagged],
    }
    quarantine_line = None
    if result.contaminated:
        raw = {"raw": raw_text(record.payload, result.encoding)}
        quarantine_line = json.dumps({**document, **raw}, ensure_ascii=False) + "\n"
    output_line = json.dumps(document, ensure_ascii=False) + "\n"
    return Outcome(record.where(), output_line, quarantine_line, contaminated=result.contaminated)


def raw_text(payload: bytes | str, encoding: str | None) -> str:
    """The page as text for the quarantine file, decoded the way the detector decoded it."""
    if isinstance(payload, str):
        return payload
    try:
        return payload.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def flag_dict(flag: Any) -> dict[str, Any]:
    """A flagged block as plain JSON."""
    return {
        "label": flag.label,
        "text": flag.text,
        "probability": round(flag.probability, 4),
        "where": flag.where,
        "reasons": flag.reasons,
    }


def clean_records(
    records: Iterable[Record], workers: int, model: str | None, threshold: float, chunk_size: int = CHUNK_SIZE
) -> Iterator[Outcome]:
    """Outcomes of every record, in input order, over `workers` processes (when 1, in this process, with the scorer
    `load_scorer` loaded)."""
    if workers <= 1:
        for record in records:
            yield clean_record(_scorer, record)
        return
    results = ordered_map(clean_chunk, chunked(records, chunk_size), workers, init_worker, (model, threshold))
    for outcomes in results:
        yield from outcomes


# ---------------------------------------------------------------- writing


@dataclass
class CleanStats:
    """Counts of one `hygiene clean` run."""

    cleaned: int = 0
    contaminated: int = 0
    skipped: int = 0
    started: float = field(default_factory=time.perf_counter)

    def summary(self) -> str:
        """One line for stderr at the end of a run."""
        elapsed = time.perf_counter() - self.started
        rate = self.cleaned / elapsed if elapsed > 0 else 0.0
        return (
            f"cleaned {self.cleaned} pages ({self.contaminated} contaminated, {self.skipped} skipped) "
            f"in {elapsed:.1f} s, {rate:.1f} pages/s"
        )


def write_outcomes(
    outcomes: Iterable[Outcome], output: IO[str], quarantine: IO[str] | None, already_quarantined: str | None = None
) -> CleanStats:
    """Append each outcome as it comes (quarantine line first, then output line), reporting skipped records; the
    quarantine line of the record at `already_quarantined` is not written again."""
    stats = CleanStats()
    with tqdm(outcomes, unit=" pages", desc="cleaning", disable=None if sys.stderr else True, file=sys.stderr) as bar:
        for outcome in bar:
            if outcome.error is not None:
                stats.skipped += 1
                report(f"{outcome.where}: skipped: {outcome.error}")
                continue
            if outcome.quarantine_line is not None and quarantine is not None and outcome.where != already_quarantined:
                quarantine.write(outcome.quarantine_line)
                quarantine.flush()
            output.write(outcome.output_line)
            output.flush()
            stats.cleaned += 1
            stats.contaminated += outcome.contaminated
    return stats


def report(message: str) -> None:
    """One `hygiene: ...` line on stderr, above the progress bar; nothing when stderr is closed."""
    if sys.stderr is not None:
        tqdm.write(f"hygiene: {message}", file=sys.stderr)


def clean_corpus(
    inputs: list[str],
    formats: list[str],
    output: Path,
    *,
    field_name: str | None = None,
    quarantine: Path | None = None,
    workers: int = 1,
    model: str | None = None,
    threshold: float = 0.5,
) -> CleanStats:
    """Clean every input into `output` (and `quarantine`, appended to), resuming after what `output` already holds.

    The model (loaded here too, to be used here or only checked), the output and the quarantine file are checked
    before any file is created or changed."""
    load_scorer(model, threshold)
    resume = resume_point(output, inputs)
    last_held = last_quarantined(quarantine, inputs) if quarantine is not None else None
    already_quarantined = last_held if output.is_file() else None
    for path in (output, quarantine):
        if path is not None:
            end_with_complete_line(path)
    if resume is not None:
        kind = "line" if formats[resume.file_index] == "jsonl" else "offset"
        report(f"resuming after {inputs[resume.file_index]} {kind} {resume.position}")
    records = read_inputs(inputs, formats, field_name, resume)
    outcomes = clean_records(records, workers, model, threshold)
    with open(output, "a", encoding="utf-8", newline="") as out_handle:
        if quarantine is None:
            return write_outcomes(outcomes, out_handle, None)
        with open(quarantine, "a", encoding="utf-8", newline="") as quarantine_handle:
            return write_outcomes(outcomes, out_handle, quarantine_handle, already_quarantined)
