"""A usage mistake in any `hygiene` command is one `hygiene: error:` line on stderr and exit code 2 (argparse
would print the whole usage first)."""

from __future__ import annotations

import pytest

from hygiene.cli import main


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "hygiene: error: the following arguments are required: COMMAND (see hygiene --help)"),
        (["nosuch"], "hygiene: error: argument COMMAND: invalid choice: 'nosuch'"),
        (["score", "page.html", "--threshold", "abc"], "hygiene: error: score: argument --threshold: not a number"),
        (["score"], "hygiene: error: score: the following arguments are required: SOURCE (see hygiene score --help)"),
        (["crawl", "--depth", "x", "https://example.org/"], "hygiene: error: crawl: argument --depth"),
        (["crawl", "--max-pages", "0", "https://example.org/"], "hygiene: error: crawl: argument --max-pages: must"),
        (["clean", "in.jsonl"], "hygiene: error: clean: the following arguments are required: -o/--output"),
        (
            ["crawl", "https://example.org/", "--bogus"],
            "hygiene: error: crawl: unrecognized arguments: --bogus (see hygiene crawl --help)",
        ),
        (["stats", "--bogus"], "hygiene: error: stats: unrecognized arguments: --bogus (see hygiene stats --help)"),
        (["export", "--bogus"], "hygiene: error: export: unrecognized arguments: --bogus (see hygiene export --help)"),
        (
            ["schedule", "list", "--bogus"],
            "hygiene: error: schedule list: unrecognized arguments: --bogus (see hygiene schedule list --help)",
        ),
        (["--bogus", "stats"], "hygiene: error: unrecognized arguments: --bogus (see hygiene --help)"),
        (
            ["schedule", "add", "news", "--every", "1h", "https://example.org/"],
            "hygiene: error: schedule add: unrecognized arguments: https://example.org/ (crawl arguments go after --)",
        ),
    ],
)
def test_a_usage_mistake_is_one_line_and_exit_code_2(capsys, argv, expected):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    captured = capsys.readouterr()
    assert caught.value.code == 2 and captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith(expected), captured.err
