"""What the benchmark runs in its fresh child processes (``run.py --child KIND ...``):
each measurement prints one JSON line, so that peak memory belongs to one model size
and nothing is cached from one measurement to the next.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any


def _peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def _time_model(n: int, days: int, seed: int) -> dict[str, Any]:
    """One ``CommunityModel`` run, timed from construction to its time series."""
    from sim.model.model import CommunityModel

    started, cpu = time.perf_counter(), time.process_time()
    model = CommunityModel(rng=seed, n_members=n)
    built = time.perf_counter()
    model.run(days)
    ts = model.timeseries()
    seconds = time.perf_counter() - started
    return {
        "seed": seed,
        "kernels": model.kernels.name,
        "seconds": seconds,
        "setup_seconds": built - started,
        "cpu_seconds": time.process_time() - cpu,
        "member_days": n * days,
        "members_present_days": int(ts["members"].iloc[1:].sum()),
        "reads": int(ts["reads"].iloc[1:].sum()),
        "posts": int(ts["posts"].iloc[1:].sum()),
    }


def _load_loops() -> None:
    """Load the compiled loops as a sweep's worker does (``sim.experiment.run.load_loops``),
    so that their one-off loading is no run's time."""
    from sim.experiment.run import load_loops

    load_loops()


def child_model(n: int, days: int, reps: int, first: int = 1) -> dict[str, Any]:
    """Repetitions of one model size in this (fresh) process, seeds ``first`` on, and
    its peak memory.

    The process loads the compiled loops first, as a sweep's worker does (with
    ``sim[fast]``), so that every size runs on the same path. Mesa's models hold
    reference cycles, so a finished model waits for Python's cycle collector; it is
    collected before the next repetition, so that the peak is one model's, not two.
    """
    import gc

    import sim.model.model  # noqa: F401 - imported before measuring the baseline memory

    _load_loops()

    after_import = _peak_rss_mib()
    runs = []
    for seed in range(first, first + reps):
        runs.append(_time_model(n, days, seed))
        gc.collect()
    return {"runs": runs, "rss_after_import_mib": after_import, "peak_rss_mib": _peak_rss_mib()}


def child_mesa(steps: int, reps: int) -> dict[str, Any]:
    """Mesa's BoltzmannWealth and our model at 1,000, interleaved repetition by
    repetition: ours on the compiled loops (a sweep's runs, with ``sim[fast]``) and on
    NumPy (a single run, or without Numba)."""
    import warnings

    warnings.simplefilter("ignore")  # Mesa's experimental-feature notices
    from mesa.examples import BoltzmannWealth
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario

    n = 1_000
    _load_loops()
    ours, numpy, theirs = [], [], []
    for seed in range(1, reps + 1):
        ours.append(_time_model(n, steps, seed))
        os.environ["SIM_KERNELS"] = "numpy"
        numpy.append(_time_model(n, steps, seed))
        del os.environ["SIM_KERNELS"]
        started = time.perf_counter()
        model = BoltzmannWealth(BoltzmannScenario(n=n, rng=seed))
        for _ in range(steps):
            model.step()
        theirs.append({"seed": seed, "seconds": time.perf_counter() - started})
    return {"n": n, "steps": steps, "ours": ours, "ours_numpy": numpy, "boltzmann": theirs}


def child_compute(spec_path: str) -> dict[str, Any]:
    """The bare model runs of a sweep spec, one after the other, without the sweep."""
    from sim.experiment.spec import load_spec
    from sim.experiment.sweep import plan
    from sim.model import kernels
    from sim.model.model import CommunityModel

    kernels.load()  # as a sweep's worker does
    tasks = plan(load_spec(spec_path))
    started, cpu = time.perf_counter(), time.process_time()
    for task in tasks:
        CommunityModel(rng=task.seed, **task.params).run(task.steps)
    return {
        "runs": len(tasks),
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
    }


def child_classroom(days: int) -> dict[str, Any]:
    """Each model day of the classroom app's group (1,000 members, defaults), timed alone."""
    from sim.model.model import CommunityModel

    model = CommunityModel(rng=1)
    times = []
    for _ in range(days):
        started = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - started)
    return {"days": days, "seconds": times}


CHILDREN = {
    "model": child_model,
    "mesa": child_mesa,
    "compute": child_compute,
    "classroom": child_classroom,
}
