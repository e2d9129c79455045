"""The user's story end to end: a kind of contamination the shipped model misses (Vietnamese betting spam at
the top of or inside the article), 30 labelled pages, `hygiene train`, and on 30 other pages (other articles,
sites and brands) the new model removes it, while its figures on the shipped held-out pages hold."""

from __future__ import annotations

import json

import numpy as np
import pytest

from detector.article import FEATURE_NAMES
from detector.model import default_model_path, load_model
from detector.modelfile import article_path, file_sha256
from detector.settings import LABELS, MODELS_DIR

HELDOUT = MODELS_DIR / "heldout-samples.jsonl"
MISSED_AT_MOST = 0.5
REMOVED_AT_LEAST = 0.9
ALLOWED_DROP = 0.01


def headline_figures(figures: dict) -> dict[str, float]:
    """The figures that must not get worse, all as higher-is-better shares."""
    values = {
        "detected": figures["detected"],
        "not falsely flagged": 1.0 - figures["false_flags"],
        "spam removed": figures["spam_removed"],
        "article kept": figures["article_recall"],
    }
    values.update({f"{label} F1": figures["blocks"][label]["f1"] for label in LABELS})
    return values


@pytest.fixture(scope="module")
def retrained(tmp_path_factory, run_hygiene, story_files):
    """The shipped model retrained on the 30 labelled pages."""
    out = tmp_path_factory.mktemp("story-model") / "vi-betting.joblib"
    run = run_hygiene("train", story_files["train"], "--out", out)
    assert run.code == 0, run.stderr
    return out


def test_the_shipped_model_misses_the_new_spam(run_hygiene, story_files):
    run = run_hygiene("evaluate", story_files["train"], story_files["test"], "--json")
    (shipped,) = run.json()["models"]
    assert shipped["figures"]["contaminated_pages"] == 60
    assert shipped["figures"]["spam_removed"] <= MISSED_AT_MOST, shipped["figures"]


def test_the_retrained_model_removes_it_from_other_pages(run_hygiene, story_files, retrained):
    run = run_hygiene("evaluate", story_files["test"], "--model", default_model_path(), "--model", retrained, "--json")
    shipped, new = (model["figures"] for model in run.json()["models"])
    assert new["spam_removed"] >= REMOVED_AT_LEAST, new
    assert new["article_recall"] >= shipped["article_recall"] - ALLOWED_DROP, (shipped, new)


def test_figures_on_the_shipped_heldout_pages_hold(run_hygiene, retrained):
    run = run_hygiene("evaluate", HELDOUT, "--model", default_model_path(), "--model", retrained, "--json")
    shipped, new = (headline_figures(model["figures"]) for model in run.json()["models"])
    drops = {name: round(shipped[name] - new[name], 4) for name in shipped if shipped[name] - new[name] > ALLOWED_DROP}
    assert not drops, (drops, shipped, new)
    recorded = json.loads(retrained.with_suffix(".json").read_text(encoding="utf-8"))["heldout_samples"]
    assert run.json()["models"][1]["figures"] == recorded


def test_the_retrained_model_carries_the_base_article_stage(retrained):
    metadata = json.loads(retrained.with_suffix(".json").read_text(encoding="utf-8"))
    stage = metadata["article_model"]
    assert stage["from_base"] and stage["sha256"] == file_sha256(article_path(retrained))
    shipped, new = load_model(), load_model(retrained)
    rows = np.random.default_rng(0).random((50, len(FEATURE_NAMES)))
    for fmt in ("html", "text"):
        assert (new.article.probabilities(rows, fmt) == shipped.article.probabilities(rows, fmt)).all()
