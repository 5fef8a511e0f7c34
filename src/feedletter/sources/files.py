"""Reading one post file safely: size limit, encodings, symbolic links, pipes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import PostError


def read_post(path: str, root: Path, max_bytes: int) -> tuple[str, bytes]:
    """One post file → (its text, its bytes), or PostError naming it with the reason."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:   # os.walk gives undecodable bytes as lone surrogates
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        raise PostError(shown, "file name is not UTF-8; rename the file") from None
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:    # listed a moment ago (discover): renamed or deleted since
        raise PostError(path, "changed while the build was running (the file is gone)") from None
    except OSError:
        mode = 0                 # the open below says why
    if stat.S_ISLNK(mode):
        try:
            target = Path(path).resolve()
        except (OSError, RuntimeError):      # RuntimeError: a link loop (Python < 3.13)
            raise PostError(path, "symbolic link loop; not followed") from None
        if not target.is_relative_to(root.resolve()):
            raise PostError(path, f"symbolic link to {target} outside the posts folder; "
                                  "not followed")
        if target.is_dir():
            raise PostError(path, "is a folder, not a post file")
    elif stat.S_ISDIR(mode):
        raise PostError(path, "is a folder, not a post file")
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer that never comes.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise PostError(path, "not a regular file (a pipe, socket or device); "
                                      "not read")
            if st.st_size > max_bytes:
                raise PostError(path, f"file is {st.st_size:,} bytes, over the limit of "
                                      f"{max_bytes:,} (feeds.max_post_bytes)")
            # st_size + 1 (a file growing while read is still caught below); reading
            # max_bytes + 1 at once would allocate 10 MB for every 4 kB post.
            data = _read_fd(fd, min(st.st_size, max_bytes) + 1)
            if len(data) > st.st_size:      # it grew: read the rest, still bounded
                data += _read_fd(fd, max_bytes + 1 - len(data))
        finally:
            os.close(fd)
    except OSError as exc:
        raise PostError(path, f"cannot read: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise PostError(path, f"file is over the limit of {max_bytes:,} bytes")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PostError(path, "file is UTF-16; save it as UTF-8")
    if len(data) >= 4 and (data[1:4:2] == b"\0\0" or data[0:4:2] == b"\0\0"):
        raise PostError(path, "file is UTF-16 (without a byte-order mark); save it as UTF-8")
    try:
        return data.decode("utf-8-sig"), data
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PostError(path, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file "
                              "as UTF-8", line) from None


def _read_fd(fd: int, size: int) -> bytes:
    """Up to `size` bytes from `fd`, fewer only at the end of the file."""
    parts = []
    while size > 0:
        part = os.read(fd, size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return b"".join(parts)
