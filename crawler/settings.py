"""Scrapy settings of the scraper-hygiene project: polite defaults and the hygiene components.

`-a depth=N` and `-a max_pages=N` on the `news` spider set DEPTH_LIMIT and HYGIENE_MAX_PAGES
(`-a depth=0`: the seeds only);
`-s NAME=VALUE` (or `hygiene crawl -s`) overrides anything here.
"""

from detector.settings import DEFAULT_THRESHOLD, USER_AGENT

BOT_NAME = "scraper-hygiene"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"  # `scrapy crawl` refuses bad -a arguments in one line
USER_AGENT = USER_AGENT

# Politeness: obey robots.txt, few parallel requests per site, AutoThrottle adapts the delay to latency.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Failures: retry server errors and timeouts twice; refuse bodies the detector would refuse anyway.
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# Breadth-first, so a page limit keeps the pages closest to the seeds.
DEPTH_LIMIT = 3
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

DOWNLOADER_MIDDLEWARES = {"crawler.middlewares.ConditionalGetMiddleware": 560}
ITEM_PIPELINES = {"crawler.pipelines.HygienePipeline": 300}
EXTENSIONS = {"crawler.extensions.JobDirGuard": 0, "crawler.extensions.PageLimit": 0}

# No listening sockets in a crawler run by cron or a scheduler.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Dropped pages are counted in stats (`hygiene/dropped/<reason>`), not logged one by one.
DEFAULT_DROPITEM_LOG_LEVEL = "DEBUG"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

HYGIENE_DB = None
"""Path of the SQLite store; None means `crawler.store.default_db_path()`."""
HYGIENE_MODEL = None
"""Path of the detector model; None means the shipped default (or `$HYGIENE_MODEL`)."""
HYGIENE_THRESHOLD = DEFAULT_THRESHOLD
"""Contamination probability at which a page is quarantined."""
HYGIENE_MAX_PAGES = 0
"""Stop the crawl after this many pages (robots.txt, sitemaps and feeds are no pages); 0 means no limit."""
