"""What scoring a page returns: flagged blocks with reasons, the page verdict and the clean text."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Flag:
    """One block judged to be contamination."""

    label: str
    text: str
    probability: float
    where: str
    reasons: list[str]


@dataclass
class PageResult:
    """The verdict on one page, in the shape of `hygiene score --json`."""

    format: str
    score: float
    contaminated: bool
    title: str
    text: str
    flagged: list[Flag] = field(default_factory=list)
    model: dict = field(default_factory=dict)
    encoding: str | None = None
    url: str | None = None

    def to_dict(self) -> dict:
        """Plain-JSON form; `flagged` entries keep their order in the page."""
        return asdict(self)

    def reasons_summary(self) -> dict[str, int]:
        """Count of flagged blocks per label, for stores and stats."""
        counts: dict[str, int] = {}
        for flag in self.flagged:
            counts[flag.label] = counts.get(flag.label, 0) + 1
        return counts
