"""The scorer's block probabilities, summed from a table of feature-name weights, are the pipeline's own."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import Pipeline

from detector import classify
from detector.classify import block_classifier
from detector.features import joined_row, joined_rows, page_features
from detector.heldout_pages import HELDOUT_SAMPLES_PATH
from detector.score import read_page, segment_page

HIDDEN_FARM = "<div style='display:none'><a href='http://x.test'>casino</a></div>"


def heldout_pages(count: int) -> list:
    """Features of the first shipped held-out samples (HTML and scraped text, clean and contaminated)."""
    pages = []
    for line in HELDOUT_SAMPLES_PATH.read_text(encoding="utf-8").splitlines()[:count]:
        record = json.loads(line)
        text, fmt, _ = read_page(record.get("html") or record["text"], "html" if "html" in record else "text")
        blocks, title, domain, _ = segment_page(text, fmt, record.get("url"))
        pages.append(page_features(blocks, domain, title, fmt))
    return pages


def test_block_probabilities_are_the_pipelines_predict_proba(scorer):
    """Page after page, HTML and scraped text, the summed scores give the pipeline's own probabilities."""
    pipeline, classifier = scorer.model.pipeline, block_classifier(scorer.model.pipeline)
    pages = heldout_pages(40)
    assert any(any(page.words) for page in pages) and sum(len(page.shapes) for page in pages) > 500
    for page in pages:
        expected = pipeline.predict_proba(joined_rows(page))
        np.testing.assert_allclose(classifier(page), expected, rtol=1e-9, atol=1e-12)


def test_a_one_block_page_sees_no_neighbours_on_either_side(scorer):
    """The only block of a page gets both ends' features, as its joined row has them."""
    page = heldout_pages(1)[0]
    single = type(page)(page.shapes[:1], page.words[:1])
    row = joined_row(single, 0)
    assert "prev:none" in row and "next:none" in row
    expected = scorer.model.pipeline.predict_proba([row])
    np.testing.assert_allclose(block_classifier(scorer.model.pipeline)(single), expected, rtol=1e-9, atol=1e-12)


def test_one_joined_row_is_that_row_of_all_joined_rows():
    """The row computed alone for a flagged block's reasons is the one training sees."""
    page = heldout_pages(3)[2]
    rows = joined_rows(page)
    assert all(joined_row(page, index) == rows[index] for index in range(len(rows)))


def test_the_weight_table_starts_afresh_when_full_and_stays_exact(scorer, monkeypatch):
    """Past its size bound the table is emptied and refilled; the probabilities do not change."""
    monkeypatch.setattr(classify, "MAX_TABLE_NAMES", 300)
    classifier = block_classifier(scorer.model.pipeline)
    for page in heldout_pages(12):
        expected = scorer.model.pipeline.predict_proba(joined_rows(page))
        np.testing.assert_allclose(classifier(page), expected, rtol=1e-9, atol=1e-12)
        names = {name for shape, words in zip(page.shapes, page.words) for name in [*shape, *words]}
        assert len(classifier.rows) <= max(300, len(names))


@pytest.mark.parametrize(
    ("classifier", "alternate_sign"),
    [(LogisticRegression(random_state=0), True), (SGDClassifier(loss="log_loss", random_state=0), False)],
)
def test_other_pipelines_give_their_own_probabilities(classifier, alternate_sign):
    """A hasher that signs its columns is summed with those signs; a pipeline the sum does not describe is
    given the joined rows."""
    pages = heldout_pages(6)
    rows = [row for page in pages for row in joined_rows(page)]
    labels = ["content", "boilerplate", "spam"] * (len(rows) // 3) + ["content"] * (len(rows) % 3)
    hasher = FeatureHasher(n_features=2**12, input_type="dict", alternate_sign=alternate_sign)
    pipeline = Pipeline([("hash", hasher), ("classify", classifier)]).fit(rows, labels)
    expected = pipeline.predict_proba(joined_rows(pages[1]))
    np.testing.assert_allclose(block_classifier(pipeline)(pages[1]), expected, rtol=1e-9, atol=1e-12)


def test_threads_sharing_a_scorer_get_what_one_thread_gets(scorer, monkeypatch):
    """Four threads scoring the same pages in different orders through one scorer, its weight table emptied
    every few pages and threads switched as often as possible, get the results one thread gets."""
    from detector import Scorer

    records = [json.loads(line) for line in HELDOUT_SAMPLES_PATH.read_text(encoding="utf-8").splitlines()[:24]]
    pages = [(record.get("html") or record["text"], "html" if "html" in record else "text") for record in records]
    expected = [scorer.score(data, fmt) for data, fmt in pages]
    monkeypatch.setattr(classify, "MAX_TABLE_NAMES", 200)
    shared = Scorer(scorer.model)
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(4) as pool:
            runs = list(pool.map(lambda start: score_from(shared, pages, start), (0, 6, 12, 18)))
    finally:
        sys.setswitchinterval(previous)
    assert all(run == expected for run in runs)


def score_from(scorer, pages: list, start: int) -> list:
    """Results of every page, scored in turn from page `start` on (threads that start apart meet new feature
    names at different times), in page order."""
    order = list(range(start, len(pages))) + list(range(start))
    results = {at: scorer.score(*pages[at]) for at in order}
    return [results[at] for at in range(len(pages))]


def test_a_block_without_own_features_is_classified_as_the_pipeline_does(scorer):
    """A shape left empty (no page makes one: every block has `bias`) still gets the pipeline's probabilities."""
    page = heldout_pages(2)[1]
    hollow = type(page)(
        [{} if index in (0, len(page.shapes) - 1) else shape for index, shape in enumerate(page.shapes)], page.words
    )
    expected = scorer.model.pipeline.predict_proba(joined_rows(hollow))
    np.testing.assert_allclose(block_classifier(scorer.model.pipeline)(hollow), expected, rtol=1e-9, atol=1e-12)
