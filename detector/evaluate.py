"""Measure a model on labelled pages: block precision/recall/F1 per label, page detection and false flags,
spam removed from the clean text, the article's recall, and how much of a page's clean text its contaminated
copies keep."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import zhconv

from detector.dataset import LabelledPage
from detector.errors import InputError
from detector.labels import gold_labels
from detector.metrics import page_prf, shingles
from detector.score import Scorer
from detector.settings import LABELS
from detector.text import SCRIPT_PATTERNS, normalize_space


@dataclass
class PageOutcome:
    """What scoring one labelled page showed."""

    confusion: Counter
    contaminated: bool
    flagged: bool
    spam_chars: int
    spam_chars_left: int
    article_recall: float | None
    text: str = ""


def observe(page: LabelledPage, scorer: Scorer) -> PageOutcome | None:
    """Score one labelled page against its labels; None when it cannot be read."""
    try:
        analysis = scorer.analyse(page.data, page.fmt, page.url)
    except InputError:
        return None
    gold = gold_labels(analysis.blocks, page.article, page.texts, page.ids, page.markups)
    confusion = Counter((t, p) for t, p in zip(gold, analysis.labels) if t is not None)
    clean = analysis.result.text
    total, left = spam_left(page, clean) if page.contaminated else (0, 0)
    recall = page_prf(clean, page.article)[1] if page.article else None
    return PageOutcome(confusion, page.contaminated, analysis.result.contaminated, total, left, recall, clean)


def spam_left(page: LabelledPage, clean: str) -> tuple[int, int]:
    """Characters of injected text (and injected ids) in all, and how many survived into the clean text."""
    clean = normalize_space(clean)
    article = normalize_space(page.article or "")
    total = left = 0
    pieces = [normalize_space(t) for t in page.texts] + [i for i in set(page.ids) if i]
    for piece in pieces:
        if not piece or piece in article:
            continue
        total += len(piece)
        left += len(piece) if piece in clean else 0
    return total, left


@dataclass
class Tally:
    """Running counts behind every figure of a report."""

    confusion: Counter = field(default_factory=Counter)
    dirty_pages: int = 0
    dirty_detected: int = 0
    clean_pages: int = 0
    clean_flagged: int = 0
    spam_chars: int = 0
    spam_chars_left: int = 0
    recalls: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    errors: int = 0

    def add(self, outcome: PageOutcome | None) -> None:
        """Count one page's outcome."""
        if outcome is None:
            self.errors += 1
            return
        self.confusion.update(outcome.confusion)
        if outcome.contaminated:
            self.dirty_pages += 1
            self.dirty_detected += outcome.flagged
        else:
            self.clean_pages += 1
            self.clean_flagged += outcome.flagged
        self.spam_chars += outcome.spam_chars
        self.spam_chars_left += outcome.spam_chars_left
        if outcome.article_recall is not None:
            self.recalls.append(outcome.article_recall)

    def report(self) -> dict:
        """All figures as a JSON-able dict."""
        return {
            "blocks": {label: self._label_figures(label) for label in LABELS},
            "pages": self.dirty_pages + self.clean_pages,
            "contaminated_pages": self.dirty_pages,
            "detected": _ratio(self.dirty_detected, self.dirty_pages),
            "clean_pages": self.clean_pages,
            "false_flags": _ratio(self.clean_flagged, self.clean_pages),
            "spam_removed": _ratio(self.spam_chars - self.spam_chars_left, self.spam_chars),
            "article_recall": _mean(self.recalls),
            "article_kept": _mean(self.kept),
            "unreadable": self.errors,
        }

    def _label_figures(self, label: str) -> dict:
        """Block-level precision, recall, F1 and support of one label; None where a figure has no denominator (no
        block predicted, or none labelled so: a label the samples lack has no recall, not a recall of 0)."""
        tp = self.confusion.get((label, label), 0)
        fp = sum(v for (t, p), v in self.confusion.items() if p == label and t != label)
        fn = sum(v for (t, p), v in self.confusion.items() if t == label and p != label)
        precision = round(tp / (tp + fp), 4) if tp + fp else None
        recall = round(tp / (tp + fn), 4) if tp + fn else None
        f1 = None
        if precision is not None and recall is not None:
            f1 = round(2 * tp / (2 * tp + fp + fn), 4)
        return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}


def _mean(values: list[float]) -> float | None:
    """Mean rounded, None when there is nothing to average."""
    return round(sum(values) / len(values), 4) if values else None


def _ratio(part: int, whole: int) -> float | None:
    """part/whole rounded, None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def evaluate_pages(pages: Iterable[LabelledPage], scorer: Scorer) -> dict:
    """Figures over all pages, and per group of pages (e.g. `test/html/holdout-families`)."""
    overall = Tally()
    groups: dict[str, Tally] = defaultdict(Tally)
    copies = _CopiesOfPages()
    for page in pages:
        outcome = observe(page, scorer)
        overall.add(outcome)
        groups[page.group].add(outcome)
        copies.add(page, outcome)
    for group, kept in copies.kept():
        overall.kept.append(kept)
        groups[group].kept.append(kept)
    report = overall.report()
    report["groups"] = {name: tally.report() for name, tally in sorted(groups.items())}
    return report


class _CopiesOfPages:
    """The clean text of each page's clean copy and of its contaminated copies, paired by the page they were made
    from (its source id, else its URL) and by the group's form (`test/html/clean` is the clean copy of
    `test/html/holdout-families`)."""

    def __init__(self) -> None:
        self.clean: dict[tuple[str, str], str] = {}
        self.contaminated: list[tuple[tuple[str, str], str, str]] = []

    def add(self, page: LabelledPage, outcome: PageOutcome | None) -> None:
        """Remember a scored copy of a known page whose group names a form and a family."""
        form, _, family = page.group.rpartition("/")
        origin = page.source or page.url
        if outcome is None or not origin or not form:
            return
        if family == "clean":
            self.clean[(origin, form)] = _in_simplified(outcome.text)
        elif page.contaminated:
            self.contaminated.append(((origin, form), page.group, outcome.text))

    def kept(self) -> Iterator[tuple[str, float]]:
        """For each contaminated copy whose clean copy kept some text: its group and how much of that text it kept
        (shingle recall; what injections cost the article, whatever the extraction misses on both). Chinese is
        compared in Simplified characters: a mirror copy turned the whole page Traditional."""
        for key, group, text in self.contaminated:
            reference = self.clean.get(key, "")
            if shingles(reference):
                yield group, page_prf(_in_simplified(text), reference)[1]


def _in_simplified(text: str) -> str:
    """The text with its Han characters in their Simplified forms (zhconv), untouched when it holds none."""
    return zhconv.convert(text, "zh-hans") if SCRIPT_PATTERNS["han"].search(text) else text
