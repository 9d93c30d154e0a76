"""Sweep specs: what is accepted, what the design is, and every refusal a user can meet."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.spec import SpecError, load_spec, parse_spec, run_seed
from sim.model.params import PARAMS

BASE = """
name = "t"
replicates = 2
seed = 11
steps = 30
[fixed]
n_members = 100
"""


def spec_of(body: str, base: str = BASE):
    import tomllib

    return parse_spec(tomllib.loads(textwrap.dedent(base) + textwrap.dedent(body)))


def refused(body: str, *words: str, base: str = BASE) -> str:
    with pytest.raises(SpecError) as info:
        spec_of(body, base)
    message = str(info.value)
    for w in words:
        assert w in message, f"{w!r} not in {message!r}"
    return message


# ------------------------------------------------------------------------- accepted
def test_grid_is_every_combination_first_key_outermost():
    spec = spec_of("""
        [vary]
        share_spammers = { start = 0.0, stop = 0.5, num = 11 }
        policy = ["none", "etiquette", "moderated"]
    """)
    assert len(spec.points) == 33 and spec.n_runs == 66
    assert spec.points[0] == {"share_spammers": 0.0, "policy": "none"}
    assert spec.points[1] == {"share_spammers": 0.0, "policy": "etiquette"}
    assert spec.points[3]["share_spammers"] == 0.05
    # evenly spaced values are clean decimals, so `sim run --set` reproduces them
    assert [p["share_spammers"] for p in spec.points[::3]][3] == 0.15


def test_log_range_and_integer_rounding():
    spec = spec_of("""
        [vary]
        moderator_capacity = { start = 1, stop = 100, num = 5, log = true }
    """)
    values = [p["moderator_capacity"] for p in spec.points]
    assert values == [1, 3, 10, 32, 100]
    assert all(isinstance(v, int) for v in values)


def test_defaults_and_no_vary_is_one_point():
    spec = parse_spec({}, default_name="mine")
    assert (spec.name, spec.replicates, spec.steps, spec.seed) == ("mine", 1, 365, 0)
    assert spec.points == ({},)
    assert spec.record_every == 1 and "members" in spec.record_metrics
    assert spec.tipping == "honest_ratio" and spec.threshold == 0.5


@pytest.mark.parametrize("method", ["random", "lhs", "sobol-sequence"])
def test_sampled_designs_stay_in_range_and_depend_only_on_the_seed(method):
    body = f"""
        [vary]
        share_spammers = {{ min = 0.0, max = 0.4 }}
        ring_size = {{ min = 1, max = 20 }}
        attention = {{ min = 2.0, max = 50.0, log = true }}
        feed_ranking = ["chronological", "engagement"]
        [sample]
        method = "{method}"
        n = 64
    """
    spec = spec_of(body)
    again = spec_of(body)
    other = spec_of(body, base=BASE.replace("seed = 11", "seed = 12"))
    assert spec.points == again.points
    assert spec.points != other.points
    assert len(spec.points) == 64
    shares = np.array([p["share_spammers"] for p in spec.points])
    assert shares.min() >= 0.0 and shares.max() <= 0.4
    rings = [p["ring_size"] for p in spec.points]
    assert all(isinstance(r, int) and 1 <= r <= 20 for r in rings)
    att = np.array([p["attention"] for p in spec.points])
    assert att.min() >= 2.0 and att.max() <= 50.0
    assert {p["feed_ranking"] for p in spec.points} == {"chronological", "engagement"}


def test_latin_hypercube_fills_every_stratum_once():
    spec = spec_of("""
        [vary]
        share_spammers = { min = 0.0, max = 0.4 }
        spam_rate = { min = 0.0, max = 1.0 }
        [sample]
        method = "lhs"
        n = 20
    """)
    for name, width in (("share_spammers", 0.4), ("spam_rate", 1.0)):
        x = np.array([p[name] for p in spec.points]) / width
        assert sorted((x * 20).astype(int)) == list(range(20))


def test_fingerprint_ignores_layout_and_analysis_but_not_the_design():
    a = spec_of("[vary]\nshare_spammers = [0.0, 0.1]\n")
    b = spec_of("# a comment\n[vary]\nshare_spammers = [0.0, 0.1]\n[analysis]\nthreshold = 0.3\n")
    c = spec_of("[vary]\nshare_spammers = [0.0, 0.2]\n")
    d = spec_of("[vary]\nshare_spammers = [0.0, 0.1]\n", base=BASE.replace("= 2\n", "= 3\n"))
    assert a.fingerprint() == b.fingerprint()
    assert len({a.fingerprint(), c.fingerprint(), d.fingerprint()}) == 3


def test_run_seeds_are_plain_distinct_ints_from_point_and_replicate():
    seeds = {run_seed(2026, p, r) for p in range(50) for r in range(20)}
    assert len(seeds) == 1000
    assert all(isinstance(s, int) and 0 <= s < 2**63 for s in seeds)
    assert run_seed(2026, 3, 4) == run_seed(2026, 3, 4) != run_seed(2027, 3, 4)


def test_spec_file_keeps_its_text_and_path(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text('replicates = 2\n[vary]\npolicy = ["none", "strict"]\n')
    spec = load_spec(path)
    assert spec.name == "exp" and spec.path == str(path)
    assert "strict" in spec.text and spec.source["replicates"] == 2


# -------------------------------------------------------------------------- refused
@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("[vary]\nshare_spamers = [0.1]\n", ["share_spamers", "share_spammers"]),
        ("[fixed]\nn_memberz = 5\n", ["n_memberz", "n_members"]),
        ("colour = 'red'\n", ["colour", "Allowed"]),
    ],
)
def test_unknown_keys_are_named_with_a_suggestion(body, words):
    base = "" if not body.startswith("[vary]") else BASE
    refused(body, *words, base=base)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("[vary]\nshare_spammers = [0.1, 1.5]\n", ["[vary] share_spammers", "[0, 1]", "1.5"]),
        ("[vary]\nshare_spammers = { start = 0.0, stop = 2.0, num = 3 }\n", ["share_spammers"]),
        ("[vary]\npolicy = ['none', 'anarchy']\n", ["policy", "'etiquette'", "anarchy"]),
        ("[vary]\nring_size = [2.5]\n", ["ring_size", "integer"]),
        (
            "[vary]\nshare_spammers = { min = 0.0, max = 3.0 }\n[sample]\nmethod='lhs'\nn=4\n",
            ["[0, 1]", "3.0"],
        ),
    ],
)
def test_values_out_of_bounds_name_the_parameter_and_what_is_allowed(body, words):
    refused(body, *words)


def test_fixed_value_out_of_bounds_is_refused():
    refused("", "[fixed]", "n_members", "[10,", base="[fixed]\nn_members = 3\n")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("[vary]\nshare_spammers = []\n", ["share_spammers", "empty"]),
        ("[vary]\nshare_spammers = { start = 0.0, stop = 0.5, num = 0 }\n", ["num"]),
        ("[vary]\nshare_spammers = 0.2\n", ["share_spammers", "[fixed]"]),
        ("[vary]\npolicy = { start = 0, stop = 1, num = 2 }\n", ["policy", "list"]),
        ("[vary]\nshare_spammers = { start = 0.0, num = 3 }\n", ["share_spammers", "start"]),
        ("[vary]\nshare_spammers = { min = 0.0, max = 0.5 }\n", ["[sample]", "lhs"]),
        (
            "[vary]\nshare_spammers = { min = 0.4, max = 0.1 }\n[sample]\nmethod='lhs'\nn=4\n",
            ["min"],
        ),
        ("[vary]\nattention = { start = 0, stop = 10, num = 3, log = true }\n", ["log"]),
        ("[vary]\nshare_spammers = [0.1, 0.1]\n", ["repeats"]),
        ("[vary]\nn_members = [100, 200]\n", ["n_members", "[fixed]"]),
    ],
)
def test_malformed_or_empty_vary_is_refused(body, words):
    refused(body, *words)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("[sample]\nmethod = 'lhs'\nn = 8\n", ["[sample]", "[vary]"]),
        ("[vary]\nspam_rate = [0.1, 0.2]\n[sample]\nmethod = 'magic'\n", ["method", "'lhs'"]),
        (
            "[vary]\nspam_rate = [0.1, 0.2]\n[sample]\nmethod = 'sobol-sequence'\nn = 100\n",
            ["power of 2"],
        ),
        (
            "[vary]\nspam_rate = { min = 0.1, max = 0.2 }\n[sample]\nmethod = 'sobol'\nn = 64\n",
            ["ambiguous", "'sobol-sequence'", "'sobol-saltelli'"],
        ),
        (
            "[vary]\nspam_rate = [0.1, 0.2]\n[sample]\nmethod = 'lhs'\nn = 8\nlevels = 4\n",
            ["levels", "not an option"],
        ),
        (
            "[vary]\nspam_rate = [0.1, 0.2]\n[sample]\nmethod = 'morris'\nn = 8\nlevels = 1\n",
            ["levels", "integer >= 2"],
        ),
        ("[vary]\nspam_rate = [0.1, 0.2]\n[sample]\nmethod = 'random'\n", ["n", "required"]),
        ("[vary]\nspam_rate = [0.1, 0.2]\n[sample]\nn = 5\n", ["grid"]),
        ("[vary]\nspam_rate = [0.1, 0.2]\n[sample]\nmethod = 'lhs'\nn = 0\n", ["n"]),
        ("[record]\nevery = 0\n", ["every"]),
        ("[record]\nmetrics = ['members', 'happiness']\n", ["happiness", "Allowed"]),
        ("[record]\nspeed = 3\n", ["speed", "[record]"]),
        ("[analysis]\ntipping = 'joy'\n", ["joy"]),
        ("[analysis]\nalong = 'policy'\n", ["along"]),
        ("[fixed]\npolicy = ['none']\n", ["[fixed] policy", "[vary]"]),
    ],
)
def test_malformed_sections_are_refused(body, words):
    base = BASE.replace("[fixed]\nn_members = 100\n", "") if "[fixed]" in body else BASE
    refused(body, *words, base=base)


@pytest.mark.parametrize(
    ("base", "words"),
    [
        ("replicates = 0\n", ["replicates", "integer"]),
        ("replicates = 'many'\n", ["replicates"]),
        ("steps = 0\n", ["steps"]),
        ("seed = -1\n", ["seed"]),
        ("name = 'a/b'\n", ["name"]),
        ("fixed = 3\n", ["fixed", "table"]),
    ],
)
def test_top_level_values_are_checked(base, words):
    refused("", *words, base=base)


def test_a_point_the_model_would_refuse_is_named():
    message = refused(
        "[vary]\nshare_spammers = [0.1, 0.9]\n",
        "point 1",
        "share_spammers=0.9",
        "sum",
        base=BASE + "share_sharers = 0.12\n",
    )
    assert "at most 1" in message


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(SpecError, match="not found"):
        load_spec(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("replicates = = 3\n")
    with pytest.raises(SpecError, match="not valid TOML"):
        load_spec(bad)


@pytest.mark.parametrize(
    "text",
    [
        "replicates = = 3\n",
        "[vary]\nshare_spammers = [0.1, 7]\n",
        "[vary]\nbogus = [1]\n",
        "[vary]\nshare_spammers = []\n",
    ],
)
def test_cli_refuses_before_running_anything(tmp_path, monkeypatch, text):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.toml").write_text(text)
    result = CliRunner().invoke(app, ["sweep", "s.toml"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") or "Error: " in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "results").exists()


def test_every_parameter_can_be_fixed_at_its_default():
    fixed = {name: p.default for name, p in PARAMS.items()}
    spec = parse_spec({"fixed": fixed})
    assert spec.params(0)["n_members"] == PARAMS["n_members"].default


EXPERIMENTS = sorted((Path(__file__).parent.parent / "experiments").glob("*.toml"))


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.name)
def test_canonical_experiments_are_valid(path):
    spec = load_spec(path)
    assert spec.name == path.stem and spec.n_runs > 0


def test_the_documented_grammar_example_is_valid():
    import re
    import tomllib

    readme = (Path(__file__).parent.parent / "experiments" / "README.md").read_text()
    block = re.search(r"## The spec\s+```toml\n(.*?)```", readme, re.S).group(1)
    spec = parse_spec(tomllib.loads(block))
    assert spec.method == "lhs" and len(spec.points) == 256 and spec.record_every == 7


# ---------------------------------------------------------------------- the design
def test_a_grid_point_is_the_product_of_the_levels_in_order():
    import itertools

    spec = spec_of("""
        [vary]
        share_spammers = [0.0, 0.1, 0.2]
        policy = ["none", "strict"]
        ring_size = [1, 5, 20, 40]
    """)
    levels = [d.values for d in spec.vary]
    expected = [
        dict(zip(("share_spammers", "policy", "ring_size"), c, strict=True))
        for c in itertools.product(*levels)
    ]
    assert len(spec.points) == 24
    assert [spec.points[i] for i in range(24)] == expected == list(spec.points)
    assert spec.points[-1] == expected[-1] and spec.points[5:9] == expected[5:9]
    with pytest.raises(IndexError):
        spec.points[24]


def test_the_design_size_is_known_before_any_point_is_made(monkeypatch):
    from sim.experiment import designs

    def made(*args, **kwargs):
        raise AssertionError("a point was made")

    monkeypatch.setattr(designs.Points, "__iter__", made)
    monkeypatch.setattr(designs.Points, "__getitem__", made)
    message = refused(
        """
        [vary]
        share_spammers = { start = 0.0, stop = 0.5, num = 100000 }
        attention = { start = 1.0, stop = 50.0, num = 100000 }
        """,
        "20,000,000,000 runs",  # 10^10 points x 2 replicates
        "at most 10,000,000",
    )
    assert message.count("\n") == 0
    large = spec_of("[vary]\nshare_spammers = { start = 0.0, stop = 0.5, num = 100000 }\n")
    assert large.n_runs == 200_000 and large.large  # read without making one point


def test_a_long_range_is_checked_by_its_bounds_not_value_by_value(monkeypatch):
    from sim.experiment import designs

    calls = []
    real = designs.check_value
    monkeypatch.setattr(designs, "check_value", lambda n, v: calls.append(n) or real(n, v))
    spec = spec_of("[vary]\nshare_spammers = { start = 0.0, stop = 0.5, num = 100000 }\n")
    values = spec.vary[0].values
    assert len(values) == 100_000 and values[0] == 0.0 and values[-1] == 0.5
    assert len(set(values)) == len(values) and list(values) == sorted(values)
    assert calls.count("share_spammers") <= 4  # start, stop, smallest and largest value


def test_an_integer_range_drops_repeats_and_keeps_the_order():
    spec = spec_of("[vary]\nmoderator_capacity = { start = 10, stop = 0, num = 41 }\n")
    assert [p["moderator_capacity"] for p in spec.points] == list(range(10, -1, -1))


def test_a_design_of_many_points_is_read_at_once_and_checked_when_asked():
    from sim.experiment.spec import CHECKED_POINTS

    body = "[vary]\nshare_spammers = { start = 0.0, stop = 0.5, num = 20000 }\n"
    spec = spec_of(body, base=BASE + "share_sharers = 0.6\n")
    assert len(spec.points) > CHECKED_POINTS and not spec.checked
    with pytest.raises(SpecError, match=r"point 8000 \(share_spammers=0.20001.*sum to"):
        spec.check_points()
    small = "[vary]\nshare_spammers = { start = 0.0, stop = 0.5, num = 2000 }\n"
    refused(small, "point 800 (share_spammers=0.2001", base=BASE + "share_sharers = 0.6\n")


@pytest.mark.parametrize("method", ["random", "sobol-sequence", "lhs", "sobol-saltelli", "morris"])
def test_a_pilot_makes_a_few_points_of_the_same_ranges(method):
    spec = spec_of(f"""
        [vary]
        share_spammers = {{ min = 0.0, max = 0.4 }}
        ring_size = [1, 2, 3]
        [sample]
        method = "{method}"
        n = 1048576
    """)
    pilot = spec.pilot()
    assert len(pilot.points) == 3 and pilot.n_runs == 3 * spec.replicates
    for p in pilot.points:
        assert 0.0 <= p["share_spammers"] <= 0.4 and p["ring_size"] in (1, 2, 3)
    grid = spec_of("[vary]\nshare_spammers = { start = 0.0, stop = 0.5, num = 11 }\n")
    assert list(grid.pilot().points) == [grid.points[i] for i in (0, 5, 10)]


def test_committed_results_are_still_those_of_their_specs():
    """Every committed results folder can be resumed by its spec: same fingerprint and
    the same points, in order (the design is made the same way it was)."""
    import json

    root = Path(__file__).parent.parent
    manifests = sorted((root / "results").glob("*/manifest.json"))
    assert manifests
    for path in manifests:
        manifest = json.loads(path.read_text())
        spec = load_spec(root / manifest["spec"]["path"])
        assert spec.fingerprint() == manifest["fingerprint"], path
        assert list(spec.points) == [p["values"] for p in manifest["resolved"]["points"]]


# ----------------------------------------------------------------- names and files
@pytest.mark.parametrize("name", ["résumé", "spam-vs-rules_2.b", "Ωmega", "東京"])
def test_a_folder_name_in_any_script_is_accepted(name):
    assert spec_of("", base=f'name = "{name}"\n').name == name


def test_a_decomposed_accent_is_stored_composed():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "résumé")
    assert spec_of("", base=f'name = "{decomposed}"\n').name == "résumé"


@pytest.mark.parametrize("name", ["a/b", "..", ".hidden", "", "tab\\there", "x\\u0000y", "-x"])
def test_an_unsafe_folder_name_is_refused(name):
    message = refused("", "`name` must be a folder name", base=f'name = "{name}"\n')
    assert message.count("\n") == 0


def test_a_spec_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'name = "bom"\n[vary]\npolicy = ["none"]\n')
    spec = load_spec(path)
    assert spec.name == "bom" and spec.points == [{"policy": "none"}]
    assert not spec.text.startswith("\ufeff")
