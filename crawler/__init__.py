"""The Scrapy project of scraper-hygiene: the `news` spider, the hygiene pipeline and the SQLite store."""
