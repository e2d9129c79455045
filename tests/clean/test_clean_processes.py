"""`hygiene clean` and its worker processes: Ctrl-C at any moment, SIGTERM, a killed parent, more workers than
cores, and the time the summary counts."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def documents(kit, count: int) -> list[dict]:
    """JSONL documents with an id and a page; every third is contaminated."""
    return [{"id": f"doc-{i}", "html": kit.article_html(i, contaminated=i % 3 == 0)} for i in range(count)]


def start_in_own_group(kit, *args: str | Path) -> subprocess.Popen:
    """Start `hygiene` as a terminal's foreground job would be: Ctrl-C taken, in a process group of its own."""

    def foreground_job() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.setpgid(0, 0)

    return subprocess.Popen(
        [sys.executable, "-m", "hygiene", *map(str, args)],
        env=kit.child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=foreground_job,
    )


def live_group_members(group: int) -> list[int]:
    """The processes of a process group that still run (zombies, which a container's PID 1 may never reap, and
    processes gone while being looked at, left out)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, _, group_id = stat.rsplit(")", 1)[1].split()[:3]
        if int(group_id) == group and state != "Z":
            members.append(int(entry))
    return members


def wait_until_group_is_gone(group: int, deadline_s: float) -> list[int]:
    """Wait for every process of the group to end; the ones still running at the deadline."""
    deadline = time.monotonic() + deadline_s
    while (alive := live_group_members(group)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def kill_all(pids: list[int]) -> None:
    """Kill processes a failed test leaves behind."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def outcome(process: subprocess.Popen, deadline_s: float) -> tuple[int | None, list[int], str]:
    """Wait for a run to end: its exit code (None if still running at the deadline), the processes of its group
    still running `deadline_s` later (then killed) and its stderr (its workers hold the pipe while they run)."""
    try:
        code = process.wait(timeout=deadline_s)
    except subprocess.TimeoutExpired:
        code = None
    left = wait_until_group_is_gone(process.pid, deadline_s)
    kill_all([process.pid, *left])
    return code, left, process.communicate()[1]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5, 2.5])
def test_ctrl_c_twice_during_worker_start_up_exits_130_at_once(kit, tmp_path, model_path, delay):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 600))
    out = tmp_path / "out.jsonl"
    process = start_in_own_group(kit, "clean", source, "-o", out, "--model", model_path, "--workers", "3")
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)
    time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    code, left, stderr = outcome(process, 10)
    assert code == 130 and stderr.splitlines()[-1] == "hygiene: interrupted", (code, stderr)
    assert "Traceback" not in stderr and not left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_with_their_parent(kit, tmp_path, model_path, sig):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 3000))
    out = tmp_path / "out.jsonl"
    process = start_in_own_group(kit, "clean", source, "-o", out, "--model", model_path, "--workers", "2")
    deadline = time.monotonic() + 60
    while not (out.exists() and out.read_bytes().count(b"\n") >= 20) and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        time.sleep(0.02)
    assert len(live_group_members(process.pid)) >= 3, "the workers did not start"
    process.send_signal(sig)
    code, left, stderr = outcome(process, 10)
    assert not left, f"workers {left} outlived their parent"
    assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 130), stderr


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs sched_setaffinity")
def test_more_workers_than_cores_are_warned_about(kit, tmp_path, model_path):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 2))
    one_core = min(os.sched_getaffinity(0))
    runs = {}
    for workers in ("default", "2"):
        out = tmp_path / f"out-{workers}.jsonl"
        extra = [] if workers == "default" else ["--workers", workers]
        runs[workers] = subprocess.run(
            [sys.executable, "-m", "hygiene", "clean", str(source), "-o", str(out), "--model", str(model_path), *extra],
            capture_output=True,
            text=True,
            timeout=120,
            env=kit.child_env(),
            preexec_fn=lambda: os.sched_setaffinity(0, {one_core}),
        )
    assert runs["default"].returncode == 0 and "warning" not in runs["default"].stderr, runs["default"].stderr
    assert runs["2"].returncode == 0, runs["2"].stderr
    (warning,) = [line for line in runs["2"].stderr.splitlines() if "warning" in line]
    assert warning.startswith("hygiene: warning: --workers 2 is more than the 1 cores here")


def test_the_summary_time_counts_the_worker_start_up(kit, tmp_path, model_path):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 12))
    started = time.monotonic()
    run = kit.hygiene("clean", source, "-o", tmp_path / "out.jsonl", "--model", model_path, "--workers", "2")
    wall = time.monotonic() - started
    assert run.returncode == 0, run.stderr
    seconds, rate = re.search(r"cleaned 12 pages .* in ([\d.]+) s, ([\d.]+) pages/s", run.stderr).groups()
    assert float(seconds) >= wall / 2, (seconds, wall)
    assert float(rate) == pytest.approx(12 / float(seconds), rel=0.1, abs=0.2)
