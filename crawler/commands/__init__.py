"""Scrapy commands of the project (COMMANDS_MODULE): they replace Scrapy's commands of the same name."""
