"""Results on disk: parts, consolidation that survives a kill at any moment, the
manifest, and refusing to mix two specs in one folder."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sweeping import SPEC_TOML
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.spec import parse_spec
from sim.experiment.store import (
    MANIFEST,
    PARTS,
    RUNS,
    TIMESERIES,
    Store,
    StoreError,
    consolidate,
    done_ids,
    iter_timeseries,
    read_runs,
)

SPEC = {
    "name": "store",
    "replicates": 2,
    "seed": 3,
    "steps": 5,
    "fixed": {"n_members": 100},
    "vary": {"share_spammers": [0.0, 0.1]},
}


def fake_run(run_id: int, days: int = 6) -> tuple[dict, pd.DataFrame]:
    row = {"run_id": run_id, "point": run_id // 2, "replicate": run_id % 2, "seed": 100 + run_id}
    row |= {"honest_ratio": 1.0 - run_id / 10, "status": "ok", "error": None, "wall_time": 0.1}
    ts = pd.DataFrame({"run_id": run_id, "day": range(days), "members": [100.0 + run_id] * days})
    return row, ts


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "out")
    s.open(parse_spec(SPEC), fresh=False, command=["sim", "sweep", "x.toml"], jobs=1)
    return s


def test_parts_mark_runs_done_and_consolidate_into_tables(store):
    for i in (2, 0, 1):
        store.write_run(*fake_run(i))
    assert done_ids(store.root) == {0, 1, 2}
    assert consolidate(store.root) == 3
    runs = pd.read_parquet(store.root / RUNS)
    assert list(runs["run_id"]) == [0, 1, 2]
    ts = pd.read_parquet(store.root / TIMESERIES)
    assert sorted(ts["run_id"].unique()) == [0, 1, 2] and len(ts) == 18
    assert not [p.name for p in (store.root / PARTS).iterdir() if not p.name.startswith(".")]
    # more runs later are merged with what is there
    store.write_run(*fake_run(3))
    consolidate(store.root)
    assert list(pd.read_parquet(store.root / RUNS)["run_id"]) == [0, 1, 2, 3]
    assert len(pd.read_parquet(store.root / TIMESERIES)) == 24
    assert done_ids(store.root) == {0, 1, 2, 3}


def test_a_consolidation_killed_half_way_never_duplicates(store):
    for i in range(3):
        store.write_run(*fake_run(i))
    consolidate(store.root)
    # the state after a kill between replacing the time series and deleting the parts:
    # runs 1 and 2 are both consolidated and still in parts
    for i in (1, 2):
        store.write_run(*fake_run(i))
    assert len(read_runs(store.root)) == 3
    tables = list(iter_timeseries(store.root))
    assert sum(len(t) for t in tables) == 18
    consolidate(store.root)
    runs = pd.read_parquet(store.root / RUNS)
    assert runs["run_id"].is_unique and len(runs) == 3
    ts = pd.read_parquet(store.root / TIMESERIES)
    assert len(ts) == 18 and not ts.duplicated(["run_id", "day"]).any()


def test_a_failed_run_has_a_row_and_no_time_series(store):
    store.write_run(*fake_run(0))
    row = {"run_id": 1, "point": 0, "replicate": 1, "seed": 9, "honest_ratio": None}
    store.write_run(row | {"status": "failed", "error": "Traceback: boom", "wall_time": 0.0}, None)
    consolidate(store.root)
    runs = pd.read_parquet(store.root / RUNS)
    assert list(runs["status"]) == ["ok", "failed"]
    assert "boom" in runs.loc[1, "error"] and pd.isna(runs.loc[1, "honest_ratio"])
    assert set(pd.read_parquet(store.root / TIMESERIES)["run_id"]) == {0}


def test_no_temporary_files_are_left(store):
    store.write_run(*fake_run(0))
    consolidate(store.root)
    leftovers = [p.name for p in store.root.rglob("*") if ".tmp-" in p.name]
    assert leftovers == []


def test_manifest_records_spec_design_and_provenance(store):
    m = json.loads((store.root / MANIFEST).read_text())
    assert m["name"] == "store" and m["status"] == "running"
    assert m["spec"]["given"]["vary"] == {"share_spammers": [0.0, 0.1]}
    points = m["resolved"]["points"]
    assert [p["values"] for p in points] == [{"share_spammers": 0.0}, {"share_spammers": 0.1}]
    assert points[1]["params"]["n_members"] == 100 and "policy" in points[1]["params"]
    prov = m["provenance"]
    assert prov["version"] and prov["python"] and prov["host"]
    assert set(prov["git"]) == {"commit", "dirty"}
    assert prov["packages"]["mesa"] and prov["packages"]["numpy"]
    session = m["sessions"][0]
    assert session["command"] == ["sim", "sweep", "x.toml"] and session["started"]
    store.finish("complete", {"total": 4, "done": 4})
    m = json.loads((store.root / MANIFEST).read_text())
    assert m["status"] == "complete" and m["ended"] and m["sessions"][0]["ended"]


def test_another_spec_is_refused_and_fresh_removes_only_sweep_files(store):
    store.write_run(*fake_run(0))
    other = parse_spec(SPEC | {"replicates": 5})
    with pytest.raises(StoreError, match="different spec.*--fresh"):
        Store(store.root).open(other, fresh=False, command=[], jobs=1)
    assert done_ids(store.root) == {0}  # nothing lost by the refusal
    (store.root / "notes.txt").write_text("mine")
    done = Store(store.root).open(other, fresh=True, command=[], jobs=1)
    assert done == set()
    assert (store.root / "notes.txt").read_text() == "mine"


def test_the_same_spec_resumes(store):
    store.write_run(*fake_run(0))
    again = Store(store.root)
    assert again.open(parse_spec(SPEC), fresh=False, command=[], jobs=2) == {0}
    assert len(again.manifest["sessions"]) == 2


def test_tables_without_a_manifest_are_not_overwritten(tmp_path):
    root = tmp_path / "out"
    root.mkdir()
    (root / RUNS).write_bytes(b"precious")
    with pytest.raises(StoreError, match="no manifest.json but holds runs.parquet"):
        Store(root).open(parse_spec(SPEC), fresh=False, command=[], jobs=1)
    assert (root / RUNS).read_bytes() == b"precious"


def test_the_refusal_says_which_keys_changed(store):
    other = parse_spec(SPEC | {"replicates": 5, "fixed": {"n_members": 150}})
    with pytest.raises(StoreError) as caught:
        Store(store.root).open(other, fresh=False, command=[], jobs=1)
    message = str(caught.value)
    assert "changed replicates 2 -> 5; fixed.n_members 100 -> 150;" in message
    assert "--fresh" in message and "\n" not in message


def test_fresh_refuses_a_folder_that_is_not_a_sweeps(tmp_path):
    root = tmp_path / "mine"
    (root / "figures").mkdir(parents=True)
    (root / "figures" / "fig1.png").write_bytes(b"my figure")
    (root / "summary.md").write_text("my notes")
    (tmp_path / "s.toml").write_text(SPEC_TOML)
    args = ["sweep", str(tmp_path / "s.toml"), "--out", str(root), "--fresh", "--no-plot"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: {root} is not a sweep's results folder (it has no manifest.json), so --fresh "
        "deletes nothing there (figures, summary.md); use --out for another folder."
    ]
    assert (root / "figures" / "fig1.png").read_bytes() == b"my figure"
    assert (root / "summary.md").read_text() == "my notes"


def test_fresh_deletes_what_the_sweep_wrote_and_nothing_else(tmp_path):
    (tmp_path / "s.toml").write_text(SPEC_TOML)
    root = tmp_path / "out"
    args = ["sweep", str(tmp_path / "s.toml"), "--out", str(root), "--jobs", "1"]
    assert CliRunner().invoke(app, args).exit_code == 0
    made = sorted(p.name for p in (root / "figures").iterdir())
    assert made and (root / "summary.md").exists()
    (root / "figures" / "mine.png").write_bytes(b"kept")  # the user's own files
    (root / "notes.txt").write_text("kept")
    recorded = (root / ".outputs").read_text().splitlines()  # the report's journal
    assert "summary.md" in recorded and f"figures/{made[0]}" in recorded
    (tmp_path / "s.toml").write_text(SPEC_TOML.replace("replicates = 3", "replicates = 2"))
    again = CliRunner().invoke(app, [*args, "--fresh", "--no-plot"])
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (root / "figures").iterdir()) == ["mine.png"]
    assert (root / "notes.txt").read_text() == "kept" and not (root / "summary.md").exists()
    manifest = json.loads((root / MANIFEST).read_text())
    assert manifest["resolved"]["replicates"] == 2 and "summary.md" not in manifest["files"]


def test_an_edited_analysis_is_applied_on_resume(tmp_path):
    (tmp_path / "s.toml").write_text(SPEC_TOML + "[analysis]\nthreshold = 0.5\n")
    root = tmp_path / "out"
    args = ["sweep", str(tmp_path / "s.toml"), "--out", str(root), "--jobs", "1"]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert "crosses 0.5" in (root / "summary.md").read_text()
    (tmp_path / "s.toml").write_text(SPEC_TOML + "[analysis]\nthreshold = 0.3\n")
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "[analysis] changed since the results were made (threshold 0.5 -> 0.3)" in again.stderr
    assert "crosses 0.3" in (root / "summary.md").read_text()
    manifest = json.loads((root / MANIFEST).read_text())
    assert manifest["resolved"]["analysis"]["threshold"] == 0.3
    assert manifest["sessions"][-1]["analysis_changed"] == {"threshold": [0.5, 0.3]}


def test_part_files_of_older_versions_are_still_read(store):
    """One Arrow file per run and kind (``<id>.run.arrow``, ``<id>.ts.arrow``), as a sweep
    killed before an upgrade left them."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    def old_part(name: str, table: pa.Table) -> None:
        with ipc.new_file(store.root / PARTS / name, table.schema) as writer:
            writer.write_table(table)

    for i in (0, 1):
        row, ts = fake_run(i)
        old_part(f"{i:09d}.ts.arrow", pa.Table.from_pandas(ts, preserve_index=False))
        old_part(f"{i:09d}.run.arrow", pa.Table.from_pylist([row]))
    store.write_run(*fake_run(2))
    assert done_ids(store.root) == {0, 1, 2}
    assert consolidate(store.root) == 3
    assert list(pd.read_parquet(store.root / RUNS)["run_id"]) == [0, 1, 2]
    assert len(pd.read_parquet(store.root / TIMESERIES)) == 18
    assert [p.name for p in (store.root / PARTS).iterdir() if not p.name.startswith(".")] == []
