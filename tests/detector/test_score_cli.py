"""`hygiene score` as a user runs it: the JSON contract, exit codes, sources (file, stdin, URL), options, report."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from detector import InputError
from detector.settings import DEFAULT_MODEL_NAME, MODELS_DIR

CONTAMINATED_PAGE = "html/zh_cn_hidden_style_class.html"
CLEAN_PAGE = "html/en_neg_hidden_ui.html"
TEXT_PAGE = "text/en_trailing_pharma.txt"
SHIPPED_MODEL = MODELS_DIR / f"{DEFAULT_MODEL_NAME}.joblib"
NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def numbers_in(text: str) -> list[float]:
    """Every number printed in TEXT, percentages as fractions."""
    return [float(n[:-1]) / 100 if n.endswith("%") else float(n) for n in NUMBER.findall(text)]


def shows_number(text: str, value: float) -> bool:
    """True when TEXT prints VALUE, rounded to at least two decimals (or as a percentage)."""
    return any(abs(n - value) <= 0.0051 for n in numbers_in(text))


def report_sections(report: str, sources: list[str]) -> dict[str, str]:
    """Split a readable report into the part about each source (sources appear in input order)."""
    starts = []
    position = 0
    for source in sources:
        position = report.index(source, position)
        starts.append(position)
    ends = starts[1:] + [len(report)]
    return {source: report[start:end] for source, start, end in zip(sources, starts, ends)}


def test_json_contract(run_hygiene, fixtures_dir, record_contract):
    """`--json` prints one object per source with every field of the issue's contract."""
    sources = [str(fixtures_dir / p) for p in (CONTAMINATED_PAGE, CLEAN_PAGE, TEXT_PAGE)]
    run = run_hygiene(["score", "--json", *sources])
    records = run.records()
    assert len(records) == 3 and len(run.stdout.strip().splitlines()) == 3
    for record in records:
        record_contract(record)
    assert [r["format"] for r in records] == ["html", "html", "text"]
    assert [r["source"] for r in records] == sources
    assert run.code == (1 if any(r["contaminated"] for r in records) else 0)


def test_exit_codes_on_expected_pages(run_hygiene, fixtures_dir):
    """A clean page alone exits 0; adding a contaminated page exits 1."""
    assert run_hygiene(["score", str(fixtures_dir / CLEAN_PAGE)]).code == 0
    assert run_hygiene(["score", str(fixtures_dir / CLEAN_PAGE), str(fixtures_dir / CONTAMINATED_PAGE)]).code == 1


def test_error_exit_code_wins_and_others_are_scored(run_hygiene, fixtures_dir, tmp_path):
    """A missing source gives `{source, error}` and exit 2; the other sources are still scored in order."""
    missing = str(tmp_path / "no-such-page.html")
    sources = [str(fixtures_dir / CONTAMINATED_PAGE), missing, str(fixtures_dir / CLEAN_PAGE)]
    run = run_hygiene(["score", "--json", *sources])
    assert run.code == 2
    records = run.records()
    assert [r["source"] for r in records] == sources
    assert set(records[1]) == {"source", "error"}
    assert records[1]["error"].strip() and "\n" not in records[1]["error"]
    assert "score" in records[0] and "score" in records[2]


def test_input_order_preserved(run_hygiene, fixtures_dir, scorer):
    """Records come out in input order, repeated sources included, each scored like the API scores it."""
    pages = [TEXT_PAGE, CLEAN_PAGE, "html/ja_offscreen_counterfeit.html", TEXT_PAGE, "text/zh_tw_neg_clean.txt"]
    sources = [str(fixtures_dir / p) for p in pages]
    records = run_hygiene(["score", "--json", *sources]).records()
    assert [r["source"] for r in records] == sources
    for page, record in zip(pages, records):
        assert record["text"] == scorer.score((fixtures_dir / page).read_bytes()).text


def test_source_reported_as_given(run_hygiene, fixtures_dir):
    """`source` is the argument exactly as typed, relative paths included."""
    given = ["html/ja_neg_clean.html", "./text/zh_tw_neg_clean.txt", "html/../html/en_neg_porn_law.html"]
    records = run_hygiene(["score", "--json", *given], cwd=fixtures_dir).records()
    assert [r["source"] for r in records] == given


def test_cli_matches_api_on_every_fixture(run_hygiene, fixtures_dir, all_cases, score_fixture):
    """One CLI call over every hand-written page gives what the API gives, page by page, in order."""
    sources = [str(fixtures_dir / case["file"]) for case in all_cases]
    run = run_hygiene(["score", "--json", *sources])
    records = run.records()
    assert [r["source"] for r in records] == sources
    for case, record in zip(all_cases, records):
        expected = score_fixture(case)
        assert (record["format"], record["contaminated"], record["title"], record["text"]) == (
            expected.format,
            expected.contaminated,
            expected.title,
            expected.text,
        ), case["file"]
        assert record["score"] == pytest.approx(expected.score), case["file"]
        assert [(f["label"], f["where"]) for f in record["flagged"]] == [(f.label, f.where) for f in expected.flagged]
    assert run.code == (1 if any(r["contaminated"] for r in records) else 0)


def test_format_option_overrides_detection(run_hygiene, fixtures_dir):
    """`--format text` treats HTML as text and `--format html` treats text as HTML (auto: every-fixture test)."""
    html_page, text_page = str(fixtures_dir / CLEAN_PAGE), str(fixtures_dir / TEXT_PAGE)
    forced_text = run_hygiene(["score", "--json", "--format", "text", html_page, text_page]).records()
    forced_html = run_hygiene(["score", "--json", "--format", "html", text_page, html_page]).records()
    assert [r["format"] for r in forced_text] == ["text", "text"]
    assert [r["format"] for r in forced_html] == ["html", "html"]


def test_bad_format_value_is_an_error(run_hygiene, fixtures_dir):
    """An unknown `--format` is refused with exit 2."""
    run = run_hygiene(["score", "--format", "pdf", str(fixtures_dir / CLEAN_PAGE)])
    assert run.code == 2
    assert run.stdout == ""


@pytest.mark.parametrize("page", [CONTAMINATED_PAGE, TEXT_PAGE])
def test_stdin_source(run_hygiene, fixtures_dir, scorer, page):
    """`-` reads the page from stdin; the record says `-` and matches scoring the same bytes."""
    data = (fixtures_dir / page).read_bytes()
    record = run_hygiene(["score", "--json", "-"], stdin=data).records()[0]
    expected = scorer.score(data)
    assert record["source"] == "-"
    assert record["format"] == expected.format
    assert record["text"] == expected.text
    assert record["score"] == pytest.approx(expected.score)


def test_http_url_source(run_hygiene, fixtures_dir, scorer, page_server):
    """An http URL is fetched from a real local server and scored like the same bytes given with that URL."""
    html_bytes = (fixtures_dir / CONTAMINATED_PAGE).read_bytes()
    text_bytes = (fixtures_dir / TEXT_PAGE).read_bytes()
    html_url = page_server.add("/2024/11/farmland.html", html_bytes, "text/html; charset=utf-8")
    text_url = page_server.add("/dump/whale.txt", text_bytes, "text/plain; charset=utf-8")
    records = run_hygiene(["score", "--json", html_url, text_url]).records()
    assert [r["source"] for r in records] == [html_url, text_url]
    assert [r["format"] for r in records] == ["html", "text"]
    expected = scorer.score(html_bytes, url=html_url, content_type="text/html; charset=utf-8")
    assert records[0]["text"] == expected.text
    assert records[0]["contaminated"] == expected.contaminated


def test_http_error_status_is_a_source_error(run_hygiene, fixtures_dir, page_server):
    """A 404 or an unreachable host yields `{source, error}`, exit 2, and the other sources are scored."""
    missing = page_server.url("/gone.html")
    page_server.add("/ok.html", (fixtures_dir / CLEAN_PAGE).read_bytes(), "text/html")
    unreachable = "http://127.0.0.1:9/nothing-listens-here.html"
    sources = [missing, page_server.url("/ok.html"), unreachable]
    run = run_hygiene(["score", "--json", *sources])
    assert run.code == 2
    records = run.records()
    assert [r["source"] for r in records] == sources
    assert set(records[0]) == {"source", "error"} and set(records[2]) == {"source", "error"}
    assert "score" in records[1]


def test_a_url_serving_no_page_is_a_source_error(run_hygiene, fixtures_dir, page_server):
    """A PDF behind a URL is refused by its media type (the crawler drops it too), even when its bytes would pass
    for text; the other sources are still scored, a page sent as application/octet-stream among them."""
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    pdf = page_server.add("/timetable.pdf", body, "application/pdf")
    page = page_server.add("/ok.html", (fixtures_dir / CLEAN_PAGE).read_bytes(), "text/html")
    generic = page_server.add("/story", (fixtures_dir / CLEAN_PAGE).read_bytes(), "application/octet-stream")
    run = run_hygiene(["score", "--json", pdf, page, generic])
    assert run.code == 2
    records = run.records()
    assert records[0] == {"source": pdf, "error": f"{pdf}: served as application/pdf, not an HTML or text page"}
    assert "score" in records[1]
    assert records[2]["format"] == "html", "a generic media type is read by its bytes, as the crawler does"


def test_broken_servers_and_bad_urls_are_source_errors(run_hygiene, fixtures_dir, page_server):
    """A malformed URL, a server answering garbage, a body cut short of its Content-Length and a redirect loop are
    each one `{source, error}` line; the page between them is still scored."""
    body = (fixtures_dir / CLEAN_PAGE).read_bytes()
    garbage = page_server.add("/garbage", b"", None, raw=b"this is not HTTP at all\r\n\r\n")
    short = page_server.add("/short.html", body[:500], "text/html", headers=(("Content-Length", str(len(body))),))
    loop = page_server.add("/loop", b"", None, status=302, headers=(("Location", "/loop"),))
    page = page_server.add("/ok.html", body, "text/html")
    sources = ["http://[::1/story.html", garbage, short, loop, page]
    run = run_hygiene(["score", "--json", *sources])
    assert run.code == 2
    records = run.records()
    assert [r["source"] for r in records] == sources
    for record in records[:4]:
        assert set(record) == {"source", "error"}, record
        assert "\n" not in record["error"]
    assert "short of its Content-Length" in records[2]["error"]
    assert "score" in records[4]


def test_a_gzip_coded_answer_is_read(run_hygiene, fixtures_dir, scorer, page_server):
    """A server that gzips its answer although none was asked for: the page is scored as its plain bytes."""
    body = (fixtures_dir / CONTAMINATED_PAGE).read_bytes()
    coded = page_server.add("/story.html", gzip.compress(body), "text/html", headers=(("Content-Encoding", "gzip"),))
    record = run_hygiene(["score", "--json", coded]).records()[0]
    assert record["text"] == scorer.score(body, url=coded, content_type="text/html").text


def test_a_gzip_coded_answer_cut_short_is_a_source_error(run_hygiene, fixtures_dir, page_server):
    """A gzip-coded answer whose stream stops half-way (its Content-Length matching the cut) is refused, not scored
    as if whole."""
    coded = gzip.compress((fixtures_dir / CONTAMINATED_PAGE).read_bytes())
    cut = coded[: len(coded) // 2]
    url = page_server.add("/cut.html", cut, "text/html", headers=(("Content-Encoding", "gzip"),))
    record = run_hygiene(["score", "--json", url]).records()[0]
    assert record == {"source": url, "error": f"{url}: the gzip body is cut short"}


def test_closed_stdin_and_full_stdout_are_one_error_line(run_hygiene, fixtures_dir):
    """`-` with standard input closed, and a report written to a full disk, give one error line and exit 2."""
    closed = subprocess.run(
        [sys.executable, "-m", "hygiene", "score", "-"],
        capture_output=True,
        timeout=120,
        preexec_fn=lambda: os.close(0),
    )
    assert closed.returncode == 2
    assert closed.stderr.decode().strip().splitlines() == ["hygiene: error: -: standard input is closed"]
    page = str(fixtures_dir / CLEAN_PAGE)
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "hygiene", "score", "--json", page], stdout=full, stderr=subprocess.PIPE, timeout=120
        )
    assert proc.returncode == 2
    assert proc.stderr.decode().strip().splitlines() == ["hygiene: error: I/O: No space left on device"]


def test_threshold_option(run_hygiene, fixtures_dir, record_contract):
    """`--threshold` moves the verdict and the flags, never the page score."""
    page = str(fixtures_dir / CONTAMINATED_PAGE)
    by_threshold = {}
    for threshold in (0.01, 0.5, 0.999):
        record = run_hygiene(["score", "--json", "--threshold", str(threshold), page]).records()[0]
        record_contract(record, threshold=threshold)
        by_threshold[threshold] = record
    scores = {r["score"] for r in by_threshold.values()}
    assert len(scores) == 1
    flagged = {t: {(f["where"], f["label"]) for f in r["flagged"]} for t, r in by_threshold.items()}
    assert flagged[0.999] <= flagged[0.5] <= flagged[0.01]


@pytest.mark.parametrize("value", ["1.5", "abc"])
def test_bad_threshold_is_an_error(run_hygiene, fixtures_dir, value):
    """A threshold outside 0..1 or not a number is refused: exit 2, one error line, nothing scored."""
    run = run_hygiene(["score", "--json", "--threshold", value, str(fixtures_dir / CLEAN_PAGE)])
    assert run.code == 2
    assert run.stdout == ""
    errors = [line for line in run.stderr_lines() if "error" in line]
    assert len(errors) == 1 and "threshold" in errors[0], run.stderr
    assert errors[0].startswith("hygiene: error: score: ") and errors[0].endswith("(see hygiene score --help)")


def test_model_option_and_reported_hash(run_hygiene, fixtures_dir):
    """The result names the model it used: `sha256` is the hash of the model file, by default and with --model."""
    assert SHIPPED_MODEL.is_file(), f"shipped model missing: {SHIPPED_MODEL}"
    page = str(fixtures_dir / CLEAN_PAGE)
    default = run_hygiene(["score", "--json", page]).records()[0]
    explicit = run_hygiene(["score", "--json", "--model", str(SHIPPED_MODEL), page]).records()[0]
    assert default["model"]["sha256"] == file_sha256(SHIPPED_MODEL)
    assert explicit["model"] == default["model"]


def test_missing_model_is_one_error_line(run_hygiene, fixtures_dir, tmp_path):
    """`--model` pointing nowhere: exit 2, exactly one `hygiene: error:` line, no output."""
    run = run_hygiene(["score", "--model", str(tmp_path / "nope.joblib"), str(fixtures_dir / CLEAN_PAGE)])
    assert run.code == 2
    assert run.stdout == ""
    assert len(run.stderr_lines()) == 1 and run.stderr_lines()[0].startswith("hygiene: error:"), run.stderr


def test_corrupt_model_is_one_error_line(run_hygiene, fixtures_dir, tmp_path):
    """A model file that is not a model: exit 2, exactly one `hygiene: error:` line."""
    corrupt = tmp_path / "broken.joblib"
    corrupt.write_bytes(b"\x80\x04this is not a pickled pipeline\x00\xff" * 50)
    run = run_hygiene(["score", "--model", str(corrupt), str(fixtures_dir / CLEAN_PAGE)])
    assert run.code == 2
    assert len(run.stderr_lines()) == 1 and run.stderr_lines()[0].startswith("hygiene: error:"), run.stderr


def test_deeply_nested_model_metadata_is_one_error_line(run_hygiene, fixtures_dir, tmp_path):
    """Metadata JSON nested 200,000 deep beside a model file: exit 2, one error line, no traceback."""
    model = tmp_path / "deep.joblib"
    model.write_bytes(b"whatever")
    model.with_suffix(".json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    run = run_hygiene(["score", "--model", str(model), str(fixtures_dir / CLEAN_PAGE)])
    assert run.code == 2
    metadata = model.with_suffix(".json")
    assert run.stderr_lines() == [f"hygiene: error: {metadata}: unreadable metadata (nested too deeply)"]


def test_readable_report(run_hygiene, fixtures_dir):
    """Without --json: per source the verdict, the score and each flagged block's label, place and reasons."""
    sources = [str(fixtures_dir / p) for p in (CONTAMINATED_PAGE, CLEAN_PAGE, TEXT_PAGE)]
    records = run_hygiene(["score", "--json", *sources]).records()
    report = run_hygiene(["score", *sources])
    assert report.code == (1 if any(r["contaminated"] for r in records) else 0)
    sections = report_sections(report.stdout, sources)
    for record in records:
        section = sections[record["source"]]
        verdict = "contaminated" if record["contaminated"] else "clean"
        assert verdict in section.lower(), section
        assert shows_number(section, record["score"]), (record["score"], section)
        for flag in record["flagged"]:
            assert flag["label"] in section and flag["where"] in section, (flag, section)
            assert shows_number(section, flag["probability"]), (flag["probability"], section)
            assert all(reason in section for reason in flag["reasons"]), (flag["reasons"], section)


def test_console_script(fixtures_dir):
    """The installed `hygiene` console script runs the same command."""
    script = Path(sys.executable).parent / "hygiene"
    assert script.exists(), script
    proc = subprocess.run(
        [str(script), "score", "--json", str(fixtures_dir / CLEAN_PAGE)], capture_output=True, timeout=600
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert b"Traceback" not in proc.stderr
    assert proc.stdout.count(b"\n") == 1 and b'"score"' in proc.stdout


def test_help_names_the_options(run_hygiene):
    """`hygiene score --help` documents every option of the issue."""
    run = run_hygiene(["score", "--help"])
    assert run.code == 0
    for option in ("--json", "--format", "--model", "--threshold"):
        assert option in run.stdout


def test_url_schemes_are_read_in_any_case_and_others_refused(run_hygiene, fixtures_dir, page_server):
    """`HTTP://` is fetched like `http://`; `ftp://` and `file://` are refused as schemes, not looked up as files."""
    url = page_server.add("/ok.html", (fixtures_dir / CLEAN_PAGE).read_bytes(), "text/html")
    upper = "HTTP://" + url.removeprefix("http://")
    sources = [upper, "ftp://127.0.0.1/story.html", f"file://{fixtures_dir / CLEAN_PAGE}"]
    records = run_hygiene(["score", "--json", *sources]).records()
    assert "score" in records[0], records[0]
    for source, record in zip(sources[1:], records[1:]):
        scheme = source.split(":")[0]
        assert record == {
            "source": source,
            "error": f"{source}: unsupported URL scheme {scheme!r} (read are file paths, http(s) URLs, -)",
        }


def test_a_server_trickling_bytes_meets_the_download_deadline(monkeypatch):
    """A server that answers, then sends a byte now and then (each read within the read timeout) is cut off at the
    whole download's deadline, with one error."""
    from detector import fetch

    class Trickle(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"<p>")
                self.wfile.flush()
                time.sleep(0.1)

        def log_message(self, format: str, *args) -> None:
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(fetch, "FETCH_DEADLINE_S", 0.5)
    url = f"http://127.0.0.1:{server.server_address[1]}/slow"
    started = time.monotonic()
    try:
        with pytest.raises(InputError, match="took longer than"):
            fetch.read_source(url)
    finally:
        server.shutdown()
    assert time.monotonic() - started < 5


def test_stdin_given_twice_is_an_error_for_the_second(run_hygiene, fixtures_dir):
    """`-` twice: the first reads standard input, the second says it was already read (not "empty page")."""
    body = (fixtures_dir / CLEAN_PAGE).read_bytes()
    run = run_hygiene(["score", "--json", "-", "-"], stdin=body)
    first, second = run.records()
    assert "score" in first
    assert second == {"source": "-", "error": "-: standard input was already read by an earlier -"}
    assert run.code == 2


def test_an_error_line_to_a_full_stderr_still_exits_2(fixtures_dir, tmp_path):
    """An unreadable source with stderr on a full disk: the error cannot be written, the exit code still says it."""
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "hygiene", "score", str(tmp_path / "missing.html")], stderr=full, timeout=120
        )
    assert proc.returncode == 2


def _save_pipeline(path: Path, labels: list[str]) -> None:
    """A small hashed-features logistic regression over LABELS, saved with verified metadata."""
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from detector.model import save_model

    rows = [{"bias": 1.0, f"x{i}": 1.0} for i in range(len(labels))]
    pipeline = Pipeline([("hash", FeatureHasher(2**10)), ("classify", LogisticRegression())]).fit(rows, labels)
    save_model(pipeline, path, {"version": "custom"})


@pytest.mark.parametrize("labels", [["content", "spam"], ["boilerplate", "content", "spam", "nonsense"]])
def test_a_vouched_for_model_without_the_four_labels_is_one_error_line(run_hygiene, fixtures_dir, tmp_path, labels):
    """A pipeline whose metadata checks out but whose classes are not the four labels: exit 2, one error line."""
    model = tmp_path / "custom.joblib"
    _save_pipeline(model, labels)
    run = run_hygiene(["score", "--model", str(model), str(fixtures_dir / CLEAN_PAGE)])
    assert run.code == 2
    assert run.stderr_lines() == [
        f"hygiene: error: {model}: not a scraper-hygiene block classifier (a fitted pipeline over the four labels)"
    ]


def test_a_model_whose_version_is_no_string_is_one_error_line(run_hygiene, fixtures_dir, tmp_path):
    """Metadata whose `version` is an object (and so would be printed as such) is refused."""
    import json

    model = tmp_path / "custom.joblib"
    _save_pipeline(model, ["boilerplate", "content", "spam", "tag-noise"])
    metadata = json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))
    model.with_suffix(".json").write_text(json.dumps({**metadata, "version": {"x": [1]}}), encoding="utf-8")
    run = run_hygiene(["score", "--model", str(model), str(fixtures_dir / CLEAN_PAGE)])
    assert run.code == 2
    assert run.stderr_lines() == [f"hygiene: error: {model.with_suffix('.json')}: its version is not a string"]


def test_a_model_path_that_is_no_joblib_file_says_so(run_hygiene, fixtures_dir, tmp_path):
    """`--model` naming a model's metadata JSON, or a folder, is told apart from a tampered model."""
    metadata = SHIPPED_MODEL.with_suffix(".json")
    run = run_hygiene(["score", "--model", str(metadata), str(fixtures_dir / CLEAN_PAGE)])
    assert run.code == 2 and run.stderr_lines() == [
        f"hygiene: error: {metadata}: not a model file (a model is a .joblib file, its .json metadata beside it)"
    ]
    run = run_hygiene(["score", "--model", str(tmp_path), str(fixtures_dir / CLEAN_PAGE)])
    assert run.code == 2 and run.stderr_lines() == [f"hygiene: error: {tmp_path}: is a folder, not a model file"]


def test_a_missing_file_is_told_before_the_model_loads(tmp_path):
    """A mistyped file name is reported without loading scikit-learn and the model (seconds of start-up)."""
    code = (
        "import sys; from hygiene.cli import main; code = main(['score', 'missing.html']); "
        "print('sklearn' in sys.modules, code)"
    )
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert run.stdout.split() == ["False", "2"] and run.stderr == "hygiene: error: missing.html: no such file\n"
