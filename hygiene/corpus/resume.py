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
