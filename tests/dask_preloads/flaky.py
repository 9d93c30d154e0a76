"""Preloaded by Dask workers in the tests: the model raises for one seed (the run whose
seed is in SIM_TEST_FAILING_SEED), as a bug met in one corner of the space would.
Dask may load a preload more than once in a process: the patch is applied once."""

import os

from sim.model import model

BAD = int(os.environ["SIM_TEST_FAILING_SEED"])
if not hasattr(model.CommunityModel, "unpatched_step"):
    model.CommunityModel.unpatched_step = model.CommunityModel.step

    def _flaky_step(self: model.CommunityModel) -> None:
        if self.seed == BAD and self.day > 3:
            raise FloatingPointError("boom in the model")
        self.unpatched_step()

    model.CommunityModel.step = _flaky_step
