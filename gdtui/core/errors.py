"""Errors that gdtui reports to the user rather than as a crash.

The command line prints ``str(error)`` and exits with status 2, without a
traceback, so each message must be one line that makes sense on its own:
say which file or setting is at fault and what is wrong with it.
"""


class GdtuiError(Exception):
    """A problem the user can fix; its message is one self-contained line."""


class DataError(GdtuiError):
    """The digit files are missing, damaged or not in the expected format."""


class ModelFileError(GdtuiError):
    """A saved model cannot be written, or a file cannot be read back as a model."""
