"""Matplotlib figures: one run, the teaching pictures, sweeps and the animation.

Figures are drawn with the non-interactive Agg backend (unless a notebook set its
own) and saved to files; callers get the ``Figure`` back so tests can check the
plotted data. Nothing here computes results: figures take tables and draw them.
"""

import os

import matplotlib

if not os.environ.get("MPLBACKEND"):  # a notebook sets its own (inline) backend
    matplotlib.use("Agg")
