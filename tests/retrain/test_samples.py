"""The labelled-sample format: what a valid line becomes, and a one-line error naming line and field for each
kind of bad line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detector.dataset import LabelledPage
from detector.errors import SampleError
from detector.heldout_pages import labelled_samples, load_articles
from detector.labels import gold_labels
from detector.samples import contamination_labels, load_samples
from detector.score import read_page, segment_page

PAGE = (
    '<html><head><title>Ferry</title></head><body><nav><a href="/">Home</a></nav>'
    '<div id="x1"><i id="x1"></i><b id="x1"></b></div>'
    "<article><p>The ferry will run two fewer crossings a day from next month.</p>"
    "<p><b>cá cược bóng đá nhà cái uy tín</b></p>"
    "<p>Residents of the island said they would be hit hardest.</p></article></body></html>"
)
ARTICLE = (
    "The ferry will run two fewer crossings a day from next month.\n"
    "Residents of the island said they would be hit hardest."
)
GOOD = {
    "url": "https://www.harbour.com/a.html",
    "html": PAGE,
    "contamination": ['<div id="x1"><i id="x1"></i>', "cá cược bóng đá nhà cái uy tín"],
    "article": ARTICLE,
}


def write_lines(path: Path, lines: list) -> Path:
    """Write each item as a line: dicts as JSON, str/bytes as they are."""
    with path.open("wb") as handle:
        for line in lines:
            if isinstance(line, dict):
                line = json.dumps(line, ensure_ascii=False)
            handle.write(line if isinstance(line, bytes) else line.encode("utf-8"))
            handle.write(b"\n")
    return path


def labels_of(page: LabelledPage) -> list[tuple[str, str | None]]:
    """(block text, gold label) of every block of a sample page."""
    text, fmt, _ = read_page(page.data, page.fmt)
    blocks = segment_page(text, fmt, page.url)[0]
    return list(zip([b.text for b in blocks], gold_labels(blocks, page.article, page.texts, page.ids, page.markups)))


def test_a_valid_line_labels_its_blocks(tmp_path):
    page = load_samples([write_lines(tmp_path / "s.jsonl", [GOOD])])[0]
    assert (page.fmt, page.site, page.group) == ("html", "harbour.com", "html/contaminated")
    assert page.ids == ["x1", "x1"] and page.contaminated
    labels = dict(labels_of(page))
    assert labels["cá cược bóng đá nhà cái uy tín"] == "spam"
    assert labels["The ferry will run two fewer crossings a day from next month."] == "content"
    assert labels["Home"] == "boilerplate"
    assert "tag-noise" in labels.values()


def test_without_article_only_contamination_and_structure_are_labelled(tmp_path):
    record = {k: v for k, v in GOOD.items() if k != "article"}
    page = load_samples([write_lines(tmp_path / "s.jsonl", [record])])[0]
    labels = dict(labels_of(page))
    assert labels["cá cược bóng đá nhà cái uy tín"] == "spam"
    assert labels["The ferry will run two fewer crossings a day from next month."] is None
    assert labels["Home"] is None


def test_text_samples_and_clean_pages(tmp_path):
    lines = [
        {
            "text": 'Line one of the story.\n<listing id="qq7"></listing><strike id="qq7"></strike>\nLine two.',
            "contamination": ['<listing id="qq7"></listing><strike id="qq7"></strike>'],
            "group": "mine",
        },
        {
            "text": "Line one of the story.\nLine two.",
            "contamination": [],
            "article": "Line one of the story.\nLine two.",
        },
    ]
    dirty, clean = load_samples([write_lines(tmp_path / "s.jsonl", lines)])
    assert dirty.group == "mine" and dirty.ids == ["qq7", "qq7"]
    assert dict(labels_of(dirty))['<listing id="qq7"></listing><strike id="qq7"></strike>'] == "tag-noise"
    assert not clean.contaminated and clean.group == "text/clean"
    assert {label for _, label in labels_of(clean)} == {"content"}


def test_sample_labels_agree_with_the_generators_records():
    """The shipped held-out pages, labelled from their `contamination` substrings, get exactly the gold labels
    that the generator's own records of what it injected give."""
    disagreements, blocks_seen = [], 0
    for line, injections in labelled_samples(load_articles()):
        fmt = "html" if "html" in line else "text"
        text, _, _ = read_page(line[fmt], fmt)
        blocks = segment_page(text, fmt, line["url"])[0]
        texts = [t for inj in injections for t in inj.texts]
        ids = [i for inj in injections for i in inj.ids]
        markups = [inj.markup for inj in injections if inj.markup]
        expected = gold_labels(blocks, line["article"], texts, ids, markups)
        got = gold_labels(blocks, line["article"], *contamination_labels(line["contamination"], fmt))
        blocks_seen += len(blocks)
        disagreements += [(line["group"], b.text[:60], e, g) for b, e, g in zip(blocks, expected, got) if e != g]
    assert blocks_seen > 2000
    assert not disagreements, disagreements[:5]


BAD_LINES = [
    ("not-json", b'{"html": "<p>x</p>", ', "line 2: not valid JSON"),
    ("not-object", b'["<p>x</p>"]', "line 2: expected a JSON object, got list"),
    ("not-utf8", '{"text": "caf\u00e9", "contamination": []}'.encode("latin-1"), "line 2: not UTF-8"),
    ("missing-page", {"url": "https://a.com/x", "contamination": []}, "line 2: html: missing page"),
    ("both-pages", {"html": "<p>x</p>", "text": "x", "contamination": []}, "line 2: text: give either"),
    ("page-not-string", {"html": ["<p>x</p>"], "contamination": []}, "line 2: html: expected a string, got list"),
    ("empty-page", {"text": "  ", "contamination": []}, "line 2: text: empty page"),
    ("no-contamination", {"text": "some text"}, "line 2: contamination: missing"),
    ("contamination-string", {"text": "some text", "contamination": "some"}, "line 2: contamination: expected a list"),
    (
        "item-not-string",
        {"text": "some text", "contamination": ["some", 3]},
        "line 2: contamination[1]: expected a string, got number",
    ),
    ("item-empty", {"text": "some text", "contamination": [""]}, "line 2: contamination[0]: empty string"),
    (
        "not-found",
        {"text": "some text", "contamination": ["other"]},
        'line 2: contamination[0]: not found in the page: "other"',
    ),
    (
        "article-type",
        {"text": "some text", "contamination": [], "article": 5},
        "line 2: article: expected a string, got number",
    ),
    (
        "url-type",
        {"text": "some text", "contamination": [], "url": False},
        "line 2: url: expected a string, got boolean",
    ),
    ("unknown-field", {"text": "some text", "contamination": [], "artcle": "x"}, "line 2: artcle: unknown field"),
    (
        "contamination-covers-article",
        {"html": "<div>" + PAGE + "</div>", "contamination": [PAGE], "article": ARTICLE},
        "line 2: contamination: ",
    ),
    (
        "article-holds-contamination",
        {"html": PAGE.replace("<body>", "<body> "), "contamination": ["cá cược bóng đá nhà cái uy tín"],
         "article": ARTICLE + "\ncá cược bóng đá nhà cái uy tín"},
        "is also in the article: a text cannot be both",
    ),
    ("duplicate", GOOD, "line 2: html: duplicate page (same as"),
    ("huge-number", b'{"text": "x", "contamination": [], "url": ' + b"1" * 5000 + b"}", "line 2: not readable JSON"),
    ("deep-nesting", b'{"text": "x", "contamination": [], "group": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "line 2: not readable JSON (nested too deeply)"),
]


@pytest.mark.parametrize("line, message", [(b[1], b[2]) for b in BAD_LINES], ids=[b[0] for b in BAD_LINES])
def test_each_bad_sample_line_is_named_with_its_field(tmp_path, line, message):
    samples = write_lines(tmp_path / "bad.jsonl", [GOOD, line])
    with pytest.raises(SampleError) as caught:
        load_samples([samples])
    assert str(caught.value).startswith(f"{samples} line 2: ") and message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("command", ["evaluate", "train"])
@pytest.mark.parametrize("name", ["not-found", "duplicate"])
def test_bad_samples_exit_2_with_one_line(tmp_path, run_hygiene, small_model, command, name):
    line, message = next((b[1], b[2]) for b in BAD_LINES if b[0] == name)
    samples = write_lines(tmp_path / "bad.jsonl", [GOOD, line])
    out = tmp_path / "out" / "m.joblib"
    out.parent.mkdir()
    args = ["--model", small_model] if command == "evaluate" else ["--out", out, "--no-base"]
    run = run_hygiene(command, samples, *args)
    assert run.code == 2 and run.stdout == ""
    assert len(run.stderr_lines()) == 1 and run.stderr.startswith(f"hygiene: error: {samples} {message}"), run.stderr
    assert not list(out.parent.iterdir())


@pytest.mark.parametrize("content", [b"", b"\n\n"], ids=["empty", "blank-lines"])
def test_a_file_without_samples_is_an_error(tmp_path, content):
    samples = tmp_path / "none.jsonl"
    samples.write_bytes(content)
    with pytest.raises(SampleError, match=f"^{samples}: no samples$"):
        load_samples([samples])


def test_missing_sample_file(tmp_path, run_hygiene, small_model):
    run = run_hygiene("evaluate", tmp_path / "nope.jsonl", "--model", small_model)
    assert run.code == 2 and len(run.stderr_lines()) == 1 and "nope.jsonl: cannot read" in run.stderr


def test_a_short_contamination_word_may_also_stand_in_the_article(tmp_path):
    """A keyword link "casino" beside a story about casinos: the labels do not contradict each other."""
    page = PAGE.replace("Residents", "Casino residents").replace("</article>", '</article><a href="/c">Casino</a>')
    article = ARTICLE.replace("Residents", "Casino residents")
    line = {"url": "https://www.harbour.com/b.html", "html": page, "contamination": ["Casino"], "article": article}
    [sample] = load_samples([write_lines(tmp_path / "ok.jsonl", [line])])
    assert sample.texts == ["Casino"] and sample.article == article


def test_a_page_with_a_lone_surrogate_is_a_sample_like_any_other(tmp_path):
    """A lone surrogate escaped in the JSON (`\\ud800`, as some scrapers write broken characters) is no crash: it
    becomes U+FFFD, and the page still reads as its blocks (it used to read as no text at all)."""
    line = json.dumps({**GOOD, "html": PAGE.replace("next month", "next \ud800 month"), "group": "g\ud800"})
    samples = write_lines(tmp_path / "s.jsonl", [line])
    pages = load_samples([samples])
    assert len(pages) == 1 and pages[0].contaminated
    assert "next \ufffd month" in pages[0].data and pages[0].group == "g\ufffd"
    assert "The ferry will run two fewer crossings a day from next \ufffd month." in dict(labels_of(pages[0]))


def test_the_site_of_a_sample_is_its_domain_however_the_url_is_written(tmp_path):
    """A URL without its scheme, or on a suffix no public list has (`.example`, `.test`, an intranet's `.local`), still
    names its site by domain (not one site per line, nor `example` for every `*.example` site); a page without URL is
    a site of its own, named by its file's name and line whatever path the file was given by."""
    pages = [
        {**GOOD, "url": "www.harbour.com/a.html"},
        {**GOOD, "url": "https://news.dailyharbor.example/a.html", "html": PAGE + " "},
        {**GOOD, "url": "http://valley.test/b", "html": PAGE + "  "},
        {key: value for key, value in GOOD.items() if key != "url"} | {"html": PAGE + "   "},
    ]
    samples = write_lines(tmp_path / "s.jsonl", pages)
    sites = [page.site for page in load_samples([tmp_path / ".." / tmp_path.name / "s.jsonl"])]
    assert sites == ["harbour.com", "dailyharbor.example", "valley.test", "s.jsonl line 4"]
    assert samples.is_file()
    with pytest.raises(SampleError, match="line 1: url: no host name in"):
        load_samples([write_lines(tmp_path / "bad.jsonl", [{**GOOD, "url": "https:///a.html"}])])


def test_train_refuses_to_overwrite_what_it_reads(tmp_path, run_hygiene, small_model):
    """Samples named `my.json` beside `--out my.joblib` would become its metadata, and an `--out` that is a folder
    cannot be written: both are refused before training, and the samples survive."""
    samples = write_lines(tmp_path / "my.json", [GOOD])
    before = samples.read_bytes()
    run = run_hygiene("train", samples, "--out", tmp_path / "my.joblib", "--base", small_model)
    assert run.code == 2 and len(run.stderr_lines()) == 1 and "would overwrite" in run.stderr, run.stderr
    assert samples.read_bytes() == before
    (tmp_path / "folder.joblib").mkdir()
    run = run_hygiene("train", samples, "--out", tmp_path / "folder.joblib", "--base", small_model)
    assert run.code == 2 and "is a folder" in run.stderr, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.joblib", "my.json"]


def test_a_sample_page_that_cannot_be_read_is_left_out_with_a_warning(tmp_path, run_hygiene, small_model):
    """A page the scorer refuses (nested deeper than it reads) is named in a warning, and the rest is trained on."""
    deep = {"url": "https://deep.example/a.html", "html": "<div>" * 400 + "x" + "</div>" * 400, "contamination": []}
    samples = write_lines(tmp_path / "s.jsonl", [GOOD, deep])
    run = run_hygiene("train", samples, "--out", tmp_path / "m.joblib", "--base", small_model, "--holdout", "0")
    assert run.code == 0, run.stderr
    warnings = [line for line in run.stderr_lines() if "cannot be read" in line]
    assert len(warnings) == 1 and f"{samples} line 2" in warnings[0], run.stderr
    assert "trained on 1 sample pages" in run.stdout, run.stdout
