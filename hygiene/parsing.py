"""The argument parser of every `hygiene` command: a usage mistake is one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
from typing import NoReturn

from detector.errors import EXIT_ERROR


class OneLineParser(argparse.ArgumentParser):
    """An `ArgumentParser` whose errors are one `hygiene: error:` line naming the sub-command and its `--help`
    (argparse prints the whole usage first); sub-command parsers inherit it."""

    def error(self, message: str) -> NoReturn:
        """Print the mistake as one line and exit with code 2."""
        command = self.prog.partition(" ")[2]
        where = f"{command}: " if command else ""
        self.exit(EXIT_ERROR, f"hygiene: error: {where}{message} (see {self.prog} --help)\n")
