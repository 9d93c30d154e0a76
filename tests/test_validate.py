"""`sim validate` as a whole: the plan follows the criteria, every criterion is judged and
reported, runs are reproducible, and the command writes its report without ever
overwriting the full one. No test asserts that the model passes a criterion."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.figures.validation import Panel, plot_checks
from sim.validation.criteria import CRITERIA
from sim.validation.groups import Group, plan, statistics
from sim.validation.judges import JUDGES, USES
from sim.validation.readings import MEANING, READINGS, SHORT_PUBLISHED
from sim.validation.report import write_figures, write_report
from sim.validation.runner import Runs, run_groups, run_one
from sim.validation.suite import CRITERIA_COMMIT, FULL_MARK, Provenance, judge

runner = CliRunner()
TINY = (("n_members", 60), ("share_spammers", 0.0), ("warmup", 5))


def tiny(kind: str, seeds: int = 2) -> Group:
    return Group(f"tiny-{kind}", "tiny", kind, TINY, seeds, 40)


def synthetic_runs(quick: bool = True, seed: int = 0) -> Runs:
    """Runs of a plan with made-up statistics: every name a real run gives, random values."""
    from sim.model.model import CommunityModel

    names = set()
    for kind in ("default", "volume", "rules", "cooling"):
        g = tiny(kind)
        model = CommunityModel(rng=1, logs=g.logs, **g.overrides).run(g.days)
        names |= set(statistics(g, model))
    rng = np.random.default_rng(seed)
    rows = [
        {"group": g.key, "seed": s, "error": None, "seconds": 1.0}
        | {n: float(rng.uniform(0.1, 1.0)) for n in sorted(names)}
        for g in plan(quick).groups
        for s in range(1, g.seeds + 1)
    ]
    return Runs(pd.DataFrame(rows))


def test_the_full_plan_is_the_criteria_groups():
    p = plan(quick=False)
    assert (p.small.members, p.middle.members, p.large.members) == (1000, 3000, 10_000)
    assert (p.small.seeds, p.middle.seeds, p.large.seeds) == (20, 10, 10)
    assert {g.days for g in p.groups} == {365}
    criteria_groups = [g for g in p.groups if g != p.decline]
    assert all(dict(g.params)["share_spammers"] == 0.0 for g in criteria_groups)
    assert "share_spammers" not in dict(p.decline.params)  # the model's default share
    assert dict(p.volume.params)["rate_sharer"] == pytest.approx(2.5)
    shown, hidden = dict(p.rules_shown.params), dict(p.rules_hidden.params)
    assert shown["rules_visible"] and not hidden["rules_visible"]
    assert {k: v for k, v in shown.items() if k != "rules_visible"} == {
        k: v for k, v in hidden.items() if k != "rules_visible"
    }
    assert p.runs == 120


def test_the_quick_plan_shares_the_runs_of_identical_groups():
    p = plan(quick=True)
    assert p.middle == p.large and len(p.groups) == 6
    assert {g.days for g in p.groups} == {180} and {g.seeds for g in p.groups} == {5}


def test_every_criterion_has_a_judge_a_summary_and_groups():
    keys = [c.key for c in CRITERIA]
    assert list(JUDGES) == keys and set(USES) == set(keys) and set(SHORT_PUBLISHED) == set(keys)
    assert set(READINGS) <= set(keys) and set(MEANING) <= set(keys)
    assert {verdict for verdict, _ in MEANING.values()} <= {"PASS", "FAIL"}
    assert len(keys) >= 8


def _numbers(text: str) -> set[float]:
    return {abs(float(x.replace(",", ""))) for x in re.findall(r"[-+]?\d[\d,]*\.?\d*", text)}


def test_each_check_quotes_its_criterion_and_takes_its_numbers_from_the_quote():
    runs, p = synthetic_runs(), plan(True)
    for c in CRITERIA:
        judged = [ch for ch in JUDGES[c.key](runs, p) if ch.judged]
        assert judged, c.key
        for ch in judged:
            assert ch.quote in c.criterion, (c.key, ch.quote)
            ends = {abs(x) for x in ch.band if np.isfinite(x) and x != 0}
            assert ends <= _numbers(ch.quote), (c.key, ch.quote, ch.band)


def test_a_judge_reads_the_groups_of_its_criterion():
    p = plan(True)
    runs = synthetic_runs()
    table = runs.table.copy()
    table.loc[table["group"] == p.large.key, "posted_share"] = 0.9  # far above the band
    table.loc[table["group"] == p.large.key, "top1_share"] = 0.6
    outcome = judge(Runs(table), p)[0]
    assert outcome.criterion.key == "participation" and outcome.verdict == "FAIL"
    assert "share of honest members who posted" in outcome.reasons()[0]
    table.loc[table["group"] == p.large.key, "posted_share"] = 0.25
    assert judge(Runs(table), p)[0].verdict == "PASS"


def test_values_are_in_seed_order_with_nan_for_failed_runs():
    g = tiny("default", seeds=3)
    table = pd.DataFrame(
        [
            {"group": g.key, "seed": 3, "error": None, "x": 3.0},
            {"group": g.key, "seed": 1, "error": None, "x": 1.0},
            {"group": g.key, "seed": 2, "error": "Traceback", "x": np.nan},
        ]
    )
    v = Runs(table).values(g, "x")
    assert v[0] == 1.0 and np.isnan(v[1]) and v[2] == 3.0
    assert np.isnan(Runs(table).values(g, "missing")).all()


def test_a_run_is_reproducible_and_gives_sensible_statistics():
    g = tiny("default")
    a, b = run_one(g, 3), run_one(g, 3)
    assert not a.failed and pd.Series(a.stats).equals(pd.Series(b.stats))
    assert 0 <= a.stats["posted_share"] <= 1 and a.stats["members_day0"] == 60
    assert not pd.Series(run_one(g, 4).stats).equals(pd.Series(a.stats))


def test_worker_processes_give_the_same_statistics_as_this_process():
    groups = [tiny("default"), tiny("volume")]
    runs = run_groups(groups, jobs=2)
    assert len(runs.table) == 4 and runs.failures().empty
    for g in groups:
        here = [run_one(g, s).stats for s in (1, 2)]
        for name in here[0]:
            np.testing.assert_array_equal(runs.values(g, name), [h[name] for h in here])


def provenance() -> Provenance:
    return Provenance("sim validate --quick", "abc1234", "unchanged", "2026-01-01", 61.0, 2, 25, 0)


def test_the_report_has_a_verdict_source_and_figure_per_criterion(tmp_path):
    p, runs = plan(True), synthetic_runs()
    outcomes = judge(runs, p)
    figures = write_figures(outcomes, tmp_path / "validation")
    write_report(tmp_path / "VALIDATION.md", p, runs, outcomes, provenance(), "<!-- quick -->")
    text = (tmp_path / "VALIDATION.md").read_text()
    summary = text.split("## Summary")[1].split("##")[0]
    assert len(re.findall(r"\*\*(PASS|FAIL)\*\* \|", summary)) == len(CRITERIA)
    for c in CRITERIA:
        assert c.criterion in text and c.source in text
        assert f"(validation/{c.key}.png)" in text
    assert "QUICK size" in text and "## What the model cannot express" in text
    assert "sim validate --quick" in text and CRITERIA_COMMIT in text
    assert sorted(f.name for f in figures) == sorted(f"{c.key}.png" for c in CRITERIA)
    assert all(f.stat().st_size > 5_000 for f in figures)


def test_a_figure_draws_the_band_the_model_and_the_published_figure():
    panels = [
        Panel("judged", 0.3, 0.2, 0.4, 0.1, 0.5, True, 0.25, "25%"),
        Panel("direction", 0.1, -0.1, 0.3, 0.0, float("inf"), False),
        Panel("context", 2.0, 1.5, 2.5),
        Panel("nothing", float("nan"), float("nan"), float("nan"), 0.0, 1.0, False),
    ]
    fig = plot_checks("A regularity", "FAIL", panels)
    axes = fig.axes
    assert len(axes) == 4 and "FAIL" in fig._suptitle.get_text()
    assert "[pass]" in axes[0].get_title("left") and "[FAIL]" in axes[1].get_title("left")
    lo, hi = axes[0].get_xlim()
    assert lo < 0.1 and hi > 0.5  # the band's ends are in view
    assert any("not measurable" in t.get_text() for t in axes[3].texts)


def test_the_criteria_are_as_committed_before_any_run():
    path = Path(__file__).resolve().parents[1] / "sim/validation/criteria.py"
    try:
        committed = subprocess.run(
            ["git", "show", f"{CRITERIA_COMMIT}:sim/validation/criteria.py"],
            cwd=path.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"commit {CRITERIA_COMMIT} is not in this checkout's history")
    assert path.read_text() == committed


def test_quick_never_overwrites_the_full_report(tmp_path):
    report = tmp_path / "VALIDATION.md"
    report.write_text(FULL_MARK + "\n# the committed report\n")
    result = runner.invoke(app, ["validate", "--quick", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().startswith("Error:") and len(result.output.splitlines()) == 1
    assert report.read_text() == FULL_MARK + "\n# the committed report\n"


def test_out_must_be_a_folder(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    result = runner.invoke(app, ["validate", "--quick", "--out", str(target)])
    assert result.exit_code == 2 and "is a file" in result.output


@pytest.mark.slow
def test_quick_validation_runs_end_to_end(tmp_path):
    result = runner.invoke(app, ["validate", "--quick", "--jobs", "2", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    verdicts = re.findall(r"^\s+(PASS|FAIL)\s+(.+)$", result.output, flags=re.M)
    assert [t for _, t in verdicts] == [c.title for c in CRITERIA]
    text = (tmp_path / "VALIDATION.md").read_text()
    summary = text.split("## Summary")[1].split("##")[0]
    assert len(re.findall(r"\*\*(PASS|FAIL)\*\* \|", summary)) == len(CRITERIA)
    assert "This is the QUICK size" in text and "30 runs" in text
    pngs = sorted(p.name for p in (tmp_path / "validation").glob("*.png"))
    assert pngs == sorted(f"{c.key}.png" for c in CRITERIA)


def test_the_report_names_the_code_commit_and_the_criteria_state():
    from sim.validation.suite import code_commit, criteria_status

    assert re.match(r"^([0-9a-f]{7,}|unknown)", code_commit())
    assert CRITERIA_COMMIT in criteria_status()
