"""The contamination generator: records match what is inserted, pages stay parseable, held-out families
really hold their dimension out, and generation is deterministic for a seed."""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

import lxml.html
import pytest
import zhconv

from detector.inject import (
    ALL_FAMILIES,
    HOLDOUT_FAMILIES,
    SPAM,
    TAG_NOISE,
    TRAIN_FAMILIES,
    FamilySpec,
    apply_family,
    article_after,
    contaminate,
    contaminate_text,
    covered_fraction,
    inject_text,
    mirror_text,
    to_scraped_text,
    usable,
)
from detector.inject_noise import HOLDOUT_TAGS, TRAIN_TAGS, invented_tag
from detector.spam_wording import LANGUAGES, THEMES, SpamVocabulary

ARTICLE_ZH = [
    "新华社北京6月23日电 国务院日前印发《关于加强数字政府建设的指导意见》，对加强数字政府建设作出全面部署。",
    "意见指出，要坚持以人民为中心，推进政府治理流程优化、模式创新和履职能力提升。",
    "意见明确，到2025年，与政府治理能力现代化相适应的数字政府顶层设计更加完善 & 统筹协调机制更加健全。",
    "各地区各部门要结合实际抓好贯彻落实，确保各项任务落到实处。",
]
PAGE_ZH = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>国务院发布数字政府建设指导意见</title></head>
<body><div class="nav"><a href="/">首页</a> <a href="/news">新闻</a></div>
<div class="content" id="art">
<h1>国务院发布数字政府建设指导意见</h1>
<p>新华社北京6月23日电 国务院日前印发《关于加强数字政府建设的指导意见》，对加强数字政府建设作出全面部署。</p>
<p>意见指出，要坚持以人民为中心，推进政府治理<b>流程优化</b>、模式创新和履职能力提升。</p>
<p>意见明确，到2025年，与政府治理能力现代化相适应的数字政府顶层设计更加完善 &amp; 统筹协调机制更加健全。</p>
<p>各地区各部门要结合实际抓好贯彻落实，确保各项任务落到实处。
</div>
<div class="footer">版权所有 &copy; 2022 中国政府网</div>
</body></html>
"""
ARTICLE_EN = [
    "The city council approved the new budget on Tuesday after a long debate about school funding.",
    "Council members said the plan adds two hundred teachers and repairs three libraries.",
    'The mayor called it "a fair compromise" and promised to publish the spending details online.',
]
PAGE_EN = """<html><head><title>Council passes budget</title></head><body>
<header><nav><a href="/">Home</a></nav></header>
<article><h1>Council passes budget</h1>
<p>The city council approved the new budget on Tuesday after a long debate about <a href="/s">school funding</a>.</p>
<p>Council members said the plan adds two hundred teachers and repairs three libraries.</p>
<p>The mayor called it &quot;a fair compromise&quot; and promised to publish the spending details online.</p>
</article>
<footer><p>&copy; 2024 Daily News</p></footer>
</body></html>"""
PAGES = [(PAGE_ZH, "\n".join(ARTICLE_ZH)), (PAGE_EN, "\n".join(ARTICLE_EN))]
ID_SHAPES_RE = re.compile(r"^(?:[a-z]{5}|[a-z0-9]{5}|[0-9a-f]{6,10})$")
SEEDS = range(12)


@pytest.fixture(scope="module")
def lexicon_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small hand-written lexicon tree shaped like ../shared/lexicons (no shared data needed)."""
    root = tmp_path_factory.mktemp("lexicons")
    files = {
        "zh-porn-konsheng/色情词库.txt": "裸聊直播\n成人电影\n激情图片\n色情小说\n援交信息\n一夜情\n",
        "zh-gambling-houbb/sensitive_word_tags.dubo-tag3.txt": "金沙娱乐城\n网上赌场\n六合彩下注\n时时彩平台\n"
        "百家乐技巧\n博彩公司\n投注网\n",
        "en-pharma-gambling-splorp/blacklist.pharma-gambling-subset.txt": "-cialis-\nbuy cialis\ncialis generic\n"
        "cheap pharmacy\nviagra pills\ndiscount pharma\nonline poker room\ncasino bonus\nroulette wheel\n"
        "slot jackpot\nbest casino\nagen poker\n",
        "ldnoobw/en": "rudeword\nnaughtyterm\nbadphrase\nfilthyword\nlewdterm\n",
        "ldnoobw/zh": "脏话一\n脏话二\n脏话三\n脏话四\n脏话五\n",
        "ldnoobw/ja": "わるいこと\nひわいご\nきたない\nげひん\nみだら\n",
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def vocab(lexicon_dir: Path) -> SpamVocabulary:
    """Built-in wording plus the hand-written lexicons: every family is usable."""
    return SpamVocabulary.from_lexicons(lexicon_dir)


def only(spec: FamilySpec, **changes) -> FamilySpec:
    """`spec` restricted to some values (e.g. one position)."""
    return dataclasses.replace(spec, **changes)


def family(name: str) -> FamilySpec:
    """The family spec of that name."""
    return next(spec for spec in ALL_FAMILIES if spec.name == name)


def compact(text: str) -> str:
    """Text without any whitespace (paragraphs split by inline markup still match)."""
    return "".join(text.split())


def scraped_lines(html: str) -> list[str]:
    """Lines of the naive scrape of a page."""
    return to_scraped_text(html).split("\n")


# --- determinism ------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_page_and_records(vocab: SpamVocabulary) -> None:
    for seed in SEEDS:
        first = contaminate(PAGE_ZH, random.Random(seed), ALL_FAMILIES, vocab, article_text=ARTICLE_ZH[0])
        again = contaminate(PAGE_ZH, random.Random(seed), ALL_FAMILIES, vocab, article_text=ARTICLE_ZH[0])
        assert first[0] == again[0]
        assert [r.to_dict() for r in first[1]] == [r.to_dict() for r in again[1]]
        text_first = contaminate_text("\n".join(ARTICLE_EN), random.Random(seed), ALL_FAMILIES, vocab)
        text_again = contaminate_text("\n".join(ARTICLE_EN), random.Random(seed), ALL_FAMILIES, vocab)
        assert text_first[0] == text_again[0]


def test_different_seeds_give_different_pages(vocab: SpamVocabulary) -> None:
    pages = {contaminate(PAGE_EN, random.Random(seed), TRAIN_FAMILIES, vocab)[0] for seed in SEEDS}
    assert len(pages) == len(SEEDS)


# --- records match the output -----------------------------------------------------------------------


@pytest.mark.parametrize("spec", ALL_FAMILIES, ids=lambda s: s.name)
@pytest.mark.parametrize("page_index", [0, 1])
def test_every_family_inserts_what_its_record_says(spec: FamilySpec, page_index: int, vocab) -> None:
    page, article = PAGES[page_index]
    if not usable(spec, vocab, page):
        assert spec.family == "mirror" and page_index == 1
        return
    for seed in SEEDS:
        html, record = apply_family(page, random.Random(seed), spec, vocab, article_text=article)
        lines = scraped_lines(html)
        assert record.kind in (TAG_NOISE, SPAM)
        assert all(text in lines for text in record.texts), (record.position, record.texts)
        assert record.markup in html
        assert all(f'id="{i}"' in html for i in record.ids)
        expected_article = mirror_text(article) if spec.family == "mirror" else article
        scraped = compact(" ".join(lines))
        assert all(compact(p) in scraped for p in expected_article.split("\n"))
        assert html.count("<body") == page.count("<body")


@pytest.mark.parametrize(
    "spec", [s for s in ALL_FAMILIES if s.family not in ("tag-noise", "ganrao", "mirror")], ids=lambda s: s.name
)
def test_spam_families_insert_visible_or_leaking_spam_text(spec: FamilySpec, vocab) -> None:
    for seed in SEEDS:
        html, record = apply_family(PAGE_EN, random.Random(seed), spec, vocab, article_text="\n".join(ARTICLE_EN))
        assert record.texts and record.language and record.theme and record.source
        assert record.ids == []
        lines = scraped_lines(html)
        injected_lines = [line for line in lines if covered_fraction(line, [record]) == 1.0]
        assert len(injected_lines) >= len(set(record.texts))
        assert all(re.search(r"\w", text) for text in record.texts)


def test_every_result_parses_and_keeps_one_body(vocab: SpamVocabulary) -> None:
    for seed in range(40):
        html, records = contaminate(
            PAGE_ZH, random.Random(seed), ALL_FAMILIES, vocab, article_text="\n".join(ARTICLE_ZH)
        )
        root = lxml.html.document_fromstring(html)
        assert len(root.findall("body")) == 1
        assert 1 <= len(records) <= 3
        assert all(text in scraped_lines(html) for r in records for text in r.texts)


def test_tag_noise_ids_are_random_looking_and_repeated(vocab: SpamVocabulary) -> None:
    spec = only(family("tag-noise"), positions=("body-start",))
    ids = []
    for seed in range(30):
        html, record = apply_family(PAGE_EN, random.Random(seed), spec, vocab)
        (noise_id,) = record.ids
        assert ID_SHAPES_RE.match(noise_id)
        assert record.markup.count(f'id="{noise_id}"') >= 3
        parsed = lxml.html.document_fromstring(html)
        assert len(parsed.xpath(f'//*[@id="{noise_id}"]')) >= 2
        ids.append(noise_id)
    assert len(set(ids)) >= 28


def test_noise_elements_are_empty_and_use_the_family_tags(vocab: SpamVocabulary) -> None:
    spec = only(family("tag-noise"), positions=("before-body-end",))
    for seed in SEEDS:
        _, record = apply_family(PAGE_EN, random.Random(seed), spec, vocab)
        tags = set(re.findall(r"<([a-z]+) id=", record.markup))
        assert tags & set(TRAIN_TAGS) and not tags & set(HOLDOUT_TAGS)
        assert all(t in TRAIN_TAGS or t not in lxml.html.defs.tags for t in tags)
        assert re.sub(r"</?[a-z]+(?: id=\"[^\"]+\")?>", "", record.markup).strip() == ""


def test_noframes_injection_leaks_literal_tags_into_scraped_text(vocab: SpamVocabulary) -> None:
    for position in ("noframes-body-start", "noframes-head", "noframes-before-html"):
        spec = only(family("tag-noise"), positions=(position,))
        html, record = apply_family(PAGE_ZH, random.Random(5), spec, vocab)
        (noise_id,) = record.ids
        lines = scraped_lines(html)
        leaked = [line for line in lines if f'id="{noise_id}"' in line]
        assert leaked and all(line.startswith("<") for line in leaked)
        assert leaked == record.texts
        parsed = lxml.html.document_fromstring(html)
        assert [e.tag for e in parsed.xpath(f'//*[@id="{noise_id}"]')] == ["noframes"]


def test_escaped_noise_shows_literal_tags_in_a_text_element(vocab: SpamVocabulary) -> None:
    spec = only(family("tag-noise"), positions=("escaped-before-article",))
    html, record = apply_family(PAGE_EN, random.Random(2), spec, vocab, article_text="\n".join(ARTICLE_EN))
    assert "&lt;" in record.markup and record.position == "escaped-before-article"
    assert html.index(record.markup) < html.index("The city council approved")
    assert all(text in scraped_lines(html) for text in record.texts)
    assert f"<{record.texts[0][1:]}" not in html


def test_text_after_closing_html_survives_in_scraped_text(vocab: SpamVocabulary) -> None:
    spec = only(family("spam-block"), positions=("after-html",))
    for seed in SEEDS:
        html, record = apply_family(PAGE_ZH, random.Random(seed), spec, vocab)
        assert html.index(record.markup) > html.index("</html>")
        assert record.texts and all(text in scraped_lines(html) for text in record.texts)


def test_noise_before_doctype_comes_first_in_the_raw_page(vocab: SpamVocabulary) -> None:
    spec = only(family("tag-noise"), positions=("before-doctype",))
    html, record = apply_family(PAGE_ZH, random.Random(1), spec, vocab)
    assert html.lstrip().startswith("<") and html.index(record.markup) == 0
    assert html.index("<!DOCTYPE") > len(record.markup.strip())


def test_article_positions_land_around_and_between_paragraphs(vocab: SpamVocabulary) -> None:
    article = "\n".join(ARTICLE_EN)
    for position in ("before-article", "after-article", "article-middle"):
        spec = only(family("spam-block"), positions=(position,), shapes=("keyword-line",))
        for seed in SEEDS:
            html, record = apply_family(PAGE_EN, random.Random(seed), spec, vocab, article_text=article)
            assert record.position == position
            at = html.index(record.markup)
            starts = [html.index(p[:30].replace('"', "&quot;")) for p in ARTICLE_EN]
            if position == "before-article":
                assert at < starts[0]
            elif position == "after-article":
                assert at > starts[-1] and at < html.index("</article>")
            else:
                assert starts[0] < at < starts[-1]
            assert html[:at].count("<p>") == html[:at].count("</p>")


def test_article_is_found_from_an_xpath_hint_or_the_paragraph_heuristic(vocab: SpamVocabulary) -> None:
    spec = only(family("spam-block"), positions=("after-article",), shapes=("keyword-line",))
    hinted, record = apply_family(PAGE_EN, random.Random(4), spec, vocab, article_xpath="//article")
    assert record.position == "after-article"
    assert hinted.index("</article>") > hinted.index(record.markup) > hinted.index("spending details")
    guessed, record = apply_family(PAGE_EN, random.Random(4), spec, vocab)
    assert record.position == "after-article"


def test_landmarks_inside_scripts_and_comments_are_ignored(vocab: SpamVocabulary) -> None:
    page = (
        "<html><head><script>var w = '<body><p>x</p></body></html>';</script><!-- <body> --></head>"
        "<body><p>The real body paragraph is right here for everyone to read.</p>"
        "<script>document.write('</body></html>')</script></body></html>"
    )
    for position in ("body-start", "before-body-end", "after-html"):
        spec = only(family("spam-block"), positions=(position,), shapes=("keyword-line",))
        html, record = apply_family(page, random.Random(3), spec, vocab)
        at = html.index(record.markup)
        if position == "body-start":
            assert html[:at].endswith("<body>") and at > html.index("<!-- <body> -->")
        elif position == "before-body-end":
            assert html[at + len(record.markup) :] == "</body></html>"
        else:
            assert html.endswith("</html>" + record.markup)
        assert all(text in scraped_lines(html) for text in record.texts)


def test_unlocatable_article_falls_back_to_the_body_end(vocab: SpamVocabulary) -> None:
    spec = only(family("spam-block"), positions=("article-middle",))
    page = "<html><body><div>short</div></body></html>"
    html, record = apply_family(page, random.Random(0), spec, vocab, article_text="nothing like this is on the page")
    assert record.position == "before-body-end"
    assert html.index(record.markup) < html.index("</body>")


def test_pages_without_structure_still_get_contaminated(vocab: SpamVocabulary) -> None:
    for page in ("<p>Just one paragraph of text without any document structure at all.</p>", "plain words"):
        for seed in SEEDS:
            html, records = contaminate(page, random.Random(seed), ALL_FAMILIES, vocab)
            lxml.html.document_fromstring(html)
            assert all(text in scraped_lines(html) for r in records for text in r.texts)


def test_link_farms_are_hidden_and_never_use_legitimate_hiding_markers(vocab: SpamVocabulary) -> None:
    hidden = re.compile(
        r"display:\s*none|visibility:\s*hidden|-\d{4,}px|width:0|width:1px|font-size:0|marquee|"
        r"opacity|clip|text-indent|width=\"1\"",
        re.I,
    )
    for spec in (family("link-farm"), family("link-farm/holdout-hiding")):
        for seed in range(30):
            _, record = apply_family(PAGE_EN, random.Random(seed), spec, vocab)
            assert hidden.search(record.markup), record.markup[:200]
            assert record.details["hiding"] in spec.hidings
            for marker in ("sr-only", "visually-hidden", "aria-hidden", "role="):
                assert marker not in record.markup
            assert not re.search(r"<[a-z]+[^>]*\shidden(?=[\s/>=])", record.markup)
            assert len(record.details["hrefs"]) >= 5


def test_meta_hijack_writes_the_title_in_numeric_entities_with_a_referrer_redirect(vocab: SpamVocabulary) -> None:
    for seed in SEEDS:
        html, record = apply_family(PAGE_ZH, random.Random(seed), family("meta-hijack"), vocab)
        root = lxml.html.document_fromstring(html)
        assert root.findtext(".//title") == record.texts[0]
        title_markup = re.search(r"<title>.*?</title>", html).group()
        assert "&#" in title_markup or record.texts[0].isascii()
        assert re.search(r'name="keywords" content="[^"]*&#\d+;', html) or record.details["keywords"].isascii()
        script = re.search(r"<script>[^<]*document\.referrer[^<]*</script>", html).group()
        assert re.search(r"baidu|sogou|soso|bing|yahoo|google|360|so\\?\.com", script) and "location" in script
        assert record.details["original_title"] == "国务院发布数字政府建设指导意见"
        assert html.count("<title>") == 1


def test_article_after_keeps_the_article_unless_mirrored(vocab: SpamVocabulary) -> None:
    _, records = contaminate(PAGE_ZH, random.Random(0), TRAIN_FAMILIES[:5], vocab, count=3)
    assert article_after(ARTICLE_ZH[0], records) == ARTICLE_ZH[0]


def test_mirror_converts_the_page_to_traditional_and_keeps_spam_simplified(vocab: SpamVocabulary) -> None:
    seen_line = False
    for seed in SEEDS:
        html, record = apply_family(PAGE_ZH, random.Random(seed), family("mirror"), vocab)
        article = article_after("\n".join(ARTICLE_ZH), [record])
        assert article == zhconv.convert("\n".join(ARTICLE_ZH), "zh-hant")
        assert all(compact(p) in compact(to_scraped_text(html)) for p in article.split("\n"))
        assert "國務院" in html and "国务院" not in html.replace(record.markup, "")
        assert record.details["converted"] == "zh-hant"
        for text in record.texts:
            seen_line = True
            assert text in scraped_lines(html)
    assert seen_line
    assert not usable(family("mirror"), vocab, PAGE_EN)


def test_friend_links_are_a_block_of_many_anchors_before_body_end(vocab: SpamVocabulary) -> None:
    html, record = apply_family(PAGE_EN, random.Random(3), family("friend-links"), vocab)
    assert record.markup.startswith("<div class='")
    assert 10 <= record.markup.count("<a href=") <= 40
    assert html.index(record.markup) < html.index("</body>") and html.index(record.markup) > html.index("</footer>")


# --- held-out families --------------------------------------------------------------------------------

HOLDOUT_FIELDS = {
    "tagset": "tagset",
    "language": "languages",
    "position": "positions",
    "hiding": "hidings",
    "wording": "sources",
    "shape": "family",
}


@pytest.mark.parametrize("spec", HOLDOUT_FAMILIES, ids=lambda s: s.name)
def test_holdout_families_are_disjoint_from_train_in_their_dimension(spec: FamilySpec) -> None:
    attr = HOLDOUT_FIELDS[spec.holdout]

    def values(s: FamilySpec) -> set:
        value = getattr(s, attr)
        return {value} if isinstance(value, str) else set(value)

    train_values = set().union(*(values(t) for t in TRAIN_FAMILIES))
    assert values(spec) and not values(spec) & train_values
    assert all(not t.holdout for t in TRAIN_FAMILIES)


def test_holdout_output_never_shows_train_values(vocab: SpamVocabulary) -> None:
    train_languages = {lang for s in TRAIN_FAMILIES for lang in s.languages}
    train_sources = {src for s in TRAIN_FAMILIES for src in s.sources}
    train_positions = {p for s in TRAIN_FAMILIES for p in s.positions}
    for spec in HOLDOUT_FAMILIES:
        for seed in SEEDS:
            html, record = apply_family(PAGE_EN, random.Random(seed), spec, vocab, article_text="\n".join(ARTICLE_EN))
            if spec.holdout == "language":
                assert record.language not in train_languages
            if spec.holdout == "wording":
                assert record.source not in train_sources
            if spec.holdout == "position":
                assert record.position not in train_positions
            if spec.holdout == "tagset":
                tags = set(re.findall(r"<([a-z]+) id=", record.markup.replace("&lt;", "<"))) - {"noframes"}
                assert tags and not tags & set(TRAIN_TAGS)


def test_invented_holdout_tags_are_never_real_or_training_tags() -> None:
    rng = random.Random(0)
    names = {invented_tag(rng) for _ in range(2000)}
    assert not names & set(TRAIN_TAGS)
    assert not names & {"p", "div", "a", "b", "i", "s", "ul", "li", "em", "tt", "xmp", "svg", "math", "image"}
    assert all(2 <= len(n) <= 5 and n.isalpha() for n in names)


def test_families_needing_lexicons_are_unusable_without_them() -> None:
    builtin = SpamVocabulary.builtin()
    wording = [s for s in HOLDOUT_FAMILIES if s.holdout == "wording"]
    assert wording and not any(usable(s, builtin) for s in wording)
    text, records = contaminate_text("\n".join(ARTICLE_EN), random.Random(1), wording, builtin)
    assert records == [] and text == "\n".join(ARTICLE_EN)


# --- text mode ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ALL_FAMILIES, ids=lambda s: s.name)
def test_text_injection_inserts_exactly_the_recorded_lines(spec: FamilySpec, vocab: SpamVocabulary) -> None:
    article = "\n".join(ARTICLE_ZH)
    for seed in SEEDS:
        text, (record,) = inject_text(article, random.Random(seed), spec, vocab)
        lines = text.split("\n")
        clean = mirror_text(article) if spec.family == "mirror" else article
        kept = [line for line in lines if line not in record.texts]
        assert kept == clean.split("\n")
        assert sorted(line for line in lines if line in record.texts) == sorted(record.texts)
        where = record.position
        first = lines.index(clean.split("\n")[0])
        last = lines.index(clean.split("\n")[-1])
        if record.texts:
            at = lines.index(record.texts[0])
            assert {"start": at < first, "end": at > last, "between": first < at < last}[where]


def test_text_tag_noise_lines_are_literal_tags_with_one_id(vocab: SpamVocabulary) -> None:
    text, (record,) = inject_text("\n".join(ARTICLE_EN), random.Random(8), family("tag-noise"), vocab)
    (noise_id,) = record.ids
    for line in record.texts:
        assert re.fullmatch(rf'(?:</?[a-z]+(?: id="{noise_id}")?>)+', line)


def test_contaminate_text_applies_one_to_three_injections(vocab: SpamVocabulary) -> None:
    counts = set()
    for seed in range(30):
        text, records = contaminate_text("\n".join(ARTICLE_EN), random.Random(seed), TRAIN_FAMILIES, vocab)
        counts.add(len(records))
        assert all(line in text.split("\n") for r in records for line in r.texts)
    assert counts == {1, 2, 3}


def test_scraped_text_shows_title_body_and_skips_scripts() -> None:
    page = (
        "<html><head><title>T1</title><script>var x = 1;</script></head><body><p>a</p><style>p{}</style>"
        '<noframes><b id="q"></b></noframes></body></html>tail words'
    )
    assert to_scraped_text(page).split("\n") == ["T1", "a", '<b id="q"></b>', "tail words"]


def test_covered_fraction_separates_injected_from_article_text(vocab: SpamVocabulary) -> None:
    html, records = contaminate(PAGE_EN, random.Random(11), TRAIN_FAMILIES, vocab, count=3)
    spam_texts = [t for r in records for t in r.texts]
    assert covered_fraction(" ".join(spam_texts), records) == 1.0 if spam_texts else True
    assert all(covered_fraction(p, records) < 0.5 for p in ARTICLE_EN)
    assert covered_fraction("", records) == 0.0


# --- vocabulary -----------------------------------------------------------------------------------------


def test_builtin_vocabulary_covers_every_language_and_theme_without_vietnamese() -> None:
    vocab = SpamVocabulary.builtin()
    rng = random.Random(0)
    assert "vi" not in LANGUAGES and len(set(LANGUAGES) - {"zh-hans", "zh-hant", "en", "ja"}) >= 2
    for language in LANGUAGES:
        for theme in THEMES:
            assert vocab.has("builtin", language, theme)
            line = vocab.keyword_line(rng, "builtin", language, theme)
            assert line and not re.search(r"[ạảãắằẳẵặấầẩẫậđẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", line)


def test_traditional_vocabulary_is_really_traditional() -> None:
    vocab = SpamVocabulary.builtin()
    rng = random.Random(3)
    for theme in THEMES:
        for _ in range(20):
            line = vocab.keyword_line(rng, "builtin", "zh-hant", theme)
            assert zhconv.convert(line, "zh-hant") == line
    assert (
        vocab.pools[("builtin", "zh-hant", "gambling")].terms != vocab.pools[("builtin", "zh-hans", "gambling")].terms
    )


def test_keyword_lines_join_five_to_twelve_phrases() -> None:
    vocab = SpamVocabulary.builtin()
    rng = random.Random(5)
    for _ in range(50):
        line = vocab.keyword_line(rng, "builtin", "zh-hans", "porn")
        parts = max((line.split(j) for j in "_-,| "), key=len)
        assert 5 <= len(parts) <= 12


def test_lexicons_are_read_as_separate_wording_sources(lexicon_dir: Path) -> None:
    vocab = SpamVocabulary.from_lexicons(lexicon_dir)
    assert {"konsheng", "houbb", "splorp", "ldnoobw"} <= set(vocab.sources())
    assert "裸聊直播" in vocab.pools[("konsheng", "zh-hans", "porn")].terms
    assert "buy cialis" in vocab.pools[("splorp", "en", "pharma")].terms
    assert "-cialis-" not in vocab.pools[("splorp", "en", "pharma")].terms
    assert "agen poker" not in vocab.pools[("splorp", "en", "gambling")].terms
    rng = random.Random(0)
    phrase = vocab.phrase(rng, "houbb", "zh-hans", "gambling")
    assert any(term in phrase for term in vocab.pools[("houbb", "zh-hans", "gambling")].terms)


def test_missing_lexicon_directory_leaves_only_builtin_wording(tmp_path: Path) -> None:
    vocab = SpamVocabulary.from_lexicons(tmp_path / "nowhere")
    assert vocab.sources() == ("builtin",)
