"""The build's worker processes: a pool forked only when there is enough work, whose
workers die with the build, and the chunks work is handed to them in."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from .locks import release_inherited_locks

if TYPE_CHECKING:
    from concurrent.futures import Executor, ProcessPoolExecutor

PoolFactory = Callable[[], "Executor"]


def _worker_started(parent: int) -> None:
    """A pool worker dies with the build: a build killed by SIGKILL (or the OOM killer)
    must not leave workers behind holding its lock, which would stall the next cron run."""
    import signal

    release_inherited_locks()
    # Ctrl-C reaches the whole process group: the build says what was done and exits 130,
    # its workers must not each print a KeyboardInterrupt traceback. SIGTERM just ends one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)    # PR_SET_PDEATHSIG
    if os.getppid() != parent:          # the build died before the line above
        os._exit(1)
    gc.enable()


class Workers:
    """A process pool started only when there is enough work to pay for it."""

    def __init__(self, jobs: int | None) -> None:
        self.jobs = max(1, min(jobs or os.cpu_count() or 1, 8))
        self._pool: ProcessPoolExecutor | None = None

    def factory(self) -> PoolFactory | None:
        return self.pool if self.jobs > 1 else None

    def fresh(self) -> Executor | None:
        """A pool whose workers are forked from now on: they inherit what the build has made
        since the first pool started (the site, the renders). None on one core."""
        if self.jobs <= 1:
            return None
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        return self.pool()

    def pool(self) -> Executor:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(self.jobs, initializer=_worker_started,
                                             initargs=(os.getpid(),),
                                             mp_context=multiprocessing.get_context("fork"))
        return self._pool

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


def chunked(items: list, parts: int, *, minimum: int) -> list[list]:
    """`items` in about `parts` consecutive chunks of at least `minimum` (for a pool)."""
    size = max(minimum, len(items) // parts)
    return [items[i:i + size] for i in range(0, len(items), size)]
