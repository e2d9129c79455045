"""The corpus readers on their own: over-long lines, truncated gzip, broken plain WARC records."""

from __future__ import annotations

import gzip
import json

from hygiene.corpus import jsonl, warc


def test_over_long_line_is_reported_and_the_next_line_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonl, "MAX_JSONL_LINE_BYTES", 100)
    padding = 100 - len(json.dumps({"id": "exact", "text": ""}))
    exact = json.dumps({"id": "exact", "text": "x" * padding})
    assert len(exact) == 100
    lines = [
        json.dumps({"id": "a", "text": "short"}),
        json.dumps({"id": "long", "text": "y" * 500}),
        exact,
        json.dumps({"id": "b", "text": "after"}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = [jsonl.parsed(r) for r in jsonl.read_jsonl(str(path), None)]
    assert [(r.position, r.carried.get("id"), r.error) for r in records] == [
        (1, "a", None),
        (2, None, "line longer than 100 bytes"),
        (3, "exact", None),
        (4, "b", None),
    ]


def test_truncated_gzip_keeps_the_lines_before_the_cut(tmp_path):
    path = tmp_path / "in.jsonl.gz"
    body = "".join(json.dumps({"id": i, "text": f"line {i} " * 50}) + "\n" for i in range(200))
    data = gzip.compress(body.encode())
    path.write_bytes(data[: len(data) // 2])
    records = [jsonl.parsed(r) for r in jsonl.read_jsonl(str(path), None)]
    good, last = records[:-1], records[-1]
    assert good and all(r.error is None for r in good)
    assert [r.carried["id"] for r in good] == list(range(len(good)))
    assert last.position == len(good) + 1 and "rest of the file skipped" in last.error


def test_plain_warc_resynchronises_after_a_garbled_header(kit, tmp_path):
    path = tmp_path / "crawl.warc"
    writer, handle = kit.new_warc(path, compressed=False)
    with handle:
        for i in range(4):
            kit.warc_response(writer, f"https://news.example.com/{i}.html", kit.article_html(i).encode())
    data = path.read_bytes()
    starts = [i for i in range(len(data)) if data.startswith(b"WARC/1.", i)]
    broken = data[: starts[1]] + b"GARBAGE LINE\r\n" + data[starts[1] + 8 :]
    path.write_bytes(broken)
    records = list(warc.read_warc(str(path)))
    urls = [r.url for r in records if r.error is None]
    errors = [r for r in records if r.error is not None]
    assert urls == [f"https://news.example.com/{i}.html" for i in (0, 2, 3)]
    assert len(errors) == 1 and errors[0].position == starts[1]
