"""One module per sub-command; each defines `register(subparsers)` and sets `func` on its parser.

`func(args) -> int` returns the process exit code (see `detector.errors` for the codes).
Every module is imported to build the parser, so keep `register` cheap: import heavy libraries
(scikit-learn, Scrapy, the detector's model code, corpus readers) inside `run`, where they are needed.
"""
