"""The detector as a library: argument types, thresholds, results that serialize, pickling, and the public names."""

from __future__ import annotations

import json
import pickle
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import detector
from detector import ConfigError, HygieneError, InputError, Scorer

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HIJACKED = (FIXTURES / "html" / "zh_cn_hijacked_title.html").read_bytes()
FRENCH = (
    "<html><head><title>Pont</title></head><body><p>Le conseil municipal a approuvé jeudi la construction du "
    "nouveau pont, mettant fin à un débat qui durait depuis près de dix ans.</p></body></html>"
)


@pytest.mark.parametrize("threshold", [np.float64(0.8), np.float32(0.8), Fraction(4, 5), 1])
def test_any_real_threshold_gives_plain_json_results(scorer, threshold):
    """A numpy or fractional threshold is taken as a float: `contaminated` stays a bool, the result plain JSON."""
    custom = Scorer(scorer.model, threshold)
    result = custom.score(HIJACKED)
    assert isinstance(custom.threshold, float) and type(result.contaminated) is bool
    assert json.loads(json.dumps(result.to_dict()))["contaminated"] == result.contaminated


@pytest.mark.parametrize("threshold", ["0.8", None, True, float("nan"), 0, 1.5, np.array([0.8])])
def test_a_threshold_that_is_no_number_in_range_is_a_config_error(scorer, threshold):
    with pytest.raises(ConfigError):
        Scorer(scorer.model, threshold)


def test_the_threshold_cannot_be_changed_behind_the_scorer(scorer):
    with pytest.raises(AttributeError):
        scorer.threshold = 5


@pytest.mark.parametrize(
    "arguments",
    [{"url": 123}, {"url": b"https://example.com/"}, {"content_type": 5}, {"fmt": "pdf"}],
    ids=["int-url", "bytes-url", "int-content-type", "unknown-format"],
)
def test_arguments_of_a_wrong_type_are_hygiene_errors(scorer, arguments):
    with pytest.raises(HygieneError) as caught:
        scorer.score(HIJACKED, **arguments)
    assert "\n" not in str(caught.value)


def test_a_content_type_header_as_bytes_is_read(scorer):
    """Scrapy's headers are bytes: a charset given there decodes an undeclared Latin-1 page."""
    result = scorer.score(FRENCH.encode("latin-1"), content_type=b"text/html; charset=ISO-8859-1")
    assert result.encoding == "cp1252" and "approuvé jeudi" in result.text


@pytest.mark.parametrize("path", [5, "", "  "])
def test_a_model_path_of_a_wrong_type_or_empty_is_a_config_error(path):
    with pytest.raises(ConfigError):
        Scorer.from_path(path)


def test_a_scorer_pickles_as_its_model_file_and_threshold(scorer):
    """A Scorer sent to a spawned process is rebuilt from its (verified) model file: same results."""
    copy = pickle.loads(pickle.dumps(Scorer(scorer.model, 0.7)))
    assert copy.threshold == 0.7 and copy.model.sha256 == scorer.model.sha256
    assert copy.score(HIJACKED).to_dict() == Scorer(scorer.model, 0.7).score(HIJACKED).to_dict()


def test_a_pickled_scorer_keeps_its_model_as_it_was(scorer, tmp_path, monkeypatch):
    """Without its article stage, from a relative path after a change of folder, and refused once the file changed."""
    from dataclasses import replace

    from detector import ModelError

    assert pickle.loads(pickle.dumps(Scorer(replace(scorer.model, article=None)))).model.article is None
    for name in ("joblib", "json", "article.joblib"):
        (tmp_path / f"m.{name}").write_bytes(scorer.model.path.with_name(f"hygiene-base.{name}").read_bytes())
    monkeypatch.chdir(tmp_path)
    data = pickle.dumps(Scorer.from_path("m.joblib"))
    monkeypatch.chdir(tmp_path.parent)
    assert pickle.loads(data).model.sha256 == scorer.model.sha256
    metadata = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    (tmp_path / "m.json").write_text(json.dumps({**metadata, "sha256": "0" * 64}), encoding="utf-8")
    with pytest.raises(ModelError):
        pickle.loads(data)


def test_a_str_page_is_measured_in_utf8_against_the_page_limit(scorer):
    """Six million Chinese characters are 18 MB of UTF-8: over the limit as a str as they are as bytes."""
    page = "<html><body><p>" + "中" * (6 * 1024 * 1024) + "</p></body></html>"
    for data in (page, page.encode("utf-8")):
        with pytest.raises(InputError, match="page limit"):
            scorer.score(data)


def test_surrogate_pairs_are_joined_and_lone_surrogates_replaced(scorer):
    """An emoji given as two surrogates is one character again; a lone one, in the page or the URL, is U+FFFD."""
    text = "The ferry runs again \ud83d\ude00 from Monday, the harbour board said \ud800."
    page = f"<html><body><p>{text}</p></body></html>"
    result = scorer.score(page, url="https://example.com/\udc80")
    assert "\U0001f600" in result.text and "\ufffd" in result.text
    assert result.url == "https://example.com/\ufffd"
    json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")


def test_the_public_names_are_exported_and_typed():
    assert {"Scorer", "ConfigError", "HygieneError", "InputError", "PageResult", "Flag"} <= set(dir(detector))
    assert detector.ConfigError is ConfigError and issubclass(ConfigError, HygieneError)
    assert (Path(detector.__file__).parent / "py.typed").is_file()
