"""`hygiene clean` end to end: real child processes on JSONL and WARC files made here."""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def documents(kit, count: int, start: int = 0) -> list[dict]:
    """JSONL documents with an id, a url, an extra field to carry and a page (every third contaminated)."""
    return [
        {
            "id": f"doc-{i}",
            "url": f"https://news.example.com/{i}.html",
            "lang": "en",
            "html": kit.article_html(i, contaminated=i % 3 == 0),
        }
        for i in range(start, start + count)
    ]


def test_jsonl_is_cleaned_in_order_with_fields_carried(kit, tmp_path, model_path):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 6))
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 0, run.stderr
    docs = kit.read_output(out)
    assert [d["id"] for d in docs] == [f"doc-{i}" for i in range(6)]
    assert [d["source"]["line"] for d in docs] == list(range(1, 7))
    assert all(d["lang"] == "en" and d["url"].endswith(f"/{i}.html") for i, d in enumerate(docs))
    assert all("html" not in d for d in docs)
    assert "officials said in a statement number 4." in docs[4]["text"]
    assert [d["contaminated"] for d in docs] == [i % 3 == 0 for i in range(6)]
    assert all(d["flags"] for d in docs if d["contaminated"])
    assert "cleaned 6 pages (2 contaminated, 0 skipped)" in run.stderr


def test_bad_lines_in_the_middle_are_reported_and_skipped(kit, tmp_path, model_path):
    good = documents(kit, 4)
    lines = [
        good[0],
        good[1],
        '{"id": "broken", "html": "<p>unterminated',
        {"id": "no-page", "url": "u"},
        good[2],
        {"id": "empty", "html": "  "},
        ["not", "an", "object"],
        '{"id": "deep", "html": ' + "[" * 200_000 + "]" * 200_000 + "}",
        good[3],
    ]
    source = kit.write_jsonl(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 1
    skipped = [line for line in run.stderr.splitlines() if ": skipped: " in line]
    assert [line.split(": skipped: ")[0] for line in skipped] == [f"hygiene: {source}:{n}" for n in (3, 4, 6, 7, 8)]
    assert "not valid JSON" in skipped[0] and "field 'text' missing" in skipped[1]
    assert "empty page" in skipped[2] and "not a JSON object" in skipped[3] and "nested too deeply" in skipped[4]
    assert [d["id"] for d in kit.read_output(out)] == ["doc-0", "doc-1", "doc-2", "doc-3"]
    assert "Traceback" not in run.stderr


def test_text_field_and_gzipped_jsonl(kit, tmp_path, model_path):
    text = "First paragraph about the harbour and the boats.\nSecond paragraph about the weather."
    source = tmp_path / "in.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": 1, "text": text, "html": "<p>ignored</p>"}) + "\n")
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--field", "text", "--workers", "1")
    assert run.returncode == 0, run.stderr
    (doc,) = kit.read_output(out)
    assert doc["id"] == 1 and "html" in doc and "harbour" in doc["text"]


def write_mixed_warc(kit, path: Path, compressed: bool) -> None:
    """Three HTML pages among a request, an image, a 404 and a binary page claiming to be HTML."""
    writer, handle = kit.new_warc(path, compressed)
    with handle:
        kit.warc_request(writer, "https://news.example.com/0.html")
        kit.warc_response(writer, "https://news.example.com/0.html", kit.article_html(0, True).encode())
        kit.warc_response(writer, "https://news.example.com/logo.png", b"\x89PNG\r\n", content_type="image/png")
        kit.warc_response(writer, "https://news.example.com/binary.html", b"\x89PNG\x00\x00\x00\rIHDR\x00\x00" * 100)
        kit.warc_response(
            writer,
            "https://news.example.com/1.html",
            kit.article_html(1).encode("gb18030"),
            content_type="text/html; charset=gb18030",
        )
        kit.warc_response(writer, "https://news.example.com/gone.html", b"<p>gone</p>", status="404 Not Found")
        kit.warc_response(writer, "https://news.example.com/2.html", kit.article_html(2).encode())


@pytest.mark.parametrize("name,compressed", [("crawl.warc.gz", True), ("crawl.warc", False)])
def test_warc_html_responses_are_cleaned_and_a_binary_one_skipped(kit, tmp_path, model_path, name, compressed):
    source = tmp_path / name
    write_mixed_warc(kit, source, compressed)
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 1
    docs = kit.read_output(out)
    assert [d["url"] for d in docs] == [f"https://news.example.com/{i}.html" for i in range(3)]
    assert all(d["warc_record_id"].startswith("<urn:uuid:") for d in docs)
    assert docs[0]["contaminated"] and not docs[1]["contaminated"]
    assert "statement number 1." in docs[1]["text"]
    offsets = [d["source"]["offset"] for d in docs]
    assert offsets == sorted(offsets) and offsets[0] > 0
    (skipped,) = [line for line in run.stderr.splitlines() if ": skipped: " in line]
    assert skipped.startswith(f"hygiene: {source}@") and "binary" in skipped


def write_article_warc(kit, path: Path, count: int) -> Path:
    """A gzipped WARC of `count` clean article pages, one gzip member per record."""
    writer, handle = kit.new_warc(path, compressed=True)
    with handle:
        for i in range(count):
            kit.warc_response(writer, f"https://news.example.com/{i}.html", kit.article_html(i).encode())
    return path


def test_corrupt_warc_record_in_the_middle_is_skipped_and_reading_resumes(kit, tmp_path, model_path):
    source = write_article_warc(kit, tmp_path / "crawl.warc.gz", 5)
    data = bytearray(source.read_bytes())
    members = [i for i in range(len(data)) if data[i : i + 3] == b"\x1f\x8b\x08"]
    assert len(members) == 5
    middle = members[2]
    data[middle + 20 : middle + 60] = b"\x00" * 40
    source.write_bytes(bytes(data))
    out = tmp_path / "out.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 1
    assert [d["url"][-6:] for d in kit.read_output(out)] == ["0.html", "1.html", "3.html", "4.html"]
    (skipped,) = [line for line in run.stderr.splitlines() if ": skipped: " in line]
    assert skipped.startswith(f"hygiene: {source}@{middle}: skipped: unreadable WARC record")


def test_two_workers_keep_input_order_and_match_one_worker(kit, tmp_path, model_path):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 90))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert kit.hygiene("clean", source, "-o", one, "--model", model_path, "--workers", "1").returncode == 0
    run = kit.hygiene("clean", source, "-o", two, "--model", model_path, "--workers", "2")
    assert run.returncode == 0, run.stderr
    assert [d["id"] for d in kit.read_output(two)] == [f"doc-{i}" for i in range(90)]
    assert two.read_text(encoding="utf-8") == one.read_text(encoding="utf-8")


def test_quarantine_holds_contaminated_documents_with_their_raw_page(kit, tmp_path, model_path):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 9))
    out, quarantine = tmp_path / "out.jsonl", tmp_path / "quarantine.jsonl"
    run = kit.hygiene("clean", source, "-o", out, "--quarantine", quarantine, "--model", model_path, "--workers", "2")
    assert run.returncode == 0, run.stderr
    held = kit.read_output(quarantine)
    assert [d["id"] for d in held] == [d["id"] for d in kit.read_output(out) if d["contaminated"]]
    assert [d["id"] for d in held] == ["doc-0", "doc-3", "doc-6"]
    assert all('<noframes id="' in d["raw"] for d in held)


def wait_for_lines(path: Path, count: int, process: subprocess.Popen, deadline_s: float = 60) -> None:
    """Wait until `path` holds at least `count` newline characters (the run is still going)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        assert process.poll() is None, "the run ended before it could be interrupted"
        time.sleep(0.01)
    raise AssertionError(f"{path} never reached {count} lines")


def default_sigint() -> None:
    """In the child before exec: take Ctrl-C as a terminal's foreground job does, whatever pytest inherited.

    A background job of a shell without job control starts with SIGINT ignored; Python then installs no
    KeyboardInterrupt handler and the SIGINT this test sends would be ignored.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig,workers", [(signal.SIGKILL, "1"), (signal.SIGINT, "2"), (signal.SIGTERM, "2")])
def test_interrupted_run_resumes_to_the_same_output(kit, tmp_path, model_path, sig, workers):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 1500))
    reference, out, quarantine = tmp_path / "reference.jsonl", tmp_path / "out.jsonl", tmp_path / "q.jsonl"
    args = ["clean", str(source), "--model", str(model_path), "--workers", workers, "--quarantine", str(quarantine)]
    process = subprocess.Popen(
        [sys.executable, "-m", "hygiene", *args, "-o", str(out)],
        env=kit.child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    wait_for_lines(out, 40, process)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == (-signal.SIGKILL if sig == signal.SIGKILL else 130), stderr
    if sig != signal.SIGKILL:
        assert stderr.splitlines()[-1] == "hygiene: interrupted" and "Traceback" not in stderr
    interrupted_lines = out.read_bytes().count(b"\n")
    assert 40 <= interrupted_lines < 1500
    resumed = kit.hygiene("clean", *args[1:], "-o", out, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming after" in resumed.stderr
    assert f"cleaned {1500 - interrupted_lines} pages" in resumed.stderr
    full = kit.hygiene("clean", source, "-o", reference, "--model", model_path, "--workers", workers, timeout=300)
    assert full.returncode == 0
    assert out.read_bytes() == reference.read_bytes()
    held = [d["id"] for d in kit.read_output(quarantine)]
    assert held == [d["id"] for d in kit.read_output(reference) if d["contaminated"]]


def test_partial_last_line_is_cut_and_redone(kit, tmp_path, model_path):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 5))
    reference, out = tmp_path / "reference.jsonl", tmp_path / "out.jsonl"
    assert kit.hygiene("clean", source, "-o", reference, "--model", model_path, "--workers", "1").returncode == 0
    full = reference.read_bytes()
    cut = full.rfind(b"\n", 0, len(full) - 1) + 1 + 30
    out.write_bytes(full[:cut])
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "1")
    assert run.returncode == 0, run.stderr
    assert f"resuming after {source} line 4" in run.stderr
    assert out.read_bytes() == full


def test_resume_of_a_warc_seeks_past_the_last_record(kit, tmp_path, model_path):
    source = write_article_warc(kit, tmp_path / "crawl.warc.gz", 6)
    reference, out = tmp_path / "reference.jsonl", tmp_path / "out.jsonl"
    assert kit.hygiene("clean", source, "-o", reference, "--model", model_path, "--workers", "1").returncode == 0
    lines = reference.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:2]))
    run = kit.hygiene("clean", source, "-o", out, "--model", model_path, "--workers", "2")
    assert run.returncode == 0, run.stderr
    assert "cleaned 4 pages" in run.stderr
    assert out.read_bytes() == reference.read_bytes()


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--workers", "2", "--model", "MISSING.joblib"], "no such model file"),
        (["--workers", "1", "--model", "MISSING.joblib"], "no such model file"),
        (["--threshold", "0"], "clean: argument --threshold: must be in (0, 1], got 0 (see hygiene clean --help)"),
        (["--workers", "0"], "clean: argument --workers: must be 1 or more, got 0 (see hygiene clean --help)"),
        (["MISSING.jsonl"], "no such input file: MISSING.jsonl"),
        (["tests"], "tests is a directory, not an input file"),
    ],
)
def test_bad_options_give_one_error_line_and_exit_2(kit, tmp_path, model_path, extra, message):
    source = kit.write_jsonl(tmp_path / "in.jsonl", documents(kit, 2))
    run = kit.hygiene("clean", source, *extra, "-o", tmp_path / "out.jsonl")
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 2
    assert len(lines) == 1 and lines[0].startswith("hygiene: error: ") and message in lines[0]


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_a_file_that_is_no_warc_is_one_error_line(kit, tmp_path, compress):
    """Random bytes named .warc (or gzipped as .warc.gz) are refused before any work: no skipped-record line holding
    warcio's raw dump of the bytes."""
    noise = bytes((n * 97 + 13) % 256 for n in range(3000))
    source = tmp_path / ("noise.warc.gz" if compress else "noise.warc")
    source.write_bytes(gzip.compress(noise) if compress else noise)
    run = kit.hygiene("clean", source, "-o", tmp_path / "out.jsonl")
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert run.stderr.startswith(f"hygiene: error: {source}: not a WARC file (it does not start with a WARC record")
    assert not (tmp_path / "out.jsonl").exists()


def test_unknown_suffix_and_foreign_output_are_refused(kit, tmp_path, model_path):
    source = kit.write_jsonl(tmp_path / "in.data", documents(kit, 1))
    run = kit.hygiene("clean", source, "-o", tmp_path / "out.jsonl", "--model", model_path)
    assert run.returncode == 2 and "pass --format" in run.stderr
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text('{"something": "else"}\n', encoding="utf-8")
    run = kit.hygiene("clean", source, "--format", "jsonl", "-o", foreign, "--model", model_path)
    assert run.returncode == 2 and "is not `hygiene clean` output" in run.stderr
    assert foreign.read_text(encoding="utf-8") == '{"something": "else"}\n'


@pytest.mark.parametrize(
    "start", [b"WARC/1.1\r\n", b"WARC/0.18\r\n", b"\r\n\r\nWARC/1.0\r\n", b"filedesc://crawl.arc 0.0.0.0"]
)
def test_older_warc_versions_and_arc_files_are_not_refused(tmp_path, start):
    """warcio reads WARC 0.17/0.18 and ARC files: the no-WARC check lets them through to it."""
    from hygiene.corpus.warc import check_warc_start

    for name, data in (("a.warc", start + b"rest"), ("a.warc.gz", gzip.compress(start + b"rest"))):
        (tmp_path / name).write_bytes(data)
        check_warc_start(str(tmp_path / name))
