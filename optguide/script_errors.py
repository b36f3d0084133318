"""One line, not a traceback, when a script cannot find MNIST.

The command line turns a missing or damaged dataset into one line, ``optguide: error: ...``,
and exit status 2. A script run as a program (each gallery example, downloaded or run from a
checkout) would end instead in the data loader's traceback, burying the one sentence that says
what to do. :func:`install` gives scripts the command line's behaviour for
:class:`~optguide.data.DataError` alone: every other exception keeps its traceback, and an
exception hook someone else set (IPython, a debugger, a test runner) is left alone.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType

from .data import DataError

#: The exit status of bad input, as on the command line.
EXIT_BAD_INPUT = 2


def one_line_data_errors(kind: type[BaseException], error: BaseException,
                         traceback: TracebackType | None) -> None:
    """``sys.excepthook``: an uncaught :class:`~optguide.data.DataError` as one line, exit 2."""
    if not issubclass(kind, DataError):
        sys.__excepthook__(kind, error, traceback)
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    try:
        sys.stderr.write(f"optguide: error: {error}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    # The interpreter would exit with status 1 after any hook; bad input exits with 2. Nothing
    # has started yet that needs a clean shutdown: the data are read before any training.
    os._exit(EXIT_BAD_INPUT)


def install() -> None:
    """Make :func:`one_line_data_errors` the exception hook, unless another one is set."""
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = one_line_data_errors
