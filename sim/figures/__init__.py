"""Matplotlib figures: one run, the teaching pictures, sweeps and the animation."""
