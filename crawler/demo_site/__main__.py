"""Serve the demo news site on 127.0.0.1 until Ctrl-C, to crawl it with plain Scrapy:

    python -m crawler.demo_site [--port 8765]
    scrapy crawl news -a seeds=http://127.0.0.1:8765/,http://127.0.0.1:8765/sitemap.xml -a depth=2 -s HYGIENE_DB=d.db
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from crawler.demo_site import SiteServer, demo_routes, demo_seeds

DEFAULT_PORT = 8765


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM; exit 2 with one line when the port cannot be had."""
    parser = argparse.ArgumentParser(prog="python -m crawler.demo_site", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    args = parser.parse_args(argv)
    try:
        server = SiteServer(demo_routes(), port=args.port)
    except (OSError, OverflowError) as exc:
        print(f"demo site: error: cannot serve on 127.0.0.1:{args.port} ({exc})", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with server:
        print(f"demo site: {server.base_url}/  seeds: {','.join(demo_seeds(server.base_url))}", file=sys.stderr)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
