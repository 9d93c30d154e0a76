"""Progress of long work: a sweep's runs (runs done, runs per second, ETA, failures)
and the days of one long run (a group of a million members takes a minute a year)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.experiment.run import Result

__all__ = ["DayProgress", "Progress", "format_duration", "run_days", "said_if_slow"]


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


class DayProgress:
    """Days done of one run, its members and an ETA, on ``stream`` (standard error).

    Quiet until the run has taken ``after`` seconds, so that a short run prints nothing;
    then a live line on a terminal (cleared at the end), or a plain line every
    ``every`` seconds otherwise (logs, CI).
    """

    def __init__(
        self,
        total: int,
        stream: IO[str] | None = None,
        every: float = 10.0,
        after: float = 2.0,
    ) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every, self.after = every, after
        self.started = time.monotonic()
        self.last = self.started - every  # the first line is due as soon as ``after`` passed
        self.shown = False

    def update(self, done: int, members: int) -> None:
        now = time.monotonic()
        elapsed = now - self.started
        if elapsed < self.after or not (self.live or now - self.last >= self.every):
            return
        self.last, self.shown = now, True
        eta = format_duration(elapsed / done * (self.total - done)) if done else "?"
        text = (
            f"day {done}/{self.total}  {members:,} members  ETA {eta}  "
            f"elapsed {format_duration(elapsed)}"
        )
        self.stream.write(f"\r{text}    " if self.live else f"progress: {text}\n")
        self.stream.flush()

    def close(self) -> None:
        """Clear a live line, so that what follows starts on a clean line."""
        if self.live and self.shown:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()


def run_days(model: Any, days: int, stream: IO[str] | None = None) -> None:
    """``model.run(days)`` (a ``CommunityModel``), day by day with a ``DayProgress``."""
    progress = DayProgress(days, stream)
    for done in range(1, days + 1):
        model.step()
        progress.update(done, model.today["members"])
    progress.close()


@contextmanager
def said_if_slow(message: str, after: float = 2.0, stream: IO[str] | None = None) -> Iterator[None]:
    """Write ``message`` (on standard error) if the block is still running after
    ``after`` seconds: a long silent wait (a large group's set-up) gets a word, a
    short one none."""
    out = stream if stream is not None else sys.stderr
    timer = threading.Timer(after, lambda: (out.write(message + "\n"), out.flush()))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
