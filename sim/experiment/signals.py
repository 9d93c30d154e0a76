"""Stops that wait: Ctrl-C or SIGTERM during a step that must not be cut in half.

Starting worker processes and writing the manifest are such steps: cut in half, the
first leaves children printing tracebacks as they find their parent gone, the second
a manifest that says nothing true. A stop asked meanwhile is acted on right after the
step; a second one acts at once, so that a step that hangs can still be stopped.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["Interrupted", "deferred_stops", "sigterm_stops"]

STOPS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The sweep was asked to stop (SIGTERM, like Ctrl-C); what finished is kept.

    A ``BaseException``, like ``KeyboardInterrupt``, so that a run's failure isolation
    (which catches ``Exception``) does not record the stop as a failed run."""


@contextlib.contextmanager
def sigterm_stops() -> Iterator[None]:
    """SIGTERM (a batch system's polite stop) raises ``Interrupted`` in the block, so that
    it stops a sweep as cleanly as Ctrl-C: what finished is kept and recorded."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Interrupted()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def deferred_stops(drop: bool = False) -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back during the block, then act on the first that came
    (or, with ``drop``, forget it: for a step that ends the session anyway)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {s: signal.getsignal(s) for s in STOPS}
    previous = {s: h for s, h in previous.items() if h is not None}

    def restore() -> None:
        for s, handler in previous.items():
            signal.signal(s, handler)

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)
        if len(caught) > 1:  # asked twice: stop now
            restore()
            signal.raise_signal(signum)

    for s in previous:
        signal.signal(s, hold)
    try:
        yield
    finally:
        restore()
        if caught and len(caught) == 1 and not drop:
            signal.raise_signal(caught[0])
