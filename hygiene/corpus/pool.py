"""The ordered, bounded process pool: chunks of records over worker processes, results in input order, a bounded
number of chunks in flight."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from detector.errors import HygieneError
from hygiene.corpus.records import Outcome, Record

CHUNKS_IN_FLIGHT_PER_WORKER = 4


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
