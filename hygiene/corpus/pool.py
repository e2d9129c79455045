"""The ordered, bounded process pool: chunks of records over worker processes, results in input order, a bounded
number of chunks in flight.

Workers never see Ctrl-C or SIGTERM (both stay blocked in them from birth): the parent handles them and stops its
workers, and a worker whose parent is gone (even killed with SIGKILL) exits by itself."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing.connection import wait

from detector.errors import HygieneError
from hygiene.corpus.records import Outcome, Record

CHUNKS_IN_FLIGHT_PER_WORKER = 4
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
EXIT_PARENT_GONE = 1


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


@contextmanager
def stop_signals_blocked() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back in this thread: a worker started meanwhile inherits them blocked for good, and
    this process receives them when the block ends."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def exit_with_parent() -> None:
    """In a worker: end this process as soon as its parent is gone, whatever the worker is doing."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=exit_when_ready, args=(parent.sentinel,), daemon=True).start()


def exit_when_ready(sentinel: int) -> None:
    """Wait for the parent's sentinel (it becomes readable when the parent dies), then exit at once."""
    wait([sentinel])
    os._exit(EXIT_PARENT_GONE)


def stop_workers(pool: ProcessPoolExecutor, others: set[multiprocessing.process.BaseProcess]) -> None:
    """Kill the pool's worker processes (this process's children but `others`), busy or idle, and let the pool go."""
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in set(multiprocessing.active_children()) - others:
        worker.kill()
        worker.join()
    pool.shutdown(wait=True)


def ordered_map(
    func: Callable[[list[Record]], list[Outcome]],
    chunks: Iterable[list[Record]],
    workers: int,
    initializer: Callable[..., None],
    initargs: tuple,
) -> Iterator[list[Outcome]]:
    """Apply `func` to every chunk over `workers` processes, yielding results in input order.

    At most `CHUNKS_IN_FLIGHT_PER_WORKER * workers` chunks are pending, so memory does not grow with the input. An
    interruption, an error or the caller closing this generator kills the workers at once.
    """
    context = multiprocessing.get_context("spawn")
    others = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=initializer, initargs=initargs)
    pending: deque[Future] = deque()
    try:
        for chunk in chunks:
            with stop_signals_blocked():
                pending.append(pool.submit(func, chunk))
            if len(pending) >= CHUNKS_IN_FLIGHT_PER_WORKER * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool:
        stop_workers(pool, others)
        raise HygieneError("a worker process died (out of memory?); re-run the same command to resume") from None
    except BaseException:
        stop_workers(pool, others)
        raise
    pool.shutdown(wait=True)
