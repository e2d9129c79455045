"""Bad or tampered models are refused with one line naming the file and the reason (exit 2), by `evaluate`,
`score` and `train --base`, and `train` then writes nothing."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import joblib
import pytest

from detector.errors import ModelError
from detector.model import file_sha256, load_model

SUFFIXES = (".joblib", ".json", ".rows.npz")


def copy_model(model: Path, folder: Path) -> Path:
    """Copy a model with its metadata and training rows into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in SUFFIXES:
        shutil.copy(model.with_suffix(suffix), folder / f"m{suffix}")
    return folder / "m.joblib"


def append_byte(model: Path) -> None:
    """Change the model file after its metadata was written."""
    with model.open("ab") as handle:
        handle.write(b"\0")


def edit_metadata(model: Path, **changes) -> None:
    """Rewrite fields of the metadata JSON."""
    path = model.with_suffix(".json")
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), **changes}), encoding="utf-8")


def replace_with_dict(model: Path) -> None:
    """A joblib file that is not a pipeline, with metadata that vouches for it."""
    joblib.dump({"not": "a pipeline"}, model)
    edit_metadata(model, sha256=file_sha256(model))


TAMPERINGS = {
    "sha-mismatch": (append_byte, "does not match its metadata"),
    "feature-version": (lambda m: edit_metadata(m, feature_version=999), "built for feature version 999"),
    "missing-metadata": (lambda m: m.with_suffix(".json").unlink(), "no metadata file m.json"),
    "unreadable-metadata": (lambda m: m.with_suffix(".json").write_text("{oops"), "unreadable metadata"),
    "not-a-pipeline": (replace_with_dict, "not a scraper-hygiene block classifier"),
    "missing-model": (lambda m: m.unlink(), "no such model file"),
}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_the_loader_refuses_a_tampered_model(tmp_path, small_model, name):
    tamper, reason = TAMPERINGS[name]
    model = copy_model(small_model, tmp_path / name)
    tamper(model)
    with pytest.raises(ModelError) as caught:
        load_model(model)
    message = str(caught.value)
    assert "\n" not in message and str(model.parent) in message and reason in message


@pytest.mark.parametrize("name", ["sha-mismatch", "not-a-pipeline"])
def test_evaluate_refuses_a_tampered_model(tmp_path, run_hygiene, small_model, story_files, name):
    tamper, reason = TAMPERINGS[name]
    model = copy_model(small_model, tmp_path / name)
    tamper(model)
    run = run_hygiene("evaluate", story_files["test"], "--model", small_model, "--model", model)
    assert run.code == 2 and run.stdout == ""
    assert len(run.stderr_lines()) == 1, run.stderr
    assert run.stderr_lines()[0].startswith("hygiene: error: ") and "m." in run.stderr and reason in run.stderr


@pytest.mark.parametrize("name", ["feature-version"])
def test_score_refuses_a_tampered_model(tmp_path, run_hygiene, small_model, name):
    tamper, reason = TAMPERINGS[name]
    model = copy_model(small_model, tmp_path / name)
    tamper(model)
    page = tmp_path / "page.txt"
    page.write_text("A short news story.\nAnother line of it.", encoding="utf-8")
    run = run_hygiene("score", page, "--model", model)
    assert run.code == 2 and len(run.stderr_lines()) == 1 and reason in run.stderr


def rows_missing(model: Path) -> None:
    """Remove the training rows beside a model."""
    model.with_suffix(".rows.npz").unlink()


def rows_tampered(model: Path) -> None:
    """Replace the training rows with other bytes."""
    model.with_suffix(".rows.npz").write_bytes(b"PK\x03\x04 not the rows")


BASE_TAMPERINGS = {
    "sha-mismatch": TAMPERINGS["sha-mismatch"],
    "rows-missing": (rows_missing, "no training rows m.rows.npz beside it"),
    "rows-tampered": (rows_tampered, "sha256 does not match the metadata of m.joblib"),
}


@pytest.mark.parametrize("name", list(BASE_TAMPERINGS))
def test_train_refuses_a_tampered_base_and_writes_nothing(tmp_path, run_hygiene, small_model, story_files, name):
    tamper, reason = BASE_TAMPERINGS[name]
    base = copy_model(small_model, tmp_path / "base")
    tamper(base)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    run = run_hygiene("train", story_files["train"], "--base", base, "--out", out_dir / "new.joblib")
    assert run.code == 2 and len(run.stderr_lines()) == 1 and reason in run.stderr, run.stderr
    assert not list(out_dir.iterdir())


def test_a_retrained_model_is_itself_a_base(tmp_path, run_hygiene, small_model, story_files):
    """The rows written beside a retrained model let it be retrained on; their sha256 is in its metadata."""
    out = tmp_path / "again.joblib"
    previous_umask = os.umask(0o022)  # group and others may read: temporary files alone would be owner-only
    try:
        run = run_hygiene("train", story_files["test"], "--base", small_model, "--out", out, "--holdout", "0")
    finally:
        os.umask(previous_umask)
    assert run.code == 0, run.stderr
    metadata = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    small = json.loads(small_model.with_suffix(".json").read_text(encoding="utf-8"))
    assert metadata["base"]["sha256"] == small["sha256"]
    rows = metadata["data"]["compact_rows"]
    assert rows["rows"] > small["data"]["compact_rows"]["rows"]
    assert rows["sha256"] == file_sha256(out.with_suffix(".rows.npz"))
    modes = {path.suffix: path.stat().st_mode & 0o777 for path in (out, out.with_suffix(".rows.npz"))}
    assert modes[".npz"] == modes[".joblib"], "the rows must be as readable as the model they extend"


def test_an_out_folder_that_does_not_exist_is_refused(tmp_path, run_hygiene, story_files):
    """A typo in --out is an error, not a new folder."""
    out = tmp_path / "no-such-folder" / "m.joblib"
    run = run_hygiene("train", story_files["train"], "--no-base", "--out", out)
    assert run.code == 2 and len(run.stderr_lines()) == 1 and "no such folder" in run.stderr
    assert not out.parent.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--out", "m.model"], "must end in .joblib"),
        (["--out", "m.joblib", "--holdout", "0.9"], "train: argument --holdout: must be between 0 and 0.5, got 0.9"),
    ],
    ids=["suffix", "holdout"],
)
def test_bad_train_options(tmp_path, run_hygiene, story_files, args, message):
    run = run_hygiene(
        "train", story_files["train"], "--no-base", *[str(tmp_path / a) if a.startswith("m.") else a for a in args]
    )
    assert run.code == 2 and len(run.stderr_lines()) == 1 and message in run.stderr
    assert list(tmp_path.iterdir()) == []
