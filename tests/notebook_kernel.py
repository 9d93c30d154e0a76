"""Running a notebook in tests: a fresh kernel of this interpreter, at a small size.

Shared by the notebooks' tests and the French notebook's test, so that both run
notebooks the same way and neither meets nbclient's widget hang (``notebook_client``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

# Each notebook reads its size from these in its second cell.
SMALL = {
    "SIM_NB_MEMBERS": "150",
    "SIM_NB_DAYS": "60",
    "SIM_NB_SEEDS": "2",
    "SIM_NB_JOBS": "1",
    "SIM_NB_SALTELLI_N": "16",
    "SIM_NB_TRAJECTORIES": "6",
    "SIM_NB_SCENARIOS": "40",
    "MPLBACKEND": "Agg",
}
KERNEL = "sim-notebook-tests"


def small_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kernel spec for this interpreter (whatever other kernels the machine has), the
    small sizes set; returns the folder a notebook works in."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel_json = {"argv": argv, "display_name": "sim tests", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel_json))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    for name, value in SMALL.items():
        monkeypatch.setenv(name, value)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("TMPDIR", str(work))  # what a notebook writes to a temporary folder
    return work


def notebook_client(nb: nbformat.NotebookNode, work: Path) -> NotebookClient:
    """A client that executes ``nb`` in a fresh kernel, without mimicking widget outputs.

    nbclient mimics a browser's Output widget (``widgets.interact`` draws into one) by
    sending the widget's new state to the kernel on the shell channel from inside its
    output handler, while it awaits the cell's reply on that same channel. The message
    goes out through a plain copy of the asyncio socket, behind the asyncio wrapper's
    back, and can swallow the wake-up of a reply that has already arrived: the client
    then sleeps, with an idle kernel, until the cell's time-out (10 minutes) and only
    then reads the reply (nbclient issue 312). Without the mimic nothing is sent while
    a reply is awaited; what the interact function draws lands in the cell's outputs.
    """
    client = NotebookClient(
        nb, timeout=600, kernel_name=KERNEL, resources={"metadata": {"path": str(work)}}
    )
    client.widget_registry = {}  # no Output-widget mimic (see above)
    return client
