"""A small news site served on 127.0.0.1, clean and contaminated pages mixed: `hygiene crawl --demo`."""

from crawler.demo_site.server import Route, SiteServer
from crawler.demo_site.site import demo_routes, demo_seeds

__all__ = ["Route", "SiteServer", "demo_routes", "demo_seeds"]
