"""Does `hygiene clean` keep its memory flat on a large input? RSS of every process over a 10 GB JSON Lines run.

    python bench/flat_memory.py [../shared] [--pages PAGES.jsonl] [--size-gb 10] [--workers 2] [--workdir DIR]
                                [--out bench/FLAT_MEMORY.md]

It writes a JSON Lines input of `--size-gb` GB by cycling the benchmark pages (`--pages`, any JSON Lines with an
`html` field, or built from the shared folder as bench/run.py builds them), each record `{"id", "url", "html"}`
with a unique id, then runs `hygiene clean INPUT -o OUT --workers N` and every `--interval` seconds reads the RSS
of the parent and of each of its descendant processes (/proc/PID/status) and how far the parent has read the input
(its file position, /proc/PID/fdinfo). The report gives the peak RSS in each tenth of the input and calls the run
flat when no series (parent, largest worker, total) grew from the first tenth to the last by more than 10% or
20 MB, whichever is larger. The input and output are deleted at the end unless `--keep`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from build import write_pages  # noqa: E402
from run import DEFAULT_DIRTY_PER_GROUP, SEED  # noqa: E402

GB = 1_000_000_000
TENTHS = 10
GROWTH_SHARE = 0.10
GROWTH_FLOOR_MB = 20.0
PROGRESS_EVERY = 30
"""Readings between two progress lines on stderr."""


@dataclass
class Sample:
    """One reading: seconds since the start, input bytes read so far, RSS (MB) of the parent and of each child."""

    elapsed: float
    position: int
    parent_mb: float
    children_mb: list[float]

    @property
    def total_mb(self) -> float:
        """RSS of the parent and all its descendants."""
        return self.parent_mb + sum(self.children_mb)


@dataclass
class Run:
    """What one `hygiene clean` run did: input, timing, exit, samples."""

    input_bytes: int
    pages: int
    workers: int
    wall_s: float
    returncode: int
    stderr_tail: list[str]
    samples: list[Sample]


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared", nargs="?", default="../shared", type=Path, help="the shared folder (../shared)")
    parser.add_argument("--pages", type=Path, help="JSON Lines pages with an `html` field (default: build them)")
    parser.add_argument("--size-gb", type=float, default=10.0, help="input size in GB (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="`hygiene clean --workers` (default 2)")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between readings (default 2)")
    parser.add_argument("--workdir", type=Path, help="write the input and output here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the input and output files")
    parser.add_argument("--out", type=Path, default=BENCH / "FLAT_MEMORY.md", help="Markdown report to write")
    args = parser.parse_args()
    if args.pages is None and not (args.shared / "corpora").is_dir():
        parser.error(f"{args.shared} has no corpora/ folder (or give --pages)")
    return args


def page_lines(pages: Path) -> Iterator[tuple[str | None, str]]:
    """(url, html) of every page of a JSON Lines file, read one line at a time."""
    with pages.open(encoding="utf-8") as handle:
        for line in handle:
            page = json.loads(line)
            if page.get("html"):
                yield page.get("url"), page["html"]


def write_input(pages: Path, path: Path, size: int) -> int:
    """Cycle the pages into `path` as `{"id", "url", "html"}` lines until it holds `size` bytes; the record count."""
    written = count = 0
    with path.open("wb") as handle:
        while written < size:
            before = count
            for url, html in page_lines(pages):
                line = json.dumps({"id": f"flat-{count}", "url": url, "html": html}, ensure_ascii=False) + "\n"
                written += handle.write(line.encode("utf-8"))
                count += 1
                if written >= size:
                    break
            if count == before:
                raise SystemExit(f"flat_memory: no page with an html field in {pages}")
    return count


def rss_mb(pid: int) -> float | None:
    """VmRSS of a process in MB; None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return 0.0


def parent_pids() -> dict[int, int]:
    """Every live process's parent pid, from /proc/*/stat."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def descendants(pid: int) -> list[int]:
    """Children, grandchildren ... of a process."""
    children: dict[int, list[int]] = {}
    for child, parent in parent_pids().items():
        children.setdefault(parent, []).append(child)
    found, stack = [], list(children.get(pid, []))
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(children.get(child, []))
    return found


def read_position(pid: int, path: Path) -> int | None:
    """The file position of `pid`'s open descriptor on `path`; None when it has none open."""
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        for fd in fd_dir.iterdir():
            if os.readlink(fd) == str(path):
                for line in (Path(f"/proc/{pid}/fdinfo") / fd.name).read_text().splitlines():
                    if line.startswith("pos:"):
                        return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def sample(pid: int, path: Path, started: float, last_position: int, size: int) -> Sample | None:
    """One reading of the run; None once the parent is gone. With the input not (or no longer) open, the position
    is 0 before it was first seen open and the input's size after."""
    parent = rss_mb(pid)
    if parent is None:
        return None
    children = [mb for mb in (rss_mb(child) for child in descendants(pid)) if mb is not None]
    position = read_position(pid, path)
    if position is None:
        position = size if last_position > 0 else 0
    return Sample(time.perf_counter() - started, position, parent, children)


def run_clean(cli_input: Path, output: Path, workers: int, interval: float, pages: int) -> Run:
    """`hygiene clean` on the input, sampled every `interval` seconds until it exits."""
    output.unlink(missing_ok=True)
    command = [sys.executable, "-m", "hygiene", "clean", str(cli_input), "-o", str(output), "--workers", str(workers)]
    size = cli_input.stat().st_size
    log = output.with_suffix(".stderr")
    samples: list[Sample] = []
    started = time.perf_counter()
    with log.open("w") as stderr:
        process = subprocess.Popen(
            command, stdout=stderr, stderr=stderr, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}
        )
        while process.poll() is None:
            reading = sample(process.pid, cli_input, started, samples[-1].position if samples else 0, size)
            if reading is not None:
                samples.append(reading)
                if len(samples) % PROGRESS_EVERY == 1:
                    report_progress(reading, size)
            time.sleep(interval)
    wall = time.perf_counter() - started
    tail = log.read_text(errors="replace").strip().splitlines()[-5:]
    return Run(size, pages, workers, wall, process.returncode, tail, samples)


def report_progress(reading: Sample, size: int) -> None:
    """One progress line on stderr."""
    children = ", ".join(f"{mb:.0f}" for mb in reading.children_mb)
    print(
        f"flat_memory: {reading.elapsed / 60:5.1f} min, {reading.position / size:6.1%} read, "
        f"RSS parent {reading.parent_mb:.0f} MB, children [{children}] MB",
        file=sys.stderr,
        flush=True,
    )


def tenth_of(position: int, size: int) -> int:
    """Which tenth of the input (0-9) a position falls in."""
    return min(TENTHS - 1, position * TENTHS // size)


def peaks_by_tenth(run: Run) -> list[tuple[int, float, float, float] | None]:
    """Per tenth of the input: (readings, peak parent MB, peak largest-child MB, peak total MB); None if unread."""
    rows: list[tuple[int, float, float, float] | None] = []
    for tenth in range(TENTHS):
        inside = [s for s in run.samples if tenth_of(s.position, run.input_bytes) == tenth]
        if not inside:
            rows.append(None)
            continue
        largest = max(max(s.children_mb, default=0.0) for s in inside)
        rows.append((len(inside), max(s.parent_mb for s in inside), largest, max(s.total_mb for s in inside)))
    return rows


def grew(first: float, last: float) -> bool:
    """True when `last` exceeds `first` by more than 10% or 20 MB, whichever is larger."""
    return last - first > max(GROWTH_SHARE * first, GROWTH_FLOOR_MB)


def render(run: Run, command: str) -> str:
    """The Markdown report."""
    rows = peaks_by_tenth(run)
    lines = [
        "# `hygiene clean`: memory over a large input",
        "",
        f'Measured with `{command}` (issue 6: "memory that stays flat on a 10 GB input").',
        "",
        f"- input: {run.input_bytes / GB:.2f} GB of JSON Lines, {run.pages:,} pages (benchmark pages cycled)",
        f"- `hygiene clean --workers {run.workers}`: exit code {run.returncode}, wall {run.wall_s / 60:.1f} min "
        f"({run.wall_s:.0f} s, start-up included), {run.pages / run.wall_s:.1f} pages/s",
        f"- RSS read every ~{interval_of(run):.0f} s from /proc/PID/status ({len(run.samples)} readings); the "
        "tenth of the input is the parent's read position in the input file (/proc/PID/fdinfo), which runs a few "
        "chunks ahead of the pages cleaned",
        f"- processes: the parent and {max((len(s.children_mb) for s in run.samples), default=0)} descendants "
        '(the workers and multiprocessing\'s resource tracker); "largest worker" is the largest descendant',
        f"- hygiene's last stderr line: `{run.stderr_tail[-1] if run.stderr_tail else '(none)'}`",
        "",
        "Peak RSS (MB) in each tenth of the input:",
        "",
        "| tenth of input | readings | parent | largest worker | total |",
        "|---|---:|---:|---:|---:|",
    ]
    for tenth, row in enumerate(rows):
        span = f"{tenth * 10}-{tenth * 10 + 10}%"
        if row is None:
            lines.append(f"| {span} | 0 | | | |")
        else:
            count, parent, worker, total = row
            lines.append(f"| {span} | {count} | {parent:.0f} | {worker:.0f} | {total:.0f} |")
    lines += ["", verdict(rows), ""]
    return "\n".join(lines)


def interval_of(run: Run) -> float:
    """The mean time between two readings."""
    if len(run.samples) < 2:
        return 0.0
    return (run.samples[-1].elapsed - run.samples[0].elapsed) / (len(run.samples) - 1)


def verdict(rows: list[tuple[int, float, float, float] | None]) -> str:
    """The verdict line: the first tenth's peaks against the last tenth's."""
    first, last = rows[0], rows[-1]
    if first is None or last is None:
        return "**Verdict: not measured** (no reading in the first or the last tenth)."
    pairs = list(zip(("parent", "largest worker", "total"), first[1:], last[1:], strict=True))
    changes = "; ".join(f"{name} {a:.0f} → {b:.0f} MB" for name, a, b in pairs)
    word = "growing" if any(grew(a, b) for _, a, b in pairs) else "flat"
    return (
        f"**Verdict: {word}** — peak RSS in the first tenth → the last tenth: {changes}. The rule: flat when none "
        f"of the three grew by more than {GROWTH_SHARE:.0%} or {GROWTH_FLOOR_MB:.0f} MB, whichever is larger."
    )


def main() -> None:
    """Write the input, run and sample `hygiene clean`, write the report, clean up."""
    args = parse_args()
    temp = tempfile.TemporaryDirectory(prefix="flat-memory-", dir="/tmp") if args.workdir is None else nullcontext()
    with temp as temp_name:
        workdir = args.workdir or Path(temp_name)
        workdir.mkdir(parents=True, exist_ok=True)
        pages = args.pages
        if pages is None:
            pages = workdir / "pages.jsonl"
            print(f"flat_memory: building pages in {pages} ...", file=sys.stderr, flush=True)
            write_pages(pages, args.shared, None, DEFAULT_DIRTY_PER_GROUP, SEED)
        cli_input, output = workdir / "input.jsonl", workdir / "clean.jsonl"
        print(f"flat_memory: writing {args.size_gb:g} GB to {cli_input} ...", file=sys.stderr, flush=True)
        count = write_input(pages, cli_input, int(args.size_gb * GB))
        print(f"flat_memory: hygiene clean --workers {args.workers} on {count:,} pages ...", file=sys.stderr)
        run = run_clean(cli_input.resolve(), output, args.workers, args.interval, count)
        if not args.keep:
            cli_input.unlink()
            output.unlink(missing_ok=True)
    command = " ".join(["python bench/flat_memory.py", *sys.argv[1:]])
    report = render(run, command)
    print(report)
    args.out.write_text(report, encoding="utf-8")
    if run.returncode not in (0, 1):
        raise SystemExit(f"flat_memory: hygiene clean failed (exit {run.returncode}): {run.stderr_tail}")


if __name__ == "__main__":
    main()
