"""One module per sub-command; each defines `register(subparsers)` and sets `func` on its parser.

`func(args) -> int` returns the process exit code (see `detector.errors` for the codes).
"""
