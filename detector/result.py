"""What scoring a page returns: flagged blocks with reasons, the page verdict and the clean text."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Flag:
    """One block judged to be contamination."""

    label: str
    """"tag-noise" or "spam"."""
    text: str
    """The block's text (a run of empty elements as its markup), cut to 300 characters."""
    probability: float
    """P(tag-noise) + P(spam) of the block, 0 to 1."""
    where: str
    """Where it stands: an XPath for HTML (with "before <html>" / "after </html>"), a line range for text."""
    reasons: list[str]
    """Why, in words: the features that pushed the block towards contamination most."""


@dataclass
class PageResult:
    """The verdict on one page, in the shape of `hygiene score --json`."""

    format: str
    """"html" or "text", as read (`fmt="auto"` resolved)."""
    score: float
    """The page's contamination probability, 0 to 1, to 4 decimals."""
    contaminated: bool
    """Whether the score reached the scorer's threshold."""
    title: str
    """The page title (its first `<h1>` when the title itself was flagged); "" for text."""
    text: str
    """The clean article text: its paragraphs in order, one a line."""
    flagged: list[Flag] = field(default_factory=list)
    """The contamination found, in page order (empty when the page is not contaminated)."""
    model: dict = field(default_factory=dict)
    """`{"version", "sha256"}` of the model that scored the page."""
    encoding: str | None = None
    """The charset bytes were decoded with (None for str input that needed no repair)."""
    url: str | None = None
    """The URL given with the page, if any."""

    def to_dict(self) -> dict:
        """Plain-JSON form; `flagged` entries keep their order in the page."""
        return asdict(self)

    def reasons_summary(self) -> dict[str, int]:
        """Count of flagged blocks per label, for stores and stats."""
        counts: dict[str, int] = {}
        for flag in self.flagged:
            counts[flag.label] = counts.get(flag.label, 0) + 1
        return counts
