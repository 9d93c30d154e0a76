"""Sweeps: specs and designs, running them, the results on disk, and what they found."""
