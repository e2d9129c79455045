"""Reasons for a flag: the features that pushed the model hardest towards the flagged label."""

from __future__ import annotations

from detector.model import LoadedModel

MAX_REASONS = 4
SILENT_PREFIXES = ("bias", "mode=", "pos=", "len=", "digits=", "mk_distinct=", "mk_depth=")
"""Features that describe every block (size, position decile, page facts): true, but no reason to flag."""
REASON_PHRASES = {
    "kind=markup": "run of empty elements",
    "kind=rawtext": "markup inside a raw-text element (leaks as literal tags)",
    "kind=script": "script that redirects or writes the page",
    "kind=title": "the page title",
    "kind=meta": "meta keywords/description",
    "zone=pre-html": "stands before <html>",
    "zone=post-html": "stands after </html>",
    "mk_plain_repeated_id": "one short id repeated on many elements",
    "mk_rare": "obsolete or rare tags",
    "mk_unknown": "tags that do not exist in HTML",
    "mk_only_id": "elements carry nothing but an id",
    "literal_tags": "literal markup inside text",
    "kw=list": "keyword list joined by _ - , |",
    "hidden": "hidden from readers",
    "han_mismatch": "Simplified vs Traditional Chinese differs from the page",
    "mis": "writing script differs from the page",
    "numeric_domains": "links to numeric domains",
    "has_url": "contains URLs or domains",
    "pos_after": "after the article",
    "pos_before": "before the article",
    "pos_last": "at the very end of the page",
    "pos_first": "at the very start of the page",
    "out_main": "outside the main text",
    "repetitive": "repeated words",
    "copyright": "a copyright notice",
    "link_density": "mostly links",
    "sent=0": "no sentence punctuation",
    "title_sim=0": "shares no words with the title",
    "headline_sim=0": "the title shares nothing with the page's headline",
    "headline_none": "a title with no headline to compare",
    "main_sim=0": "shares no words with the article",
    "main_sim": "unrelated to the article",
}
PREFIX_PHRASES = {
    "hid=": "hidden by {}",
    "lex=": "spam vocabulary (level {})",
    "lexc=": "Chinese or Japanese spam vocabulary (level {})",
    "cta=": "calls to buy or sign up (level {})",
    "foreign=": "links to other sites (level {})",
    "foreign_domains=": "links to many domains (level {})",
    "main_sim=": "little shared with the article (level {})",
    "title_sim=": "little shared with the title (level {})",
    "headline_sim=": "the title repeats the headline (level {})",
    "mis=": "script {}",
    "join=": "words joined by _ - , | (level {})",
    "seg=": "many short segments (level {})",
    "segl=": "short segments (level {})",
    "ld=": "link density level {}",
    "nlinks=": "number of links level {}",
    "mk_n=": "many empty elements (level {})",
    "mk_idrep=": "one id repeated (level {})",
    "mk_randid=": "random-looking ids (level {})",
    "literal_share=": "mostly literal markup (level {})",
    "w=": "word '{}'",
    "tag=": "<{}> block",
    "path=": "inside {}",
    "parent=": "inside <{}>",
    "attr=": "class/id '{}'",
    "zone=": "in the {}",
    "kind=": "{} block",
    "prev:": "previous block: {}",
    "next:": "next block: {}",
}


def feature_reason(key: str) -> str | None:
    """A readable phrase for a feature name; None for features that are no reason on their own."""
    bare = key.split(":", 1)[1] if key.startswith(("prev:", "next:")) else key
    if bare.startswith(SILENT_PREFIXES):
        return None
    if key in REASON_PHRASES:
        return REASON_PHRASES[key]
    if key.endswith("=0"):
        return None  # the lowest level of a measure ("no joiners", "no links") is no reason to flag
    if key.startswith("run="):
        level, page = key[len("run=") :].split("/")
        return f"run of short lines (level {level}, {page}-like page)"
    for prefix, phrase in PREFIX_PHRASES.items():
        if key.startswith(prefix):
            rest = key[len(prefix) :]
            if prefix in ("prev:", "next:"):
                rest = feature_reason(rest)
                if rest is None:
                    return None
            return phrase.format(rest).strip()
    return key


def reasons_for(model: LoadedModel, rows: list[dict], labels: list[str]) -> list[list[str]]:
    """For each flagged block (its whole feature dict and its label): the top features by contribution to its
    label over the content label, as phrases. One hashing call serves all of a page's flagged blocks."""
    hasher, classifier = model.pipeline.named_steps["hash"], model.pipeline.named_steps["classify"]
    keys = [[key for key, value in row.items() if key != "bias" and value] for row in rows]
    every = [key for row_keys in keys for key in row_keys]
    columns = hasher.transform([{key: 1.0} for key in every]).indices.tolist() if every else []
    index, start, reasons = model.label_index(), 0, []
    for row, row_keys, label in zip(rows, keys, labels):
        coef = classifier.coef_[index[label]] - classifier.coef_[index["content"]]
        row_columns = columns[start : start + len(row_keys)]
        start += len(row_keys)
        contributions = [(float(coef[col]) * float(row[key]), key) for key, col in zip(row_keys, row_columns)]
        reasons.append(_top_phrases(contributions) or [f"model probability of {label}"])
    return reasons


def _top_phrases(contributions: list[tuple[float, str]]) -> list[str]:
    """Phrases of the features that pushed hardest towards the label, strongest first, each phrase once."""
    phrases: list[str] = []
    for weight, key in sorted(contributions, reverse=True):
        if weight <= 0 or len(phrases) >= MAX_REASONS:
            break
        phrase = feature_reason(key)
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    return phrases
