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

