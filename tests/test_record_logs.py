"""A sweep keeps the runs' post, member and reply logs when its spec asks ([record] logs)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from sweeping import assert_same_results
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.files import StoreError
from sim.experiment.parts import PartWriter, scan
from sim.experiment.run import Destination, Task, execute, work
from sim.experiment.spec import SpecError, parse_spec
from sim.experiment.store import Store, consolidate
from sim.experiment.sweep import plan, run_sweep

SPEC = {
    "name": "logs",
    "replicates": 2,
    "seed": 3,
    "steps": 30,
    "fixed": {"n_members": 100, "warmup": 10},
    "vary": {"share_spammers": [0.0, 0.3], "policy": ["none", "moderated"]},
    "record": {"logs": ["posts", "members", "replies"]},
}


def test_a_sweep_records_the_logs_and_they_agree_with_the_daily_measures(tmp_path):
    report = run_sweep(parse_spec(SPEC), tmp_path, jobs=2, stream=io.StringIO())
    assert report.status == "complete"
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    ts = pd.read_parquet(tmp_path / "timeseries.parquet")
    posts = pd.read_parquet(tmp_path / "posts.parquet")
    members = pd.read_parquet(tmp_path / "members.parquet")
    replies = pd.read_parquet(tmp_path / "replies.parquet")
    assert not (tmp_path / ".parts").exists() or not any((tmp_path / ".parts").iterdir())
    for log in (posts, members, replies):
        assert set(log["run_id"]) == set(runs["run_id"])
    for run_id, days in ts[ts["day"] > 0].groupby("run_id"):
        days = days.set_index("day")
        mine = posts[posts["run_id"] == run_id].groupby("day").size()
        assert mine.reindex(days.index, fill_value=0).tolist() == days["posts"].tolist()
        said = replies[replies["run_id"] == run_id].groupby("day").size()
        assert said.reindex(days.index, fill_value=0).tolist() == days["comments"].tolist()
        who = members[members["run_id"] == run_id]
        joined = who[who["joined"] > 0].groupby("joined").size()
        assert joined.reindex(days.index, fill_value=0).tolist() == days["joins"].tolist()
        assert int(who["present"].sum()) == days["members"].iloc[-1]
    assert (posts.groupby("run_id").size() > 0).all()  # something was compared


def test_runs_without_logs_keep_none(tmp_path):
    task = Task(0, 0, 0, 1, {"n_members": 60, "warmup": 5}, 10, 1, ("members",))
    assert execute(task).logs == {}
    spec = {**SPEC, "record": {"metrics": ["members"]}, "replicates": 1}
    run_sweep(parse_spec(spec), tmp_path, jobs=1, stream=io.StringIO())
    assert not any((tmp_path / f"{k}.parquet").exists() for k in ("posts", "members", "replies"))
    assert "logs" not in parse_spec(spec).resolved()["record"]  # older fingerprints kept


def test_a_log_listed_but_missing_is_damage(tmp_path):
    parts = tmp_path / ".parts"
    parts.mkdir()
    writer = PartWriter(parts, "s-h-1-0")
    log = pa.table({"run_id": pa.array([7, 7], pa.int64()), "post": [1, 2]})
    writer.append({"run_id": 7, "status": "ok"}, None, {"posts": log})
    writer.close()
    assert 7 in scan(parts).chosen
    (parts / "s-h-1-0.posts.arrows").unlink()
    with pytest.raises(StoreError, match="posts log of run 7 is missing"):
        scan(parts)
    assert 7 not in scan(parts, repair=True).chosen


def test_unknown_logs_are_refused():
    with pytest.raises(SpecError, match="unknown log 'post'.*'posts'"):
        parse_spec({"record": {"logs": ["post"]}})


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> Path:
    """The spec swept without interruption, to compare with."""
    out = tmp_path_factory.mktemp("whole")
    run_sweep(parse_spec(SPEC), out, jobs=1, stream=io.StringIO())
    return out


def partial(root: Path, ids: range) -> None:
    """What a killed sweep leaves: the runs ``ids`` in parts, the manifest at running."""
    spec = parse_spec(SPEC)
    store = Store(root)
    store.open(spec, fresh=False, command=["sim", "sweep"], jobs=1)
    for task in plan(spec)[ids.start : ids.stop]:
        work(task, Destination(str(root), store.session))
    store.close()


def test_a_resumed_sweep_has_the_same_logs_as_an_uninterrupted_one(tmp_path, whole):
    out = tmp_path / "s"
    partial(out, range(0, 3))
    assert consolidate(out) == 3
    # killed again after merging runs 3 and 4 but before deleting their parts, which
    # hold run 2 again (run once more by a worker killed before the client heard of it)
    partial(out, range(2, 5))
    report = run_sweep(parse_spec(SPEC), out, jobs=2, stream=io.StringIO())
    assert report.status == "complete" and report.ran == 8 - 5
    assert_same_results(out, whole)
    assert len(pd.read_parquet(out / "posts.parquet")) > 0


def test_an_unreadable_log_table_is_named_and_repair_runs_its_runs_again(tmp_path, whole):
    out = tmp_path / "s"
    shutil.copytree(whole, out)
    data = (out / "posts.parquet").read_bytes()
    (out / "posts.parquet").write_bytes(data[: len(data) // 2])
    partial(out, range(0, 1))  # a run in parts: the log tables are read to merge it
    (out.parent / "s.toml").write_text(TOML)
    args = ["sweep", str(out.parent / "s.toml"), "--out", str(out), "--jobs", "1", "--no-plot"]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2
    assert "posts.parquet is damaged" in refused.stderr and "--repair" in refused.stderr
    repaired = CliRunner().invoke(app, [*args, "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert "posts.parquet (unreadable)" in repaired.stderr
    assert "(7 run now)" in repaired.stdout  # all but the run in parts: their posts are lost
    assert_same_results(out, whole)


def test_the_dry_run_counts_the_logs_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "with.toml").write_text(TOML)
    (tmp_path / "without.toml").write_text(TOML.replace(LOGS_LINE, ""))

    def disk(name: str) -> float:
        result = CliRunner().invoke(app, ["sweep", name, "--dry-run", "--jobs", "1"])
        assert result.exit_code == 0, result.output
        return float(result.output.split("disk: at most ")[1].split(" MB")[0])

    assert disk("with.toml") > 2 * disk("without.toml")


LOGS_LINE = 'logs = ["posts", "members", "replies"]\n'
TOML = (
    'name = "logs"\nreplicates = 2\nseed = 3\nsteps = 30\n'
    "[fixed]\nn_members = 100\nwarmup = 10\n"
    '[vary]\nshare_spammers = [0.0, 0.3]\npolicy = ["none", "moderated"]\n'
    f"[record]\n{LOGS_LINE}"
)
