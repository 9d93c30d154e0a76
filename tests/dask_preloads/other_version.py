"""Preloaded by a Dask worker in the tests: a worker with another version of sim."""

import sim

sim.__version__ = "0.0.0+other"
