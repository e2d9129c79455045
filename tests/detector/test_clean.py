"""Assembling the clean text: the second look at a page whose kept text is short, and link labels dropped."""

from __future__ import annotations

from detector.clean import SHORT_ARTICLE_CHARS, drop_comment_sections, drop_link_labels, recover_short_article
from detector.segment import Block

PARAGRAPH = "The council approved the new budget on Tuesday after a long debate about schools and roads."


def text_block(text: str, link_chars: int = 0, hidden: str = "", attr_tokens: tuple[str, ...] = ()) -> Block:
    """A text block of an HTML page."""
    return Block(text, "text", "body", tag="p", link_chars=link_chars, hidden=hidden, attr_tokens=attr_tokens)


def test_a_short_article_gets_a_second_look_at_possible_content():
    """With little kept, plain prose the model thought possibly content is kept; links, hidden text, suspicious
    or unlikely blocks are not."""
    blocks = [
        text_block(PARAGRAPH),
        text_block("Residents will be asked to comment on the plan at three meetings in May."),
        text_block("Read more about the budget and the schools in our special section", link_chars=60),
        text_block("Subscribers can read the full minutes of the meeting online today.", hidden="display"),
        text_block("A second paragraph that the model found slightly suspicious, like spam."),
        text_block("A line the model was sure is boilerplate, such as a cookie notice here."),
    ]
    labels = ["content"] + ["boilerplate"] * 5
    content = [0.9, 0.35, 0.6, 0.6, 0.6, 0.1]
    contamination = [0.0, 0.02, 0.0, 0.0, 0.2, 0.0]
    assert recover_short_article(blocks, labels, content, contamination) == ["content", "content"] + labels[2:]


def test_a_long_enough_article_gets_no_second_look():
    """When the kept text is long, borderline prose stays boilerplate."""
    paragraphs = (SHORT_ARTICLE_CHARS // len(PARAGRAPH)) + 1
    blocks = [text_block(PARAGRAPH) for _ in range(paragraphs)] + [text_block(PARAGRAPH)]
    labels = ["content"] * paragraphs + ["boilerplate"]
    assert recover_short_article(blocks, labels, [0.9] * paragraphs + [0.4], [0.0] * (paragraphs + 1)) == labels


def test_short_link_labels_are_not_article_text():
    """Topic tags and kickers (a few words in links, no sentence) go; a linked sentence and plain words stay."""
    blocks = [
        text_block("Hong Kong", link_chars=9),
        text_block("Xi Jinping", link_chars=10),
        text_block("Read the statement.", link_chars=19),
        text_block("Photo: Reuters", link_chars=0),
        text_block(PARAGRAPH, link_chars=len(PARAGRAPH)),
    ]
    labels = ["content"] * 5
    assert drop_link_labels(blocks, labels) == ["boilerplate", "boilerplate", "content", "content", "content"]


def test_readers_comments_are_not_article_text():
    """Kept text inside a comment section goes; the article around it stays."""
    comment = ("comments", "container", "comment", "content")
    blocks = [text_block(PARAGRAPH, attr_tokens=("article", "body")) for _ in range(3)]
    blocks += [text_block("I disagree with the council, the roads matter more than anything.", attr_tokens=comment)]
    labels = ["content"] * 4
    assert drop_comment_sections(blocks, labels) == ["content"] * 3 + ["boilerplate"]


def test_an_article_wrapper_named_for_its_comments_is_kept():
    """When nearly all kept text sits under a comment word (`<div class="post has-comments">`), it is the article."""
    blocks = [text_block(PARAGRAPH, attr_tokens=("post", "has", "comments")) for _ in range(5)]
    blocks += [text_block("Photo: the council chamber on Tuesday night.")]
    labels = ["content"] * 6
    assert drop_comment_sections(blocks, labels) == labels


def test_topic_tags_after_an_article_stay_out_of_its_text(scorer):
    """End to end: a row of topic-tag links under an article is not part of the clean text."""
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
