"""Build the shipped held-out pages, `models/heldout-samples.jsonl`, from news articles written for this project.

Each article of `heldout_articles.json` is rendered in a simple news-site template (navigation, byline, related
links, footer) and written as sample lines: clean copies and copies contaminated by the generator with training
and held-out families (built-in wording, fixed seeds), as HTML, as a careless scraper's text dump and as text.

    python -m detector.heldout_pages [--out models/heldout-samples.jsonl] [--seed N]
"""

from __future__ import annotations

import argparse
import hashlib
import html as htmlmod
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from detector.evaluate import evaluate_pages
from detector.inject import (
    HOLDOUT_FAMILIES,
    TRAIN_FAMILIES,
    Injection,
    SpamVocabulary,
    article_after,
    contaminate,
    contaminate_text,
    to_scraped_text,
)
from detector.model import LoadedModel
from detector.samples import load_samples
from detector.score import Scorer
from detector.settings import DEFAULT_THRESHOLD, MODELS_DIR

ARTICLES_PATH = Path(__file__).resolve().parent / "heldout_articles.json"
HELDOUT_SAMPLES_PATH = MODELS_DIR / "heldout-samples.jsonl"
SEED = 20250401
HTML_DRAWS = 2
"""Contaminated HTML copies per article and family set."""

CHROME = {
    "en": ("Home|World|Business|Sport|Culture|Opinion", "Related stories", "By staff reporter", "All rights reserved."),
    "zh-hans": ("首页|国内|国际|财经|体育|文化|评论", "相关新闻", "本报记者", "版权所有 未经授权禁止转载"),
    "zh-hant": ("首頁|港聞|國際|財經|體育|娛樂|評論", "相關新聞", "本報記者", "版權所有 不得轉載"),
    "ja": ("トップ|社会|政治|経済|スポーツ|地域", "関連記事", "編集部", "無断転載を禁じます。"),
    "de": (
        "Startseite|Lokales|Politik|Wirtschaft|Sport|Kultur",
        "Mehr zum Thema",
        "Von unserer Redaktion",
        "Alle Rechte vorbehalten.",
    ),
    "es": (
        "Portada|Local|España|Economía|Deportes|Cultura",
        "Noticias relacionadas",
        "Redacción",
        "Todos los derechos reservados.",
    ),
    "fr": ("Accueil|Région|France|Économie|Sports|Culture", "À lire aussi", "La rédaction", "Tous droits réservés."),
    "id": (
        "Beranda|Daerah|Nasional|Ekonomi|Olahraga|Hiburan",
        "Berita terkait",
        "Tim redaksi",
        "Hak cipta dilindungi undang-undang.",
    ),
    "ko": ("홈|사회|정치|경제|스포츠|문화", "관련 기사", "취재팀", "무단 전재 및 재배포 금지"),
    "vi": (
        "Trang chủ|Thời sự|Kinh doanh|Thể thao|Giải trí|Đời sống",
        "Tin liên quan",
        "Phóng viên",
        "Bản quyền thuộc về tòa soạn.",
    ),
}


def load_articles(path: Path = ARTICLES_PATH) -> list[dict]:
    """The written articles: id, lang, site, path, title, paragraphs."""
    return json.loads(path.read_text(encoding="utf-8"))


def article_text(article: dict) -> str:
    """The ground-truth clean text: the paragraphs, one a line."""
    return "\n".join(article["paragraphs"])


def article_url(article: dict) -> str:
    """Where the article lives on its (made-up) site."""
    return f"https://www.{article['site']}{article['path']}"


def render_page(article: dict, related: list[str], style: int) -> str:
    """The article in one of three news-site layouts, with navigation, related headlines and a footer."""
    nav, related_label, byline, rights = CHROME[article["lang"]]
    name = article["site"].split(".")[0].replace("-", " ").title()
    esc = htmlmod.escape
    menu = "".join(f'<li><a href="/section/{i}/">{esc(item)}</a></li>' for i, item in enumerate(nav.split("|")))
    links = "".join(f'<li><a href="/story/{i}.html">{esc(title)}</a></li>' for i, title in enumerate(related))
    body = "\n".join(f"<p>{esc(p)}</p>" for p in article["paragraphs"])
    head = (
        f'<!DOCTYPE html>\n<html lang="{article["lang"]}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(article['title'])} | {esc(name)}</title>\n"
        f'<link rel="canonical" href="{esc(article_url(article))}">\n</head>\n'
    )
    headline = f'<h1>{esc(article["title"])}</h1>\n<p class="byline">{esc(byline)}</p>\n{body}'
    footer = f"<p>{esc(rights)}</p><p>&copy; 2025 {esc(name)}</p>"
    if style == 0:
        page = (
            f'<body>\n<header><a class="logo" href="/">{esc(name)}</a><nav><ul>{menu}</ul></nav></header>\n'
            f'<main>\n<article class="story">\n{headline}\n</article>\n'
            f"<aside><h3>{esc(related_label)}</h3><ul>{links}</ul></aside>\n</main>\n<footer>{footer}</footer>\n"
        )
    elif style == 1:
        page = (
            f'<body>\n<div id="top"><div class="brand">{esc(name)}</div><ul class="menu">{menu}</ul></div>\n'
            f'<div id="wrap"><div class="col-main"><div class="article-body">\n{headline}\n</div></div>\n'
            f'<div class="col-side"><div class="box"><h4>{esc(related_label)}</h4><ul>{links}</ul></div></div></div>\n'
            f'<div id="foot">{footer}</div>\n'
        )
    else:
        page = (
            f'<body>\n<table width="100%"><tr><td class="nav"><b>{esc(name)}</b><ul>{menu}</ul></td></tr>\n'
            f'<tr><td class="content">\n{headline}\n</td></tr>\n'
            f'<tr><td class="more"><b>{esc(related_label)}</b><ul>{links}</ul></td></tr>\n'
            f'<tr><td class="copy">{footer}</td></tr></table>\n'
        )
    return head + page + "</body>\n</html>\n"


def variant_rng(seed: int, article: dict, variant: str) -> random.Random:
    """A generator seeded by the article and the variant, so every line can be rebuilt alone."""
    key = f"{seed}/{article['id']}/{variant}".encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def html_contamination(page: str, injections: list[Injection]) -> list[str]:
    """What a labeller marks in an HTML page: each injection's markup (or, if split, its texts found in it)."""
    marked: list[str] = []
    for injection in injections:
        if injection.markup and injection.markup.strip() and injection.markup in page:
            marked.append(injection.markup)
        else:
            marked.extend(text for text in injection.texts if text in page)
    return list(dict.fromkeys(marked))


def text_contamination(page: str, injections: list[Injection]) -> list[str]:
    """What a labeller marks in scraped text: the injected lines that are in it."""
    return list(dict.fromkeys(text for inj in injections for text in inj.texts if text and text in page))


def sample(page: str, fmt: str, article: dict, group: str, contamination: list[str], truth: str) -> dict:
    """One line of the sample format."""
    return {
        "url": article_url(article),
        fmt: page,
        "contamination": contamination,
        "article": truth,
        "group": group,
    }


def article_samples(
    article: dict, related: list[str], style: int, seed: int, vocab: SpamVocabulary
) -> Iterator[tuple[dict, list[Injection]]]:
    """Clean and contaminated copies of one article as HTML, text dump and text, with the generator's records."""
    html = render_page(article, related, style)
    truth = article_text(article)
    yield sample(html, "html", article, "html/clean", [], truth), []
    yield sample(to_scraped_text(html), "text", article, "text-dump/clean", [], truth), []
    yield sample(truth, "text", article, "text/clean", [], truth), []
    for name, families in (("train-families", TRAIN_FAMILIES), ("holdout-families", HOLDOUT_FAMILIES)):
        for draw in range(HTML_DRAWS):
            rng = variant_rng(seed, article, f"{name}/html/{draw}")
            dirty, injections = contaminate(html, rng, families, vocab, article_text=truth)
            dirty_truth = article_after(truth, injections)
            marked = html_contamination(dirty, injections)
            yield sample(dirty, "html", article, f"html/{name}", marked, dirty_truth), injections
            if draw == 0:
                dump = to_scraped_text(dirty)
                marked = text_contamination(dump, injections)
                yield sample(dump, "text", article, f"text-dump/{name}", marked, dirty_truth), injections
        text, injections = contaminate_text(truth, variant_rng(seed, article, f"{name}/text"), families, vocab)
        marked = text_contamination(text, injections)
        yield sample(text, "text", article, f"text/{name}", marked, article_after(truth, injections)), injections


def labelled_samples(articles: list[dict], seed: int = SEED) -> list[tuple[dict, list[Injection]]]:
    """Every sample line with the generator's records, in article order; repeated pages (a draw that left
    the scraped text unchanged) are left out."""
    vocab = SpamVocabulary.builtin()
    pairs, seen = [], set()
    for index, article in enumerate(articles):
        related = [other["title"] for other in articles if other["lang"] == article["lang"] and other is not article]
        for line, injections in article_samples(article, related, index % 3, seed, vocab):
            page = line.get("html") or line["text"]
            if page not in seen:
                seen.add(page)
                pairs.append((line, injections))
    return pairs


def build_samples(articles: list[dict], seed: int = SEED) -> list[dict]:
    """Every sample line, in article order."""
    return [line for line, _ in labelled_samples(articles, seed)]


def write_samples(lines: list[dict], out: Path) -> None:
    """Write sample lines as JSON Lines (temporary file renamed into place)."""
    tmp = out.with_suffix(".jsonl.part")
    with tmp.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    tmp.replace(out)


def evaluate_heldout_samples(
    model: LoadedModel, path: Path = HELDOUT_SAMPLES_PATH, threshold: float = DEFAULT_THRESHOLD
) -> dict:
    """Figures of a model on the shipped held-out pages, exactly as `hygiene evaluate` reports them."""
    return evaluate_pages(load_samples([path]), Scorer(model, threshold))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: build the held-out sample file."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=Path, default=ARTICLES_PATH)
    parser.add_argument("--out", type=Path, default=HELDOUT_SAMPLES_PATH)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    lines = build_samples(load_articles(args.articles), args.seed)
    write_samples(lines, args.out)
    groups = Counter(line["group"] for line in lines)
    print(f"{args.out}: {len(lines)} pages, {args.out.stat().st_size} bytes; {dict(sorted(groups.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
