"""The one writer: every file feedletter creates (feeds, digests, manifest, locks, the
internal-error report) is written here, atomically and only inside its root folder.

A reader (a web server, rsync, a killed build's successor) only ever sees a complete old
or a complete new file: each file is written to a temporary name in its own folder,
flushed to disk, then renamed over the old one. A file whose bytes would not change is
not touched, so its mtime stays and HTTP caches see nothing new.

What the folder may hold is not trusted (another program, a careless `ln -s`, an
attacker with write access to one subfolder). So:
- every folder below the root is opened with `O_DIRECTORY|O_NOFOLLOW` from its parent's
  descriptor (`dir_fd`), and every later step is relative to that descriptor: a symbolic
  link standing for a folder (`feeds/tags -> /etc`) is refused, never followed, and a
  folder swapped for a link half-way cannot redirect a write;
- temporaries get random names (`.<name>.<pid>-<random>.feedletter-tmp`) and are opened
  `O_CREAT|O_EXCL|O_NOFOLLOW`: a link planted at a guessed name makes the open fail
  instead of writing through it;
- only a regular file is replaced or compared; a FIFO, socket, device, folder or link
  where a file goes is refused by name (`FileInTheWay`), and nothing is opened in a way
  that could block (`O_NONBLOCK`);
- stray temporaries are removed only in the folders this run writes, and only its own
  or those whose process is gone: two sites built at once into `www/` and `www/b/` (or
  into one folder) never delete each other's files in flight.

The root folder itself is the user's choice (it may be reached through a link) and is
created if missing; the folders below it are created by feedletter with `mkdir` at a
descriptor, which never follows a link either.

The manifest (`.feedletter-manifest` in the output folder) lists what `build` wrote;
only those files are ever removed (feeds of tags that no longer exist). Before writing,
the manifest is widened to old ∪ new, so a build killed half-way still knows every file
it may have created.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import FeedletterError, FileInTheWay, OutputError

MANIFEST = ".feedletter-manifest"
TMP_MARK = ".feedletter-tmp"

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


@dataclass
class WriteReport:
    written: list[str]
    unchanged: list[str]
    removed: list[str]


def safe_relpath(rel: str) -> str:
    """Refuse any output path that could land outside the output folder."""
    p = PurePosixPath(rel)
    if p.is_absolute() or any(part in ("", ".", "..") for part in p.parts) or "\\" in rel \
            or "\x00" in rel or not p.parts:
        raise FeedletterError(f"refusing to write outside the output folder: {rel!r}")
    return str(p)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symbolic link"),
                       (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return name
    return "not a regular file"


def _io_error(shown: Path, exc: OSError) -> OutputError:
    return OutputError(str(shown), exc.strerror or str(exc), exc.errno or 0)


def _open_root(root: Path, *, create: bool) -> int:
    try:
        return os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        if not create:
            raise
    except NotADirectoryError:
        raise FileInTheWay(str(root), "is a file, not a folder") from None
    except OSError as exc:
        raise _io_error(root, exc) from None
    try:
        os.makedirs(root, exist_ok=True)
        return os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except (FileExistsError, NotADirectoryError):
        raise FileInTheWay(str(root), "is a file, not a folder (or a file is in its path)") from None
    except OSError as exc:
        raise _io_error(root, exc) from None


def _open_subdir(parent: int, name: str, shown: Path, *, create: bool) -> int:
    for _ in range(3):      # a concurrent mkdir or rmdir of the same folder: look again
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                raise
        except OSError as exc:
            if exc.errno in (errno.ENOTDIR, errno.ELOOP):       # a file or a link there
                st = os.stat(name, dir_fd=parent, follow_symlinks=False)
                raise FileInTheWay(str(shown), f"is {_kind(st.st_mode)}, not a folder; "
                                   "feedletter writes only into real folders") from None
            raise _io_error(shown, exc) from None
        try:
            os.mkdir(name, 0o755, dir_fd=parent)
        except FileExistsError:
            pass
        except OSError as exc:
            raise _io_error(shown, exc) from None
    raise OutputError(str(shown), "the folder keeps changing while feedletter writes", 0)


@contextlib.contextmanager
def folder(root: Path, rel_dir: str = "", *, create: bool = True) -> Iterator[int]:
    """A descriptor of `root/rel_dir`, each component below `root` a real folder (no
    symbolic link followed); created when missing if `create`. FileNotFoundError when
    missing and not `create`."""
    fd = _open_root(root, create=create)
    try:
        shown = root
        for part in PurePosixPath(rel_dir).parts if rel_dir else ():
            shown = shown / part
            sub = _open_subdir(fd, part, shown, create=create)
            os.close(fd)
            fd = sub
        yield fd
    finally:
        os.close(fd)


def _split(rel: str) -> tuple[str, str]:
    p = PurePosixPath(safe_relpath(rel))
    return (str(p.parent) if p.parent != PurePosixPath(".") else ""), p.name


def _lstat(dfd: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _read_regular(dfd: int, name: str, shown: Path, limit: int | None = None) -> bytes | None:
    """The bytes of a regular file (None if missing); anything else is refused, and
    nothing is opened in a way that could block (a FIFO, a device)."""
    try:
        fd = os.open(name, _READ_FLAGS, dir_fd=dfd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileInTheWay(str(shown), "is a symbolic link; feedletter replaces only "
                               "regular files") from None
        raise _io_error(shown, exc) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileInTheWay(str(shown), f"is {_kind(st.st_mode)}; feedletter replaces only "
                               "regular files")
        chunks, size = [], 0
        while limit is None or size <= limit:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise _io_error(shown, exc) from None
    finally:
        os.close(fd)


def _same_bytes(dfd: int, name: str, shown: Path, data: bytes) -> bool:
    st = _lstat(dfd, name)
    if st is None:
        return False
    if not stat.S_ISREG(st.st_mode):
        raise FileInTheWay(str(shown), f"is {_kind(st.st_mode)}; feedletter replaces only "
                           "regular files")
    if st.st_size != len(data):
        return False
    return _read_regular(dfd, name, shown, limit=len(data)) == data


# Files this process has replaced (or created) so far: what an interrupted run reports.
_replaced: list[int] = [0]


def replaced_here() -> int:
    """How many files this process has written so far (forked workers count their own)."""
    return _replaced[0]


def temp_name(name: str) -> str:
    """A fresh temporary name beside `name`: hidden, owned by this process (its pid is in
    the name, for the cleanup of a killed run's leftovers), unguessable."""
    return f".{name[:120]}.{os.getpid()}-{secrets.token_hex(8)}{TMP_MARK}"


def _write_new(dfd: int, name: str, shown: Path, data: bytes, mode: int,
               check: Callable[[Path], None] | None = None) -> None:
    tmp = temp_name(name)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600, dir_fd=dfd)
    except FileExistsError:     # only a planted file or link can hold a fresh random name
        raise FileInTheWay(str(shown), f"something already exists at its temporary name {tmp}; "
                           "not written through it") from None
    except OSError as exc:
        raise _io_error(shown, exc) from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        if check is not None:       # the complete file, under its temporary name
            check(shown.with_name(tmp))
        os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        _replaced[0] += 1
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dfd)
        if isinstance(exc, OSError):
            if exc.errno in (errno.EISDIR, errno.ENOTEMPTY, errno.ENOTDIR):
                raise FileInTheWay(str(shown), "is a folder; feedletter replaces only regular "
                                   "files") from None
            raise _io_error(shown, exc) from None
        raise


def write_file(root: Path, rel: str, data: bytes, *, dry_run: bool = False,
               mode: int = 0o644, check: Callable[[Path], None] | None = None) -> bool:
    """Write `root/rel` atomically; whether its bytes changed (False: nothing written).

    With `dry_run`, only compare. `check(path)` is called on the complete temporary file
    before it replaces the target (`init` loads the config it wrote there, relative
    paths resolving as they will); whatever it raises leaves the target as it was. Safe
    to call from several processes at once for different names.
    """
    rel_dir, name = _split(rel)
    shown = root / rel
    try:
        with folder(root, rel_dir, create=not dry_run) as dfd:
            if _same_bytes(dfd, name, shown, data):
                return False
            if not dry_run:
                _write_new(dfd, name, shown, data, mode, check)
            return True
    except FileNotFoundError:
        if dry_run:                 # the folder does not exist yet
            return True
        raise


def read_file(root: Path, rel: str) -> bytes | None:
    """The bytes of `root/rel` if it is a regular file reached without following a link;
    None when missing. FileInTheWay for anything else."""
    rel_dir, name = _split(rel)
    try:
        with folder(root, rel_dir, create=False) as dfd:
            return _read_regular(dfd, name, root / rel)
    except FileNotFoundError:
        return None


def file_stat(root: Path, rel: str) -> os.stat_result | None:
    """`lstat` of `root/rel` through real folders only; None when missing or not reachable."""
    rel_dir, name = _split(rel)
    try:
        with folder(root, rel_dir, create=False) as dfd:
            return _lstat(dfd, name)
    except (FileNotFoundError, FeedletterError):
        return None


def list_folder(root: Path, rel_dir: str = "") -> list[tuple[str, int]]:
    """(name, mode) of each entry of `root/rel_dir` (lstat: links are not followed); []
    when the folder is missing."""
    try:
        with folder(root, rel_dir, create=False) as dfd:
            entries = []
            for name in os.listdir(dfd):
                st = _lstat(dfd, name)
                if st is not None:
                    entries.append((name, st.st_mode))
            return sorted(entries)
    except FileNotFoundError:
        return []


def remove_file(root: Path, rel: str) -> bool:
    """Remove `root/rel` if it is a regular file (or a link: removing one never touches
    what it points to); False if it was not there."""
    rel_dir, name = _split(rel)
    try:
        with folder(root, rel_dir, create=False) as dfd:
            st = _lstat(dfd, name)
            if st is None or stat.S_ISDIR(st.st_mode):
                return False
            os.unlink(name, dir_fd=dfd)
            return True
    except (FileNotFoundError, FeedletterError):
        return False


def remove_empty_folders(root: Path, rel_dir: str) -> None:
    """Remove `root/rel_dir` and its parents below `root` while they are empty."""
    parts = list(PurePosixPath(rel_dir).parts) if rel_dir else []
    while parts:
        try:
            with folder(root, "/".join(parts[:-1]), create=False) as dfd:
                os.rmdir(parts[-1], dir_fd=dfd)
        except (OSError, FeedletterError):
            return
        parts.pop()


def _pid_alive(pid: int) -> bool:
    """The process exists and is not a zombie (a killed build's worker may wait a while
    to be reaped, and writes nothing more)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[-1].split()[:1] != [b"Z"]
    except OSError:
        return True


def _temp_owner(name: str) -> int | None:
    """The pid in a temporary's name (`.<name>.<pid>-<random>.feedletter-tmp`, or the
    older `.<name>.<pid>.feedletter-tmp`)."""
    stem = name[: -len(TMP_MARK)]
    last = stem.rsplit(".", 1)[-1].split("-", 1)[0]
    return int(last) if last.isdigit() else None


def remove_stale_temps(root: Path, rel_dirs: set[str]) -> None:
    """Remove leftover temporaries in these folders (not below them): this process's own,
    and those of processes that no longer exist (a killed build). A temporary of a live
    process (another site's build writing into the same folder) is left alone."""
    me = os.getpid()
    for rel_dir in sorted(rel_dirs):
        try:
            with folder(root, rel_dir, create=False) as dfd:
                for name in os.listdir(dfd):
                    if not name.endswith(TMP_MARK):
                        continue
                    owner = _temp_owner(name)
                    if owner is not None and owner != me and _pid_alive(owner):
                        continue
                    st = _lstat(dfd, name)
                    if st is not None and not stat.S_ISDIR(st.st_mode):
                        with contextlib.suppress(OSError):
                            os.unlink(name, dir_fd=dfd)
        except (OSError, FeedletterError):
            continue


def _read_manifest(out_dir: Path) -> set[str]:
    try:
        data = read_file(out_dir, MANIFEST)
        names = json.loads(data.decode("utf-8")) if data is not None else []
    except (OSError, ValueError, FeedletterError):
        return set()
    if not isinstance(names, list):
        return set()
    result = set()
    for name in names:
        try:
            result.add(safe_relpath(str(name)))
        except FeedletterError:
            continue
    return result


def _write_manifest(out_dir: Path, names: set[str]) -> None:
    data = (json.dumps(sorted(names), indent=0) + "\n").encode()
    write_file(out_dir, MANIFEST, data)


def _folders_of(names: set[str]) -> set[str]:
    return {_split(name)[0] for name in names} | {""}


class TreeWriter:
    """Write an output tree file by file (nothing held in memory), then prune.

    `start(names)` widens the manifest to every name this run may write, `write(name,
    data)` writes one file atomically, `finish(prune=True)` removes what earlier runs wrote
    and this one did not, and records the manifest.
    """

    def __init__(self, out_dir: Path, *, dry_run: bool = False) -> None:
        self.out_dir = out_dir
        self.dry_run = dry_run
        self.report = WriteReport([], [], [])
        self.names: set[str] = set()
        self.old: set[str] = set()

    def start(self, names: set[str]) -> None:
        self.names = {safe_relpath(n) for n in names}
        self.old = _read_manifest(self.out_dir)
        if self.dry_run:
            return
        remove_stale_temps(self.out_dir, _folders_of(self.names | self.old))
        if not self.names <= self.old:
            _write_manifest(self.out_dir, self.old | self.names)

    def write(self, name: str, data: bytes) -> bool:
        changed = write_file(self.out_dir, name, data, dry_run=self.dry_run)
        self.record(name, changed)
        return changed

    def record(self, name: str, changed: bool) -> None:
        """Count a file another process wrote (with `write_file`) for this tree."""
        (self.report.written if changed else self.report.unchanged).append(safe_relpath(name))

    def keep(self, name: str) -> None:
        """Count a file known to be current without reading it (the cache said so)."""
        self.report.unchanged.append(safe_relpath(name))

    def finish(self, *, prune: bool = True) -> WriteReport:
        stale = sorted(self.old - self.names) if prune else []
        if self.dry_run:
            self.report.removed = stale
            return self.report
        for name in stale:
            if remove_file(self.out_dir, name):
                self.report.removed.append(name)
            remove_empty_folders(self.out_dir, _split(name)[0])
        # Again at the end: a killed build's workers may still have been dying at the start.
        remove_stale_temps(self.out_dir, _folders_of(self.names | self.old))
        keep = self.names if prune else self.names | self.old
        if keep != self.old:
            _write_manifest(self.out_dir, keep)
        return self.report


def open_lock_file(root: Path, name: str) -> int:
    """A descriptor of `root/name` for `flock`, created if missing: a regular file only
    (a link or FIFO planted there is refused, and opening it never blocks)."""
    with folder(root) as dfd:
        shown = root / name
        try:
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
                         | os.O_CLOEXEC, 0o644, dir_fd=dfd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
                st = _lstat(dfd, name)
                raise FileInTheWay(str(shown), f"is {_kind(st.st_mode) if st else 'in the way'}"
                                   "; a lock must be a regular file") from None
            raise _io_error(shown, exc) from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            raise FileInTheWay(str(shown), f"is {_kind(st.st_mode)}; a lock must be a regular file")
        return fd
