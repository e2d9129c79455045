"""The article stage: its features, its trees read as tables, the guard on what it may promote, the shipped model's
stage (moves blocks only between content and boilerplate) and the files that hold it."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import joblib
import numpy as np
import pytest

from detector.article import FEATURE_NAMES, ArticleModel, article_rows, build_article_model
from detector.errors import ModelError
from detector.model import default_model_path, load_model, save_model
from detector.modelfile import article_path, file_sha256, metadata_path
from detector.score import Scorer

TEASERS = "".join(
    f"<li><a href='/story/{n}'>Teaser {n}: a headline of some length about another story of the day</a></li>"
    for n in range(6)
)
PAGE = f"""<html><head><title>Harbour reopens after storm - Coast Daily</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<article><h1>Harbour reopens after storm</h1>
<p>The harbour reopened on Tuesday after a week in which the storm kept every ferry in port and closed the
fish market, the harbour master said at a morning briefing on the quay.</p>
<p>Engineers checked the breakwater and found two damaged sections, which will be repaired over the summer
while boats use the northern entrance, she added, thanking the crews who worked through the nights.</p>
<p>Fishermen said the lost week had cost them dearly, but most boats were back at sea by the afternoon.</p>
</article>
<aside><h2>More stories</h2><ul>{TEASERS}</ul></aside>
<footer><p>Copyright 2026 Coast Daily. All rights reserved.</p></footer></body></html>"""


def fitted_estimator(labels_rule, n: int = 400, seed: int = 0):
    """The article estimator fitted, quickly, on random rows labelled by `labels_rule`."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, len(FEATURE_NAMES))) * 4 - 1
    return build_article_model().set_params(max_iter=20).fit(X, labels_rule(X)), rng


def test_the_trees_read_as_tables_give_the_estimators_probabilities():
    html, rng = fitted_estimator(lambda X: X[:, 0] + 0.5 * X[:, 3] > X[:, 7])
    text, _ = fitted_estimator(lambda X: X[:, 2] > X[:, 5], seed=1)
    model = ArticleModel({"html": html, "text": text})
    assert all(trees is not None for trees in model.trees.values())
    rows = rng.random((4500, len(FEATURE_NAMES))) * 6 - 2  # more rows than one chunk of the walk
    rows[::3, 0], rows[::5, 7], rows[1] = np.nan, np.nan, np.nan  # missing values go the way sklearn sends them
    for fmt, estimator in (("html", html), ("text", text)):
        expected = estimator.predict_proba(rows)[:, 1]
        np.testing.assert_allclose(model.probabilities(rows, fmt), expected, rtol=1e-9, atol=1e-12)


def test_rows_describe_the_prose_blocks_of_the_page(scorer):
    classified = scorer.classified(PAGE, "html")
    rows, at = article_rows(classified.blocks, classified.labels, classified.content, classified.contamination)
    assert at == [i for i, block in enumerate(classified.blocks) if block.kind == "text"]
    assert rows.shape == (len(at), len(FEATURE_NAMES)) and np.isfinite(rows).all()
    column = {name: rows[:, index] for index, name in enumerate(FEATURE_NAMES)}
    texts = [classified.blocks[i].text for i in at]
    teasers = [i for i, text in enumerate(texts) if text.startswith("Teaser")]
    headline = texts.index("Harbour reopens after storm")
    assert len(teasers) == 6 and set(column["same_tag_siblings"][teasers]) == {6.0}
    assert set(column["tag=li"][teasers]) == {1.0} and column["heading"][headline] == 1.0
    assert set(column["link_density"][teasers]) == {1.0}
    assert column["position"][0] == 0.0 and column["chars_before_share"][-1] > 0.9


def test_rows_of_scraped_text_are_its_lines(scorer):
    text = "Harbour reopens after storm\nThe harbour reopened on Tuesday after a week of storms.\nHome | World"
    classified = scorer.classified(text, "text")
    rows, at = article_rows(classified.blocks, classified.labels, classified.content, classified.contamination)
    assert at == [0, 1, 2] and rows.shape == (3, len(FEATURE_NAMES))
    column = {name: rows[:, index] for index, name in enumerate(FEATURE_NAMES)}
    assert not column["grandparent_blocks"].any() and not column["same_tag_siblings"].any()


def test_it_promotes_only_text_that_may_be_article_text(scorer):
    everything, _ = fitted_estimator(lambda X: X[:, 0] > -0.5)  # P(article) close to 1 for any P(content)
    stage = ArticleModel({"html": everything, "text": everything})
    classified = scorer.classified(PAGE, "html")
    blocks, content = classified.blocks, classified.content
    boilerplate = ["boilerplate"] * len(blocks)
    clean = np.zeros(len(blocks))
    suspicious = np.full(len(blocks), 0.3)
    promoted = stage.relabel(blocks, boilerplate, content, clean, "html")
    texts = {blocks[i].text for i, label in enumerate(promoted) if label == "content"}
    assert (
        "Fishermen said the lost week had cost them dearly, but most boats were back at sea by the afternoon." in texts
    )
    assert all(blocks[i].kind == "text" for i, label in enumerate(promoted) if label == "content")
    assert stage.relabel(blocks, boilerplate, content, suspicious, "html") == boilerplate


def test_the_shipped_stage_moves_blocks_only_between_content_and_boilerplate(fixtures_dir, all_cases):
    model = load_model()
    assert model.article is not None and model.metadata["article_model"]["features"] == list(FEATURE_NAMES)
    with_stage, without = Scorer(model), Scorer(replace(model, article=None))
    changed = 0
    for case in all_cases:
        data = (fixtures_dir / case["file"]).read_bytes()
        ours, theirs = with_stage.score(data), without.score(data)
        assert (ours.score, ours.contaminated) == (theirs.score, theirs.contaminated), case["file"]
        assert [(f.label, f.text, f.where) for f in ours.flagged] == [
            (f.label, f.text, f.where) for f in theirs.flagged
        ]
        changed += ours.text != theirs.text
    assert changed, "the stage changed no page's text: is it applied at all?"


@pytest.fixture()
def shipped_copy(tmp_path):
    """The shipped model's files copied into a folder of their own."""
    source = default_model_path()
    for path in (source, metadata_path(source), article_path(source)):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path / source.name


def other_stage(estimators: dict):
    """Replace the article stage of a model by `estimators`, their sha256 recorded."""

    def tamper(model):
        joblib.dump(estimators, article_path(model))
        metadata = json.loads(metadata_path(model).read_text(encoding="utf-8"))
        metadata["article_model"]["sha256"] = file_sha256(article_path(model))
        metadata_path(model).write_text(json.dumps(metadata), encoding="utf-8")

    return tamper


def narrow_estimator():
    """An article estimator fitted, then claiming 3 features."""
    estimator, _ = fitted_estimator(lambda X: X[:, 0] > 0.5)
    estimator.n_features_in_ = 3
    return estimator


def article_entry_replaced_by(value):
    """Replace the metadata's article_model entry by `value`."""

    def tamper(model):
        metadata = json.loads(metadata_path(model).read_text(encoding="utf-8"))
        metadata["article_model"] = value
        metadata_path(model).write_text(json.dumps(metadata), encoding="utf-8")

    return tamper


ARTICLE_TAMPERINGS = {
    "entry-not-an-object": (article_entry_replaced_by(["x"]), "article_model entry is not a JSON object"),
    "missing": (lambda m: article_path(m).unlink(), "is not beside it"),
    "changed": (lambda m: article_path(m).write_bytes(b"other bytes"), "does not match the metadata"),
    "wrong-estimator": (
        other_stage({"html": narrow_estimator(), "text": narrow_estimator()}),
        "is not an article stage",
    ),
    "unfitted": (
        other_stage({"html": build_article_model(), "text": build_article_model()}),
        "is not an article stage",
    ),
    "one-format": (other_stage({"html": fitted_estimator(lambda X: X[:, 0] > 0.5)[0]}), "one model per format"),
}


@pytest.mark.parametrize("name", list(ARTICLE_TAMPERINGS))
def test_a_tampered_article_stage_is_refused(shipped_copy, run_hygiene, fixtures_dir, all_cases, name):
    tamper, reason = ARTICLE_TAMPERINGS[name]
    tamper(shipped_copy)
    with pytest.raises(ModelError, match=reason):
        load_model(shipped_copy)
    run = run_hygiene(["score", str(fixtures_dir / all_cases[0]["file"]), "--model", str(shipped_copy)])
    assert run.code == 2 and run.stdout == "" and len(run.stderr_lines()) == 1 and reason in run.stderr


def test_a_saved_stage_loads_back_with_the_same_probabilities(tmp_path, scorer):
    shipped = load_model()
    out = tmp_path / "again.joblib"
    saved = save_model(shipped.pipeline, out, {"version": "again", "article_model": {"note": "kept"}}, shipped.article)
    again = load_model(out)
    assert saved["article_model"]["note"] == "kept" and saved["article_model"]["sha256"] == file_sha256(
        article_path(out)
    )
    page = scorer.classified(PAGE, "html")
    rows, _ = article_rows(page.blocks, page.labels, page.content, page.contamination)
    for fmt in ("html", "text"):
        np.testing.assert_array_equal(again.article.probabilities(rows, fmt), shipped.article.probabilities(rows, fmt))


def test_a_null_entry_means_no_stage_and_its_file_is_never_read(shipped_copy):
    article_entry_replaced_by(None)(shipped_copy)
    article_path(shipped_copy).write_bytes(b"not a pickle at all")
    assert load_model(shipped_copy).article is None


def test_a_stage_can_be_refitted_over_a_broken_one(shipped_copy):
    article_path(shipped_copy).write_bytes(b"other bytes")
    model = load_model(shipped_copy, article=False)
    assert model.article is None and model.metadata["article_model"]


def test_a_model_saved_without_a_stage_removes_the_stage_an_earlier_one_left(tmp_path):
    shipped = load_model()
    out = tmp_path / "m.joblib"
    save_model(shipped.pipeline, out, {"version": "with", "article_model": {}}, shipped.article)
    assert article_path(out).is_file()
    saved = save_model(shipped.pipeline, out, {"version": "without"})
    assert not article_path(out).exists() and "article_model" not in saved and load_model(out).article is None
