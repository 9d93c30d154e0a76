"""The documentation's generated tables match the code."""

from __future__ import annotations

from sim.docs import ODD, render
from sim.model.params import PARAMS


def test_odd_tables_are_current():
    text = ODD.read_text()
    assert render(text) == text, "run `python -m sim.docs` to refresh docs/ODD.md"
    for name in PARAMS:
        assert f"`{name}`" in text


def test_odd_has_the_2020_headings():
    text = ODD.read_text()
    for heading in (
        "Purpose and patterns",
        "Entities, state variables and scales",
        "Process overview and scheduling",
        "Design concepts",
        "Initialization",
        "Input data",
        "Submodels",
    ):
        assert heading in text


def test_every_generated_table_has_its_place_in_the_odd():
    from sim.docs import TABLES

    text = ODD.read_text()
    for name in TABLES:
        assert f"<!-- {name}:start -->" in text and f"<!-- {name}:end -->" in text, name


def test_every_structural_constant_has_a_meaning():
    from sim.model import constants

    names = {n for n in vars(constants) if n.isupper() and n != "MEANINGS"}
    assert names == set(constants.MEANINGS)
