"""Reference tables generated from the code, so the docs never restate a default.

``python -m sim.docs`` rewrites the parameter and measure tables in
``docs/ODD.md`` between their ``<!-- ... -->`` markers; a test checks they are current.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from sim.model.metrics import DAILY, SUMMARY
from sim.model.params import PARAMS, PRESETS

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def parameter_table() -> str:
    """Markdown table of every parameter: group, name, default, allowed, unit, meaning."""
    rows = [
        "| group | parameter | default | allowed | unit | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for p in PARAMS.values():
        allowed = p.allowed().replace("one of ", "")
        rows.append(
            f"| {p.group} | `{p.name}` | `{p.default!r}` | {_cell(allowed)} | "
            f"{_cell(p.unit)} | {_cell(p.help)} |"
        )
    return "\n".join(rows)


def preset_table() -> str:
    """Markdown table of the policy presets."""
    rows = ["| preset | sets |", "|---|---|"]
    for name, values in PRESETS.items():
        body = ", ".join(f"`{k}={v!r}`" for k, v in values.items()) or "no rules"
        rows.append(f"| `{name}` | {body} |")
    return "\n".join(rows)


def measure_table() -> str:
    """Markdown tables of the daily measures and the per-run summary."""
    daily = ["| daily measure | meaning |", "|---|---|"]
    daily += [f"| `{k}` | {_cell(v)} |" for k, v in DAILY.items()]
    summary = ["| per-run outcome | meaning |", "|---|---|"]
    summary += [f"| `{k}` | {_cell(v)} |" for k, v in SUMMARY.items()]
    return "\n".join(daily) + "\n\n" + "\n".join(summary)


def behaviour_table() -> str:
    """Markdown tables of the strategies' reactions and the posts' quality draws."""
    from sim.model.agents import COMMENT_PROPENSITY, LIKE_PROPENSITY, POST_QUALITY, Strategy

    quality = ["| post | quality |", "|---|---|"]
    kinds = ("share (sharers)", "question (carers)", "ethical promotion", "spam")
    quality += [
        f"| {k} | Beta({a:g}, {b:g}) |" for k, (a, b) in zip(kinds, POST_QUALITY, strict=True)
    ]
    react = ["| reader | like propensity | comment propensity |", "|---|---|---|"]
    react += [
        f"| {s.label} | {LIKE_PROPENSITY[s]:g} | {COMMENT_PROPENSITY[s]:g} |" for s in Strategy
    ]
    return "\n".join(quality) + "\n\n" + "\n".join(react)


TABLES = {
    "parameters": parameter_table,
    "behaviour": behaviour_table,
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
