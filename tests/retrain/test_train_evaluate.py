"""`hygiene train` output: complete or absent, the same bytes for the same inputs; `hygiene evaluate`
reproduces the figures recorded in a model's metadata and compares models side by side."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from detector.heldout_pages import build_samples, load_articles
from detector.model import default_model_path, file_sha256, load_model
from detector.retrain import UNMATCHED_WARNING
from detector.settings import MODELS_DIR

HELDOUT = MODELS_DIR / "heldout-samples.jsonl"
POLL_S = 0.005


def metadata_of(model: Path) -> dict:
    """The metadata JSON beside a model."""
    return json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))


def test_same_inputs_give_the_same_model_bytes(tmp_path, run_hygiene, small_model, story_files):
    again = tmp_path / "again.joblib"
    run = run_hygiene("train", story_files["train"], "--no-base", "--holdout", "0", "--out", again)
    assert run.code == 0, run.stderr
    assert again.read_bytes() == small_model.read_bytes()
    assert metadata_of(again)["sha256"] == metadata_of(small_model)["sha256"] == file_sha256(again)
    assert again.with_suffix(".rows.npz").read_bytes() == small_model.with_suffix(".rows.npz").read_bytes()


def test_metadata_says_what_the_model_was_trained_on(small_model, story_files):
    metadata = metadata_of(small_model)
    assert metadata["data"]["samples"] == [
        {"file": "train.jsonl", "sha256": file_sha256(story_files["train"]), "pages": 30, "contaminated": 30}
    ]
    assert (
        metadata["base"] is None and metadata["feature_version"] == load_model(small_model).metadata["feature_version"]
    )
    assert set(metadata["libraries"]) >= {"python", "scikit-learn", "numpy", "joblib", "lxml"}
    assert metadata["data"]["sample_blocks"]["spam"] >= 30


@pytest.mark.parametrize("which", ["shipped", "retrained"])
def test_evaluate_reproduces_the_metadata_figures(run_hygiene, small_model, which):
    """The figures the training script (shipped model) or `hygiene train` recorded, to the last digit."""
    model = default_model_path() if which == "shipped" else small_model
    run = run_hygiene("evaluate", HELDOUT, "--model", model, "--json")
    assert run.code == 0, run.stderr
    (result,) = run.json()["models"]
    assert result["sha256"] == metadata_of(model)["sha256"]
    assert result["figures"] == metadata_of(model)["heldout_samples"]


def test_the_shipped_heldout_file_is_rebuilt_exactly():
    lines = build_samples(load_articles())
    rebuilt = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")
    assert rebuilt == HELDOUT.read_bytes()
    assert 100 <= len(lines) <= 150 and len(rebuilt) < 2_000_000
    groups = {line["group"] for line in lines}
    assert {"html/clean", "html/train-families", "html/holdout-families", "text/holdout-families"} <= groups


def test_user_holdout_is_split_by_site(tmp_path, run_hygiene, small_model, story_files):
    out = tmp_path / "split.joblib"
    run = run_hygiene("train", story_files["test"], "--base", small_model, "--holdout", "0.2", "--out", out)
    assert run.code == 0, run.stderr
    data = metadata_of(out)["data"]
    assert len(data["heldout_sites"]) == 1 and data["heldout_pages"] == 6 and data["train_pages"] == 24
    heldout = metadata_of(out)["heldout"]
    assert heldout["pages"] == 6 and heldout["contaminated_pages"] == 6
    assert "held-out samples: contaminated pages detected" in run.stdout


def test_sites_the_base_trained_on_are_never_held_out(tmp_path, run_hygiene, small_model, story_files):
    """Retraining on top of a model trained on the same sites holds none of them out (their pages are in the base's
    rows, so figures on them would not be held out): it says so, and records the sites it trained on."""
    out = tmp_path / "chained.joblib"
    run = run_hygiene("train", story_files["train"], "--base", small_model, "--holdout", "0.2", "--out", out)
    assert run.code == 0, run.stderr
    data = metadata_of(out)["data"]
    assert data["heldout_sites"] == [] and data["heldout_pages"] == 0
    assert data["train_sites"] == metadata_of(small_model)["data"]["train_sites"] != []
    assert "hygiene: warning: no site held out" in run.stderr


def test_versions_tell_models_of_other_inputs_apart(tmp_path, run_hygiene, small_model, story_files):
    """Two models of one name and day trained with other seeds get other versions (the stored items' model
    version tells them apart); the same inputs give the same version."""
    other = tmp_path / "small.joblib"
    run = run_hygiene("train", story_files["train"], "--no-base", "--holdout", "0", "--seed", "7", "--out", other)
    assert run.code == 0, run.stderr
    first, second = metadata_of(small_model)["version"], metadata_of(other)["version"]
    assert first.split("+")[0] == second.split("+")[0] and first != second


def test_the_default_model_is_never_overwritten(tmp_path, run_hygiene, small_model, story_files, monkeypatch):
    """`--out` naming the default model's files ($HYGIENE_MODEL here) is refused even with `--no-base`, which reads
    no model: its article stage and training rows would be lost."""
    default = tmp_path / "default.joblib"
    for source in small_model.parent.iterdir():
        (tmp_path / source.name.replace("small", "default")).write_bytes(source.read_bytes())
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    monkeypatch.setenv("HYGIENE_MODEL", str(default))
    run = run_hygiene("train", story_files["train"], "--no-base", "--out", default)
    assert run.code == 2 and run.stderr_lines() == [
        f"hygiene: error: --out {default}: it would overwrite {default}, a file of the default model"
    ]
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_labels_no_sample_has_get_no_figures(run_hygiene, small_model, story_files):
    """A label neither labelled nor predicted in the samples has no precision, recall or F1 (null, shown n/a),
    not 0."""
    run = run_hygiene("evaluate", story_files["test"], "--model", small_model, "--json")
    blocks = run.json()["models"][0]["figures"]["blocks"]
    empty = [label for label, figures in blocks.items() if figures["support"] == 0]
    assert empty, blocks
    for label in empty:
        assert blocks[label]["recall"] is None and blocks[label]["f1"] is None, blocks[label]
    table = run_hygiene("evaluate", story_files["test"], "--model", small_model).stdout
    assert any(line.split()[-1] == "n/a" for line in table.splitlines() if line.strip().startswith(tuple(empty)))


def test_side_by_side(tmp_path, run_hygiene, small_model, story_files):
    split = tmp_path / "other.joblib"
    assert run_hygiene("train", story_files["test"], "--base", small_model, "--out", split).code == 0
    run = run_hygiene("evaluate", story_files["test"], "--model", small_model, "--model", split, "--json")
    first, second = run.json()["models"]
    assert (Path(first["path"]).name, Path(second["path"]).name) == ("small.joblib", "other.joblib")
    assert first["figures"]["pages"] == second["figures"]["pages"] == 30
    table = run_hygiene("evaluate", story_files["test"], "--model", small_model, "--model", split)
    header = next(line for line in table.stdout.splitlines() if "small.joblib" in line)
    assert header.split() == ["small.joblib", "other.joblib"]
    removed = next(line for line in table.stdout.splitlines() if line.startswith("injected text removed"))
    shown = [float(cell) for cell in removed.split()[-2:]]
    for cell, figures in zip(shown, (first["figures"], second["figures"])):
        assert cell <= figures["spam_removed"] < cell + 0.001 or cell == round(figures["spam_removed"], 3)
        assert cell < 1 or figures["spam_removed"] == 1


def test_a_killed_training_leaves_no_model(tmp_path, small_model, story_files):
    """Kill `hygiene train` while it writes the model file: the model is not there, or it is whole."""
    out = tmp_path / "killed.joblib"
    command = [sys.executable, "-m", "hygiene", "train", str(story_files["test"]), "--base", str(small_model)]
    proc = subprocess.Popen([*command, "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None and not list(tmp_path.glob("*.joblib.part")):
        if out.exists():
            load_model(out)
        time.sleep(POLL_S)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "training ended before its model file was being written"
    assert not out.exists()


def test_a_substring_that_labels_no_block_is_warned_about(tmp_path, run_hygiene, small_model, story_files):
    lines = story_files["train"].read_text(encoding="utf-8").splitlines()
    buried = json.loads(lines[0])
    buried["contamination"] = [buried["article"].split("\n")[1][:20]]
    samples = tmp_path / "buried.jsonl"
    samples.write_text("\n".join([*lines[1:], json.dumps(buried, ensure_ascii=False)]) + "\n", encoding="utf-8")
    run = run_hygiene("train", samples, "--base", small_model, "--holdout", "0", "--out", tmp_path / "m.joblib")
    assert run.code == 0, run.stderr
    warnings = [line for line in run.stderr_lines() if line.startswith("hygiene: warning:")]
    assert warnings == [f"hygiene: warning: {samples} line 30: {UNMATCHED_WARNING}"]
