"""Errors with one-line messages and the exit codes the command line maps them to."""

EXIT_CLEAN = 0
EXIT_CONTAMINATED = 1
EXIT_ERROR = 2


class HygieneError(Exception):
    """Base of every expected failure: the message is one line, shown to the user as is."""

    exit_code = EXIT_ERROR


class InputError(HygieneError):
    """A page could not be read, decoded or parsed (missing, binary, too large, too deep)."""


class ModelError(HygieneError):
    """A model file is missing, tampered with, or built for another feature version."""


class SampleError(HygieneError):
    """A labelled-sample file is malformed; the message names the line and the field."""


class ConfigError(HygieneError):
    """Bad command-line or configuration values."""
