"""Quality on hand-written pages the model never saw: verdict, spam removed, article kept, per fixture.

Each page and what it must give is in fixtures/expectations.json; every check is parametrized per page so
a miss shows up by name.
"""

from __future__ import annotations

import html

import pytest

from detector import Flag, PageResult


def describe(result: PageResult) -> str:
    """One-paragraph summary of a result for assertion messages: score, verdict and what was flagged."""
    flags = "; ".join(f"{f.label} p={f.probability:.2f} @{f.where}: {f.text[:60]!r}" for f in result.flagged)
    return f"score={result.score:.3f} contaminated={result.contaminated} flagged=[{flags}]"


def squeeze(text: str) -> str:
    """TEXT with every run of whitespace (full-width spaces and newlines included) made one space."""
    return " ".join(text.split())


def raw_source(fixtures_dir, case: dict) -> str:
    """The fixture as a reader sees it: decoded, HTML entities resolved, whitespace squeezed."""
    text = (fixtures_dir / case["file"]).read_text(encoding="utf-8")
    return squeeze(html.unescape(text) if case["format"] == "html" else text)


def test_fixture_is_consistent(fixtures_dir, page_case):
    """Every spam and keep string really occurs in the page, and no keep string holds spam."""
    source = raw_source(fixtures_dir, page_case)
    assert [s for s in page_case["spam"] if s not in source] == []
    assert [k for k in page_case["keep"] if k not in source] == []
    assert page_case["keep"], "each page names article text that must survive"
    assert not [(s, k) for s in page_case["spam"] for k in page_case["keep"] if s in k]
    if not page_case["contaminated"]:
        assert page_case["spam"] == [] and "labels" not in page_case


def test_format_detected(score_fixture, page_case):
    """`fmt="auto"` tells HTML from already-scraped text."""
    assert score_fixture(page_case).format == page_case["format"]


def test_verdict(score_fixture, page_case):
    """Contaminated pages are called contaminated, clean ones (hard negatives included) clean."""
    result = score_fixture(page_case)
    assert result.contaminated is page_case["contaminated"], f"{page_case['shape']}: {describe(result)}"


def test_verdict_agrees_with_flags(score_fixture, page_case):
    """A contaminated page says what is contaminated; a clean page flags nothing."""
    result = score_fixture(page_case)
    assert bool(result.flagged) is result.contaminated, describe(result)


def test_flags_are_explained(score_fixture, page_case):
    """Each flagged block is a Flag with a contamination label, a place, a probability and reasons."""
    for flag in score_fixture(page_case).flagged:
        assert isinstance(flag, Flag)
        assert flag.label in ("tag-noise", "spam"), flag
        assert flag.where.strip(), flag
        assert 0.0 <= flag.probability <= 1.0, flag
        assert flag.reasons and all(r.strip() for r in flag.reasons), flag


def test_spam_removed_from_text(score_fixture, page_case):
    """No injected spam string survives in the clean article text."""
    result = score_fixture(page_case)
    leaked = [s for s in page_case["spam"] if s in squeeze(result.text)]
    assert leaked == [], f"{page_case['shape']}: {describe(result)}"


def test_spam_not_in_title(score_fixture, page_case):
    """The reported title carries none of the injected spam (hijacked titles included)."""
    result = score_fixture(page_case)
    leaked = [s for s in page_case["spam"] if s in result.title]
    assert leaked == [], f"title={result.title!r}"


def test_article_kept(score_fixture, page_case):
    """Every article paragraph named in the expectations is in the clean text, whole."""
    result = score_fixture(page_case)
    missing = [k[:50] for k in page_case["keep"] if k not in squeeze(result.text)]
    assert missing == [], f"{len(missing)}/{len(page_case['keep'])} paragraphs lost; {describe(result)}"


def test_title(score_fixture, page_case):
    """The title of an HTML page is its headline."""
    if "title" not in page_case:
        pytest.skip("no title expectation for this page")
    result = score_fixture(page_case)
    assert page_case["title"] in result.title, f"title={result.title!r}"


def test_expected_labels_flagged(score_fixture, page_case):
    """Tag runs are flagged as tag-noise and spam wording as spam."""
    if "labels" not in page_case:
        pytest.skip("no label expectation for this page")
    result = score_fixture(page_case)
    labels = {flag.label for flag in result.flagged}
    assert set(page_case["labels"]) <= labels, describe(result)


def test_clean_text_has_no_markup_debris(score_fixture, page_case):
    """Clean text holds no literal tags of the injected kind (they leak via `<noframes>` and text copies)."""
    result = score_fixture(page_case)
    debris = [tag for tag in ("<var ", "<dfn ", "<samp ", "<address ", "</menuitem>", "<rp ") if tag in result.text]
    assert debris == [], describe(result)
