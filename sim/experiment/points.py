"""Explicit points: a design made elsewhere, run through ``sim``'s engine.

A spec's ``[points]`` section gives the points instead of ``[vary]``: ``file`` names a
CSV or Parquet table (relative to the spec's folder), one row per point and one column
per parameter; ``rows`` lists them inline (a list of tables, as ``sim.run_batch`` gives
them). Every value is checked against the parameter schema, so a design made by SALib,
the EMA Workbench or a spreadsheet is refused with the row and column at fault before
anything runs. The points keep the table's order: row ``i`` is point ``i``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.experiment.designs import Dimension, param_value
from sim.model.params import PARAMS, ParamError, check_value

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["POINTS_KEYS", "parse_points", "read_table"]

POINTS_KEYS = ("file", "rows")
Err = Callable[[str], Exception]


def read_table(path: Path, err: Err) -> pd.DataFrame:
    """A CSV or Parquet table of points, or ``err`` naming why it cannot be read."""
    import pandas as pd  # only when a table is read: reading a spec stays light

    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise err(f"[points] file must be a .csv or .parquet table, got {str(path)!r}.")
    try:
        return pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    except FileNotFoundError:
        raise err(f"[points] file {str(path)!r} not found.") from None
    except (OSError, ValueError) as e:  # pandas and Arrow say ValueError for a bad table
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise err(f"[points] cannot read {str(path)!r}: {reason}") from None


def parse_points(
    table: dict[str, Any], fixed: dict[str, Any], base: Path | None, err: Err
) -> tuple[tuple[Dimension, ...], list[dict[str, Any]], str | None]:
    """The dimensions, the points and the file of a ``[points]`` section.

    Returns the varied parameters (one dimension per column, its levels the values met,
    numbers sorted), the checked points in table order, and the file as given.
    """
    unknown = [k for k in table if k not in POINTS_KEYS]
    if unknown or len(table) != 1:
        raise err("[points] takes one key: file = 'table.csv' (or .parquet), or rows = [...].")
    if "file" in table:
        given = table["file"]
        if not isinstance(given, str) or not given:
            raise err(f"[points] file must be a path, got {given!r}.")
        frame = read_table((base or Path()) / given, err)
    else:
        rows = table["rows"]
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise err("[points] rows must be a list of tables of parameter values.")
        import pandas as pd

        given, frame = None, pd.DataFrame(rows)
    if len(frame) == 0 or len(frame.columns) == 0:
        raise err("[points]: the table has no points; give one row per point.")
    for name in frame.columns:
        _column(str(name), fixed, err)
    points = [_row(i, row, err) for i, row in enumerate(frame.to_dict("records"))]
    return tuple(_dimension(str(c), points) for c in frame.columns), points, given


def _column(name: str, fixed: dict[str, Any], err: Err) -> None:
    if name not in PARAMS:
        try:
            check_value(name, None)
        except ParamError as e:
            raise err(f"[points] column {name!r}: {e}") from None
    if name in fixed:
        raise err(f"[points] column {name!r} is also in [fixed]; a parameter is fixed or varied.")


def _row(i: int, row: dict[str, Any], err: Err) -> dict[str, Any]:
    return {str(k): param_value(str(k), v, f"[points] row {i}, {k}", err) for k, v in row.items()}


def _dimension(name: str, points: list[dict[str, Any]]) -> Dimension:
    values = list(dict.fromkeys(p[name] for p in points))
    if PARAMS[name].type in (int, float):
        values.sort()
    return Dimension(name, values=tuple(values))
