"""The argument parser of every `hygiene` command: a usage mistake is one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import NoReturn

from detector.errors import EXIT_ERROR


class OneLineParser(argparse.ArgumentParser):
    """An `ArgumentParser` whose errors are one `hygiene: error:` line naming the sub-command and its `--help`
    (argparse prints the whole usage first); sub-command parsers inherit it."""

    def parse_known_args(
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """A sub-command refuses the arguments it does not know itself, so that the error names it (argparse leaves
        them to the top-level parser)."""
        namespace, extras = super().parse_known_args(args, namespace)
        if extras and self.prog.partition(" ")[2]:
            self.refuse_unrecognized(extras)
        return namespace, extras

    def refuse_unrecognized(self, extras: list[str]) -> NoReturn:
        """The usage error for arguments this parser does not know."""
        self.error(f"unrecognized arguments: {' '.join(extras)}")

    def error(self, message: str) -> NoReturn:
        """Print the mistake as one line and exit with code 2."""
        command = self.prog.partition(" ")[2]
        where = f"{command}: " if command else ""
        self.exit(EXIT_ERROR, f"hygiene: error: {where}{message} (see {self.prog} --help)\n")


def threshold(value: str) -> float:
    """argparse type: a contamination threshold, a number in (0, 1]."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 < number <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {value}")
    return number


def domain(value: str) -> str:
    """argparse type: a domain name such as example.com (not a URL, not empty), lowered."""
    name = value.strip().lower().rstrip(".")
    if "://" in name or "/" in name:
        raise argparse.ArgumentTypeError(f"takes a domain such as example.com, not a URL: {value!r}")
    ascii_name = idna_host(name)
    if not DOMAIN_RE.fullmatch(ascii_name):
        raise argparse.ArgumentTypeError(f"not a domain name: {value!r}")
    return ascii_name


def idna_host(host: str) -> str:
    """A host name as Scrapy compares it to allowed domains: lowered, in IDNA ASCII (例え.jp is xn--r8jz45g.jp); as
    it is, lowered, when IDNA cannot encode it."""
    try:
        return host.lower().encode("idna").decode("ascii")
    except UnicodeError:
        return host.lower()


DOMAIN_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*")
"""A host name in ASCII (IDNA): labels of letters, digits, `-` and `_`, not starting or ending with `-`."""


def count(value: str, minimum: int = 0) -> int:
    """argparse type: an integer of `minimum` (0) or more."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from None
    if number < minimum:
        raise argparse.ArgumentTypeError(f"must be {minimum} or more, got {value}")
    return number


def positive_int(value: str) -> int:
    """argparse type: an integer of 1 or more."""
    return count(value, minimum=1)


def holdout_share(value: str) -> float:
    """argparse type: the share of sites held out, a number from 0 to 0.5."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= number <= 0.5:
        raise argparse.ArgumentTypeError(f"must be between 0 and 0.5, got {value}")
    return number
