"""Reference tables generated from the code, so the docs never restate a default.

``python -m sim.docs`` rewrites the generated tables in ``docs/ODD.md`` between their
``<!-- name:start -->`` and ``<!-- name:end -->`` markers; a test checks they are
current.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from sim.model import constants
from sim.model.metrics import DAILY, SUMMARY
from sim.model.parameters import BASES
from sim.model.params import PARAMS, PRESETS
from sim.model.strategies import TABLE

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|")


def _rows(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def parameter_table() -> str:
    """Every parameter: group, name, default, allowed values, unit, basis, meaning."""
    rows = [
        [
            p.group,
            f"`{p.name}`",
            f"`{p.default!r}`",
            p.allowed().replace("one of ", ""),
            p.unit,
            BASES[p.basis].split(" (")[0],
            p.help,
        ]
        for p in PARAMS.values()
    ]
    header = ["group", "parameter", "default", "allowed", "unit", "relative to", "meaning"]
    return _rows(header, rows)


def preset_table() -> str:
    """The policy presets."""
    rows = [
        [f"`{name}`", ", ".join(f"`{k}={v!r}`" for k, v in values.items()) or "no rules"]
        for name, values in PRESETS.items()
    ]
    return _rows(["preset", "sets"], rows)


def measure_table() -> str:
    """The daily measures and the per-run summary."""
    daily = _rows(["daily measure", "meaning"], [[f"`{k}`", v] for k, v in DAILY.items()])
    summary = _rows(["per-run outcome", "meaning"], [[f"`{k}`", v] for k, v in SUMMARY.items()])
    return daily + "\n\n" + summary


def _beta(ab: tuple[float, float] | None) -> str:
    return f"Beta({ab[0]:g}, {ab[1]:g})" if ab else "-"


def strategy_table() -> str:
    """The table of strategies (``sim.model.strategies.TABLE``)."""
    rows = [
        [
            f"`{b.key}`",
            f"`{b.share}`" if b.share else "the rest",
            f"`{b.rate}`" if b.rate else "-",
            b.kind.name.lower() if b.kind is not None else "-",
            _beta(b.quality),
            _beta(b.promotion_quality),
            f"{b.like:g}",
            f"{b.comment:g}",
            "yes" if b.honest else "no",
            "yes" if b.contributes else "no",
            b.compares or "-",
        ]
        for b in TABLE
    ]
    header = [
        "strategy",
        "share",
        "posts per visit",
        "ordinary posts",
        "their quality",
        "promotions' quality",
        "like propensity",
        "comment propensity",
        "makes the group",
        "contributes",
        "imitates on",
    ]
    return _rows(header, rows)


def constant_table() -> str:
    """The model's structural constants (``sim.model.constants``)."""
    return _rows(
        ["constant", "value", "meaning"],
        [[f"`{name}`", f"{value:g}", meaning] for name, value, meaning in constants.table()],
    )


TABLES = {
    "parameters": parameter_table,
    "strategies": strategy_table,
    "constants": constant_table,
    "presets": preset_table,
    "measures": measure_table,
}


def render(text: str) -> str:
    """``text`` with every generated table replaced by its current version."""
    for name, make in TABLES.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        text = pattern.sub(lambda m, make=make: m.group(1) + make() + "\n" + m.group(2), text)
    return text


def main() -> int:
    ODD.write_text(render(ODD.read_text()))
    print(f"updated the tables in {ODD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
