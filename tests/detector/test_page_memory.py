"""What scoring a page leaves behind: no cached page strings, the garbage collector as it was."""

from __future__ import annotations

import gc
import sys
import threading

from detector import pagecache
from detector.score import _collection_paused
from detector.text import script_counts, tokens

PAGE = (
    '<html><head><title>Harbour</title></head><body><div class="content" style="color:red">'
    "<p>The harbour board met on Tuesday to approve the new ferry timetable for the summer season.</p>"
    '<a href="https://example.org/ferries">Ferries</a></div></body></html>'
)


def test_page_caches_fill_during_a_page_and_are_empty_after_it(scorer):
    tokens("a text that fills a cache")
    script_counts("another text")
    assert pagecache.cached_results() >= 2
    scorer.score(PAGE)
    assert pagecache.cached_results() == 0


def test_scoring_leaves_the_garbage_collector_as_it_found_it(scorer):
    assert gc.isenabled()
    scorer.score(PAGE)
    assert gc.isenabled()
    gc.disable()
    try:
        scorer.analyse(PAGE)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_threads_pausing_at_once_leave_the_garbage_collector_on():
    """Pauses that overlap across threads end with the collector on (a per-call save and restore can leave it off)."""

    def pause_often() -> None:
        for _ in range(20000):
            with _collection_paused():
                pass

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        workers = [threading.Thread(target=pause_often) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        sys.setswitchinterval(switch)
    assert gc.isenabled()


def test_the_collector_runs_while_threads_score_at_once():
    """One scoring thread pauses the collector, its nested pauses too (`score` calls `analyse`); a second thread that
    starts meanwhile turns it back on, so threads that keep scoring do not hold it off for good."""
    inside, release = threading.Event(), threading.Event()

    def second_thread() -> None:
        with _collection_paused():
            inside.set()
            release.wait(10)

    assert gc.isenabled()
    with _collection_paused():
        with _collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
        other = threading.Thread(target=second_thread)
        other.start()
        assert inside.wait(10) and gc.isenabled()
        release.set()
        other.join()
    assert gc.isenabled()


def test_score_pauses_the_collector_for_the_whole_page(scorer, monkeypatch):
    """The page's work runs with the collector off (3-5% of the time otherwise)."""
    seen = []
    analyse = scorer._analyse
    monkeypatch.setattr(scorer, "_analyse", lambda *args: seen.append(gc.isenabled()) or analyse(*args))
    scorer.score(PAGE)
    assert seen == [False] and gc.isenabled()
