"""Fingerprint what scoring makes of every benchmark page, to show that a change meant only to be faster changes
nothing: every block (text, kind, zone, tags, tokens, links, hiding, runs, its element's path), every label and
the whole result, of each page as HTML and (four pages in five) as a whole-page text dump.

    python bench/fingerprint.py ../shared before.json       # on the old code
    python bench/fingerprint.py ../shared after.json        # on the new code
    python bench/fingerprint.py --compare before.json after.json

Fingerprints do not depend on the hash seed, so two runs of the same code always agree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import lxml.html
from lxml import etree

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from build import write_pages  # noqa: E402
from pages import read_pages  # noqa: E402
from run import DEFAULT_DIRTY_PER_GROUP, SEED  # noqa: E402

from detector.errors import InputError  # noqa: E402
from detector.score import Analysis, Scorer  # noqa: E402

TEXT_DUMP_EVERY = 5
"""Every page but each fifth is also scored as the text a careless scraper dumps of it."""


def scored_inputs(pages_path: Path) -> Iterator[tuple[str, str, str, str | None]]:
    """(key, format, page, url) of every page as HTML, and of most as a whole-page text dump."""
    for index, page in enumerate(read_pages(pages_path)):
        yield f"{page.key}/html", "html", page.html, page.url
        if index % TEXT_DUMP_EVERY:
            try:
                dump = lxml.html.document_fromstring(page.html).text_content()
            except (ValueError, etree.ParserError):
                continue
            yield f"{page.key}/text", "text", dump, page.url


def fingerprint(analysis: Analysis) -> str:
    """A digest of the blocks, labels and result of one scored page."""
    digest = hashlib.sha256()
    for block in analysis.blocks:
        fields = {key: value for key, value in vars(block).items() if key not in ("element", "features")}
        fields["run_attr_sets"] = [sorted(attributes) for attributes in block.run_attr_sets]
        element = block.element
        fields["element"] = element.getroottree().getpath(element) if element is not None else None
        digest.update(repr(sorted(fields.items())).encode())
    digest.update(repr(analysis.labels).encode())
    digest.update(json.dumps(asdict(analysis.result), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def fingerprint_pages(pages_path: Path, model: str | None) -> dict[str, str]:
    """Fingerprint (or the error) of every scored input."""
    scorer = Scorer.from_path(model)
    found = {}
    for key, fmt, page, url in scored_inputs(pages_path):
        try:
            found[key] = fingerprint(scorer.analyse(page, fmt, url))
        except InputError as exc:
            found[key] = f"error: {exc}"
    return found


def compare(before: dict[str, str], after: dict[str, str]) -> int:
    """Print how many inputs differ (and the first few); 0 when none does."""
    differing = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    print(f"{len(before)} inputs before, {len(after)} after, {len(differing)} differ")
    for key in differing[:10]:
        print(f"  {key}")
    return 1 if differing else 0


def main() -> int:
    """Write a fingerprint file, or compare two."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared", nargs="?", type=Path, help="the shared folder (../shared)")
    parser.add_argument("out", nargs="?", type=Path, help="where to write the fingerprints (JSON)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--model", help="model file (default: the shipped model)")
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(path.read_text(encoding="utf-8")) for path in args.compare)
        return compare(before, after)
    if args.shared is None or args.out is None:
        parser.error("give the shared folder and an output file, or --compare BEFORE AFTER")
    with tempfile.TemporaryDirectory() as folder:
        pages_path = Path(folder) / "pages.jsonl"
        write_pages(pages_path, args.shared, None, DEFAULT_DIRTY_PER_GROUP, SEED)
        found = fingerprint_pages(pages_path, args.model)
    args.out.write_text(json.dumps(found, indent=0, sort_keys=True), encoding="utf-8")
    print(f"{len(found)} inputs fingerprinted -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
