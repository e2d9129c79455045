"""Spiders of the scraper-hygiene project (`news`)."""
