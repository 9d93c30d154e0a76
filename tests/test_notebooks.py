"""The notebooks in notebooks/ run top to bottom at a small size, and are stored clean.

Each notebook reads its size from environment variables in its second cell; here they
are set small, and the notebook is executed in a fresh kernel of this interpreter. A
cell that raises fails the test with the cell and its traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from notebook_kernel import notebook_client, small_kernel

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = {
    "01-quickstart",
    "02-sweep-analysis",
    "03-rules-and-moderation",
    "04-classroom",
    "05-sensitivity-and-scenario-discovery",
}


def _ids(path: Path) -> str:
    return path.stem


def _code(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def test_the_notebooks_are_there():
    assert {p.stem for p in NOTEBOOKS} == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.outputs != [] or c.execution_count is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing"
    assert "widgets" not in nb.metadata, f"{path.name}: widget state is stored"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_opens_with_a_summary_then_the_size_cell(path):
    nb = nbformat.read(path, as_version=4)
    first, second = nb.cells[0], nb.cells[1]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    summary = first.source.split("\n\n", 1)[1]
    assert len(summary.split()) >= 40, f"{path.name}: the opening summary is too short"
    assert second.cell_type == "code"
    for name in ("SIM_NB_MEMBERS", "SIM_NB_DAYS", "SIM_NB_SEEDS"):
        assert name in second.source, f"{path.name}: the size cell does not read {name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_uses_only_the_public_api(path):
    import sim

    nb = nbformat.read(path, as_version=4)
    submodule = re.compile(r"^\s*(from|import) sim\.", re.M)
    for cell in _code(nb):
        assert not submodule.search(cell.source), f"{path.name}: {cell.source[:200]}"
        used = set(re.findall(r"\bsim\.(\w+)", cell.source))
        assert used <= set(sim.__all__), f"{path.name} uses {sorted(used - set(sim.__all__))}"


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    """A fresh kernel of this interpreter at the small size; the notebook's folder."""
    return small_kernel(tmp_path, monkeypatch)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_runs_top_to_bottom(path, kernel):
    nb = nbformat.read(path, as_version=4)
    client = notebook_client(nb, kernel)
    client.execute()  # raises CellExecutionError, naming the cell, if any cell raises
    images = [
        o
        for c in _code(nb)
        for o in c.outputs
        if o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
    ]
    assert images, f"{path.name} drew no figure"
    for cell in _code(nb):
        if "interact(" in cell.source:  # the sliders' function ran once and drew its figure
            drawn = [o for o in cell.outputs if "image/png" in o.get("data", {})]
            assert drawn, f"{path.name}: the interactive cell drew nothing"
