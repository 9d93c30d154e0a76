"""One sweep at a time per results folder.

A second ``sim sweep`` on a folder in use would compute every run again and the two
would overwrite each other's record in the manifest. The lock is an exclusive
``flock`` on ``ROOT/.lock``; the file names the process that holds it, so that the
refusal can say who. The operating system releases a ``flock`` when its process dies,
however it dies, so a lock left by a killed sweep is stale by construction: the next
sweep takes it over and says so. Where ``flock`` is not available (some network file
systems), the process id in the file is checked instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from sim.experiment.files import StoreError, storage_error

__all__ = ["LOCK", "FolderLock"]

LOCK = ".lock"


def _now() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


class FolderLock:
    """The lock of a results folder, held for the life of one sweep (a context manager).

    Parameters
    ----------
    root : Path
        The results folder; created if missing.
    command : list of str, optional
        What the holder is doing, shown to a process that is refused.
    """

    def __init__(self, root: Path, command: list[str] | None = None) -> None:
        self.root = Path(root)
        self.path = self.root / LOCK
        self.command = " ".join(command or sys.argv)
        self.fd: int | None = None
        self.note: str | None = None  # set when a stale lock was taken over

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock or raise ``StoreError`` naming the process that holds it."""
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root} is a file, not a folder; choose another --out.")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise storage_error(err, self.root) from None
        try:
            state = _flock(fd)
            previous = _holder(fd)
            if state == "busy" or (state == "unsupported" and previous and _alive(previous)):
                raise _busy(self.root, previous or {})
        except BaseException:
            os.close(fd)
            raise
        if previous:
            self.note = (
                f"took over the lock of {self.root} left by process {previous.get('pid')}, "
                "which is no longer running (a sweep that was killed)."
            )
        self.fd = fd
        self._write(
            {"pid": os.getpid(), "host": socket.gethostname(), "since": _now()}
            | {"command": self.command}
        )

    def _write(self, holder: dict[str, Any] | None) -> None:
        assert self.fd is not None
        text = json.dumps(holder) + "\n" if holder else ""
        with contextlib.suppress(OSError):  # a full disk must not stop the sweep here
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, text.encode(), 0)

    def release(self) -> None:
        """Empty the file (a clean release) and let the lock go."""
        if self.fd is None:
            return
        self._write(None)
        os.close(self.fd)  # closing the descriptor releases the flock
        self.fd = None


def _flock(fd: int) -> str:
    """Try to lock without waiting: ``locked``, ``busy`` (another process holds it) or
    ``unsupported`` (no ``flock`` here, or a file system without locks)."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        return "unsupported"
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return "busy"
    except OSError:  # ENOLCK, EINVAL
        return "unsupported"
    return "locked"


def _busy(root: Path, holder: dict[str, Any]) -> StoreError:
    who = f"process {holder.get('pid', '?')}"
    if holder.get("host") and holder["host"] != socket.gethostname():
        who += f" on {holder['host']}"
    since = f" since {holder['since']}" if holder.get("since") else ""
    command = str(holder.get("command", ""))
    doing = f" ({command})" if command else ""
    other = "another sweep" if " sweep" in command or not command else "another process"
    return StoreError(
        f"{root} is in use by {other}: {who}{since}{doing}; "
        "wait for it to end or stop it, or use --out for another folder."
    )


def _holder(fd: int) -> dict[str, Any] | None:
    """Who the lock file says holds it (None if it is empty: released cleanly)."""
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
    except OSError:
        return None
    if not text:
        return None
    try:
        holder = json.loads(text)
    except json.JSONDecodeError:
        return {"pid": "?"}
    return holder if isinstance(holder, dict) else {"pid": "?"}


def _alive(holder: dict[str, Any]) -> bool:
    """Whether the holder may still run (used only where ``flock`` is unavailable)."""
    if holder.get("host") != socket.gethostname():
        return True  # cannot tell for another machine: assume it runs
    try:
        os.kill(int(holder.get("pid", -1)), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
