"""Fixtures for `hygiene train` / `hygiene evaluate`: the CLI runner, the user's-story sample files, a small
model trained on them without a base."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CLI_TIMEOUT_S = 600


def _load_story():
    """This folder's `story.py` (test folders are not packages)."""
    spec = importlib.util.spec_from_file_location("retrain_story", HERE / "story.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


story = _load_story()


@dataclass
class CliRun:
    """What one `hygiene` process did."""

    code: int
    stdout: str
    stderr: str

    def stderr_lines(self) -> list[str]:
        """Non-empty stderr lines."""
        return [line for line in self.stderr.splitlines() if line.strip()]

    def json(self) -> dict:
        """The `--json` output."""
        return json.loads(self.stdout)


def hygiene(*args: str | Path) -> CliRun:
    """Run `python -m hygiene ARGS...` for real; fails the test on any traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "hygiene", *map(str, args)],
        capture_output=True,
        timeout=CLI_TIMEOUT_S,
        stdin=subprocess.DEVNULL,
    )
    run = CliRun(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "replace"))
    assert "Traceback" not in run.stderr, run.stderr
    return run


@pytest.fixture(scope="session")
def run_hygiene():
    """The `hygiene(*args) -> CliRun` runner."""
    return hygiene


@pytest.fixture(scope="session")
def story_files(tmp_path_factory) -> dict[str, Path]:
    """The 30 training and 30 evaluation pages of the user's story, as sample files."""
    folder = tmp_path_factory.mktemp("story")
    return {side: story.write_jsonl(story.story_samples(side), folder / f"{side}.jsonl") for side in ("train", "test")}


@pytest.fixture(scope="session")
def small_model(tmp_path_factory, story_files) -> Path:
    """A model trained on the story's training pages alone (no base model): quick, and a real artifact."""
    out = tmp_path_factory.mktemp("small") / "small.joblib"
    run = hygiene("train", story_files["train"], "--no-base", "--holdout", "0", "--out", out)
    assert run.code == 0, run.stderr
    return out
