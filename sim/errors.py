"""Errors a user can cause or meet: the CLI reports them in one line and exits with status 2."""

from __future__ import annotations

import difflib
import errno
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["UserError", "did_you_mean", "naming", "os_error_message", "replacing"]


class UserError(Exception):
    """A mistake in what the user asked for (a value, a file, a spec); the message
    names the thing and what is allowed."""


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest of ``choices``, or ``""`` if none is close.

    The leading space lets callers append it to a sentence unconditionally.
    """
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


# What a user can do about the file-system faults they meet most.
_WAY_OUT = {
    errno.ENOSPC: "free some space and run the command again",
    errno.EDQUOT: "free some space and run the command again",
    errno.EROFS: "choose a folder you can write to",
    errno.EACCES: "choose a folder you can write to",
    errno.EPERM: "choose a folder you can write to",
    errno.ENOTDIR: "part of the path is a file, not a folder",
}


def os_error_message(err: OSError, path: bool = True) -> str:
    """A file-system fault (full disk, read-only or missing folder...) as one sentence:
    the path (unless ``path`` is false), the system's reason and, for the common ones,
    the way out."""
    reason = err.strerror or str(err)
    where = f"{err.filename}: " if err.filename and path else ""
    way_out = _WAY_OUT.get(err.errno or 0)
    return f"{where}{reason}" + (f" ({way_out})." if way_out else ".")


@contextmanager
def naming(path: Path | str) -> Iterator[None]:
    """Attach ``path`` to an ``OSError`` raised without one inside the block.

    A full disk is reported by the write that fills it, which knows no file name; this
    lets the one-line message still say which file could not be written.
    """
    try:
        yield
    except OSError as err:
        if err.filename is None:
            err.filename = str(path)
        raise


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path next to ``path``, moved into place when the block ends well.

    A fault while writing (a full disk) leaves the previous ``path`` whole, removes the
    temporary file and is raised naming ``path``. The temporary name keeps the suffix,
    so writers that pick a format from it (figures) work unchanged.
    """
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    try:
        with naming(path):
            yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
