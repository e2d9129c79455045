"""Fixtures for `hygiene clean`: generated news pages, a small model trained on them, JSONL/WARC writers."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from detector.features import featurize_page
from detector.model import build_pipeline, save_model
from detector.parse import parse_html
from detector.segment import page_domain, segment_html, segment_text

REPO = Path(__file__).resolve().parents[2]

SUBJECTS = ["storm", "election", "harbour", "vaccine", "bridge", "festival", "drought", "railway", "museum", "budget"]
PLACES = ["the northern coast", "the capital", "three villages", "the river valley", "the old town"]
NOISE_TAGS = ["var", "menuitem", "strike", "listing", "cite", "progress", "noframes", "address"]
SPAM_LINES = [
    "国产精品视频人人做人人_在线观看_免费_一区二区三区",
    "best casino bonus online slots free spins viagra cheap",
]


def article_html(index: int, contaminated: bool = False) -> str:
    """A small news page; with `contaminated`, a random-tag noise block and a spam keyword line are injected."""
    subject = SUBJECTS[index % len(SUBJECTS)]
    place = PLACES[index % len(PLACES)]
    paragraphs = [
        f"The {subject} affected {place} on Monday, officials said in a statement number {index}.",
        f"Residents of {place} described the {subject} as the largest they had seen in decades.",
        f"A report on the {subject} is expected next week, according to the regional council.",
    ]
    noise = ""
    spam = ""
    if contaminated:
        ident = "".join(chr(97 + (index * 7 + k) % 26) for k in range(5))
        tags = [NOISE_TAGS[(index + k) % len(NOISE_TAGS)] for k in range(6)]
        inner = "".join(f'<{t} id="{ident}"></{t}>' for t in tags)
        noise = f'<noframes id="{ident}">{inner}</noframes>'
        spam = f"<div>{SPAM_LINES[index % len(SPAM_LINES)]}</div>"
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{subject.title()} news {index}</title></head><body>{noise}"
        '<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>'
        f"<article><h1>{subject.title()} news {index}</h1>{body}</article>"
        "<footer>Copyright 2024 Example News. All rights reserved. Contact us.</footer>"
        f"{spam}</body></html>"
    )


def block_label(block) -> str:
    """The label a careful annotator would give a block of the generated pages."""
    if block.kind == "rawtext" or "id=" in block.text:
        return "tag-noise"
    if any(word in block.text for word in ("国产", "casino")):
        return "spam"
    if block.tag in ("p", "h1") or (not block.tag and block.text.endswith(".") and len(block.text) > 40):
        return "content"
    return "boilerplate"


def article_text(index: int) -> str:
    """The same page as scraped plain text: one block per line, chrome included."""
    page = parse_html(article_html(index, contaminated=index % 2 == 0))
    return "\n".join(block.text for block in segment_html(page) if block.kind != "title")


@pytest.fixture(scope="session")
def model_path(tmp_path_factory) -> Path:
    """A real model of the detector's pipeline, trained on generated pages (the shipped one may not exist)."""
    rows: list[dict] = []
    labels: list[str] = []
    for index in range(40):
        page = parse_html(article_html(index, contaminated=index % 2 == 0))
        blocks = segment_html(page)
        rows.extend(featurize_page(blocks, page_domain(page, None), "", "html"))
        labels.extend(block_label(block) for block in blocks)
        text_blocks = segment_text(article_text(index))
        rows.extend(featurize_page(text_blocks, "", "", "text"))
        labels.extend(block_label(block) for block in text_blocks)
    pipeline = build_pipeline().fit(rows, labels)
    path = tmp_path_factory.mktemp("model") / "tiny.joblib"
    save_model(pipeline, path, {"version": "tests-clean"})
    return path


def write_jsonl(path: Path, lines: list[dict | str]) -> Path:
    """Write documents (dicts) and raw lines (strings, e.g. broken JSON) as JSON Lines."""
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n")
    return path


def warc_response(
    writer: WARCWriter, url: str, body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK"
) -> None:
    """Append one HTTP response record."""
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
    )
    writer.write_record(record)


def warc_request(writer: WARCWriter, url: str) -> None:
    """Append one HTTP request record (which `hygiene clean` must pass over)."""
    headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
    record = writer.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0, http_headers=headers)
    writer.write_record(record)


def new_warc(path: Path, compressed: bool) -> tuple[WARCWriter, io.BufferedWriter]:
    """A WARC writer on a new file; the caller closes the handle."""
    handle = path.open("wb")
    return WARCWriter(handle, gzip=compressed), handle


def hygiene(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real `hygiene` command line in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "hygiene", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=child_env(),
    )


def child_env() -> dict[str, str]:
    """The environment for child processes: this checkout importable."""
    return {**os.environ, "PYTHONPATH": str(REPO)}


def read_output(path: Path) -> list[dict]:
    """The JSON documents of an output file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def kit():
    """The helpers above, for test modules (conftest is not importable under --import-mode=importlib)."""
    import types

    return types.SimpleNamespace(
        article_html=article_html,
        write_jsonl=write_jsonl,
        warc_response=warc_response,
        warc_request=warc_request,
        new_warc=new_warc,
        hygiene=hygiene,
        child_env=child_env,
        read_output=read_output,
    )
