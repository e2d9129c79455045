"""The benchmark: hygiene against trafilatura, readability-lxml, jusText, resiliparse and datatrove, in one run.

    python bench/run.py [../shared] [--limit N] [--tools hygiene,trafilatura,...] [--out bench/RESULTS.md]

On the same decoded pages of `../shared/corpora` and a generated contaminated set it measures, per tool:
pages/s on one core and on all cores, load time, peak RSS, clean-text F1 per corpus and language, and spam
removed / article kept on the contaminated pages; then `hygiene clean` itself end to end. It prints the
ratios ours/peer and writes the Markdown report.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from build import write_pages  # noqa: E402
from pages import read_pages  # noqa: E402
from peers import TOOLS  # noqa: E402
from report import OURS, Results, render_markdown, render_ratios  # noqa: E402

from detector.model import file_sha256  # noqa: E402

DEFAULT_DIRTY_PER_GROUP = 150
SEED = 20261129


@dataclass
class ToolRun:
    """Timing and memory of one tool: its one-core run and its all-cores run."""

    name: str
    one_core: dict = field(default_factory=dict)
    all_cores: list[dict] = field(default_factory=list)


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared", nargs="?", default="../shared", type=Path, help="the shared folder (../shared)")
    parser.add_argument("--limit", type=int, help="at most N pages per corpus group (quick runs)")
    parser.add_argument(
        "--dirty",
        type=int,
        default=DEFAULT_DIRTY_PER_GROUP,
        help=f"contaminated pages per family group (default {DEFAULT_DIRTY_PER_GROUP})",
    )
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated tools to run")
    parser.add_argument("--model", help="hygiene model file (default: the shipped model)")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md", help="Markdown report to write")
    parser.add_argument("--workdir", type=Path, help="keep the pages and outputs here (default: a temp dir)")
    parser.add_argument("--rescore", action="store_true", help="only score and report the run kept in --workdir")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the --workdir's earlier runs of the tools not in --tools (same pages only)",
    )
    args = parser.parse_args()
    unknown = set(args.tools.split(",")) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    if (args.rescore or args.reuse) and not args.workdir:
        parser.error("--rescore and --reuse need --workdir")
    if not (args.shared / "corpora").is_dir():
        parser.error(f"{args.shared} has no corpora/ folder")
    return args


def measure_command(tool: str, pages: Path, out: Path, shard: int, shards: int, model: str | None) -> list[str]:
    """The command line of one measuring process: pinned to CPU 0 when alone, free to move when sharded."""
    command = [sys.executable, str(BENCH / "measure.py"), tool, str(pages), str(out), "--barrier"]
    command += ["--shard", str(shard), "--shards", str(shards)] + (["--cpu", "0"] if shards == 1 else [])
    return command + (["--model", model] if model else [])


def run_shards(tool: str, pages: Path, workdir: Path, shards: int, model: str | None) -> list[dict]:
    """Run `shards` measuring processes of one tool at the same time (after all have loaded); their summaries."""
    with contextlib.ExitStack() as stack:
        processes = []
        for shard in range(shards):
            out = workdir / f"{tool}.{shards}.{shard}.jsonl"
            log = stack.enter_context((workdir / f"{tool}.{shards}.{shard}.log").open("w"))
            command = measure_command(tool, pages, out, shard, shards, model)
            processes.append(
                subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
            )
        for process in processes:
            if process.stdout.readline().strip() != "ready":
                raise SystemExit(f"bench: {tool} failed to load; see {workdir}/{tool}.{shards}.*.log")
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        summaries = []
        for process in processes:
            output, _ = process.communicate()
            if process.returncode != 0:
                raise SystemExit(f"bench: {tool} failed; see {workdir}/{tool}.{shards}.*.log")
            summaries.append(json.loads(output.strip().splitlines()[-1]))
    return summaries


def run_tool(tool: str, pages: Path, workdir: Path, cores: int, model: str | None) -> ToolRun:
    """One-core run (whose texts are scored) and all-cores run of one tool."""
    print(f"bench: {tool}: one core ...", file=sys.stderr, flush=True)
    (one,) = run_shards(tool, pages, workdir, 1, model)
    print(f"bench: {tool}: {cores} cores ...", file=sys.stderr, flush=True)
    return ToolRun(tool, one, run_shards(tool, pages, workdir, cores, model))


def write_cli_input(pages: Path, path: Path) -> int:
    """The pages as `hygiene clean` input: {"id", "url", "html"} per line; returns how many."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for page in read_pages(pages):
            handle.write(json.dumps({"id": page.key, "url": page.url, "html": page.html}, ensure_ascii=False) + "\n")
            count += 1
    return count


def run_cli(cli_input: Path, workdir: Path, workers: int, model: str | None) -> dict:
    """`hygiene clean` end to end on `workers` CPUs: wall time (start-up and model load included), peak RSS."""
    out = workdir / f"clean.{workers}.jsonl"
    out.unlink(missing_ok=True)
    cpus = ",".join(str(cpu) for cpu in range(workers))
    command = [
        sys.executable,
        str(BENCH / "peak_rss.py"),
        "--cpus",
        cpus,
        "--",
        sys.executable,
        "-m",
        "hygiene",
        "clean",
        str(cli_input),
        "-o",
        str(out),
        "--workers",
        str(workers),
    ]
    command += ["--model", model] if model else []
    print(f"bench: hygiene clean --workers {workers} ...", file=sys.stderr, flush=True)
    completed = subprocess.run(
        command, capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}
    )
    result = json.loads(completed.stdout)
    if result["returncode"] not in (0, 1):
        raise SystemExit(f"bench: hygiene clean failed: {result['stderr_tail']}")
    return result


def machine() -> dict:
    """What the figures were measured on."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in ("scraper-hygiene", "trafilatura", "readability-lxml", "jusText", "resiliparse", "datatrove"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return {"python": platform.python_version(), "versions": versions}


def measure_all(args: argparse.Namespace, workdir: Path) -> dict:
    """Write the pages, run ours (harness, then `hygiene clean`) and every peer; the summaries.

    Ours runs first, so all its figures come from one state of the code; `summary.json` is rewritten after
    every tool, so a failure late in the run loses nothing measured before it.
    """
    cores = os.cpu_count() or 1
    pages = workdir / "pages.jsonl"
    dirty = min(args.dirty, args.limit) if args.limit else args.dirty
    started, load_before = time.time(), os.getloadavg()[0]
    print(f"bench: writing pages to {pages} ...", file=sys.stderr, flush=True)
    counts = write_pages(pages, args.shared, args.limit, dirty, SEED)
    command = " ".join(["python bench/run.py", str(args.shared)] + (["--limit", str(args.limit)] if args.limit else []))
    tools = sorted(args.tools.split(","), key=lambda tool: tool != OURS)
    summary = earlier_runs(workdir, file_sha256(pages), tools) if args.reuse else {}
    summary = {"runs": [], "cli": {}, **summary, "counts": counts, "info": {}, "pages_sha256": file_sha256(pages)}
    reused = [run["name"] for run in summary["runs"]]
    for tool in tools:
        summary["runs"].append(asdict(run_tool(tool, pages, workdir, cores, args.model)))
        if tool == OURS:
            cli_input = workdir / "cli-input.jsonl"
            write_cli_input(pages, cli_input)
            summary["cli"] = {w: run_cli(cli_input, workdir, w, args.model) for w in sorted({1, cores})}
        summary["info"] = {
            **machine(),
            "command": command,
            "minutes": (time.time() - started) / 60,
            "cores": cores,
            "load": (load_before, os.getloadavg()[0]),
            "reused": reused,
        }
        (workdir / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def earlier_runs(workdir: Path, pages_sha256: str, tools: list[str]) -> dict:
    """Runs of the other tools kept in `summary.json` from an earlier run on the very same pages."""
    path = workdir / "summary.json"
    if not path.exists():
        return {}
    earlier = json.loads(path.read_text(encoding="utf-8"))
    if earlier.get("pages_sha256") != pages_sha256:
        raise SystemExit(f"bench: {path} was measured on other pages; cannot --reuse it")
    kept = {"runs": [run for run in earlier["runs"] if run["name"] not in tools]}
    if OURS not in tools:
        kept["cli"] = earlier.get("cli", {})
    return kept


def main() -> None:
    """Measure (or, with --rescore, reuse the measurements in --workdir), score, report."""
    args = parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="hygiene-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.rescore:
        summary = json.loads((workdir / "summary.json").read_text(encoding="utf-8"))
    else:
        summary = measure_all(args, workdir)
    runs = sorted((ToolRun(**run) for run in summary["runs"]), key=lambda run: run.name != OURS)
    cli = {int(workers): run for workers, run in summary["cli"].items()}
    results = Results.collect(workdir / "pages.jsonl", workdir, runs, cli, summary["counts"])
    print(render_ratios(results))
    args.out.write_text(render_markdown(results, summary["info"]), encoding="utf-8")
    print(f"bench: wrote {args.out} (pages and outputs in {workdir})", file=sys.stderr)


if __name__ == "__main__":
    main()
