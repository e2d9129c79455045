"""Cleaning records (in the worker processes, or in this one): the scorer each process loads once, and one record
scored and cleaned into its output and quarantine lines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import closing
from typing import Any

from threadpoolctl import threadpool_limits

from detector.errors import HygieneError, InputError
from hygiene.corpus.jsonl import parsed
from hygiene.corpus.pool import chunked, exit_with_parent, ordered_map
from hygiene.corpus.records import Outcome, Record, first_line

CHUNK_SIZE = 8
"""Records sent to a worker at once: large enough to amortise the pickling, small enough to keep order cheap."""

_scorer: Any = None
_load_error: HygieneError | None = None


def load_scorer(model: str | None, threshold: float) -> None:
    """Load the model into this process (once: every record of this process reuses it)."""
    global _scorer
    from detector import Scorer

    _scorer = Scorer.from_path(model, threshold=threshold)


def init_worker(model: str | None, threshold: float) -> None:
    """Worker initialiser: exit with the parent, one numeric thread, load the model once.

    A model that fails to load is kept as an error and raised by the first chunk, so the parent reports it.
    """
    global _load_error
    exit_with_parent()
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
    cleaned = {
        "source": record.source(),
        "title": result.title,
        "text": result.text,
        "score": round(result.score, 4),
        "contaminated": result.contaminated,
        "flags": [flag_dict(flag) for flag in result.flagged],
    }
    document = {**record.carried, **cleaned}
    raw = {"raw": raw_text(record.payload, result.encoding)} if result.contaminated else {}
    quarantine_line = json.dumps({**document, **raw}, ensure_ascii=False) + "\n" if raw else None
    output_line = json.dumps(document, ensure_ascii=False) + "\n"
    replaced = tuple(name for name in (*cleaned, *raw) if name in record.carried)
    return Outcome(
        record.where(), output_line, quarantine_line, contaminated=result.contaminated, replaced_fields=replaced
    )


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
    with closing(results):
        for outcomes in results:
            yield from outcomes
