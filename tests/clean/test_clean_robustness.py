"""`hygiene clean` on hostile input: lone surrogates, brotli bodies, truncated WARCs, shared quarantine files."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import brotli
import pytest
from warcio.statusandheaders import StatusAndHeaders

from detector.settings import FEATURE_VERSION
from hygiene.corpus import warc

ARTICLE_END = "according to the regional council."


def strict_json(line: str) -> dict:
    """Parse a line as standard JSON: NaN and Infinity are refused."""
    return json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in output"))


def documents(kit, count: int) -> list[dict]:
    """JSONL documents with an id and a page; every third is contaminated."""
    return [{"id": f"doc-{i}", "html": kit.article_html(i, contaminated=i % 3 == 0)} for i in range(count)]


def skipped_lines(stderr: str) -> list[str]:
    """The `... skipped: ...` report lines of a run."""
    return [line for line in stderr.splitlines() if ": skipped: " in line]


# ---------------------------------------------------------------- lone surrogates, NaN


def test_lone_surrogates_become_replacement_characters_and_the_record_is_cleaned(kit, tmp_path, model_path):
    page = kit.article_html(1).replace("officials said", "officials \\ud83d said")
    lines = [
        '{"id": "text", "text": "A paragraph about the harbour \\ud83d and the boats.", "note": "\\ud800"}',
        json.dumps({"id": "html", "html": page}).replace("\\\\ud83d", "\\ud83d"),
        '{"id": "key", "\\udc80key": ["\\udfff", {"deep": "\\ud800"}], "text": "The storm hit the coast."}',
    ]
    source = kit.write_jsonl(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 0, run.stderr
    docs = [strict_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["id"] for d in docs] == ["text", "html", "key"]
    assert docs[0]["note"] == "\ufffd" and "harbour \ufffd and" in docs[0]["text"]
    assert "officials \ufffd said" in docs[1]["text"] and ARTICLE_END in docs[1]["text"]
    assert docs[2]["\ufffdkey"] == ["\ufffd", {"deep": "\ufffd"}]


def test_nan_and_infinity_in_carried_fields_are_written_as_null(kit, tmp_path, model_path):
    line = '{"id": 1, "a": NaN, "b": -Infinity, "c": [Infinity, 1e999, 2.5], "text": "The storm hit the coast."}'
    source = kit.write_jsonl(tmp_path / "in.jsonl", [line])
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 0, run.stderr
    (doc,) = [strict_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (doc["a"], doc["b"], doc["c"]) == (None, None, [None, None, 2.5])


def test_an_input_name_that_is_not_utf8_is_written_with_a_replacement_and_resumes(kit, tmp_path, model_path):
    source = tmp_path / os.fsdecode(b"caf\xe9.jsonl")
    kit.write_jsonl(source, documents(kit, 2))
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 0, run.stderr
    docs = kit.read_output(out)
    assert [d["source"]["file"] for d in docs] == [str(tmp_path / "caf\ufffd.jsonl")] * 2
    again = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert again.returncode == 0, again.stderr
    assert "cleaned 0 pages" in again.stderr and len(kit.read_output(out)) == 2


# ---------------------------------------------------------------- WARC: brotli, truncation, wrong lengths


def warc_with_headers(writer, url: str, body: bytes, headers: list[tuple[str, str]]) -> None:
    """Append one HTML response record with extra HTTP headers."""
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"), *headers], protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http)
    writer.write_record(record)


@pytest.mark.parametrize("name,compressed", [("crawl.warc.gz", True), ("crawl.warc", False)])
def test_brotli_bodies_are_decoded_and_a_cut_one_is_reported(kit, tmp_path, model_path, name, compressed):
    source = tmp_path / name
    writer, handle = kit.new_warc(source, compressed)
    br = [("Content-Encoding", "br")]
    with handle:
        warc_with_headers(writer, "https://x.example/0.html", brotli.compress(kit.article_html(0).encode()), br)
        chunked = brotli.compress(kit.article_html(1).encode())
        body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunked), chunked)
        warc_with_headers(writer, "https://x.example/1.html", body, [*br, ("Transfer-Encoding", "chunked")])
        warc_with_headers(writer, "https://x.example/2.html", kit.article_html(2).encode(), br)
        cut = brotli.compress(kit.article_html(3).encode())[:-30]
        warc_with_headers(writer, "https://x.example/3.html", cut, br)
        warc_with_headers(writer, "https://x.example/4.html", kit.article_html(4).encode(), [])
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    docs = kit.read_output(out)
    assert [d["url"][-6:] for d in docs] == ["0.html", "1.html", "2.html", "4.html"]
    assert all(f"statement number {i}." in d["text"] for i, d in zip((0, 1, 2, 4), docs))
    (skipped,) = skipped_lines(run.stderr)
    assert skipped.startswith(f"hygiene: {source}@") and "brotli body cut short" in skipped


def article_warc(kit, path: Path, compressed: bool, count: int = 4) -> list[int]:
    """Write a WARC of `count` article pages; return the offset where each record starts."""
    writer, handle = kit.new_warc(path, compressed)
    with handle:
        for i in range(count):
            kit.warc_response(writer, f"https://news.example.com/{i}.html", kit.article_html(i).encode())
    data = path.read_bytes()
    magic = b"\x1f\x8b\x08" if compressed else b"WARC/1."
    return [i for i in range(len(data)) if data.startswith(magic, i)]


def read_all(path: Path) -> tuple[list[str], list[tuple[int, str]]]:
    """URLs of the pages read from a WARC and (offset, message) of each record reported."""
    records = list(warc.read_warc(str(path)))
    return [r.url for r in records if r.error is None], [(r.position, r.error) for r in records if r.error]


@pytest.mark.parametrize("compressed", [True, False])
def test_a_warc_cut_anywhere_in_its_last_record_reports_it_or_reads_it_whole(kit, tmp_path, capfd, compressed):
    path = tmp_path / ("crawl.warc.gz" if compressed else "crawl.warc")
    starts = article_warc(kit, path, compressed)
    data = path.read_bytes()
    pages = [record.payload for record in warc.read_warc(str(path))]
    for end in range(starts[3] + 1, len(data)):
        path.write_bytes(data[:end])
        records = list(warc.read_warc(str(path)))
        read = [record.payload for record in records if record.error is None]
        reported = [record.position for record in records if record.error is not None]
        assert (read, reported) in ((pages[:3], [starts[3]]), (pages, [])), f"cut at {end}"
    assert "WARNING" not in capfd.readouterr().err


@pytest.mark.parametrize("compressed", [True, False])
def test_a_warc_cut_inside_the_first_record_header_is_reported(kit, tmp_path, compressed):
    path = tmp_path / ("crawl.warc.gz" if compressed else "crawl.warc")
    article_warc(kit, path, compressed)
    path.write_bytes(path.read_bytes()[:40])
    urls, errors = read_all(path)
    assert urls == [] and [offset for offset, _ in errors] == [0]


def replace_content_length(data: bytes, start: int, new_length: bytes) -> bytes:
    """The WARC `data` with the Content-Length of the record at `start` replaced."""
    begin = data.index(b"Content-Length: ", start) + len(b"Content-Length: ")
    return data[:begin] + new_length + data[data.index(b"\r\n", begin) :]


@pytest.mark.parametrize("delta", [99999999999, -40])
def test_a_wrong_content_length_is_reported_and_the_next_records_are_kept(kit, tmp_path, capfd, delta):
    path = tmp_path / "crawl.warc"
    starts = article_warc(kit, path, compressed=False)
    data = path.read_bytes()
    begin = data.index(b"Content-Length: ", starts[1]) + len(b"Content-Length: ")
    length = int(data[begin : data.index(b"\r\n", begin)])
    path.write_bytes(replace_content_length(data, starts[1], str(length + delta).encode()))
    urls, errors = read_all(path)
    assert urls == [f"https://news.example.com/{i}.html" for i in (0, 2, 3)]
    assert [offset for offset, _ in errors] == [starts[1]]
    assert "Content-Length" in errors[0][1]
    assert "WARNING" not in capfd.readouterr().err


def test_a_cut_gzip_warc_gives_one_report_line_and_exit_1(kit, tmp_path, model_path):
    source = tmp_path / "crawl.warc.gz"
    starts = article_warc(kit, source, compressed=True)
    source.write_bytes(source.read_bytes()[: starts[2] + 200])
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert [d["url"][-6:] for d in kit.read_output(out)] == ["0.html", "1.html"]
    (skipped,) = skipped_lines(run.stderr)
    assert skipped.startswith(f"hygiene: {source}@{starts[2]}: skipped: WARC record cut short")


def test_a_warc_gzipped_whole_is_read_and_resumed(kit, tmp_path, model_path):
    plain = tmp_path / "crawl.warc"
    article_warc(kit, plain, compressed=False)
    source = tmp_path / "crawl.warc.gz"
    source.write_bytes(gzip.compress(plain.read_bytes()))
    reference, out = tmp_path / "reference.jsonl", tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", reference, "--model", model_path, "--workers", "1")
    assert run.returncode == 0, run.stderr
    assert [d["url"][-6:] for d in kit.read_output(reference)] == [f"{i}.html" for i in range(4)]
    out.write_bytes(b"".join(reference.read_bytes().splitlines(keepends=True)[:2]))
    resumed = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert resumed.returncode == 0 and "cleaned 2 pages" in resumed.stderr, resumed.stderr
    assert out.read_bytes() == reference.read_bytes()


def test_a_warc_gzipped_whole_and_cut_short_is_read_up_to_near_the_cut(kit, tmp_path, model_path):
    """The records of the last block read before the cut (some kB) are lost with it; the cut is reported."""
    plain = tmp_path / "crawl.warc"
    starts = article_warc(kit, plain, compressed=False, count=100)
    source = tmp_path / "crawl.warc.gz"
    source.write_bytes(gzip.compress(plain.read_bytes()[: starts[99] + 300])[:-20])
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    urls = [d["url"] for d in kit.read_output(out)]
    assert 50 <= len(urls) < 100 and urls == [f"https://news.example.com/{i}.html" for i in range(len(urls))]
    (skipped,) = skipped_lines(run.stderr)
    assert skipped.startswith(f"hygiene: {source}@{starts[len(urls)]}: skipped: ")


def test_a_2xx_response_without_content_type_is_read_by_its_bytes(kit, tmp_path, model_path):
    source = tmp_path / "crawl.warc"
    writer, handle = kit.new_warc(source, compressed=False)
    with handle:
        for url, body in [("page.html", kit.article_html(0).encode()), ("image", b"\x89PNG\r\n\x1a\n" + bytes(300))]:
            http = StatusAndHeaders("200 OK", [], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                f"https://x.example/{url}", "response", payload=io.BytesIO(body), length=len(body), http_headers=http
            )
            writer.write_record(record)
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 1, run.stderr
    (doc,) = kit.read_output(out)
    assert doc["url"] == "https://x.example/page.html" and ARTICLE_END in doc["text"]
    (skipped,) = skipped_lines(run.stderr)
    assert "binary data, not a web page or text" in skipped
    assert "cleaned 1 pages (0 contaminated, 1 skipped)" in run.stderr


# ---------------------------------------------------------------- quarantine files are never emptied


def test_an_existing_quarantine_file_is_appended_to_even_without_its_last_newline(kit, tmp_path, model_path):
    dirty = kit.write_jsonl(tmp_path / "dirty.jsonl", documents(kit, 4))
    other = kit.write_jsonl(tmp_path / "other.jsonl", documents(kit, 7)[4:])
    quarantine = tmp_path / "q.jsonl"
    first = kit.hygiene("clean", dirty, "-o", tmp_path / "a.jsonl", "--quarantine", quarantine, "--model", model_path)
    assert first.returncode == 0, first.stderr
    assert [d["id"] for d in kit.read_output(quarantine)] == ["doc-0", "doc-3"]
    quarantine.write_bytes(quarantine.read_bytes().rstrip(b"\n"))
    new = tmp_path / "new.jsonl"
    second = kit.hygiene("clean", other, "-o", new, "--quarantine", quarantine, "--model", model_path)
    assert second.returncode == 0, second.stderr
    assert [d["id"] for d in kit.read_output(quarantine)] == ["doc-0", "doc-3", "doc-6"]


def test_a_resumed_run_does_not_quarantine_a_document_twice(kit, tmp_path, model_path):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 6))
    out, quarantine = tmp_path / "out.jsonl", tmp_path / "q.jsonl"
    args = ["clean", source, "-o", out, "--quarantine", quarantine, "--model", model_path, "--workers", "1"]
    assert kit.hygiene(*args).returncode == 0
    reference = out.read_bytes()
    out.write_bytes(b"".join(reference.splitlines(keepends=True)[:3]) + b'{"id": "doc-3", "sou')
    run = kit.hygiene(*args)
    assert run.returncode == 0, run.stderr
    assert out.read_bytes() == reference
    assert [d["id"] for d in kit.read_output(quarantine)] == ["doc-0", "doc-3"]


@pytest.mark.parametrize("option", ["-o", "--quarantine"])
def test_a_one_line_file_without_its_newline_that_is_not_hygiene_output_is_refused_untouched(
    kit, tmp_path, model_path, option
):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 2))
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"notes")
    out = notes if option == "-o" else tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--quarantine", tmp_path / "q.jsonl", "--model", model_path)
    if option == "--quarantine":
        run = kit.hygiene("clean", source, "-o", out, "--quarantine", notes, "--model", model_path)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert f"{notes} exists but its last line is not" in run.stderr
    assert notes.read_bytes() == b"notes"


def test_a_lone_cut_line_is_still_cut_and_redone(kit, tmp_path, model_path):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 2))
    reference, out = tmp_path / "reference.jsonl", tmp_path / "out.jsonl"
    assert kit.hygiene("clean", source, "-o", reference, "--model", model_path, "--workers", "1").returncode == 0
    out.write_bytes(reference.read_bytes()[:25])
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 0, run.stderr
    assert out.read_bytes() == reference.read_bytes()


def test_a_quarantine_file_of_another_kind_is_refused_untouched(kit, tmp_path, model_path):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 2))
    quarantine = tmp_path / "notes.jsonl"
    quarantine.write_text('{"note": "mine"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--quarantine", quarantine, "--model", model_path)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1
    assert "not a `hygiene clean` quarantine line" in run.stderr
    assert quarantine.read_text(encoding="utf-8") == '{"note": "mine"}\n' and not out.exists()


# ---------------------------------------------------------------- options and odd outputs


def test_the_same_input_twice_is_refused(kit, tmp_path, model_path):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 1))
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, tmp_path / "." / "in.jsonl", "-o", out, "--model", model_path)
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 2 and len(lines) == 1 and "give each input once" in lines[0]
    assert not out.exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_bad_model_creates_no_output_file(kit, tmp_path, workers):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 1))
    out, quarantine = tmp_path / "out.jsonl", tmp_path / "q.jsonl"
    args = ["-o", out, "--quarantine", quarantine, "--workers", workers]
    run = kit.hygiene("clean", source, *args, "--model", "MISSING.joblib")
    assert run.returncode == 2 and "no such model file" in run.stderr
    assert not out.exists() and not quarantine.exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_model_that_cannot_be_unpickled_creates_no_output_file(kit, tmp_path, workers):
    """A model file its metadata vouches for (sha256, feature version) that still fails to load: the workers find
    out, and the run stops before an output file is opened."""
    model = tmp_path / "m.joblib"
    model.write_bytes(b"not a pickle at all" * 10)
    metadata = {"sha256": hashlib.sha256(model.read_bytes()).hexdigest(), "feature_version": FEATURE_VERSION}
    model.with_suffix(".json").write_text(json.dumps(metadata), encoding="utf-8")
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 3))
    out, quarantine = tmp_path / "out.jsonl", tmp_path / "q.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--quarantine", quarantine, "--workers", workers, "--model", model)
    assert run.returncode == 2 and "cannot load" in run.stderr, run.stderr
    assert not out.exists() and not quarantine.exists()


def test_dev_null_is_a_valid_output(kit, tmp_path, model_path):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 2))
    run = kit.hygiene("clean", source, "-o", os.devnull, "--model", model_path)
    assert run.returncode == 0, run.stderr
    assert "cleaned 2 pages" in run.stderr


def test_a_closed_stderr_does_not_stop_the_run(kit, tmp_path, model_path):
    source = kit.write_jsonl(tmp_path / "in.jsonl", [*documents(kit, 2), "not json"])
    out = tmp_path / "out.jsonl"
    run = subprocess.run(
        [sys.executable, "-m", "hygiene", "clean", str(source), "-o", str(out), "--model", str(model_path)],
        env=kit.child_env(),
        stdout=subprocess.PIPE,
        preexec_fn=lambda: os.close(2),
        timeout=120,
    )
    assert run.returncode == 1 and run.stdout == b""
    assert [d["id"] for d in kit.read_output(out)] == ["doc-0", "doc-1"]


# ---------------------------------------------------------------- resuming with the inputs in another order


@pytest.mark.parametrize("first,again", [("ab", "ba"), ("abc", "bac")])
def test_a_resume_with_the_inputs_in_another_order_is_refused(kit, tmp_path, model_path, first, again):
    paths = {name: kit.write_jsonl(tmp_path / f"{name}.jsonl", documents(kit, 3)) for name in "abc"}
    out = tmp_path / "out.jsonl"
    full = kit.hygiene("clean", *(paths[name] for name in first), "-o", out, "--model", model_path, "--workers", "1")
    assert full.returncode == 0, full.stderr
    out.write_bytes(b"".join(out.read_bytes().splitlines(keepends=True)[:-1]))
    before = out.read_bytes()
    run = kit.hygiene("clean", *(paths[name] for name in again), "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "re-run with the same inputs in the same order" in run.stderr
    assert out.read_bytes() == before
    same = kit.hygiene("clean", *(paths[name] for name in first), "-o", out, "--model", model_path, "--workers", "1")
    assert same.returncode == 0 and "cleaned 1 pages" in same.stderr, same.stderr


# ---------------------------------------------------------------- JSON Lines fields


def test_binary_pages_in_json_strings_are_refused(kit, tmp_path, model_path):
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n" + bytes(range(256)) * 8
    gz = gzip.compress(kit.article_html(5).encode() * 3)
    lines = [
        {"id": "pdf", "html": pdf.decode("latin-1")},
        {"id": "gzip", "html": gz.decode("latin-1")},
        {"id": "nul", "text": "text\u0000with\u0000nul\u0000bytes\u0000" * 50},
        {"id": "good", "html": kit.article_html(1)},
    ]
    source = kit.write_jsonl(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 1, run.stderr
    assert [d["id"] for d in kit.read_output(out)] == ["good"]
    assert [line.split(": skipped: ") for line in skipped_lines(run.stderr)] == [
        [f"hygiene: {source}:{n}", "binary data, not a web page or text"] for n in (1, 2, 3)
    ]


def test_a_null_html_field_counts_as_absent(kit, tmp_path, model_path):
    text = "The storm hit the northern coast on Monday, officials said in a statement."
    source = kit.write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "html": None, "text": text}])
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 0, run.stderr
    (doc,) = kit.read_output(out)
    assert doc["html"] is None and "northern coast" in doc["text"]


def test_input_fields_named_like_output_fields_are_warned_about_once(kit, tmp_path, model_path):
    lines = [
        {"id": 0, "source": "commoncrawl", "title": "mine", "html": kit.article_html(0)},
        {"id": 1, "source": "commoncrawl", "title": "mine", "html": kit.article_html(1)},
        {"id": 2, "html": kit.article_html(2)},
    ]
    source = kit.write_jsonl(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 0, run.stderr
    (warning,) = [line for line in run.stderr.splitlines() if "warning" in line]
    assert warning.startswith(f"hygiene: warning: {source}:1: input field(s) 'source', 'title' replaced")
    docs = kit.read_output(out)
    assert [list(d)[:3] for d in docs[:2]] == [["id", "source", "title"]] * 2
    assert all(d["source"] == {"file": str(source), "line": i + 1} for i, d in enumerate(docs))
