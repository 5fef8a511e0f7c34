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


class OutputError(FeedletterError):
    """A file cannot be written (disk full, read-only folder, …): exit 74 (EX_IOERR), or
    73 (EX_CANTCREAT) when the file or its folder cannot be created at all."""

    # errno values that mean "cannot create it here" rather than "the write failed"
    CANTCREAT = frozenset({1, 13, 17, 20, 21, 30, 36, 40})   # EPERM EACCES EEXIST ENOTDIR
    #                                                         EISDIR EROFS ENAMETOOLONG ELOOP

    def __init__(self, path: str, reason: str, errno: int = 0) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.errno = errno

    @property
    def cannot_create(self) -> bool:
        return self.errno in self.CANTCREAT

    def __reduce__(self):   # crosses process boundaries (forked emitters write files)
        return type(self), (self.path, self.reason, self.errno)


class FileInTheWay(OutputError):
    """Something that is not a regular file (a link, FIFO, socket, device, folder) stands
    where feedletter writes a file or needs a folder: refused, never followed (exit 73)."""

    def __init__(self, path: str, reason: str, errno: int = 17) -> None:
        super().__init__(path, reason, errno)


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived. Not an Exception, so that no `except Exception` swallows
    it. Code that was part-way through something the user must hear about (the send
    loop: who got the digest, who did not) catches it, adds its lines to `report` and
    re-raises; the CLI prints them and exits 128 + signum (130, 143)."""

    def __init__(self, signum: int, report: tuple[str, ...] = ()) -> None:
        super().__init__(signum, report)
        self.signum = signum
        self.report = report
