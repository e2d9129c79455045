"""A benchmark page as every tool receives it, and reading the page file back one page at a time.

Standard library only: the measuring processes import this, and must load nothing but the tool they measure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class BenchPage:
    """One page as every tool receives it, with its ground truth and what was injected into it."""

    key: str
    group: str
    lang: str
    url: str | None
    html: str
    article: str
    held_out: bool
    texts: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    @property
    def contaminated(self) -> bool:
        """True for pages of the contaminated set."""
        return bool(self.texts or self.ids)


def read_pages(path: Path, shard: int = 0, shards: int = 1) -> Iterator[BenchPage]:
    """Stream the pages back one at a time (every `shards`-th one, from the `shard`-th, when sharded)."""
    with path.open(encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            if index % shards == shard:
                yield BenchPage(**json.loads(line))
