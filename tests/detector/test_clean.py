"""Assembling the clean text: link labels and comment sections dropped, a second look at a page whose kept text
is short, gaps closed — content/boilerplate calls only, never a contamination label."""

from __future__ import annotations

import pytest

from detector.clean import (
    LAST_RESORT_CHARS,
    LAST_RESORT_MIN_CHARS,
    OUTSIDE_REGION_CHARS,
    SHORT_ARTICLE_CHARS,
    SPAM_TERM_FEATURES,
    article_region,
    drop_comment_sections,
    drop_figure_captions,
    drop_hidden_text,
    drop_link_labels,
    drop_short_text_outside_region,
    fill_content_gaps,
    keep_longest_paragraph,
    recover_short_article,
    settle_content,
)
from detector.features import SCRIPT_MISMATCH, featurize_page
from detector.score import segment_page
from detector.segment import Block, segment_text

PARAGRAPH = "The council approved the new budget on Tuesday after a long debate about schools and roads."
LONG_ENOUGH = SHORT_ARTICLE_CHARS // len(PARAGRAPH) + 1
"""Paragraphs that make a kept text long enough to need no second look."""


def text_block(
    text: str, link_chars: int = 0, hidden: str = "", attr_tokens: tuple[str, ...] = (), tag: str = "p"
) -> Block:
    """A text block of an HTML page."""
    return Block(text, "text", "body", tag=tag, link_chars=link_chars, hidden=hidden, attr_tokens=tuple(attr_tokens))


def test_a_short_article_gets_a_second_look_at_possible_content():
    """With little kept, plain prose the model thought possibly content is kept; links, hidden text, suspicious,
    unlikely, other-script, spam-term, comment-section and literal-markup blocks are not."""
    other_script = text_block("시알리스 구매-발기부전 치료제 판매-처방전 없이 발기부전 치료제 효과")
    other_script.features = {SCRIPT_MISMATCH: 1.0}
    spam_terms = text_block("Cheap replica watches and designer bags, order online with free shipping today.")
    spam_terms.features = {"lex=1": 1.0, "cta=1": 1.0}
    blocks = [
        text_block(PARAGRAPH),
        text_block("Residents will be asked to comment on the plan at three meetings in May."),
        text_block("Read more about the budget and the schools in our special section", link_chars=60),
        text_block("Subscribers can read the full minutes of the meeting online today.", hidden="display"),
        text_block("A second paragraph that the model found slightly suspicious, like spam."),
        text_block("A line the model was sure is boilerplate, such as a cookie notice here."),
        other_script,
        spam_terms,
        text_block("I think the council is wrong about the roads, as usual.", attr_tokens=("comment", "body")),
        text_block('<div class="row"><span id="x1">a</span></div>'),
    ]
    labels = ["content"] + ["boilerplate"] * 9
    content = [0.9, 0.35, 0.6, 0.6, 0.6, 0.1, 0.6, 0.6, 0.6, 0.9]
    contamination = [0.0, 0.02, 0.0, 0.0, 0.2, 0.0, 0.05, 0.0, 0.0, 0.0]
    assert recover_short_article(blocks, labels, content, contamination) == ["content", "content"] + labels[2:]


def test_a_long_enough_article_gets_no_second_look():
    """When the kept text is long, borderline prose stays boilerplate."""
    blocks = [text_block(PARAGRAPH) for _ in range(LONG_ENOUGH + 1)]
    labels = ["content"] * LONG_ENOUGH + ["boilerplate"]
    assert recover_short_article(blocks, labels, [0.9] * LONG_ENOUGH + [0.4], [0.0] * (LONG_ENOUGH + 1)) == labels


def test_with_only_a_headline_kept_the_longest_paragraph_is_kept():
    """The last resort keeps the longest paragraph that may be article text; longer but suspicious, spam-term,
    other-script, comment-section, linked or hidden text is passed over, and so is any when more than a headline
    is kept."""
    article = " ".join([PARAGRAPH] * 2)
    other_script = text_block("市议会周二在就学校和道路问题进行了长时间辩论后批准了新的预算。" * 8)
    other_script.features = {SCRIPT_MISMATCH: 1.0}
    spam_terms = text_block(" ".join([PARAGRAPH] * 4))
    spam_terms.features = {next(iter(SPAM_TERM_FEATURES)): 1.0}
    blocks = [
        text_block("Budget approved", tag="h1"),
        text_block(PARAGRAPH),
        text_block(article),
        text_block(" ".join([PARAGRAPH] * 3)),
        spam_terms,
        other_script,
        text_block(" ".join([PARAGRAPH] * 5), attr_tokens=("comment", "body")),
        text_block(" ".join([PARAGRAPH] * 6), link_chars=len(PARAGRAPH) * 6),
        text_block(" ".join([PARAGRAPH] * 7), hidden="display"),
    ]
    assert len(PARAGRAPH) < LAST_RESORT_MIN_CHARS <= len(article)
    labels = ["content"] + ["boilerplate"] * 8
    contamination = [0.0, 0.0, 0.0, 0.3] + [0.0] * 5
    assert keep_longest_paragraph(blocks, labels, contamination) == ["content", "boilerplate", "content"] + labels[3:]
    blocks[0] = text_block("B" * LAST_RESORT_CHARS, tag="h1")
    assert keep_longest_paragraph(blocks, labels, contamination) == labels


ZH_PARAGRAPHS = (
    "本报讯 市政府昨日召开新闻发布会，宣布将在未来三年内投入二十亿元，"
    "用于改善城市公园和街道绿化，新增绿地面积约三百公顷。",
    "有市民表示，近年来城市环境明显改善，希望政府继续加大投入，并做好后期养护管理工作。",
)


def test_chinese_text_is_measured_by_what_it_says_not_its_characters():
    """A 59-character Chinese paragraph says what about 170 English characters say: the last resort keeps it, and a
    headline plus such a paragraph is more than a headline (the thresholds count Han characters three times)."""
    from detector.text import text_size

    assert len(ZH_PARAGRAPHS[0]) < LAST_RESORT_MIN_CHARS <= text_size(ZH_PARAGRAPHS[0])
    blocks = [text_block("市政府发布新一轮城市绿化计划", tag="h1"), *map(text_block, ZH_PARAGRAPHS)]
    labels = ["content", "boilerplate", "boilerplate"]
    assert keep_longest_paragraph(blocks, labels, [0.0] * 3) == ["content", "content", "boilerplate"]
    assert text_size(PARAGRAPH) == len(PARAGRAPH)


def test_scraped_text_gets_no_second_look():
    """The second look is for HTML: in a scraped dump it would keep menu lines."""
    blocks = [
        Block(PARAGRAPH, "line", "text"),
        Block("Sign up for our daily newsletter and offers today", "line", "text"),
    ]
    labels = ["content", "boilerplate"]
    args = (blocks, labels, [0.9, 0.5], [0.0, 0.0])
    assert settle_content(*args, "text") == labels
    assert settle_content(*args, "html") == ["content", "content"]


def test_short_link_labels_are_not_article_text():
    """Topic tags and kickers (a few words in links, no sentence) go; a linked sentence, a linked headline, plain
    words and web addresses written out stay."""
    blocks = [
        text_block("Hong Kong", link_chars=9),
        text_block("香港 国际新闻", link_chars=7),
        text_block("Read the statement.", link_chars=19),
        text_block("Photo: Reuters", link_chars=0),
        text_block(PARAGRAPH, link_chars=len(PARAGRAPH)),
        text_block("City tightens security", link_chars=22, tag="h1"),
        text_block("http://amzn.to/2iJFhRj", link_chars=22),
        text_block("www.example.org/report", link_chars=22),
    ]
    labels = ["content"] * 8
    assert drop_link_labels(blocks, labels) == ["boilerplate", "boilerplate"] + ["content"] * 6


def test_readers_comments_are_not_article_text():
    """Kept text inside a comment section goes; the article around it stays."""
    comment = ("comments", "container", "comment", "content")
    blocks = [text_block(PARAGRAPH, attr_tokens=("article", "body")) for _ in range(LONG_ENOUGH)]
    blocks += [text_block("I disagree with the council, the roads matter more than anything.", attr_tokens=comment)]
    labels = ["content"] * len(blocks)
    assert drop_comment_sections(blocks, labels) == ["content"] * LONG_ENOUGH + ["boilerplate"]


def test_an_article_wrapper_named_for_its_comments_is_kept():
    """When dropping the comment-named text would leave too little for an article, it is the article
    (`<div class="post has-comments">`, a lead paragraph outside it)."""
    blocks = [text_block(PARAGRAPH)] + [text_block(PARAGRAPH, attr_tokens=("post", "has", "comments"))] * 5
    labels = ["content"] * 6
    assert drop_comment_sections(blocks, labels) == labels


@pytest.mark.parametrize("contamination", ["spam", "tag-noise"])
def test_no_step_touches_a_contamination_label(contamination):
    """Flagged blocks stay flagged whatever the steps think of their shape or place."""
    blocks = [
        text_block(PARAGRAPH),
        text_block("casino bonus", link_chars=12),
        text_block("cheap pills online today", attr_tokens=("comment",)),
        text_block(PARAGRAPH),
    ]
    labels = ["content", contamination, contamination, "content"]
    assert settle_content(blocks, labels, [0.9, 0.9, 0.9, 0.9], [0.0, 0.95, 0.95, 0.0], "html") == labels


def test_the_guards_read_the_features_the_featurizer_writes():
    """Other-script and spam-term lines carry the very feature names the promotion guards look for."""
    blocks = segment_text(
        f"{PARAGRAPH}\n비아그라 구매 정품 시알리스 판매 처방전 없이\n"
        "Buy cheap viagra online, no prescription needed, fast shipping from our pharmacy.\n"
    )
    featurize_page(blocks, "example.com", "", "text")
    assert SCRIPT_MISMATCH not in blocks[0].features and SPAM_TERM_FEATURES.isdisjoint(blocks[0].features)
    assert SCRIPT_MISMATCH in blocks[1].features
    assert not SPAM_TERM_FEATURES.isdisjoint(blocks[2].features)


def test_gaps_are_not_filled_with_what_the_steps_keep_out():
    """A comment or a spam-term line between two paragraphs stays out of the text (a paragraph in another script
    is filled in: a quote in the other Han variant is article text)."""
    comment = text_block("Great article, thanks for writing it, I agree with every word.", attr_tokens=("comments",))
    spam_terms = text_block("Buy cheap viagra online, no prescription needed, fast shipping.")
    spam_terms.features = {"lex=2": 1.0, "cta=1": 1.0}
    for middle in (comment, spam_terms):
        blocks = [text_block(PARAGRAPH)] * LONG_ENOUGH + [middle, text_block(PARAGRAPH)]
        labels = ["content"] * LONG_ENOUGH + ["content" if middle is comment else "boilerplate", "content"]
        settled = settle_content(blocks, labels, [0.9] * len(blocks), [0.0] * len(blocks), "html")
        assert settled[-2] == "boilerplate", middle.text


def test_leaked_markup_between_paragraphs_is_not_filled_in():
    """A gap between two paragraphs is filled with prose, never with text that is mostly literal tags."""
    blocks = [text_block(PARAGRAPH), text_block('<div class="row"><span id="x1">a</span></div>'), text_block(PARAGRAPH)]
    labels = ["content", "boilerplate", "content"]
    assert fill_content_gaps(blocks, labels, [0.0, 0.0, 0.0]) == labels
    blocks[1] = text_block("The vote was seven to two, with one member absent from the chamber.")
    assert fill_content_gaps(blocks, labels, [0.0, 0.0, 0.0]) == ["content"] * 3


def test_topic_tags_after_an_article_stay_out_of_its_text(scorer):
    """End to end: a list of topic-tag links under an article is not part of the clean text."""
    paragraphs = "".join(
        f"<p>{sentence}</p>"
        for sentence in (
            "Beijing has tightened its grip on the city after months of protests, officials said on Monday.",
            "Lawmakers in the territory met behind closed doors to discuss the new security measures.",
            "Several thousand people marched through the centre in the evening, most of them peacefully.",
            "The government said it would answer questions from the press later in the week.",
        )
    )
    tags = "".join(f'<li><a href="/tag/{t}">{t}</a></li>' for t in ("China", "Hong Kong", "Protests", "Beijing"))
    html = (
        "<html><head><title>City tightens security</title></head><body><article><h1>City tightens security</h1>"
        f'{paragraphs}<div class="tags"><ul>{tags}</ul></div></article></body></html>'
    )
    text = scorer.score(html, fmt="html").text
    assert "marched through the centre" in text
    assert not any(line in ("China", "Hong Kong", "Protests", "Beijing") for line in text.splitlines()), text


def test_text_a_style_does_not_display_is_not_article_text():
    """Kept text under an inline or stylesheet `display:none` goes; text hidden another way (off-screen, zero size,
    from screen readers) stays, and a flagged block stays flagged."""
    hidden_as = ("display", "offscreen", "zero-size", "stylesheet-display", "stylesheet-offscreen", "semantic", "")
    blocks = [text_block(PARAGRAPH, hidden=hidden) for hidden in hidden_as] + [text_block(PARAGRAPH, hidden="display")]
    labels = ["content"] * 7 + ["spam"]
    expected = ["boilerplate", "content", "content", "boilerplate"] + ["content"] * 3 + ["spam"]
    assert drop_hidden_text(blocks, labels) == expected


def test_a_story_hidden_whole_is_not_dropped():
    """When the hidden text is all there is (a tab or a "read more" box a script opens), it stays."""
    blocks = [text_block("Budget approved", tag="h1")] + [text_block(PARAGRAPH, hidden="display")] * 3
    labels = ["content"] * 4
    assert drop_hidden_text(blocks, labels) == labels
    assert settle_content(blocks, labels, [0.9] * 4, [0.0] * 4, "html") == labels


@pytest.mark.parametrize(
    ("style", "box"),
    [
        ("", '<div style="display:none">'),
        ("<style>body > .copies .print{display:none}</style>", '<div class="copies">'),
    ],
)
def test_a_hidden_copy_of_the_story_is_not_kept_twice(scorer, style, box):
    """End to end: the story again in a box an inline style or a stylesheet rule does not display (a print copy)
    is not part of the clean text."""
    sentences = (
        "The harbour authority said on Monday that the new container terminal would open next spring.",
        "Dock workers had asked for the opening to be delayed until the safety review was complete.",
        "The terminal is expected to double the port's capacity and bring hundreds of jobs to the area.",
        "A spokesman for the union said talks with the authority would continue later this week.",
    )
    story = "".join(f"<p>{sentence}</p>" for sentence in sentences)
    html = (
        f"<html><head><title>Port terminal to open</title>{style}</head><body><article><h1>Port terminal to open</h1>"
        f'{story}</article>{box}<div class="print">{" ".join(sentences)}</div></div>'
        "</body></html>"
    )
    text = scorer.score(html, fmt="html").text
    assert text.count("double the port's capacity") == 1, text


REGION_PAGE = f"""<html><body><header><h1>Council approves the budget</h1></header>
<div class="story">{f"<p>{PARAGRAPH}</p>" * 9}
<figure><img src="vote.jpg"><figcaption>Councillors vote on Tuesday. Photo: City Hall</figcaption></figure>
<p>{PARAGRAPH}</p></div>
<aside><p>Mayor opens new library in the north of the city</p>
<p>{PARAGRAPH} {PARAGRAPH}</p></aside></body></html>"""


def region_blocks() -> tuple[list[Block], list[str]]:
    """The blocks of REGION_PAGE, every one kept as content (as a model might keep them)."""
    blocks = segment_page(REGION_PAGE, "html", None)[0]
    return blocks, ["content" if block.kind == "text" else "boilerplate" for block in blocks]


def test_short_text_outside_the_articles_region_is_not_article_text():
    """The region is the element holding most of the kept text; a teaser beside it goes, the headline above it
    and a long paragraph beside it stay (a lead or a second part of the story may stand outside)."""
    blocks, labels = region_blocks()
    region = article_region(blocks, labels)
    assert region is not None and region.get("class") == "story"
    settled = dict(zip((b.text for b in blocks), drop_short_text_outside_region(blocks, labels)))
    assert settled["Mayor opens new library in the north of the city"] == "boilerplate"
    assert settled["Council approves the budget"] == "content"
    assert settled[f"{PARAGRAPH} {PARAGRAPH}"] == "content" and len(PARAGRAPH) * 2 > OUTSIDE_REGION_CHARS
    assert settled[PARAGRAPH] == "content"


def test_a_chinese_keyword_line_outside_the_region_is_short_by_its_characters():
    """The outside-region step counts characters, not `text_size`: a 79-character line of Chinese gambling keywords
    beside the article (an injected one the model kept) is short and goes, as the same line in Latin letters would."""
    spam = "-".join(
        ["易发国际娱乐城官网", "在线赌博平台", "赌场入口", "乐透世界娱乐城平台", "删除博客帖子qq官方网站"]
        + ["在线真人赌钱娱乐城投注注册"]
    )
    html = (
        f"<html><body><div class='ad'><p>{spam}</p></div><article><p>{PARAGRAPH}</p><p>{PARAGRAPH} Again.</p>"
        f"<p>{PARAGRAPH} Once more.</p></article></body></html>"
    )
    blocks = segment_page(html, "html", None)[0]
    labels = ["content" if block.kind == "text" else "boilerplate" for block in blocks]
    settled = dict(zip((b.text for b in blocks), drop_short_text_outside_region(blocks, labels)))
    assert settled[spam] == "boilerplate" and len(spam) <= OUTSIDE_REGION_CHARS


def test_figure_captions_are_not_article_text():
    """A caption inside the article is dropped; the paragraphs around it are kept."""
    blocks, labels = region_blocks()
    settled = dict(zip((b.text for b in blocks), drop_figure_captions(blocks, labels)))
    assert settled["Councillors vote on Tuesday. Photo: City Hall"] == "boilerplate"
    assert settled[PARAGRAPH] == "content"


def test_no_region_without_kept_text():
    """A page with nothing kept has no region, and the step leaves its labels alone."""
    blocks, labels = region_blocks()
    nothing = ["boilerplate"] * len(labels)
    assert article_region(blocks, nothing) is None
    assert drop_short_text_outside_region(blocks, nothing) == nothing


def test_one_long_paragraph_is_no_region_of_its_own():
    """When one paragraph holds most of the kept text, the region is what holds it with the others: the short
    paragraphs beside it in the same article stay."""
    short = "The council will meet again on Friday to vote on the roads."
    html = f"<html><body><article><p>{PARAGRAPH * 12}</p><p>{short}</p><p>{short} Again.</p></article></body></html>"
    blocks = segment_page(html, "html", None)[0]
    labels = ["content" if block.kind == "text" else "boilerplate" for block in blocks]
    assert article_region(blocks, labels).tag == "article"
    assert drop_short_text_outside_region(blocks, labels) == labels


def test_the_second_look_stays_inside_the_region_of_the_kept_text():
    """A short article's second look keeps possible content inside the element holding its paragraphs, not a long
    notice in the footer; with only a headline kept there is no region and both are looked at."""
    notice = "Our customer service center can be reached with any questions about your subscription by phone."
    html = (
        "<html><body><header><h1>Council approves the budget</h1></header>"
        f"<div class='story'><p>{PARAGRAPH}</p><p>{PARAGRAPH} Again.</p><p>Schools get most of the new money.</p>"
        f"</div><footer><p>{notice}</p></footer></body></html>"
    )
    blocks = segment_page(html, "html", None)[0]
    texts = [block.text for block in blocks]
    kept = {texts.index("Council approves the budget"), texts.index(PARAGRAPH), texts.index(f"{PARAGRAPH} Again.")}
    labels = ["content" if index in kept else "boilerplate" for index in range(len(blocks))]
    content = [0.4] * len(blocks)
    settled = dict(zip(texts, recover_short_article(blocks, labels, content, [0.0] * len(blocks))))
    assert settled["Schools get most of the new money."] == "content"
    assert settled[notice] == "boilerplate"
    headline_only = ["content" if text == "Council approves the budget" else "boilerplate" for text in texts]
    settled = dict(zip(texts, recover_short_article(blocks, headline_only, content, [0.0] * len(blocks))))
    assert settled["Schools get most of the new money."] == settled[notice] == "content"
