"""Progress of a sweep: runs done, runs per second, ETA and failures."""

from __future__ import annotations

import sys
import time
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from sim.experiment.run import Result

__all__ = ["Progress", "format_duration"]


class Progress:
    """Runs done/total, runs per second, ETA and failures: a live bar on a terminal,
    a plain line every ``every`` seconds otherwise (logs, CI)."""

    def __init__(self, total: int, before: int, stream: IO[str] | None = None, every: float = 10):
        self.total, self.before = total, before
        self.stream = stream if stream is not None else sys.stderr
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every = every
        self.started = self.last = time.monotonic()
        self.done = self.failed = 0

    def update(self, result: Result | None = None, force: bool = False) -> None:
        if result is not None:
            self.done += 1
            self.failed += result.failed
        now = time.monotonic()
        if not (self.live or force or now - self.last >= self.every):
            return
        self.last = now
        line = self.line(now)
        if self.live:
            self.stream.write("\r" + line + " " * 4)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def line(self, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        done = self.before + self.done
        left = self.total - done
        eta = format_duration(left / rate) if rate > 0 else "?"
        text = (
            f"{done}/{self.total} runs  {rate:.1f} runs/s  ETA {eta}  "
            f"failed {self.failed}  elapsed {format_duration(elapsed)}"
        )
        if not self.live:
            return "progress: " + text
        width = 24
        filled = int(width * done / max(self.total, 1))
        return f"[{'#' * filled}{'.' * (width - filled)}] " + text

    def close(self) -> None:
        self.update(force=True)
        if self.live:
            self.stream.write("\n")
            self.stream.flush()


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
