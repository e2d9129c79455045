"""The `hygiene` command line: thin orchestration over `detector/` and `crawler/`."""
