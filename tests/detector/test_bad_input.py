"""Bad input answered with one error line (or a `{source, error}` record) and exit 2, never a traceback.

The inputs are built at test time: empty, PNG bytes, random bytes with and without NULs, a gzipped page, a page
with random bytes in its article, HTML cut mid-tag, 20 MB pages,
10,000-deep nesting. Good sources in the same call must still be scored.
"""

from __future__ import annotations

import gzip
import random
import struct
import zlib
from pathlib import Path

import pytest

from detector import InputError

GOOD_PAGE = "html/en_neg_porn_law.html"
HUGE_BYTES = 20 * 1024 * 1024
DEPTH = 10_000


def png_bytes() -> bytes:
    """A real 64x64 grey PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 64, 64, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + bytes([128]) * 64 for _ in range(64)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def random_bytes_with_nuls() -> bytes:
    """8 KB of seeded random bytes with a NUL every 64 bytes."""
    noise = bytearray(random.Random(20240501).randbytes(8192))
    noise[::64] = b"\x00" * len(noise[::64])
    return bytes(noise)


def random_bytes_without_nuls() -> bytes:
    """8 KB of seeded random bytes with no NUL at all (compressed data and media hold few)."""
    return bytes(byte or 1 for byte in random.Random(20241130).randbytes(8192))


def binary_inside_article(good: bytes) -> bytes:
    """A real page with 50 KB of random bytes (no NULs) written into its article."""
    cut = good.index(b"</p>")
    return good[:cut] + random_bytes_without_nuls() * 6 + good[cut:]


def truncated_html(good: bytes) -> bytes:
    """A real page cut in the middle of a tag inside the article."""
    cut = good.index(b'<p class="byline">') + len(b"<p cla")
    return good[:cut]


def huge_html() -> bytes:
    """A well-formed news page of more than 20 MB."""
    paragraph = b"<p>The council met again on Tuesday to discuss the budget for the coming year.</p>\n"
    body = paragraph * (HUGE_BYTES // len(paragraph) + 1)
    return (
        b"<!DOCTYPE html><html><head><title>Budget</title></head><body><article>" + body + b"</article></body></html>"
    )


def huge_text() -> bytes:
    """More than 20 MB of already-scraped text."""
    line = "市议会周二再次开会讨论明年的预算安排，多名议员发言。\n".encode()
    return line * (HUGE_BYTES // len(line) + 1)


def deep_html() -> bytes:
    """A page whose body nests 10,000 elements deep."""
    return b"<html><body>" + b"<div>" * DEPTH + b"deep" + b"</div>" * DEPTH + b"</body></html>"


@pytest.fixture(scope="session")
def bad_inputs(tmp_path_factory, fixtures_dir) -> dict[str, Path]:
    """Every kind of bad input written once to a temporary folder."""
    folder = tmp_path_factory.mktemp("bad-input")
    good = (fixtures_dir / GOOD_PAGE).read_bytes()
    contents = {
        "empty.html": b"",
        "image.png": png_bytes(),
        "random-nul.bin": random_bytes_with_nuls(),
        "random.bin": random_bytes_without_nuls(),
        "page.html.gz": gzip.compress(good, mtime=0),
        "binary-article.html": binary_inside_article(good),
        "truncated.html": truncated_html(good),
        "huge.html": huge_html(),
        "huge.txt": huge_text(),
        "deep.html": deep_html(),
    }
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    return {name: folder / name for name in contents}


BAD_NAMES = [
    "empty.html",
    "image.png",
    "random-nul.bin",
    "random.bin",
    "page.html.gz",
    "binary-article.html",
    "truncated.html",
    "huge.html",
    "huge.txt",
    "deep.html",
]


def assert_one_line_error(message: str) -> None:
    """An error message is one non-empty line."""
    assert message.strip() and "\n" not in message.strip(), repr(message)


def test_bad_sources_give_error_records_and_others_are_scored(run_hygiene, fixtures_dir, bad_inputs):
    """`--json`: each bad source is `{source, error}`, the good sources between them are scored, exit 2."""
    good = [str(fixtures_dir / GOOD_PAGE), str(fixtures_dir / "text/zh_tw_neg_clean.txt")]
    bad = [str(bad_inputs[name]) for name in BAD_NAMES]
    sources = [good[0], *bad, good[1]]
    run = run_hygiene(["score", "--json", *sources])
    assert run.code == 2
    records = run.records()
    assert [r["source"] for r in records] == sources
    not_refused = [r["source"] for r in records[1:-1] if set(r) != {"source", "error"}]
    assert not_refused == []
    for record in records[1:-1]:
        assert_one_line_error(record["error"])
    assert "score" in records[0] and "score" in records[-1]


def test_bad_sources_give_one_error_line_each(run_hygiene, fixtures_dir, bad_inputs):
    """Readable mode: one `hygiene: error:` line per bad source, naming it; the good source still reported."""
    good = str(fixtures_dir / GOOD_PAGE)
    run = run_hygiene(["score", *(str(bad_inputs[name]) for name in BAD_NAMES), good])
    assert run.code == 2
    lines = run.stderr_lines()
    assert all(line.startswith("hygiene: error:") for line in lines), run.stderr
    unnamed = [name for name in BAD_NAMES if sum(name in line for line in lines) != 1]
    assert len(lines) == len(BAD_NAMES) and unnamed == [], run.stderr
    assert good in run.stdout


@pytest.mark.parametrize("bad_name", BAD_NAMES)
def test_api_refuses_bad_input(scorer, bad_inputs, bad_name):
    """`Scorer.score` raises InputError with a one-line message."""
    with pytest.raises(InputError) as caught:
        scorer.score(bad_inputs[bad_name].read_bytes())
    assert_one_line_error(str(caught.value))


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_binary_is_refused_whatever_the_format(run_hygiene, bad_inputs, fmt):
    """Forcing a format does not make binary bytes a page."""
    run = run_hygiene(["score", "--format", fmt, str(bad_inputs["random-nul.bin"])])
    assert run.code == 2
    assert len(run.stderr_lines()) == 1 and run.stderr_lines()[0].startswith("hygiene: error:")


@pytest.mark.parametrize("bad_name", ["empty.html", "image.png"])
def test_bad_stdin(run_hygiene, bad_inputs, bad_name):
    """Bad bytes on stdin (`-`) are refused the same way."""
    run = run_hygiene(["score", "--json", "-"], stdin=bad_inputs[bad_name].read_bytes())
    assert run.code == 2
    records = run.records()
    assert len(records) == 1 and set(records[0]) == {"source", "error"} and records[0]["source"] == "-"
    assert_one_line_error(records[0]["error"])


def test_unreadable_sources(run_hygiene, fixtures_dir, tmp_path):
    """A missing file, a directory and an unsupported URL scheme: one error line each, exit 2."""
    sources = [str(tmp_path / "missing.html"), str(tmp_path), "ftp://127.0.0.1/page.html"]
    good = str(fixtures_dir / GOOD_PAGE)
    run = run_hygiene(["score", *sources, good])
    assert run.code == 2
    lines = run.stderr_lines()
    assert len(lines) == 3 and all(line.startswith("hygiene: error:") for line in lines), run.stderr
    assert good in run.stdout


def test_api_takes_any_bytes_like_page(scorer, fixtures_dir):
    """`score` reads a bytearray or a memoryview as it reads the same bytes; another type is an InputError."""
    data = (fixtures_dir / "html/en_neg_hidden_ui.html").read_bytes()
    expected = scorer.score(data).text
    assert scorer.score(bytearray(data)).text == expected
    assert scorer.score(memoryview(data)).text == expected
    with pytest.raises(InputError, match="a page is bytes or str, not int"):
        scorer.score(42)


@pytest.mark.parametrize("threshold", ["0.5", None, True, float("nan"), 0, 1.5])
def test_api_refuses_a_threshold_that_is_no_number_in_range(threshold):
    """A threshold given as a string, None, a bool, NaN or out of (0, 1] is a ConfigError, not a TypeError later."""
    from detector import Scorer
    from detector.errors import ConfigError
    from detector.model import load_model

    with pytest.raises(ConfigError, match="threshold must be a number in"):
        Scorer(load_model(), threshold)


def test_a_shown_score_at_the_threshold_means_contaminated(scorer, fixtures_dir):
    """At threshold 1, a page whose score shows as 1.0 is contaminated and one not contaminated never shows 1.0 (the
    score is rounded down to 4 decimals, so 0.99996 shows as 0.9999)."""
    from detector import Scorer

    strict = Scorer(scorer.model, 1.0)
    for page in sorted((fixtures_dir / "html").glob("*.html")):
        result = strict.score(page.read_bytes())
        assert result.contaminated == (result.score >= 1.0), (page.name, result.score)


def test_the_readable_report_shows_the_score_as_json_does(scorer, fixtures_dir):
    """The report's score has the JSON record's 4 decimals: 0.9897 at threshold 0.9898 showed as 0.990, above the
    threshold, on a page called clean."""
    from hygiene.commands.score import readable_report

    for page in sorted((fixtures_dir / "html").glob("*.html"))[:8]:
        result = scorer.score(page.read_bytes())
        assert f"score: {result.score:.4f}   " in readable_report(page.name, result)
