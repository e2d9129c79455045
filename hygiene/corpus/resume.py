"""Resuming: where a re-run starts from the last line of the output, which record the quarantine file already
holds, and cutting the partial line an interrupted write leaves."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from detector.errors import ConfigError
from hygiene.corpus.records import SCAN_BLOCK, Record, printable_path


@dataclass
class ResumePoint:
    """The last record the output already holds: the index of its input file and its position there."""

    file_index: int
    position: int


def last_complete_line(path: Path) -> bytes | None:
    """The last complete line of a file, None if it has none. A last line without its newline counts unless it is
    what an interrupted write leaves (see `is_cut_line`)."""
    with open(path, "rb") as handle:
        found = last_line_span(handle)
        return None if found is None else found[1]


def last_line_span(handle: IO[bytes]) -> tuple[int, bytes] | None:
    """Where the last complete line of a file starts, and the line (see `last_complete_line`)."""
    end = handle.seek(0, os.SEEK_END)
    start = line_start_before(handle, end)
    handle.seek(start)
    tail = handle.read(end - start)
    if tail and not is_cut_line(tail):
        return start, tail
    if start == 0:
        return None
    begin = line_start_before(handle, start - 1)
    handle.seek(begin)
    return begin, handle.read(start - begin)


def is_cut_line(tail: bytes) -> bool:
    """Whether a last line without its newline is the start of a JSON line an interrupted write left: it starts
    like one (`{`) but is not whole. Anything else there is no `hygiene clean` line, and never cut away."""
    return tail.startswith(b"{") and not is_json(tail)


def end_with_complete_line(path: Path) -> None:
    """Before appending to a regular file (checked: it ends with a `hygiene clean` line or a cut one): cut a partial
    last line (an interrupted write), end a whole one."""
    if path.is_file():
        with open(path, "r+b") as handle:
            end = handle.seek(0, os.SEEK_END)
            start = line_start_before(handle, end)
            handle.seek(start)
            if is_cut_line(handle.read(end - start)):
                handle.truncate(start)
            elif start < end:
                handle.write(b"\n")


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
    """Where a re-run starts: after the last record the output holds, None for a new or empty output (or a device).

    The output must hold the documents of the inputs in their order: ConfigError if it holds another file's, or
    the inputs in another order (a re-run would then clean some documents twice)."""
    if not output.is_file():
        return None
    with open(output, "rb") as handle:
        found = last_line_span(handle)
        if found is None:
            return None
        start, line = found
        source = source_of(line, output)
        files = source_files(handle, output, start + len(line))
    indexes = [input_index(file, inputs) for file in files]
    for file, index in zip(files, indexes):
        if index is None:
            raise ConfigError(
                f"{output} holds documents from {file}, which is not among the inputs; "
                "re-run with the same inputs in the same order, or pick another output"
            )
    if indexes != sorted(set(indexes)):
        order = ", ".join(files)
        raise ConfigError(
            f"{output} holds documents from {order} in this order, not the order of the inputs; "
            "re-run with the same inputs in the same order, or pick another output"
        )
    return ResumePoint(indexes[-1], source.position)


def source_files(handle: IO[bytes], path: Path, end: int) -> list[str]:
    """The input files the lines of an output (up to `end`) were cleaned from, in their order. The lines of each
    file follow each other, so a few lines are read per file (a binary search for where its lines end)."""
    files: list[str] = []
    start = 0
    while start < end:
        file = source_of(line_from(handle, start)[1], path).file
        files.append(file)
        start = run_end(handle, path, file, start, end)
    return files


def run_end(handle: IO[bytes], path: Path, file: str, start: int, end: int) -> int:
    """Where the lines from `file` that begin at line start `start` end: at the first line from another file, or
    `end`."""
    low, high = start, end
    while high - low > 1:
        middle = (low + high) // 2
        line_start, line = line_from(handle, middle)
        if line_start >= end or source_of(line, path).file != file:
            high = middle
        else:
            low = middle
    return min(line_from(handle, high)[0], end)


def line_from(handle: IO[bytes], offset: int) -> tuple[int, bytes]:
    """The first line that starts at or after `offset`: where it starts, and the line."""
    handle.seek(max(offset - 1, 0))
    if offset > 0:
        handle.readline()
    start = handle.tell()
    return start, handle.readline()


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
