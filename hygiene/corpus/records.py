"""What travels between the stages: a `Record` read from an input, the `Outcome` of cleaning it; input formats and
small helpers the readers share."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detector.errors import ConfigError

GZIP_MAGIC = b"\x1f\x8b\x08"
SCAN_BLOCK = 1 << 20

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
    replaced_fields: tuple[str, ...] = ()


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


def first_line(exc: BaseException) -> str:
    """The first line of an exception message, trimmed to a readable length."""
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else "no detail"
