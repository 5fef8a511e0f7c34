"""What a long command is doing, on stderr, only when a person is watching.

A build or init that takes more than a second shows its stages (posts read, rendered,
feeds written) with tqdm when stderr is a terminal; under cron, in a pipe, into a log
file or with `--quiet` nothing is shown and tqdm is not even imported.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

# Seconds a command runs before its progress is shown (tests set it to 0).
DELAY_ENV = "FEEDLETTER_PROGRESS_AFTER"


def _ignore(n: int = 1) -> None:
    """The update function of a stage nobody sees."""


def is_terminal(stream: TextIO) -> bool:
    """A person's terminal: a TTY whose TERM can redraw a line."""
    try:
        return stream.isatty() and os.environ.get("TERM", "") != "dumb"
    except (AttributeError, ValueError):      # a closed or replaced stream
        return False


class Progress:
    """Stages of one command. Disabled, every stage is a no-op."""

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        try:
            self.after = max(0.0, float(os.environ.get(DELAY_ENV, "1")))
        except ValueError:
            self.after = 1.0

    @classmethod
    def on_terminal(cls, quiet: bool = False) -> Progress:
        """Shown only when stderr is a terminal and the command is not --quiet."""
        return cls(not quiet and is_terminal(sys.stderr))

    @contextlib.contextmanager
    def stage(self, what: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        """A stage: yields `update(n)`. It appears once the command has run for `after`
        seconds (so a quick command prints nothing) and is erased when it ends."""
        if not self.enabled:
            yield _ignore
            return
        from tqdm import tqdm

        delay = max(0.0, self.after - (time.monotonic() - self.started))
        # Without a total there is nothing to count: the stage's name and its time.
        shape = "{desc} {elapsed}" if total is None else None
        bar = tqdm(total=total, desc=what, file=self.stream, delay=delay, leave=False,
                   dynamic_ncols=True, bar_format=shape)
        try:
            yield bar.update
        finally:
            bar.close()


NO_PROGRESS = Progress(False)
