"""The `hygiene clean` run: check and resume, read every input in order, clean, and append the outcomes to the
output and quarantine files with a progress bar and counts."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import IO

from tqdm import tqdm

from detector.modelfile import default_model_path, verified_metadata
from hygiene.corpus.jsonl import read_jsonl
from hygiene.corpus.records import Outcome, Record
from hygiene.corpus.resume import ResumePoint, end_with_complete_line, last_quarantined, resume_point
from hygiene.corpus.warc import read_warc
from hygiene.corpus.worker import clean_records, load_scorer


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


@dataclass
class CleanStats:
    """Counts of one `hygiene clean` run."""

    cleaned: int = 0
    contaminated: int = 0
    skipped: int = 0
    started: float = field(default_factory=time.perf_counter)
    replaced_fields: set[str] = field(default_factory=set)

    def summary(self) -> str:
        """One line for stderr at the end of a run."""
        elapsed = time.perf_counter() - self.started
        rate = self.cleaned / elapsed if elapsed > 0 else 0.0
        return (
            f"cleaned {self.cleaned} pages ({self.contaminated} contaminated, {self.skipped} skipped) "
            f"in {elapsed:.1f} s, {rate:.1f} pages/s"
        )


def write_outcomes(
    outcomes: Iterable[Outcome],
    output: IO[str],
    quarantine: IO[str] | None,
    stats: CleanStats,
    already_quarantined: str | None = None,
) -> CleanStats:
    """Append each outcome as it comes (quarantine line first, then output line), reporting skipped records and
    replaced input fields; the quarantine line of the record at `already_quarantined` is not written again."""
    with tqdm(outcomes, unit=" pages", desc="cleaning", disable=None if sys.stderr else True, file=sys.stderr) as bar:
        for outcome in bar:
            if outcome.error is not None:
                stats.skipped += 1
                report(f"{outcome.where}: skipped: {outcome.error}")
                continue
            warn_of_replaced_fields(outcome, stats)
            if outcome.quarantine_line is not None and quarantine is not None and outcome.where != already_quarantined:
                quarantine.write(outcome.quarantine_line)
                quarantine.flush()
            output.write(outcome.output_line)
            output.flush()
            stats.cleaned += 1
            stats.contaminated += outcome.contaminated
    return stats


def warn_of_replaced_fields(outcome: Outcome, stats: CleanStats) -> None:
    """Warn, once per field name, of input fields the output fields of the same name replace."""
    new = [name for name in outcome.replaced_fields if name not in stats.replaced_fields]
    if new:
        stats.replaced_fields.update(new)
        names = ", ".join(repr(name) for name in new)
        report(
            f"warning: {outcome.where}: input field(s) {names} replaced by the output's own; rename them to keep them"
        )


def report(message: str) -> None:
    """One `hygiene: ...` line on stderr, above the progress bar; nothing when stderr is closed."""
    if sys.stderr is not None:
        tqdm.write(f"hygiene: {message}", file=sys.stderr)


def first_awaited(outcomes: Iterator[Outcome]) -> Iterator[Outcome]:
    """The same outcomes, the first one already awaited: a model the workers cannot load fails here, before an
    output file is opened."""
    outcomes = iter(outcomes)
    first = next(outcomes, None)
    return outcomes if first is None else chain([first], outcomes)


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
    started: float | None = None,
) -> CleanStats:
    """Clean every input into `output` (and `quarantine`, appended to), resuming after what `output` already holds.

    The model (loaded here with one worker; with more, checked against its metadata here and loaded by the workers
    before the first outcome is awaited), the output and the quarantine file are checked before any file is created
    or changed. The counts' time runs from `started` (a `time.perf_counter()`, by default now)."""
    stats = CleanStats(started=time.perf_counter() if started is None else started)
    if workers <= 1:
        load_scorer(model, threshold)
    else:
        verified_metadata(Path(model) if model else default_model_path())
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
    cleaned = clean_records(records, workers, model, threshold)
    with closing(cleaned):
        outcomes = first_awaited(cleaned)
        with open(output, "a", encoding="utf-8", newline="") as out_handle:
            if quarantine is None:
                return write_outcomes(outcomes, out_handle, None, stats)
            with open(quarantine, "a", encoding="utf-8", newline="") as quarantine_handle:
                return write_outcomes(outcomes, out_handle, quarantine_handle, stats, already_quarantined)
