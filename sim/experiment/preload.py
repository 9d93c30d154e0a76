"""Imported once, by the local pool's fork server (``sim.experiment.forkserver``):
Mesa, the model and its compiled loops, loaded and run on a tiny group, so that every
worker forked from the server starts ready.

Ctrl-C is the sweep's to handle: the server, and the workers forked from it, ignore it
(the server restores to its workers the handlers it had after this import).
"""

from __future__ import annotations

import signal


def _load() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from sim.experiment.run import load_loops

    load_loops()


_load()
