"""Unit tests of the detector's stages: parse, segment, visibility, labels, metrics, explanations."""

from __future__ import annotations

import numpy as np
import pytest

from detector.errors import InputError
from detector.explain import feature_reason
from detector.features import featurize_page, writing_system
from detector.labels import gold_labels
from detector.metrics import corpus_f1, page_prf
from detector.parse import looks_like_html, parse_html, split_around_html
from detector.score import page_score
from detector.segment import Block, segment_html, segment_text

ARTICLE = "<p>The council approved the new budget on Tuesday after a long debate about schools.</p>"


def blocks_of(html: str):
    """Blocks of an HTML string."""
    return segment_html(parse_html(html))


def test_text_before_and_after_the_document_is_kept_apart():
    """Markup before `<html>` and text after `</html>` become their own zones."""
    html = f'<var id="qxzkv"></var><cite id="qxzkv"></cite><html><body>{ARTICLE}</body></html><p>after words</p>'
    prefix, main, suffix = split_around_html(html)
    assert prefix.startswith("<var") and main.startswith("<html") and "after words" in suffix
    zones = {(b.zone, b.kind) for b in blocks_of(html)}
    assert ("pre-html", "markup") in zones
    assert ("post-html", "text") in zones


def test_a_document_written_by_a_script_before_the_page_is_not_the_page():
    """`<html>` inside a script that precedes the page (`document.write('<html>...')`) does not start the document."""
    script = "<script>function popup(src) { w.document.write('<html><body><img src=' + src + '></html>'); }</script>"
    prefix, main, _ = split_around_html(f"{script}<html><body>{ARTICLE}</body></html>")
    assert prefix.startswith("<script>") and main.startswith("<html><body><p>The council")
    assert any(b.zone == "body" and b.text.startswith("The council approved") for b in blocks_of(script + main))


def test_a_title_that_never_closes_does_not_swallow_the_page():
    """A `<title>` whose end tag a crawl mangled is closed at the next tag, so the article is still read."""
    head = '<head><title>Budget passes</titlevalue="1" --><script>var a = 1;</script></head>'
    html = f"<html>{head}<body>{ARTICLE}</body></html>"
    blocks = blocks_of(html)
    assert [b.text for b in blocks if b.kind == "title"] == ["Budget passes"]
    assert any(b.text.startswith("The council approved") for b in blocks if b.kind == "text")


def test_markup_after_the_body_is_read_as_after_the_document():
    """lxml keeps what follows `</body>` under `<html>`: its text and raw-text noise are blocks after the body's."""
    html = (
        f"<html><head><title>Budget</title></head><body>{ARTICLE}</body>"
        '<div><a href="http://pills.example">cheap pills online</a></div>'
        '<noframes><var id="vnxft"></var></noframes></html>'
    )
    blocks = blocks_of(html)
    tail = [(b.zone, b.kind) for b in blocks[-2:]]
    assert tail == [("post-html", "text"), ("post-html", "rawtext")]
    assert blocks[-2].text == "cheap pills online" and blocks[-2].n_links == 1


def test_text_after_html_is_found_after_a_dotted_capital_i():
    """U+0130 lowers to two characters: the end of the document is found in the text itself, not its lowering."""
    prefix, main, suffix = split_around_html("<html><body><p>İstanbul İzmir</p></body></HTML><div>after</div>")
    assert main.endswith("</HTML>") and suffix == "<div>after</div>"


def test_empty_element_run_is_one_structural_block_with_its_ids():
    """A run of empty elements sharing an id is one markup block listing tags and ids."""
    noise = '<var id="abcde"><strike id="abcde"></strike></var><listing id="abcde"></listing>'
    runs = [b for b in blocks_of(f"<html><body>{noise}{ARTICLE}</body></html>") if b.kind == "markup"]
    assert len(runs) == 1
    assert runs[0].run_tags == ("var", "strike", "listing")
    assert set(runs[0].run_ids) == {"abcde"}


def test_noframes_content_is_a_rawtext_block():
    """Tags inside `<noframes>` stay literal text, as scrapers see them."""
    html = f'<html><body><noframes><var id="vnxft"></var></noframes>{ARTICLE}</body></html>'
    raw = [b for b in blocks_of(html) if b.kind == "rawtext"]
    assert raw and '<var id="vnxft">' in raw[0].text


@pytest.mark.parametrize("head", ["", "<head><title>Budget</title></head>"])
def test_noframes_right_after_html_is_a_rawtext_block(head):
    """lxml keeps a `<noframes>` written right after `<html>` under `<html>` itself, outside head and body."""
    html = f'<html><noframes id="vnxft"><var id="vnxft"></var><dfn id="vnxft"></dfn></noframes>{head}<body>{ARTICLE}'
    parsed = parse_html(html + "</body></html>")
    assert parsed.root.find("noframes").getparent() is parsed.root
    raw = [b for b in segment_html(parsed) if b.kind == "rawtext"]
    assert len(raw) == 1 and '<var id="vnxft">' in raw[0].text


@pytest.mark.parametrize(
    ("attributes", "kind"),
    [
        ('style="display:none"', "display"),
        ('style="position:absolute;left:-9000px"', "offscreen"),
        ('style="width:0;height:0;overflow:hidden"', "zero-size"),
        ('class="farm"', "stylesheet-display"),
        ('class="sr-only"', "semantic"),
    ],
)
def test_hidden_containers_are_marked_with_how(attributes, kind):
    """Inline styles, `<style>` rules and a11y classes each give their own hiding kind."""
    html = (
        "<html><head><style>.farm{display:none}</style></head><body>"
        f'<div {attributes}><a href="http://x1.example">cheap pills</a></div>{ARTICLE}</body></html>'
    )
    hidden = [b for b in blocks_of(html) if b.text == "cheap pills"]
    assert hidden and hidden[0].hidden == kind


def hiding_of_texts(css: str, body: str) -> dict[str, str]:
    """How each text block of a page with this stylesheet and body is hidden."""
    html = f"<html><head><style>{css}</style></head><body>{body}{ARTICLE}</body></html>"
    return {b.text: b.hidden for b in blocks_of(html) if b.kind == "text"}


def test_a_selector_with_context_hides_only_what_it_matches():
    """`.featured-posts > .widget` hides the widgets of that box, not every `.widget` (a Blogger post's own
    container among them); `div.ad` hides divs only, and `.a.b` needs both classes."""
    css = ".featured-posts > .widget{display:none} div.ad{display:none} .promo.farm{left:-9999px}"
    body = (
        '<div class="featured-posts"><div class="widget">featured teaser</div></div>'
        '<div class="widget">the post itself</div><div class="ad">a div advert</div><p class="ad">a paragraph</p>'
        '<div class="promo farm">both classes</div><div class="farm">one class</div>'
    )
    hiding = hiding_of_texts(css, body)
    assert hiding["featured teaser"] == "stylesheet-display" and hiding["the post itself"] == ""
    assert hiding["a div advert"] == "stylesheet-display" and hiding["a paragraph"] == ""
    assert hiding["both classes"] == "stylesheet-offscreen" and hiding["one class"] == ""


def test_print_and_narrow_screen_rules_and_states_do_not_hide_the_desktop_page():
    """Rules of `@media print`, of narrow screens (`max-width` under a desktop's width) and of a state (`:hover`)
    or a pseudo-element do not hide what a reader on a desktop sees; a rule for a class the page never uses
    hides nothing; rules for the screen and for wide screens do hide."""
    css = (
        "@media print{body *{visibility:hidden} .nav{display:none}} li:hover > .menu{display:none}"
        ".story::after{display:none} .unused .story{display:none} @media screen{.tabs .pane{display:none}}"
        "@media (max-width: 767px){.lead{display:none}} @media screen and (min-width:768px){.mobile{display:none}}"
    )
    body = '<div class="nav">nav words</div><ul><li><div class="menu">menu words</div></li></ul>'
    body += '<p class="story">story words</p><div class="tabs"><div class="pane">pane words</div></div>'
    body += '<p class="lead">lead words</p><p class="mobile">mobile words</p>'
    hiding = hiding_of_texts(css, body)
    assert hiding["nav words"] == hiding["menu words"] == hiding["story words"] == hiding["lead words"] == ""
    assert hiding["pane words"] == hiding["mobile words"] == "stylesheet-display"


def test_rules_for_the_page_itself_and_shown_elements_do_not_hide():
    """`body{display:none}` (hidden until a script against clickjacking runs) hides nothing, and an inline
    `display:block` overrides a stylesheet's `display:none`, whether the rule names a class or has context."""
    css = "body{display:none !important} .x{display:none} div.y{display:none}"
    body = '<div class="x" style="display:block">shown x</div><div class="y" style="display: flex">shown y</div>'
    body += '<div class="x">hidden x</div><div class="y">hidden y</div>'
    hiding = hiding_of_texts(css, body)
    assert hiding["shown x"] == hiding["shown y"] == "" and hiding[ARTICLE[3:-4]] == ""
    assert hiding["hidden x"] == hiding["hidden y"] == "stylesheet-display"


@pytest.mark.parametrize(
    ("css", "shown"),
    [
        (".tab-pane{display:none} .tab-pane.active{display:block}", True),
        (".tab-pane.active{display:block} .tab-pane{display:none}", True),
        (".tab-pane{display:block} .tab-pane{display:none}", False),
        (".tab-pane{display:none} .tab-pane{display:flex}", True),
        (".tab-pane{display:none !important} div.tab-pane.active{display:block}", False),
        ("#panes .tab-pane{display:none} .tab-pane.active{display:block}", False),
        (".tab-pane{display:none} @media (min-width: 768px){.tab-pane{display:block}}", True),
    ],
)
def test_a_rule_that_wins_the_cascade_shows_what_another_hid(css, shown):
    """Between a rule that hides an element from display and one that shows it, the `!important` one wins, then
    the more specific, then the later, as in a browser."""
    body = '<div id="panes"><div class="tab-pane active">active pane</div><div class="tab-pane">other pane</div></div>'
    hiding = hiding_of_texts(css, body)
    assert hiding["active pane"] == ("" if shown else "stylesheet-display")
    assert hiding["other pane"] == ("" if "flex" in css or "min-width" in css else "stylesheet-display")


def test_rules_of_a_screen_query_and_past_unused_framework_rules_are_matched():
    """`@media not print` applies on screen; 400 contextual rules for classes the page never uses do not crowd
    out its own; an attribute value holding `#` or `.` is no id or class the element must have."""
    css = "".join(f".unused{i} p{{display:none}}" for i in range(400))
    css += '@media not print{.farm a{display:none}} a[href="#top"] span{left:-9999px}'
    body = '<div class="farm"><a href="/">cheap pills</a></div><a href="#top"><span>to the top</span></a>'
    hiding = hiding_of_texts(css, body)
    assert hiding["cheap pills"] == "stylesheet-display" and hiding["to the top"] == "stylesheet-offscreen"


@pytest.mark.parametrize(
    "css", [r"[\7B a\7D] p{display:none}", r"[\0] p{display:none}", ".x:is(.a, .b) p{display:none}"]
)
def test_selectors_lxml_or_cssselect_cannot_read_hide_nothing(css):
    """Attribute names lxml refuses and selectors cssselect fails on are passed over, never raised."""
    assert set(hiding_of_texts(css, "<div><p>words</p></div>").values()) == {""}


@pytest.mark.parametrize(
    ("outer", "inner", "kind"),
    [
        ('style="display:none"', 'class="collapse"', "display"),
        ('style="display:none"', 'style="position:absolute;left:-9999px"', "display"),
        ('class="gone"', 'style="width:0;height:0;overflow:hidden"', "stylesheet-display"),
        ('style="position:absolute;left:-9999px"', 'style="display:none"', "display"),
        ('style="position:absolute;left:-9999px"', 'class="collapse"', "offscreen"),
    ],
)
def test_no_box_inside_undoes_an_ancestors_display_none(outer, inner, kind):
    """Under a `display:none` (inline or by a rule) a box is hidden by display whatever hides it itself (an a11y
    class, off-screen, zero size); under another kind of hiding, its own display or the ancestor's kind counts."""
    hiding = hiding_of_texts(".gone{display:none}", f"<div {outer}><div {inner}>copy of the story</div></div>")
    assert hiding["copy of the story"] == kind


def test_marquee_hides():
    """Text in a `<marquee>` counts as hidden."""
    html = f"<html><body><marquee>lucky slot 888</marquee>{ARTICLE}</body></html>"
    assert [b.hidden for b in blocks_of(html) if "slot" in b.text] == ["marquee"]


def test_truncated_and_deep_html_are_refused():
    """A page cut inside a tag, or nested past the limit, raises InputError."""
    with pytest.raises(InputError):
        parse_html("<html><body><p>text</p><p cla")
    with pytest.raises(InputError):
        parse_html("<html><body>" + "<div>" * 300 + "x" + "</div>" * 300 + "</body></html>")


def test_format_sniffing_tells_markup_from_text_with_literal_tags():
    """Literal noise tags in scraped text do not make it HTML; a real page is HTML."""
    scraped = '<var id="vnxft"></var>\n<menuitem id="vnxft"></menuitem>\n市议会周二开会。\n'
    assert not looks_like_html(scraped)
    assert looks_like_html(f"<!DOCTYPE html><html><body>{ARTICLE}</body></html>")


def test_text_lines_keep_their_line_numbers():
    """Scraped text is cut into non-empty lines with their numbers."""
    blocks = segment_text("first line\n\n  second   line \n")
    assert [(b.text, b.lines) for b in blocks] == [("first line", (1, 1)), ("second line", (3, 3))]


def test_gold_labels_from_article_and_injection_record():
    """Article lines are content, injected strings spam, injected ids tag-noise, the rest boilerplate."""
    text = 'Council approves the budget after long debate\nHome | News | Sport\n国产精品_久久_在线\n<var id="qqq">'
    blocks = segment_text(text)
    labels = gold_labels(blocks, "Council approves the budget after long debate", ["国产精品_久久_在线"], ["qqq"])
    assert labels == ["content", "boilerplate", "spam", "tag-noise"]


def test_gold_labels_unknown_without_article():
    """Without an article, blocks that were not injected have no label."""
    assert gold_labels(segment_text("some line\nspam line"), None, ["spam line"]) == [None, "spam"]


def test_shingle_metrics():
    """Identical texts score 1, disjoint texts 0, and F1 is the harmonic mean of averaged P and R."""
    text = "the quick brown fox jumps over the lazy dog"
    assert page_prf(text, text) == (1.0, 1.0)
    assert page_prf("one two three four five", text) == (0.0, 0.0)
    score = corpus_f1([(text, text), ("", text)])
    assert score.precision == 0.5 and score.recall == 0.5 and score.f1 == 0.5


def test_chinese_is_tokenised_per_character():
    """Each Han character is a token, so Chinese shingles are not whole sentences."""
    assert page_prf("市议会周二开会", "市议会周二开会讨论预算")[0] == 1.0


def test_writing_systems():
    """Han with kana is Japanese; kanji-only lines on a Japanese page are not a script mismatch."""
    assert writing_system({"han": 10, "kana": 5}) == "ja"
    assert writing_system({"han": 10}) == "han"
    blocks = segment_text("東京都議会は予算案を可決した。\n国際会議\nこれは日本語の記事です。")
    rows = featurize_page(blocks, "", "", "text")
    assert "mis" not in rows[1]


def test_simplified_line_on_traditional_page_is_a_mismatch():
    """A Simplified-Chinese line among Traditional paragraphs carries the Han-variant mismatch feature."""
    text = "臺灣經濟發展處於關鍵時期，專家認為應該積極應對。\n國際貿易環境變化帶來機會與挑戰。\n国产精品视频在线观看"
    rows = featurize_page(segment_text(text), "", "", "text")
    assert "han_mismatch" in rows[2] and "han_mismatch" not in rows[0]


def test_a_run_of_keyword_lines_in_article_text_is_a_run_on_an_article_page():
    """Short lines in a row carry their run's length; a page of long lines is an article, of short ones a dump."""
    article = "\n".join(f"Paragraph {n} of the council report explains the budget in some detail." for n in range(10))
    keywords = "\ncheap pills\nbest slots\nfree bonus\nhot dates\nmore"
    rows = featurize_page(segment_text(article + keywords), "", "", "text")
    assert [key for key in rows[11] if key.startswith("run=")] == ["run=2/article"]
    assert not any(key.startswith("run=") for key in rows[0])
    menu = "\n".join(["Home", "News", "Sport", "Weather", "Contact", "A longer sentence of news, told in full."])
    rows = featurize_page(segment_text(menu), "", "", "text")
    assert "run=2/dump" in rows[0] and not any(key.startswith("run=") for key in rows[5])
    html = featurize_page(segment_html(parse_html("<p>Home</p><p>News</p><p>Sport</p>")), "", "", "html")
    assert not any(key.startswith("run=") for row in html for key in row)


def test_reasons_are_phrases_and_silent_features_give_none():
    """Known features read as phrases; features true of every block are no reason."""
    assert feature_reason("mk_plain_repeated_id") == "one short id repeated on many elements"
    assert feature_reason("prev:hidden") == "previous block: hidden from readers"
    assert feature_reason("len=5") is None and feature_reason("next:pos=3") is None
    assert feature_reason("run=2/article") == "run of short lines (level 2, article-like page)"


def test_noframes_in_the_head_is_a_rawtext_block_too():
    """Noise hidden in a `<noframes>` of the head reaches scraped text as well."""
    head = '<head><title>t</title><noframes><var id="vnxft"></var></noframes></head>'
    html = f"<html>{head}<body>{ARTICLE}</body></html>"
    raw = [b for b in blocks_of(html) if b.kind == "rawtext"]
    assert raw and raw[0].zone == "head" and '<var id="vnxft">' in raw[0].text


def test_random_looking_ids_are_a_feature_and_word_ids_are_not():
    """Fresh random ids on every empty element (no id repeated) still read as random; template words do not."""
    pairs = '<qf id="tcjvwe"><yl class="a"></yl></qf><zk id="rmtnpq"></zk>'
    random_run = f'<div style="position:fixed;left:-9000px">{pairs}</div>'
    word_run = '<div id="header"></div><div id="content"></div><div id="sidebar"></div>'
    rows = {}
    for name, run in (("random", random_run), ("words", word_run)):
        blocks = blocks_of(f"<html><body>{run}{ARTICLE}</body></html>")
        featurize_page(blocks, "example.com", "", "html")
        rows[name] = next(b.features for b in blocks if b.kind == "markup")
    assert any(k.startswith("mk_randid=") and not k.endswith("=0") for k in rows["random"])
    assert "mk_randid=0" in rows["words"]


def test_article_split_into_sibling_boxes_is_all_main_text():
    """An article cut in two boxes by an ad keeps both halves inside the main text; the sidebar stays out."""
    para = "<p>The council approved the new budget on Tuesday after a long debate about schools and roads.</p>"
    html = (
        f'<html><body><div id="page"><div class="story">{para * 3}</div><div class="promo">Ad</div>'
        f'<div class="story">{para * 2}</div></div><div class="sidebar"><p>Most read today</p></div></body></html>'
    )
    blocks = blocks_of(html)
    featurize_page(blocks, "example.com", "", "html")
    inside = [("in_main" in b.features) for b in blocks if b.text.startswith("The council")]
    assert inside == [True] * 5
    assert "out_main" in next(b.features for b in blocks if b.text == "Most read today")


def test_only_structural_class_words_become_features():
    """Template words (sidebar, comment) are features; site slugs and category classes are not."""
    classes = "post category-books tag-review xk29ab sidebar-comment"
    html = f'<html><body><div class="{classes}">{ARTICLE}</div></body></html>'
    blocks = blocks_of(html)
    featurize_page(blocks, "example.com", "", "html")
    attrs = {k for b in blocks for k in b.features if k.startswith("attr=")}
    assert attrs == {"attr=post", "attr=sidebar", "attr=comment"}


def test_numbers_are_not_word_features():
    """Years and other numbers never become hashed words; the words around them do."""
    rows = featurize_page(segment_text("© 2025 Harbourtimes 12345\n"), "example.com", "", "text")
    words = {k for k in rows[0] if k.startswith("w=")}
    assert words == {"w=harbourtimes"}


def test_page_score_needs_two_blocks_or_one_that_is_evidence_alone():
    """A lone short flagged line cannot carry the page score; a second block, a long text or a tag run can."""
    short = Block("© 2025 Harbourtimes", "line", "text")
    other = Block("Videos & Pics", "line", "text")
    long_line = Block("cheap pills online pharmacy order now no prescription needed fast delivery", "line", "text")
    run = Block('<var id="qxzkv"></var><cite id="qxzkv"></cite>', "markup", "body")
    assert page_score([short, other], np.array([0.95, 0.2])) == pytest.approx(0.2)
    assert page_score([short, other], np.array([0.95, 0.7])) == pytest.approx(0.7)
    assert page_score([long_line, short], np.array([0.8, 0.1])) == pytest.approx(0.8)
    assert page_score([short, run], np.array([0.99, 0.6])) == pytest.approx(0.6)
    assert page_score([short], np.array([0.99])) == 0.0 and page_score([], np.array([])) == 0.0


def test_a_run_of_empty_elements_in_an_off_screen_wrapper_is_hidden():
    """The wrapper of a noise run hides the run, even though the wrapper is itself part of the run."""
    noise = '<div style="position:fixed;left:-9000px;top:-9000px"><qf id="tcjvwe"></qf><zk id="rmtnpq"></zk></div>'
    runs = [b for b in blocks_of(f"<html><body>{noise}{ARTICLE}</body></html>") if b.kind == "markup"]
    assert runs and runs[0].hidden == "offscreen"


@pytest.mark.parametrize("line", ["© 2025 Harbourtimes", "版權所有 不得轉載", "Copyright 2019 Hawaii News Now."])
def test_copyright_notices_are_a_feature_in_any_script(line):
    """Footer notices carry the `copyright` feature, and their neighbours see it."""
    blocks = segment_text(f"The council approved the budget on Tuesday.\n{line}\n")
    rows = featurize_page(blocks, "example.com", "", "text")
    assert "copyright" in rows[1] and "next:copyright" in rows[0]
    assert "copyright" not in rows[0]


def test_the_title_carries_how_much_of_it_the_headline_repeats():
    """An honest title repeats the page's `<h1>`; a hijacked one shares nothing with it; no `<h1>`, no measure."""
    head = "<html><head><title>{}</title></head><body><h1>Council passes the harbour budget</h1><p>Text.</p>"
    for title, expected in (
        ("Council passes the harbour budget - Gazette", "headline_sim=3"),
        ("best casino bonus_free spins_slots", "headline_sim=0"),
    ):
        blocks = segment_html(parse_html(head.format(title) + "</body></html>"))
        rows = featurize_page(blocks, "", title, "html")
        assert [key for key in rows[0] if key.startswith("headline")] == [expected]
    blocks = segment_html(parse_html("<html><head><title>Budget</title></head><body><p>Text.</p></body></html>"))
    assert "headline_none" in featurize_page(blocks, "", "Budget", "html")[0]
