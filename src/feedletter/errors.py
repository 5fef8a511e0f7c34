"""One exception type per kind of user error; the CLI maps each to an exit code."""

from __future__ import annotations


class FeedletterError(Exception):
    """Base of every error feedletter reports to a user (never a traceback)."""


class ConfigError(FeedletterError):
    """The config file is missing, unreadable or has a bad key (exit 2)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self):
        return type(self), (self.path, self.reason)


class PostError(FeedletterError):
    """One post cannot be published; the rest of the site still is (exit 1)."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason

    def __reduce__(self):   # crosses process boundaries (parse and render workers)
        return type(self), (self.path, self.reason, self.line)


class LockBusy(FeedletterError):
    """Another feedletter run holds the lock (exit 75, EX_TEMPFAIL: cron may retry)."""


class SendError(FeedletterError):
    """The digest could not be delivered to every recipient (exit 3)."""
