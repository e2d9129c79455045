"""Detection and false flags of a model on held-out sites at several page thresholds (the README's table).

    python bench/thresholds.py ../shared [--model PATH] [--thresholds 0.5,0.7,0.8,0.9]

Each threshold is one full evaluation of the held-out pages (about 3 minutes each on one core). The figures are
measured on the sites the threshold was chosen on, so they are slightly optimistic.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from detector.basedata import base_pages
from detector.evaluate import evaluate_pages
from detector.inject import SpamVocabulary
from detector.model import load_model
from detector.score import Scorer
from detector.settings import RANDOM_STATE

FORMS = ("html", "text-dump", "text")


def percent(value: float | None) -> str:
    """A share as a percentage with one decimal, or a dash."""
    return "–" if value is None else f"{value * 100:.1f}%"


def threshold_row(report: dict, threshold: float) -> str:
    """One Markdown row: detected held-out families and clean pages flagged, per form (HTML / dump / text)."""
    groups = report["groups"]
    detected = " / ".join(percent(groups[f"test/{form}/holdout-families"]["detected"]) for form in FORMS)
    flagged = " / ".join(percent(groups[f"test/{form}/clean"]["false_flags"]) for form in FORMS)
    return f"| {threshold} | {detected} | {flagged} |"


def main() -> None:
    """Evaluate once per threshold and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared", type=Path, nargs="?", default=Path("../shared"))
    parser.add_argument("--model")
    parser.add_argument("--thresholds", default="0.5,0.7,0.8,0.9")
    args = parser.parse_args()
    model = load_model(args.model)
    vocab = SpamVocabulary.from_lexicons(args.shared)
    print("| threshold | detected, held-out families (HTML / dump / text) | clean pages flagged (HTML / dump / text) |")
    print("|---|---|---|")
    for threshold in (float(t) for t in args.thresholds.split(",")):
        report = evaluate_pages(base_pages(args.shared, RANDOM_STATE, vocab, "test"), Scorer(model, threshold))
        print(threshold_row(report, threshold), flush=True)


if __name__ == "__main__":
    main()
