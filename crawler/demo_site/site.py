"""The demo site as routes for `SiteServer`: front page, sections, stories, sitemaps, feed, robots.txt."""

from __future__ import annotations

from html import escape

from crawler.demo_site.content import DELETED_STORY, STORIES, TIMETABLE_PDF, Story
from crawler.demo_site.server import BASE_PLACEHOLDER, Route

SITE_NAME = "The Harbour Ledger"
SECTIONS = {"news": "Port Wren news", "world": "Friends abroad"}
BASE = BASE_PLACEHOLDER.decode()

HEADER = """<header class="masthead">
  <a class="logo" href="/">The Harbour Ledger</a>
  <nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/world/">Friends abroad</a>
  <a href="/about.html">About us</a></nav>
</header>"""

FOOTER = """<footer>
  <p>The Harbour Ledger, 4 Quay Street, Port Wren. Independent local news since 1921.</p>
  <p><a href="/about.html">About us</a> · <a href="/feed.xml">RSS</a> · <a href="/sitemap.xml">Sitemap</a></p>
</footer>"""


def page(title: str, body: str, head: str = "", lang: str = "en") -> str:
    """A complete HTML document in the site's layout."""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)} | {SITE_NAME}</title>\n{head}</head>\n<body>\n{HEADER}\n"
        f"<main>\n{body}\n</main>\n{FOOTER}\n</body>\n</html>\n"
    )


def story_head(story: Story) -> str:
    """Meta tags a news CMS writes for an article."""
    return (
        f'<meta name="author" content="{escape(story.author)}">\n'
        f'<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{escape(story.title)}">\n'
        f'<meta property="article:published_time" content="{story.published}T08:00:00Z">\n'
        f'<link rel="canonical" href="{BASE}{story.path}">\n'
    )


def story_html(story: Story) -> str:
    """An article page, with the story's injected junk (if any) where a hacked template puts it."""
    paragraphs = []
    for number, text in enumerate(story.paragraphs, start=1):
        paragraphs.append(f"<p>{escape(text)}</p>")
        paragraphs.append(story.inject.get(f"after-paragraph-{number}", ""))
    article = (
        f"<article>\n<h1>{escape(story.title)}</h1>\n"
        f'<p class="byline">{escape(story.author)} · <time datetime="{story.published}">{story.published}</time></p>\n'
        + "\n".join(p for p in paragraphs if p)
        + "\n</article>\n"
        + story.inject.get("after-article", "")
        + f"\n<aside><h2>More from {SECTIONS[story.section]}</h2>\n{teaser_links(story.section, story)}</aside>"
    )
    html = page(story.title, article, story_head(story), story.lang)
    html = html.replace("<body>\n", "<body>\n" + story.inject.get("body-start", ""), 1)
    html = html.replace("</footer>\n", "</footer>\n" + story.inject.get("after-footer", ""), 1)
    return story.inject.get("before-html", "") + html + story.inject.get("after-html", "")


def teaser_links(section: str, exclude: Story | None = None) -> str:
    """A list of links to the stories of a section."""
    items = [
        f'<li><a href="{s.path}">{escape(s.title)}</a></li>'
        for s in STORIES
        if s.section == section and s is not exclude
    ]
    return "<ul>\n" + "\n".join(items) + "\n</ul>\n"


def teasers(stories: list[Story]) -> str:
    """Teaser blocks (headline, date, summary) as a listing page shows them."""
    return "\n".join(
        f'<article class="teaser"><h2><a href="{s.path}">{escape(s.title)}</a></h2>'
        f"<time>{s.published}</time><p>{escape(s.summary)}</p></article>"
        for s in stories
    )


def front_page() -> str:
    """The home page: latest stories, section links, and a link to a story that has been deleted."""
    latest = sorted(STORIES, key=lambda s: s.published, reverse=True)[:6]
    body = (
        "<h1>Latest from Port Wren</h1>\n"
        + teasers(latest)
        + '\n<p><a href="/news/">All news</a> · <a href="/world/">Friends abroad</a></p>'
        + f'\n<p>From the archive: <a href="{DELETED_STORY}">Pier lights switched on for winter</a></p>'
        + '\n<p class="staff"><a href="/drafts/embargoed-budget.html">Staff preview</a></p>'
    )
    return page("Home", body)


def section_page(section: str) -> str:
    """A section front: every story of the section as a teaser."""
    stories = sorted((s for s in STORIES if s.section == section), key=lambda s: s.published, reverse=True)
    return page(SECTIONS[section], f"<h1>{SECTIONS[section]}</h1>\n" + teasers(stories))


ABOUT = page(
    "About us",
    "<h1>About us</h1>\n<p>The Harbour Ledger has reported on Port Wren and the island "
    "since 1921. Send news to the desk at 4 Quay Street.</p>",
)

DRAFT = page("Embargoed", "<h1>Budget preview</h1><p>Not for publication before Thursday.</p>")


def sitemap_index() -> str:
    """A sitemap index pointing at one sitemap per section."""
    entries = "".join(
        f"<sitemap><loc>{BASE}/sitemaps/{section}.xml</loc><lastmod>2025-06-02</lastmod></sitemap>"
        for section in SECTIONS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/'
        f'sitemap/0.9">{entries}</sitemapindex>\n'
    )


def section_sitemap(section: str) -> str:
    """A urlset of a section's stories with their dates as `<lastmod>`; news also lists the timetable PDF."""
    urls = [(s.path, s.published) for s in STORIES if s.section == section]
    if section == "news":
        urls.append((TIMETABLE_PDF, "2025-03-12"))
    entries = "".join(f"<url><loc>{BASE}{path}</loc><lastmod>{date}</lastmod></url>" for path, date in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</urlset>\n"
    )


def rss_feed() -> str:
    """An RSS 2.0 feed of the five latest stories."""
    latest = sorted(STORIES, key=lambda s: s.published, reverse=True)[:5]
    items = "".join(
        f"<item><title>{escape(s.title)}</title><link>{BASE}{s.path}</link><pubDate>{s.published}</pubDate>"
        f"<description>{escape(s.summary)}</description></item>"
        for s in latest
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{SITE_NAME}</title>'
        f"<link>{BASE}/</link><description>Port Wren news</description>{items}</channel></rss>\n"
    )


ROBOTS = f"User-agent: *\nDisallow: /drafts/\nSitemap: {BASE}/sitemap.xml\n"

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"


def demo_routes() -> dict[str, Route]:
    """Every path of the demo site and how it answers."""
    routes = {
        "/": Route(front_page().encode()),
        "/about.html": Route(ABOUT.encode()),
        "/drafts/embargoed-budget.html": Route(DRAFT.encode()),
        "/robots.txt": Route(ROBOTS.encode(), "text/plain; charset=utf-8"),
        "/sitemap.xml": Route(sitemap_index().encode(), XML),
        "/feed.xml": Route(rss_feed().encode(), "application/rss+xml; charset=utf-8"),
        TIMETABLE_PDF: Route(PDF_BYTES, "application/pdf"),
    }
    for section in SECTIONS:
        routes[f"/{section}/"] = Route(section_page(section).encode())
        routes[f"/sitemaps/{section}.xml"] = Route(section_sitemap(section).encode(), XML)
    for story in STORIES:
        routes[story.path] = Route(story_html(story).encode())
    return routes


def demo_seeds(base_url: str) -> list[str]:
    """Where a demo crawl starts: the front page, the sitemap index and the feed."""
    return [f"{base_url}/", f"{base_url}/sitemap.xml", f"{base_url}/feed.xml"]
